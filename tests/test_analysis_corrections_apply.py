"""Team corrections made after a mention was tagged apply at the next ordinary analysis pass."""

from __future__ import annotations

import logging
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pytest

from analysis import corrections, pipeline
from earshot.context import Context
from storage import queries_rows as qr
from storage.lock import write_lock
from storage.queries import Filters, Store
from storage.retention import purge
from storage.schema import MENTIONS, TAG, TAGS, empty_row
from storage.workflow import WorkflowStore

TEXTS = [
    "Die Hafenlicht App geht schon wieder nicht. Seit heute Morgen Störung!",
    "Danke an Hafenlicht, die LichtBox läuft super.",
    "Hafenlicht raised prices again, this is ridiculous.",
    "Does anyone know how Hafenlicht handles smart meter data?",
]
V = pipeline.ANALYZER_VERSION


@pytest.fixture
def tagged(ctx: Context) -> Context:
    """A lake of 8 mentions over two months (so several tag files), tagged once."""
    base = datetime(2026, 3, 1, tzinfo=UTC)
    rows = []
    for i in range(8):
        row = empty_row()
        row.update(source="x", id=f"m{i}", text=TEXTS[i % len(TEXTS)], created_at=base + timedelta(days=9 * i),
                   collected_at=base + timedelta(days=90), entity="Hafenlicht")
        rows.append(row)
    with write_lock(ctx.data_dir):
        ctx.lake.append(MENTIONS, rows)
    assert pipeline.run(ctx, workers=1).tagged == 8
    return ctx


def _tags(ctx: Context, version: str = V) -> dict[str, dict]:
    rows = [r for r in ctx.lake.read(TAGS).to_pylist() if r["analyzer_version"] == version]
    assert len(rows) == len({(r["source"], r["id"]) for r in rows}), "one tag row per mention and version"
    return {r["id"]: r for r in rows}


def _files(ctx: Context) -> dict[Path, int]:
    return {p: p.stat().st_mtime_ns for p in ctx.lake.files(TAGS)}


def test_correction_after_tagging_applies_at_the_next_pass(tagged: Context) -> None:
    ctx = tagged
    before, files = _tags(ctx), _files(ctx)
    assert len(files) >= 2
    m1 = before["m1"]  # "Danke ... läuft super": praised, not criticism
    assert m1["sentiment_label"] != "negative" and m1["criticism"] is False and m1["intent"] != "complaint"
    store = WorkflowStore(ctx.data_dir)  # as the dashboard's conversation page records them
    store.correct("x", "m1", "sentiment", "negative", who="anna")
    store.correct("x", "m1", "criticism", "true", who="anna")
    store.correct("x", "m1", "intent", "complaint", who="anna")
    store.correct("x", "m1", "topic", "billing", who="anna")

    result = pipeline.run(ctx, workers=1)
    assert (result.tagged, result.corrected, result.corrected_files) == (0, 1, 1)
    after = _tags(ctx)
    assert len(after) == 8
    fixed = after["m1"]
    assert fixed["sentiment_label"] == "negative" and fixed["sentiment"] < 0
    assert fixed["criticism"] is True and fixed["criticism_reasons"][0] == "corrected by the team"
    assert fixed["intent"] == "complaint" and fixed["topics"] == ["billing"]
    assert {k: v for k, v in after.items() if k != "m1"} == {k: v for k, v in before.items() if k != "m1"}
    changed = [p for p, t in _files(ctx).items() if files.get(p) != t]
    assert len(changed) == 1  # only the file holding m1's tag was rewritten

    files = _files(ctx)
    again = pipeline.run(ctx, workers=1)
    assert (again.tagged, again.corrected, again.corrected_files) == (0, 0, 0)
    assert _files(ctx) == files  # nothing rewritten
    assert _tags(ctx) == after


def test_a_changed_correction_applies_too_latest_wins(tagged: Context) -> None:
    ctx = tagged
    store = WorkflowStore(ctx.data_dir)
    store.correct("x", "m2", "sentiment", "positive", who="anna")
    store.correct("x", "m2", "criticism", "false", who="anna")
    assert pipeline.run(ctx, workers=1).corrected == 1
    row = _tags(ctx)["m2"]
    assert row["sentiment_label"] == "positive" and row["sentiment"] > 0 and row["criticism"] is False
    store.correct("x", "m2", "sentiment", "neutral", who="ben")
    store.correct("x", "m2", "sentiment", "negative", who="carla")
    store.correct("x", "m2", "criticism", "true", who="carla")
    assert pipeline.run(ctx, workers=1).corrected == 1
    row = _tags(ctx)["m2"]
    assert row["sentiment_label"] == "negative" and row["sentiment"] < 0 and row["criticism"] is True
    assert row["criticism_reasons"].count("corrected by the team") == 1
    assert row["criticism_reasons"][0] == "corrected by the team"
    assert pipeline.run(ctx, workers=1).corrected == 0


