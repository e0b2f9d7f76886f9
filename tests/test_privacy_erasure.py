"""Erasure (`forget`) and retention (`purge`): nothing of the author is left, nothing old survives."""

from __future__ import annotations

import json
import logging
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from analysis import corrections
from collectors.__main__ import main
from collectors.runner import run_collector
from earshot import privacy
from earshot.context import Context
from storage.lock import write_lock
from storage.retention import forget, purge
from storage.schema import MENTIONS, RUNS, TAGS
from storage.workflow import WorkflowStore
from tests.privacy_helpers import ListCollector, aged, config, find_in_data, post, raw_items

KEY = "erasure-test-key-0123456789"
JANE_TEXT = "Hafenlicht hat meine Zählernummer 4711-0815 falsch abgelesen"


@pytest.fixture(autouse=True)
def key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(privacy.KEY_ENV, KEY)


def items() -> list[dict]:
    return [
        post("1", JANE_TEXT, "Jane_Doe", "u-1001", "Jane Doe", source="x"),
        post("2", "@jane_doe same here, Hafenlicht support never answers", "maxmuster", "u-2002", source="x",
             reply_to="Jane_Doe"),
        post("3", "Hafenlicht LichtBox review", "jane_doe", "t2_jane", "Jane D.", source="reddit"),
        post("4", "Hafenlicht prices up", "other", "u-3003", source="x"),
    ]


def _tags(ctx: Context) -> None:
    now = datetime.now(UTC)
    rows = [
        {"source": m["source"], "id": m["id"], "created_at": m["created_at"], "analyzer_version": "t",
         "tagged_at": now, "lang": "de", "sentiment": -0.5, "sentiment_label": "negative", "criticism": True,
         "criticism_reasons": ["x"], "topics": ["billing"], "intent": "complaint"}
        for m in ctx.lake.read(MENTIONS).to_pylist()
    ]
    ctx.lake.append(TAGS, rows)


@pytest.mark.parametrize("keep_raw,pseudonymise", [("clear", False), ("pseudonymised", True), ("clear", True)])
@pytest.mark.parametrize("given", ["Jane_Doe", "pseudonym"])
def test_forget_leaves_nothing_of_the_author(tmp_path: Path, keep_raw: str, pseudonymise: bool, given: str) -> None:
    cfg = config(tmp_path, keep_raw=keep_raw, pseudonymise_authors=pseudonymise)
    ctx = Context(cfg, tmp_path / "data")
    run_collector(ctx, ListCollector(items()))
    ctx.lake.compact(MENTIONS)  # compacted files are filtered too
    _tags(ctx)
    store = WorkflowStore(ctx.data_dir)
    p = privacy.Pseudonymiser(KEY)
    jane_stored = p("jane_doe") if pseudonymise else "Jane_Doe"
    store.decide("x:1", "agent", status="assigned", rationale="answer her billing question")
    store.correct("x", "1", "sentiment", "negative", "agent", author=jane_stored)
    exports = ctx.data_dir / "exports"
    exports.mkdir()
    (exports / "weekly.csv").write_text(f"id,author,text\n1,{jane_stored},{JANE_TEXT}\n4,other,fine\n")
    (ctx.data_dir / ".tmp-export-123.csv").write_text(f"{jane_stored},{JANE_TEXT}\n")
    who = p("Jane_Doe") if given == "pseudonym" else "Jane_Doe"
    with write_lock(ctx.data_dir):
        report = forget(ctx, who)
    assert report.removed["mentions"] == 2 and report.removed["tags"] == 2
    needles = [JANE_TEXT, "4711-0815", "Hafenlicht LichtBox review", "u-1001", "t2_jane", p("jane_doe"),
               p("u-1001"), p("t2_jane")]
    if given != "pseudonym" or not pseudonymise:
        # Given only a pseudonym of pseudonymised data, nothing can tell what other posts call them in
        # their text; every stored name of theirs is still gone (checked above via the pseudonyms).
        needles += ["jane_doe", "Jane Doe", "Jane D."]
    assert find_in_data(ctx.data_dir, needles) == []
    left = {r["id"] for r in ctx.lake.read(MENTIONS).to_pylist()}
    assert left == {"2", "4"}  # everyone else is kept
    assert {r["id"] for r in ctx.lake.read(TAGS).to_pylist()} == {"2", "4"}
    assert store.current() == {} and store.corrections() == []
    # Later runs do not collect them again.
    ctx.state.save("fake", {})
    again = run_collector(Context(cfg, ctx.data_dir), ListCollector(items()))
    assert again.new == 0 and again.excluded == 2
    assert {r["id"] for r in raw_items(ctx.data_dir)} <= {"2", "4"}


