"""Derived data of erased and purged mentions: their tags, workflow rows and correction-list keys go too,
also when ``forget`` dies half-way and is run again, and for mentions that sit in quarantine."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from analysis import corrections
from collectors.runner import run_collector
from earshot import privacy
from earshot.context import Context
from storage import retention
from storage.lock import write_lock
from storage.retention import forget, purge
from storage.schema import MENTIONS, TAGS
from storage.workflow import WorkflowStore
from tests.privacy_helpers import ListCollector, aged, config, find_in_data, post
from tests.test_privacy_erasure import JANE_TEXT, KEY, _correct, _tags, items

JANE = {("x", "1"), ("reddit", "3")}  # the keys of Jane_Doe's posts in ``items()``


@pytest.fixture(autouse=True)
def key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(privacy.KEY_ENV, KEY)


class ThreadCollector(ListCollector):
    """ListCollector whose payloads may name the post they answer (``parent``) and their thread (``conv``)."""

    def to_mention(self, raw: Any) -> dict[str, Any] | None:
        return {**super().to_mention(raw), "parent_id": raw.get("parent"), "conversation_id": raw.get("conv")}


def _left(ctx: Context, keys: set[tuple[str, str]]) -> dict[str, Any]:
    """What is still stored about the mentions ``keys``, per store (empty lists when nothing)."""
    store = WorkflowStore(ctx.data_dir)
    threads = {f"{s}:{i}" for s, i in keys}
    return {
        "mentions": sorted(r["id"] for r in ctx.lake.read(MENTIONS).to_pylist() if (r["source"], r["id"]) in keys),
        "tags": sorted(r["id"] for r in ctx.lake.read(TAGS).to_pylist() if (r["source"], r["id"]) in keys),
        "corrections": sorted(r["mention_id"] for r in store.corrections(latest_only=False)
                              if (r["source"], r["mention_id"]) in keys),
        "decisions": sorted({r["thread"] for r in store.history()} & threads),
        "current": sorted(set(store.current()) & threads),
        "correction list": sorted(k for k in corrections.recorded(ctx.data_dir) if (k[0], k[1]) in keys),
    }


NOTHING = {"mentions": [], "tags": [], "corrections": [], "decisions": [], "current": [], "correction list": []}


# -- 1. retention takes the workflow rows of the mentions it purges --------------------------
def test_purge_deletes_the_workflow_rows_of_purged_mentions(tmp_path: Path) -> None:
    ctx, old, new = aged(tmp_path)
    run_collector(ctx, ThreadCollector([
        post("old", "Hafenlicht old complaint", "a", "1", when=old),
        post("old2", "Hafenlicht old question", "c", "3", when=old),
        {**post("reply", "Hafenlicht: still no answer", "d", "4", when=new), "parent": "old2"},
        post("new", "Hafenlicht new complaint", "b", "2", when=new),
    ]))
    _tags(ctx)
    # Corrections and decisions made today, about posts older than the retention period.
    _correct(ctx, ("fake", "old", "sentiment"), ("fake", "old2", "intent"), ("fake", "new", "intent"))
    store = WorkflowStore(ctx.data_dir)
    for thread in ("fake:old", "fake:old2", "fake:new"):
        store.decide(thread, "agent", status="assigned", rationale="call back")
    with write_lock(ctx.data_dir):
        report = purge(ctx)
    assert _left(ctx, {("fake", "old")}) == NOTHING
    # old2's thread still has a post (the reply, within the period): its decision stays with it;
    # the post's own correction goes.
    assert _left(ctx, {("fake", "old2")}) == {**NOTHING, "decisions": ["fake:old2"], "current": ["fake:old2"]}
    assert _left(ctx, {("fake", "new")})["corrections"] == ["new"] and "fake:new" in store.current()
    assert report.removed["workflow entries"] == 4  # 2 corrections, fake:old's decision and current row
    # The next analysis pass finds nothing to put back.
    assert corrections.keys(corrections.load(ctx.data_dir)) == {("fake", "new", "intent")}


@pytest.mark.parametrize("how", ["conversation", "parent"])
def test_purge_deletes_decisions_of_threads_whose_root_was_never_collected(tmp_path: Path, how: str) -> None:
    """A thread keyed by a root we never collected (another's submission, a reply's lost root) goes
    with its last post, as ``analysis.conversations.thread_keys`` keys it."""
    ctx = Context(config(tmp_path, keep_raw="pseudonymised", retention_days=30), tmp_path / "data")
    now = datetime.now(UTC)
    old, new = (now - timedelta(days=40)).isoformat(), (now - timedelta(days=2)).isoformat()
    ref = {"conv": "root9"} if how == "conversation" else {"parent": "root9"}
    run_collector(ctx, ThreadCollector([
        {**post("reply", "Hafenlicht: @jane_doe is right", "a", "1", when=old), **ref},
        # A thread of which a later post is kept: its decision stays.
        {**post("old3", "Hafenlicht old answer", "c", "3", when=old), "conv": "root7"},
        {**post("new3", "Hafenlicht still broken", "d", "4", when=new), "conv": "root7"},
    ]))
    store = WorkflowStore(ctx.data_dir)
    store.decide("fake:root9", "agent", status="assigned", rationale="ask jane_doe for her meter number")
    store.decide("fake:root7", "agent", status="assigned")
    with write_lock(ctx.data_dir):
        report = purge(ctx)
    assert {r["id"] for r in ctx.lake.read(MENTIONS).to_pylist()} == {"new3"}
    assert set(store.current()) == {"fake:root7"} and {d["thread"] for d in store.history()} == {"fake:root7"}
    assert report.removed["workflow entries"] == 2
    assert find_in_data(ctx.data_dir, ["meter number"]) == []  # nor in SQLite's free pages or its WAL


@pytest.mark.parametrize("how", ["conversation", "parent"])
def test_forget_deletes_decisions_of_threads_whose_root_was_never_collected(tmp_path: Path, how: str) -> None:
    """A thread of the author's keyed by a root we never collected goes when their posts were its only
    posts (``thread_keys``, as purge keys them); a thread that keeps another's post keeps its decision."""
    ctx = Context(config(tmp_path, keep_raw="pseudonymised"), tmp_path / "data")
    ref = {"conv": "root9"} if how == "conversation" else {"parent": "root9"}
    run_collector(ctx, ThreadCollector([
        {**post("reply", "Hafenlicht: still no power", "jane_doe", "1"), **ref},
        {**post("mine7", "Hafenlicht meter broken", "jane_doe", "1"), "conv": "root7"},
        {**post("other7", "Hafenlicht same here", "max", "2"), "conv": "root7"},
    ]))
    store = WorkflowStore(ctx.data_dir)
    store.decide("fake:root9", "agent", status="assigned", rationale="ask jane_doe for her meter number")
    store.decide("fake:root7", "agent", status="assigned")
    with write_lock(ctx.data_dir):
        forget(ctx, "jane_doe")
    assert {r["id"] for r in ctx.lake.read(MENTIONS).to_pylist()} == {"other7"}
    assert set(store.current()) == {"fake:root7"} and {d["thread"] for d in store.history()} == {"fake:root7"}
    assert find_in_data(ctx.data_dir, ["meter number"]) == []  # nor in SQLite's free pages or its WAL