def test_only_the_current_version_is_corrected(ctx: Context) -> None:
    with write_lock(ctx.data_dir):
        row = empty_row()
        row.update(source="x", id="m1", text=TEXTS[1], created_at=datetime(2026, 3, 1, tzinfo=UTC),
                   collected_at=datetime(2026, 3, 2, tzinfo=UTC))
        ctx.lake.append(MENTIONS, [row])
    pipeline.run(ctx, workers=1, version="0.old")
    old = _tags(ctx, "0.old")
    pipeline.run(ctx, workers=1, version=V, batch=1)  # tags m1 with this version; 0.old is dropped after that
    with write_lock(ctx.data_dir):  # so put it back: rows of another version, as while a pass is under way
        ctx.lake.append(TAGS, pa.Table.from_pylist(list(old.values()), schema=TAG))
    WorkflowStore(ctx.data_dir).correct("x", "m1", "intent", "suggestion", who="anna")
    fixes = corrections.load(ctx.data_dir)
    with write_lock(ctx.data_dir):
        assert pipeline.reapply_corrections(ctx.lake, fixes, V) == (1, 1)
    assert _tags(ctx)["m1"]["intent"] == "suggestion"
    assert _tags(ctx, "0.old") == old and old["m1"]["intent"] != "suggestion"


def test_unreadable_store_leaves_tags_alone(tagged: Context, caplog: pytest.LogCaptureFixture) -> None:
    ctx = tagged
    before, files = _tags(ctx), _files(ctx)
    (ctx.data_dir / "workflow.sqlite").write_bytes(b"this is not a database" * 100)
    with caplog.at_level(logging.WARNING, logger="analysis.corrections"):
        result = pipeline.run(ctx, workers=1)
    assert result.corrected == 0 and "could not read team corrections" in caplog.text
    assert _tags(ctx) == before and _files(ctx) == files


def test_corrections_of_unknown_or_untagged_mentions_change_nothing(tagged: Context) -> None:
    ctx = tagged
    files = _files(ctx)
    WorkflowStore(ctx.data_dir).correct("x", "not-in-the-lake", "intent", "question", who="anna")
    assert pipeline.run(ctx, workers=1).corrected == 0
    assert _files(ctx) == files


def test_the_dashboard_shows_the_corrected_tag(tagged: Context) -> None:
    ctx = tagged
    dash = Store(ctx.data_dir)
    shown = qr.mentions_page(dash, Filters()).set_index("id")
    assert shown.loc["m1", "sentiment_label"] != "negative" and not shown.loc["m1", "criticism"]
    store = WorkflowStore(ctx.data_dir)
    store.correct("x", "m1", "sentiment", "negative", who="anna")
    store.correct("x", "m1", "criticism", "true", who="anna")
    store.correct("x", "m1", "intent", "complaint", who="anna")
    store.correct("x", "m1", "topic", "billing", who="anna")
    pipeline.run(ctx, workers=1)
    assert dash.refresh()  # the rewritten tag file is noticed like any lake change
    for frame in (qr.mentions_page(dash, Filters()), qr.by_keys(dash, ["x:m1"])):
        m1 = frame.set_index("id").loc["m1"]
        assert m1["sentiment_label"] == "negative" and bool(m1["criticism"]) is True
        assert m1["intent"] == "complaint" and list(m1["topics"]) == ["billing"]
    page = qr.mentions_page(dash, Filters(criticism=True))
    assert "m1" in set(page["id"])
    assert len(qr.mentions_page(dash, Filters())) == 8


def test_apply_is_idempotent_keeps_order_and_respects_version() -> None:
    t0 = datetime(2026, 1, 1, tzinfo=UTC)

    def row(i: int, version: str) -> dict:
        return {"source": "x", "id": str(i), "created_at": t0, "analyzer_version": version, "tagged_at": t0,
                "lang": "de", "sentiment": 0.3, "sentiment_label": "positive", "criticism": False,
                "criticism_reasons": ["sentiment: +0.30"], "topics": [], "intent": "praise"}

    table = pa.Table.from_pylist([row(0, "v"), row(1, "v"), row(2, "v"), row(1, "old")], schema=TAG)
    fixes = [corrections.Correction("x", "1", "criticism", "true"),
             corrections.Correction("x", "1", "sentiment_label", "negative")]
    once = corrections.apply(table, fixes, version="v")
    assert once.column("id").to_pylist() == ["0", "1", "2", "1"]
    fixed = once.to_pylist()
    assert fixed[1]["criticism_reasons"] == ["corrected by the team", "sentiment: +0.30"]
    assert fixed[1]["sentiment"] == pytest.approx(-0.5)
    assert fixed[0] == row(0, "v") and fixed[3] == row(1, "old")
    assert corrections.apply(once, fixes, version="v").equals(once)
    assert corrections.stale(table, fixes, "v") == [False, True, False, False]
    assert corrections.stale(once, fixes, "v") == [False] * 4


