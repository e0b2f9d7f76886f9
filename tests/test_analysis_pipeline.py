"""The incremental analysis pass over the lake, and the `python -m analysis` command."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from analysis import __main__ as cli
from analysis import conversations, corrections, pipeline
from analysis.version import shown_version
from earshot.context import Context
from storage.lock import write_lock
from storage.queries import Store
from storage.schema import MENTIONS, TAGS, empty_row

TEXTS = [
    "Die Hafenlicht App geht schon wieder nicht. Seit heute Morgen Störung!",
    "Danke an Hafenlicht, die LichtBox läuft super.",
    "Hafenlicht raised prices again, this is ridiculous.",
    "Does anyone know how Hafenlicht handles smart meter data?",
]


def _mentions(n: int, start: int = 0) -> list[dict]:
    base = datetime(2026, 3, 1, tzinfo=UTC)
    rows = []
    for i in range(start, start + n):
        row = empty_row()
        row.update(source="x", id=f"m{i}", text=TEXTS[i % len(TEXTS)], created_at=base + timedelta(days=i % 60),
                   collected_at=base + timedelta(days=61), entity="Hafenlicht")
        rows.append(row)
    return rows


def _add(ctx: Context, rows: list[dict]) -> None:
    with write_lock(ctx.data_dir):
        ctx.lake.append(MENTIONS, rows)


def _tags(ctx: Context) -> list[dict]:
    return ctx.lake.read(TAGS).to_pylist()


def _fail_on_call(monkeypatch: pytest.MonkeyPatch, n: int) -> None:
    """Make the ``n``-th ``tag_batch`` call of the analysis pass fail, as a pass killed there would."""
    real = pipeline.tag_batch
    calls = 0

    def failing(*args: object, **kwargs: object) -> object:
        nonlocal calls
        calls += 1
        if calls == n:
            raise RuntimeError("killed mid-pass")
        return real(*args, **kwargs)

    monkeypatch.setattr(pipeline, "tag_batch", failing)


def test_pass_tags_every_mention_once_and_rerun_is_noop(ctx: Context) -> None:
    _add(ctx, _mentions(30))
    first = pipeline.run(ctx, batch=7)
    assert first.tagged == 30 and first.batches == 5
    assert pipeline.run(ctx).tagged == 0
    rows = _tags(ctx)
    assert len(rows) == 30 and len({(r["source"], r["id"]) for r in rows}) == 30
    one = next(r for r in rows if r["id"] == "m0")
    assert one["lang"] == "de" and one["criticism"] is True and "outage" in one["topics"]
    assert one["created_at"] == datetime(2026, 3, 1, tzinfo=UTC)


def test_new_mentions_only_are_tagged(ctx: Context) -> None:
    _add(ctx, _mentions(10))
    pipeline.run(ctx)
    _add(ctx, _mentions(5, start=10))
    assert pipeline.run(ctx).tagged == 5
    assert len(_tags(ctx)) == 15


def test_version_bump_retags_everything(ctx: Context) -> None:
    _add(ctx, _mentions(8))
    pipeline.run(ctx)
    assert pipeline.run(ctx, version="999.0").tagged == 8
    versions = duckdb.sql(f"SELECT analyzer_version, count(*) FROM read_parquet('{ctx.lake.glob(TAGS)}') "
                          "GROUP BY 1 ORDER BY 1").fetchall()
    assert versions == [("999.0", 8)]  # once every mention has a new tag, the old rows are dropped


def test_old_version_rows_stay_until_the_new_pass_completes(ctx: Context, monkeypatch: pytest.MonkeyPatch) -> None:
    _add(ctx, _mentions(8))
    pipeline.run(ctx)
    _fail_on_call(monkeypatch, 2)
    with pytest.raises(RuntimeError):
        pipeline.run(ctx, batch=3, version="999.0")
    kept = {r["analyzer_version"] for r in _tags(ctx)}
    assert kept == {pipeline.ANALYZER_VERSION, "999.0"}  # a pass cut short drops nothing
    monkeypatch.undo()
    result = pipeline.run(ctx, batch=3, version="999.0")
    assert result.tagged == 5 and result.pruned == 8
    assert {r["analyzer_version"] for r in _tags(ctx)} == {"999.0"} and len(_tags(ctx)) == 8
    assert pipeline.run(ctx, version="999.0").pruned == 0  # nothing left to drop: no file is rewritten


def test_readers_show_the_last_completed_version_until_a_new_one_is_complete(
    ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An upgrade (a new analyzer version) never shows the lake as untagged: the dashboard and the
    engagement views read the version of the last completed pass until the new one is complete."""
    _add(ctx, _mentions(8))
    pipeline.run(ctx)
    store = Store(ctx.data_dir)  # a dashboard that stays up across the upgrade
    assert store.version == pipeline.ANALYZER_VERSION
    assert store.one("SELECT count(*) FROM joined WHERE sentiment_label IS NOT NULL") == (8,)
    _fail_on_call(monkeypatch, 2)
    with pytest.raises(RuntimeError):
        pipeline.run(ctx, batch=3, version="999.0")
    assert shown_version(ctx.data_dir) == pipeline.ANALYZER_VERSION
    assert store.refresh() and store.version == pipeline.ANALYZER_VERSION  # new tag files; same version shown
    assert store.one("SELECT count(*) FROM joined WHERE sentiment_label IS NOT NULL") == (8,)
    assert conversations.load_mentions(ctx.lake)["sentiment_label"].notna().sum() == 8
    monkeypatch.undo()
    pipeline.run(ctx, batch=3, version="999.0")
    assert shown_version(ctx.data_dir) == "999.0"
    assert store.refresh() and store.version == "999.0"
    assert store.one("SELECT count(*) FROM joined WHERE sentiment_label IS NOT NULL") == (8,)
    assert conversations.load_mentions(ctx.lake)["sentiment_label"].notna().sum() == 8