def test_purge_wipes_deleted_workflow_rows_from_the_sqlite_file(tmp_path: Path) -> None:
    ctx = Context(config(tmp_path, keep_raw="pseudonymised", retention_days=30), tmp_path / "data")
    old = (datetime.now(UTC) - timedelta(days=40)).isoformat()
    run_collector(ctx, ThreadCollector([post("old", "Hafenlicht old complaint", "a", "1", when=old)]))
    store = WorkflowStore(ctx.data_dir)
    store.decide("fake:old", "agent", status="assigned", rationale="call Erika Mustermann back")
    store.correct("fake", "old", "intent", "question", "agent", author="a")
    # A dashboard keeps the database open, so closing purge's connection does not fold the WAL away.
    dashboard = sqlite3.connect(store.path)
    try:
        dashboard.execute("SELECT count(*) FROM current").fetchone()
        with write_lock(ctx.data_dir):
            purge(ctx)
        assert store.current() == {} and store.corrections(latest_only=False) == []
        assert find_in_data(ctx.data_dir, ["Erika Mustermann"]) == []
    finally:
        dashboard.close()


def test_purge_deletes_what_is_recorded_about_expiring_posts_while_it_looks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A correction or decision made while purge reads the lake is looked up with the delete."""
    ctx = Context(config(tmp_path, keep_raw="pseudonymised", retention_days=30), tmp_path / "data")
    old = (datetime.now(UTC) - timedelta(days=40)).isoformat()
    run_collector(ctx, ThreadCollector([post("old", "Hafenlicht old complaint", "a", "1", when=old)]))
    store = WorkflowStore(ctx.data_dir)
    real = retention._expiring

    def meanwhile(*args: Any, **kwargs: Any) -> Any:
        out = real(*args, **kwargs)
        store.correct("fake", "old", "intent", "question", "agent")
        store.decide("fake:old", "agent", status="assigned")
        return out

    monkeypatch.setattr(retention, "_expiring", meanwhile)
    with write_lock(ctx.data_dir):
        purge(ctx)
    assert _left(ctx, {("fake", "old")}) == NOTHING


# -- 2. forget completes when run again after dying at any step ------------------------------
def _crash(monkeypatch: pytest.MonkeyPatch, owner: Any, name: str, when: str) -> None:
    real = getattr(owner, name)

    def dying(*args: Any, **kwargs: Any) -> Any:
        if when == "after":
            real(*args, **kwargs)
        raise RuntimeError(f"killed {when} {name}")

    monkeypatch.setattr(owner, name, dying)


STEPS = [
    (retention, "_drop_keys"), (corrections, "forget_mentions"), (WorkflowStore, "forget"),
    (retention, "_wipe_sqlite"), (retention, "_forget_raw"), (retention, "_rewrite_mentions"),
    (retention.shutil, "rmtree"),
]


@pytest.mark.parametrize("when", ["before", "after"])
@pytest.mark.parametrize("step", STEPS, ids=[name for _, name in STEPS])
def test_forget_run_again_after_a_crash_erases_everything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: tuple[Any, str], when: str,
) -> None:
    ctx = Context(config(tmp_path, keep_raw="pseudonymised"), tmp_path / "data")
    run_collector(ctx, ListCollector(items()))
    _tags(ctx)
    _correct(ctx, ("x", "1", "sentiment"), ("reddit", "3", "topic"), ("x", "4", "intent"))
    store = WorkflowStore(ctx.data_dir)
    store.decide("x:1", "agent", status="assigned", rationale="answer her billing question")
    (ctx.data_dir / "quarantine").mkdir()
    (ctx.data_dir / "quarantine" / "junk.parquet").write_bytes(b"not parquet")
    with monkeypatch.context() as m:
        _crash(m, *step, when)
        with write_lock(ctx.data_dir), pytest.raises(RuntimeError, match="killed"):
            forget(ctx, "Jane_Doe")
    with write_lock(ctx.data_dir):
        forget(ctx, "Jane_Doe")
    assert _left(ctx, JANE) == NOTHING
    p = privacy.Pseudonymiser(KEY)
    assert find_in_data(ctx.data_dir, [JANE_TEXT, "jane_doe", p("jane_doe"), "billing question"]) == []
    assert _left(ctx, {("x", "4")})["correction list"] == [("x", "4", "intent")]  # others are kept


def test_forget_marks_the_author_before_it_deletes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A collection run between a crashed forget and its re-run must not collect the author again."""
    ctx = Context(config(tmp_path, keep_raw="pseudonymised"), tmp_path / "data")
    run_collector(ctx, ListCollector(items()))
    with monkeypatch.context() as m:
        _crash(m, retention, "_rewrite_mentions", "before")
        with write_lock(ctx.data_dir), pytest.raises(RuntimeError):
            forget(ctx, "Jane_Doe")
    assert privacy.erasure_marks("Jane_Doe", privacy.Pseudonymiser(KEY)) <= set(
        ctx.state.load(privacy.FORGOTTEN)["marks"])