# -- withdrawn corrections: the automatic tags come back at the next ordinary pass -------------------------
def _content(rows: dict[str, dict]) -> dict[str, dict]:
    """Tag rows without ``tagged_at`` (a restored row is tagged again, so its time is new)."""
    return {k: {c: v for c, v in r.items() if c != "tagged_at"} for k, r in rows.items()}


def _correct_m1(store: WorkflowStore) -> None:
    store.correct("x", "m1", "sentiment", "negative", who="anna", author="kim")
    store.correct("x", "m1", "criticism", "true", who="anna", author="kim")
    store.correct("x", "m1", "intent", "complaint", who="anna", author="kim")
    store.correct("x", "m1", "topic", "billing", who="anna", author="kim")


def test_a_withdrawn_correction_gives_the_automatic_tags_back(tagged: Context) -> None:
    ctx = tagged
    automatic = _tags(ctx)
    store = WorkflowStore(ctx.data_dir)
    _correct_m1(store)
    assert pipeline.run(ctx, workers=1).corrected == 1
    assert _tags(ctx)["m1"]["criticism"] is True
    files = _files(ctx)

    store.forget(mentions=[("x", "m1")])  # as `collectors forget` does for the author's mentions
    assert store.corrections() == []
    result = pipeline.run(ctx, workers=1)
    after = _tags(ctx)
    assert _content(after) == _content(automatic)  # m1 as the tagger says, the others untouched
    assert (result.tagged, result.corrected, result.restored, result.restored_files) == (0, 0, 1, 1)
    assert after["m1"]["criticism_reasons"] == automatic["m1"]["criticism_reasons"]
    assert {k: r["tagged_at"] for k, r in after.items() if k != "m1"} == {
        k: r["tagged_at"] for k, r in automatic.items() if k != "m1"}
    changed = [p for p, t in _files(ctx).items() if files.get(p) != t]
    assert len(changed) == 1  # only the file holding m1's tag row

    files = _files(ctx)
    again = pipeline.run(ctx, workers=1)
    assert (again.tagged, again.corrected, again.restored, again.restored_files) == (0, 0, 0, 0)
    assert _files(ctx) == files and _tags(ctx) == after  # a rerun rewrites nothing


def test_one_withdrawn_field_comes_back_the_others_stay(tagged: Context) -> None:
    ctx = tagged
    automatic = _tags(ctx)
    store = WorkflowStore(ctx.data_dir)
    store.correct("x", "m2", "sentiment", "positive", who="anna")
    store.correct("x", "m2", "intent", "question", who="anna")
    pipeline.run(ctx, workers=1)
    assert _tags(ctx)["m2"]["sentiment_label"] == "positive"
    with sqlite3.connect(store.path) as con:  # any other way a correction disappears
        con.execute("DELETE FROM corrections WHERE mention_id = 'm2' AND field = 'sentiment'")
    result = pipeline.run(ctx, workers=1)
    m2 = _tags(ctx)["m2"]
    assert m2["intent"] == "question"  # still corrected
    auto = automatic["m2"]
    assert (m2["sentiment_label"], m2["sentiment"]) == (auto["sentiment_label"], auto["sentiment"])
    assert result.restored == 1


def test_corrections_purged_by_retention_are_withdrawn_too(tagged: Context) -> None:
    ctx = tagged
    automatic = _tags(ctx)
    store = WorkflowStore(ctx.data_dir)
    _correct_m1(store)
    store.correct("x", "m3", "intent", "praise", who="ben")
    pipeline.run(ctx, workers=1)
    assert store.purge(30, now=datetime.now(UTC) + timedelta(days=31))["corrections"] == 5
    result = pipeline.run(ctx, workers=1)
    assert _content(_tags(ctx)) == _content(automatic)
    assert result.restored == 2