def test_forget_redacts_mentions_in_other_posts(tmp_path: Path) -> None:
    ctx = Context(config(tmp_path, keep_raw="clear"), tmp_path / "data")
    run_collector(ctx, ListCollector(items()))
    with write_lock(ctx.data_dir):
        forget(ctx, "@Jane_Doe")
    texts = {r["id"]: r["text"] for r in ctx.lake.read(MENTIONS).to_pylist()}
    assert texts["2"] == "@[erased] same here, Hafenlicht support never answers"
    raw = {r["id"]: r for r in raw_items(ctx.data_dir)}
    assert raw["2"]["in_reply_to_screen_name"] == "[erased]" and "jane" not in str(raw["2"]).lower()


def test_forget_cli_and_unknown_author(tmp_path: Path, capsys) -> None:
    cfg = config(tmp_path)
    ctx = Context(cfg, tmp_path / "data")
    run_collector(ctx, ListCollector(items()))
    args = ["--config", str(cfg.path), "--data", str(ctx.data_dir)]
    assert main([*args, "forget", "nobody_here"]) == 0
    assert "mentions: 0 removed" in capsys.readouterr().out
    assert ctx.lake.count(MENTIONS) == 4
    assert main([*args, "forget", "jane_doe"]) == 0
    assert ctx.lake.count(MENTIONS) == 2
    assert main([*args, "forget", " "]) == 2


def test_purge_removes_old_rows_from_every_store(tmp_path: Path) -> None:
    ctx, old, new = aged(tmp_path)
    now = datetime.now(UTC)
    run_collector(ctx, ListCollector([
        post("old", "Hafenlicht old complaint", "a", "1", when=old),
        post("new", "Hafenlicht new complaint", "b", "2", when=new),
    ]))
    ctx.lake.compact(MENTIONS)
    _tags(ctx)
    # An old raw file, an old ledger row, an old export and an old workflow decision.
    old_day = (now - timedelta(days=45)).strftime("%Y-%m-%d")
    written = ctx.raw.write("fake", "oldrun", 0, [{"id": "x"}])
    (ctx.raw.root / "fake" / old_day).mkdir(parents=True)
    written.rename(ctx.raw.root / "fake" / old_day / written.name)
    run = ctx.lake.read(RUNS).to_pylist()[0]
    run.update(run_id="old", started_at=now - timedelta(days=90), finished_at=now - timedelta(days=90))
    ctx.lake.append(RUNS, [run])
    exports = ctx.data_dir / "exports"
    exports.mkdir()
    stale = exports / "old.csv"
    stale.write_text("x")
    os.utime(stale, (now.timestamp() - 40 * 86400,) * 2)
    (exports / "fresh.csv").write_text("y")
    store = WorkflowStore(ctx.data_dir)
    store.decide("fake:new", "agent", status="assigned")
    with write_lock(ctx.data_dir):
        report = purge(ctx)
    assert [r["id"] for r in ctx.lake.read(MENTIONS).to_pylist()] == ["new"]
    assert [r["id"] for r in ctx.lake.read(TAGS).to_pylist()] == ["new"]
    assert "old" not in {r["run_id"] for r in ctx.lake.read(RUNS).to_pylist()}
    assert not (ctx.raw.root / "fake" / old_day).exists()
    assert {r["id"] for r in raw_items(ctx.data_dir)} == {"old", "new"}  # collected today: kept until then
    assert not stale.exists() and (exports / "fresh.csv").exists()
    assert report.removed["mentions"] == 1 and report.removed["raw files"] == 1
    assert store.current()  # a fresh decision survives
    # Raw payloads go by the day they were collected (documented): the old post's payload, fetched
    # today, stays until then; everywhere else it is gone.
    assert all(hit.startswith("raw/") for hit in find_in_data(ctx.data_dir, ["Hafenlicht old complaint"]))


def _correct(ctx: Context, *keys: tuple[str, str, str]) -> set[tuple[str, str, str]]:
    """Corrections of these (source, id, store field) in the workflow store, recorded as the analysis pass
    records them (``analysis/corrected.json``); returns the recorded keys."""
    store = WorkflowStore(ctx.data_dir)
    values = {"sentiment": "negative", "criticism": "true", "intent": "complaint", "topic": "billing"}
    for source, mid, what in keys:
        store.correct(source, mid, what, values[what], "agent")
    recorded = corrections.keys(corrections.load(ctx.data_dir))
    corrections.record(ctx.data_dir, recorded)
    return recorded


def test_forget_takes_their_mentions_out_of_the_correction_list(tmp_path: Path, capsys) -> None:
    cfg = config(tmp_path, keep_raw="pseudonymised")
    ctx = Context(cfg, tmp_path / "data")
    run_collector(ctx, ListCollector(items()))
    _tags(ctx)
    before = _correct(ctx, ("x", "1", "sentiment"), ("x", "1", "intent"), ("reddit", "3", "topic"),
                      ("x", "2", "criticism"), ("x", "4", "sentiment"))
    assert len(before) == 5
    args = ["--config", str(cfg.path), "--data", str(ctx.data_dir)]
    assert main([*args, "forget", "jane_doe"]) == 0
    assert "correction list entries: 3 removed" in capsys.readouterr().out
    assert corrections.recorded(ctx.data_dir) == {("x", "2", "criticism"), ("x", "4", "sentiment_label")}
    assert main([*args, "forget", "jane_doe"]) == 0  # again: nothing left to take out
    assert "correction list entries: 0 removed" in capsys.readouterr().out
    assert corrections.recorded(ctx.data_dir) == {("x", "2", "criticism"), ("x", "4", "sentiment_label")}