def test_empty_lake_tags_nothing(ctx: Context) -> None:
    assert pipeline.run(ctx).tagged == 0


def test_corrections_override_automatic_tags(ctx: Context) -> None:
    _add(ctx, _mentions(4))
    corrections.set_corrections([("x", "m1", "sentiment_label", "negative"), ("x", "m1", "criticism", "true"),
                                 ("x", "m3", "intent", "suggestion")])
    try:
        pipeline.run(ctx)
    finally:
        corrections.set_corrections(None)
    rows = {r["id"]: r for r in _tags(ctx)}
    assert rows["m1"]["sentiment_label"] == "negative" and rows["m1"]["sentiment"] < 0
    assert rows["m1"]["criticism"] is True and rows["m1"]["criticism_reasons"][0] == "corrected by the team"
    assert rows["m3"]["intent"] == "suggestion"
    assert rows["m0"]["criticism"] is True  # untouched rows keep their automatic tags


OWN_REPLIES = {  # replies by the company's own accounts that read as criticism, and their intent without it
    "r1": ("@mike Sorry your bill was wrong again, that is not ok. Can you DM us your customer number?", "question"),
    "r2": ("@lena Das tut uns leid, die Abrechnung war falsch. Kannst du uns deine Kundennummer per DM schicken?",
           "question"),
    "r3": ("@tom We hear you, the outage yesterday was unacceptable. Fixed now, thanks for your patience.", "other"),
}


def test_own_posts_are_never_criticism(ctx: Context) -> None:
    rows = []
    for key, (text, _) in OWN_REPLIES.items():
        for own in (True, False):
            row = empty_row()
            row.update(source="x", id=f"{key}-{'own' if own else 'other'}", text=text, is_own=own,
                       author="hafenlicht_hilft" if own else "someone", created_at=datetime(2026, 3, 1, tzinfo=UTC),
                       collected_at=datetime(2026, 3, 2, tzinfo=UTC))
            rows.append(row)
    _add(ctx, rows)
    pipeline.run(ctx, workers=1)
    tags = {r["id"]: r for r in _tags(ctx)}
    for key, (_, intent) in OWN_REPLIES.items():
        own, other = tags[f"{key}-own"], tags[f"{key}-other"]
        assert other["criticism"] is True and other["intent"] == "complaint"  # the same words by someone else
        assert own["criticism"] is False and own["criticism_reasons"] == [] and own["intent"] == intent
        assert (own["sentiment"], own["sentiment_label"], own["topics"], own["lang"]) == (
            other["sentiment"], other["sentiment_label"], other["topics"], other["lang"])


def test_a_team_correction_still_overrides_an_own_post(ctx: Context) -> None:
    row = empty_row()
    row.update(source="x", id="r1", text=OWN_REPLIES["r1"][0], is_own=True, created_at=datetime(2026, 3, 1, tzinfo=UTC),
               collected_at=datetime(2026, 3, 2, tzinfo=UTC))
    _add(ctx, [row])
    corrections.set_corrections([("x", "r1", "criticism", "true")])
    try:
        pipeline.run(ctx, workers=1)
    finally:
        corrections.set_corrections(None)
    assert _tags(ctx)[0]["criticism"] is True
    assert pipeline.run(ctx, workers=1).restored == 1  # the correction is gone: an own post again
    assert _tags(ctx)[0]["criticism"] is False and _tags(ctx)[0]["intent"] == "question"