def test_mentions_purged_by_retention_leave_the_record(tagged: Context) -> None:
    """Retention takes the purged mentions' keys out of the record at once (no trace of them is left), and
    the next pass has nothing to restore for them."""
    ctx = tagged
    store = WorkflowStore(ctx.data_dir)
    _correct_m1(store)
    store.correct("x", "m3", "intent", "praise", who="ben")
    pipeline.run(ctx, workers=1)
    assert {i for _, i, _ in corrections.recorded(ctx.data_dir)} == {"m1", "m3"}
    with write_lock(ctx.data_dir):
        purge(ctx, now=datetime(2026, 4, 10, tzinfo=UTC), days=30)  # m0 and m1 (posted 1 and 10 March) go
    assert sorted(_tags(ctx)) == [f"m{i}" for i in range(2, 8)]
    assert corrections.recorded(ctx.data_dir) == {("x", "m3", "intent")}
    result = pipeline.run(ctx, workers=1)
    assert (result.tagged, result.restored, result.restored_files) == (0, 0, 0)
    assert _tags(ctx)["m3"]["intent"] == "praise"


def test_restoring_again_after_a_pass_cut_short_rewrites_nothing(tagged: Context) -> None:
    ctx = tagged
    automatic = _tags(ctx)
    store = WorkflowStore(ctx.data_dir)
    _correct_m1(store)
    pipeline.run(ctx, workers=1)
    record = corrections.record_path(ctx.data_dir)
    kept = record.read_bytes()  # the record as it was before the next pass
    store.forget(mentions=[("x", "m1")])
    assert pipeline.run(ctx, workers=1).restored == 1
    record.write_bytes(kept)  # as if that pass had died after restoring m1 and before saving the record
    files = _files(ctx)
    again = pipeline.run(ctx, workers=1)
    assert (again.restored, again.restored_files) == (0, 0)  # m1 is tagged again, found unchanged
    assert _files(ctx) == files and _content(_tags(ctx)) == _content(automatic)
    assert pipeline.run(ctx, workers=1).restored == 0


def test_an_unreadable_store_withdraws_nothing(tagged: Context, caplog: pytest.LogCaptureFixture) -> None:
    ctx = tagged
    _correct_m1(WorkflowStore(ctx.data_dir))
    pipeline.run(ctx, workers=1)
    before, files = _tags(ctx), _files(ctx)
    (ctx.data_dir / "workflow.sqlite").write_bytes(b"this is not a database" * 100)
    with caplog.at_level(logging.WARNING, logger="analysis.corrections"):
        result = pipeline.run(ctx, workers=1)
    assert result.restored == 0 and "could not read team corrections" in caplog.text
    assert _tags(ctx) == before and _files(ctx) == files


def _die(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    def boom(*args: object, **kwargs: object) -> object:
        raise RuntimeError("killed mid-pass")

    monkeypatch.setattr(pipeline, name, boom)


def test_a_correction_applied_by_a_pass_cut_short_is_still_recorded(
    tagged: Context, monkeypatch: pytest.MonkeyPatch,
) -> None:
    ctx = tagged
    automatic = _tags(ctx)
    store = WorkflowStore(ctx.data_dir)
    _correct_m1(store)
    row = empty_row()
    row.update(source="x", id="new", text=TEXTS[0], created_at=datetime(2026, 3, 2, tzinfo=UTC),
               collected_at=datetime(2026, 6, 1, tzinfo=UTC))
    with write_lock(ctx.data_dir):
        ctx.lake.append(MENTIONS, [row])
    with monkeypatch.context() as m:
        _die(m, "tag_batch")  # m1's correction is re-applied, then the pass dies tagging the new mention
        with pytest.raises(RuntimeError):
            pipeline.run(ctx, workers=1)
    assert _tags(ctx)["m1"]["criticism"] is True
    store.forget(mentions=[("x", "m1")])
    pipeline.run(ctx, workers=1)
    assert _content(_tags(ctx))["m1"] == _content(automatic)["m1"]


def test_a_withdrawn_correction_is_restored_in_a_retag_cut_short_too(
    tagged: Context, monkeypatch: pytest.MonkeyPatch,
) -> None:
    ctx = tagged
    automatic = _tags(ctx)
    store = WorkflowStore(ctx.data_dir)
    _correct_m1(store)
    pipeline.run(ctx, workers=1)
    with monkeypatch.context() as m:
        _die(m, "promote")  # every mention has its re-tag row (m1's corrected), not yet swapped in
        with pytest.raises(RuntimeError):
            pipeline.run(ctx, workers=1, retag=True)
    store.forget(mentions=[("x", "m1")])
    result = pipeline.run(ctx, workers=1)  # continues the re-tag
    assert result.restored == 2  # m1's row of this version and its re-tag row
    assert _content(_tags(ctx))["m1"] == _content(automatic)["m1"]