def test_purge_takes_purged_mentions_out_of_the_correction_list(tmp_path: Path) -> None:
    ctx, old, new = aged(tmp_path)
    run_collector(ctx, ListCollector([
        post("old", "Hafenlicht old complaint", "a", "1", when=old),
        post("old2", "Hafenlicht older complaint", "c", "3", when=old),
        post("new", "Hafenlicht new complaint", "b", "2", when=new),
    ]))
    _tags(ctx)
    _correct(ctx, ("fake", "old", "sentiment"), ("fake", "old", "criticism"), ("fake", "new", "intent"))
    with write_lock(ctx.data_dir):
        report = purge(ctx)
    assert report.removed["mentions"] == 2 and report.removed["correction list entries"] == 2
    assert corrections.recorded(ctx.data_dir) == {("fake", "new", "intent")}
    with write_lock(ctx.data_dir):
        assert purge(ctx).removed["correction list entries"] == 0


def test_erasure_with_a_missing_or_unreadable_correction_list(
    tmp_path: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    ctx = Context(config(tmp_path, keep_raw="clear"), tmp_path / "data")
    run_collector(ctx, ListCollector(items()))
    _tags(ctx)
    listed = corrections.record_path(ctx.data_dir)
    with write_lock(ctx.data_dir):  # no list yet (no analysis pass): none is written
        report = forget(ctx, "other")
    assert report.removed["mentions"] == 1 and report.removed["correction list entries"] == 0
    assert not listed.exists()
    listed.parent.mkdir(parents=True, exist_ok=True)
    listed.write_text('{"corrections": [["x", "1", "intent"], ["x", "4"')  # cut short: cannot be read
    with write_lock(ctx.data_dir), caplog.at_level(logging.WARNING, logger="analysis.corrections"):
        forget(ctx, "nobody_here")  # deletes no mention: the list is left as it is
        assert listed.exists() and "corrected.json" not in caplog.text
        report = forget(ctx, "Jane_Doe")
        purge(ctx)
    assert report.removed["mentions"] == 2 and report.removed["correction list entries"] == 0
    assert not listed.exists()  # it may have held Jane's keys; the analysis pass cannot use it either
    assert "cannot be read" in caplog.text and "deleted it" in caplog.text


def test_access_request_lists_everything_of_the_author(tmp_path: Path) -> None:
    cfg = config(tmp_path, keep_raw="pseudonymised")
    ctx = Context(cfg, tmp_path / "data")
    run_collector(ctx, ListCollector(items()))
    _tags(ctx)
    out = tmp_path / "jane.json"
    args = ["--config", str(cfg.path), "--data", str(ctx.data_dir)]
    assert main([*args, "access", "@Jane_Doe", "-o", str(out)]) == 0
    found = json.loads(out.read_text())
    assert sorted(m["id"] for m in found["mentions"]) == ["1", "3"]
    assert sorted(t["id"] for t in found["tags"]) == ["1", "3"]
    assert sorted(r["id"] for r in found["raw_payloads"]) == ["1", "3"]
    assert found["other_posts_naming_them"] == 1
    assert ctx.lake.count(MENTIONS) == 4  # looking changes nothing


def test_access_request_during_a_compaction_misses_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``access`` takes no lock: a compaction that deletes the files it listed must not hide rows."""
    from collectors import runner
    from storage.lake import Lake
    from storage.retention import access

    cfg = config(tmp_path, keep_raw="pseudonymised")
    ctx = Context(cfg, tmp_path / "data")
    monkeypatch.setattr(runner, "FLUSH_ROWS", 1)  # one lake file per page: small files to compact
    run_collector(ctx, ListCollector(items()))
    listed = Lake.files
    merged: list[int] = []

    def files(self: Lake, table, months=None):  # noqa: ANN001, ANN202 - Lake.files' signature
        out = listed(self, table, months)
        if table is MENTIONS and not merged:  # the first listing is followed by a compaction
            merged.append(0)
            merged[0] = Lake(ctx.data_dir).compact(MENTIONS)
        return out

    monkeypatch.setattr(Lake, "files", files)
    found = access(ctx, "@Jane_Doe")
    assert merged and merged[0] > 0  # the files listed first were gone
    assert sorted(m["id"] for m in found["mentions"]) == ["1", "3"]
    assert found["other_posts_naming_them"] == 1