def test_forget_by_pseudonym_run_again_after_a_crash_still_redacts_their_handle(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Given only a pseudonym over a lake kept in clear, the handle is learnt from the author's rows;
    a re-run after those rows are gone must still redact "@jane_doe" in other people's posts."""
    ctx = Context(config(tmp_path, keep_raw="clear", pseudonymise_authors=False), tmp_path / "data")
    jane, others = [items()[0], items()[2]], [items()[1], items()[3]]
    run_collector(ctx, ListCollector(jane))  # Jane's rows in the first lake file, read first
    ctx.state.save("fake", {})
    run_collector(ctx, ListCollector([*others, post("5", "cc u/jane_doe Hafenlicht", "p", "u-5", source="reddit")]))
    assert len(ctx.lake.files(MENTIONS)) == 2
    real = type(ctx.lake).replace_file

    def dying(lake: Any, path: Path, kept: Any) -> None:
        had = "Jane_Doe" in ctx.lake.read_file(path, ["author"]).column("author").to_pylist()
        real(lake, path, kept)
        if had and "Jane_Doe" not in kept.column("author").to_pylist():
            raise RuntimeError("killed after the author's rows were dropped")

    who = privacy.Pseudonymiser(KEY)("Jane_Doe")
    with monkeypatch.context() as m:
        m.setattr(type(ctx.lake), "replace_file", dying)
        with write_lock(ctx.data_dir), pytest.raises(RuntimeError, match="killed"):
            forget(ctx, who)
    with write_lock(ctx.data_dir):
        forget(ctx, who)
    texts = {r["id"]: r["text"] for r in ctx.lake.read(MENTIONS).to_pylist()}
    assert set(texts) == {"2", "4", "5"} and texts["2"].startswith("@[erased] same here")
    assert find_in_data(ctx.data_dir, ["jane_doe", JANE_TEXT, "u-1001"]) == []


# -- 3. quarantined mentions: their derived data is found too --------------------------------
@pytest.mark.parametrize("damage", ["readable", "garbage"])
def test_forget_erases_derived_data_of_quarantined_mentions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: str,
) -> None:
    ctx = Context(config(tmp_path, keep_raw="pseudonymised"), tmp_path / "data")
    # Jane's x:1 in a lake file of its own, which is then quarantined.
    run_collector(ctx, ListCollector(items()[:1]))
    [jane_file] = ctx.lake.files(MENTIONS)
    ctx.state.save("fake", {})
    run_collector(ctx, ListCollector(items()[1:]))
    _tags(ctx)
    _correct(ctx, ("x", "1", "sentiment"), ("x", "4", "intent"))
    WorkflowStore(ctx.data_dir).decide("x:1", "agent", status="assigned")
    if damage == "garbage":
        jane_file.write_bytes(b"PAR1 garbage")
    ctx.lake.quarantine(jane_file, damage)
    # The test collector is not registered: forget finds its mapping as it finds a real collector's.
    monkeypatch.setattr(retention, "_mapper", lambda ctx, name: ListCollector([]).to_mention)
    with write_lock(ctx.data_dir):
        report = forget(ctx, "Jane_Doe")
    assert _left(ctx, {("x", "1")}) == NOTHING
    assert report.removed["tags"] == 2 and report.removed["quarantined files"] == 1
    assert _left(ctx, {("x", "4")})["correction list"] == [("x", "4", "intent")]