def test_cli_run_exit_codes(data_dir: Path, ctx: Context, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    _add(ctx, _mentions(3))
    assert cli.main(["--data", str(data_dir)]) == 0
    assert "tagged 3 mentions" in capsys.readouterr().out
    assert cli.main(["run", "--data", str(data_dir)]) == 0
    assert "tagged 0 mentions" in capsys.readouterr().out
    bad = tmp_path / "bad.yaml"
    bad.write_text("company: {name: X}\nentities: []\n", encoding="utf-8")
    assert cli.main(["--config", str(bad), "--data", str(data_dir)]) == 2
    assert "entities" in capsys.readouterr().err


def test_cli_delegates_missing_module_clearly(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    monkeypatch.setitem(cli.DELEGATED, "alerts", "analysis.no_such_module")
    assert cli.main(["alerts"]) == 2
    assert "not available" in capsys.readouterr().err


def test_parallel_tagging_matches_one_process(ctx: Context, monkeypatch: pytest.MonkeyPatch) -> None:
    from analysis import parallel
    from analysis.tagger import Tagger

    monkeypatch.setattr(parallel, "CHUNK", 5)
    monkeypatch.setattr(parallel, "MIN_PARALLEL", 10)
    texts = [TEXTS[i % len(TEXTS)] + f" {i}" for i in range(23)]
    tagger = Tagger(ctx.config)
    with parallel.ParallelTagger(tagger, workers=2) as pt:
        assert pt._pool is not None
        assert pt.tag(texts) == tagger.tag(texts)
        own = [i % 3 == 0 for i in range(len(texts))]  # the owner of each text reaches the workers
        langs = ["en"] * len(texts)
        assert pt.tag(texts, langs, own) == tagger.tag(texts, langs, own) != tagger.tag(texts, langs)


def test_corrections_from_the_workflow_store(ctx: Context) -> None:
    from storage.workflow import WorkflowStore

    _add(ctx, _mentions(4))
    store = WorkflowStore(ctx.data_dir)
    store.correct("x", "m1", "sentiment", "negative", who="anna")
    store.correct("x", "m1", "topic", "billing", who="anna")
    store.correct("x", "m2", "intent", "question", who="ben")
    assert sorted(c.field for c in corrections.load(ctx.data_dir)) == ["intent", "sentiment_label", "topics"]
    pipeline.run(ctx)
    rows = {r["id"]: r for r in _tags(ctx)}
    assert rows["m1"]["sentiment_label"] == "negative" and rows["m1"]["topics"] == ["billing"]
    assert rows["m2"]["intent"] == "question"


def _by_version(ctx: Context) -> dict[str, int]:
    out: dict[str, int] = {}
    for r in _tags(ctx):
        out[r["analyzer_version"]] = out.get(r["analyzer_version"], 0) + 1
    return out


def test_retag_keeps_the_shown_tags_until_it_is_complete(ctx: Context, monkeypatch: pytest.MonkeyPatch) -> None:
    _add(ctx, _mentions(9))
    pipeline.run(ctx)
    shown = {r["id"]: r["tagged_at"] for r in _tags(ctx)}
    _fail_on_call(monkeypatch, 3)
    with pytest.raises(RuntimeError):
        pipeline.run(ctx, batch=3, retag=True)
    staging = pipeline.ANALYZER_VERSION + pipeline.RETAG
    assert _by_version(ctx) == {pipeline.ANALYZER_VERSION: 9, staging: 6}
    # What queries read is untouched while the re-tag is under way.
    assert {r["id"]: r["tagged_at"] for r in _tags(ctx) if r["analyzer_version"] == pipeline.ANALYZER_VERSION} == shown
    monkeypatch.undo()
    again = pipeline.run(ctx, batch=3)  # an ordinary pass continues the re-tag
    assert again.tagged == 3
    assert _by_version(ctx) == {pipeline.ANALYZER_VERSION: 9}
    after = {r["id"]: r["tagged_at"] for r in _tags(ctx)}
    assert set(after) == set(shown) and all(after[k] > shown[k] for k in shown)  # every mention tagged anew
    assert pipeline.run(ctx).tagged == 0


def test_promote_cut_short_between_files_ends_in_the_same_state(ctx: Context,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    _add(ctx, _mentions(40))  # two months: several tag files
    pipeline.run(ctx)
    assert len(ctx.lake.files(TAGS)) >= 2
    real = ctx.lake.__class__.replace_file
    calls = 0

    def second_file_fails(self: object, path: Path, kept: object) -> None:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise OSError("disk full")
        real(self, path, kept)

    monkeypatch.setattr(ctx.lake.__class__, "replace_file", second_file_fails)
    with pytest.raises(OSError):
        pipeline.run(ctx, retag=True)
    assert calls == 2  # one file promoted, the others not
    monkeypatch.undo()
    pipeline.run(ctx)
    rows = _tags(ctx)
    assert _by_version(ctx) == {pipeline.ANALYZER_VERSION: 40}
    assert len({(r["source"], r["id"]) for r in rows}) == 40


def test_retag_asked_again_starts_afresh(ctx: Context, monkeypatch: pytest.MonkeyPatch) -> None:
    _add(ctx, _mentions(9))
    pipeline.run(ctx)
    _fail_on_call(monkeypatch, 2)
    with pytest.raises(RuntimeError):
        pipeline.run(ctx, batch=3, retag=True)
    monkeypatch.undo()
    assert _by_version(ctx)[pipeline.ANALYZER_VERSION + pipeline.RETAG] == 3
    # e.g. the models changed meanwhile: the rows made so far are not mixed with the new ones
    assert pipeline.run(ctx, batch=3, retag=True).tagged == 9
    assert _by_version(ctx) == {pipeline.ANALYZER_VERSION: 9}
