"""The workflow store: decisions with history, concurrent writers, corrections, alert ledger, retention."""

from __future__ import annotations

import multiprocessing
import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from earshot.errors import InputError, WorkflowConflict
from storage.workflow import WorkflowStore, tag_corrections


def test_decisions_keep_fields_and_history(tmp_path: Path) -> None:
    store = WorkflowStore(tmp_path)
    store.decide("x:1", "anna", team="it")
    store.decide("x:1", "ben", assignee="carl")  # assigning moves "new" to "assigned"
    state = store.decide("x:1", "carl", status="not_answering", rationale="troll, no new facts")
    assert (state["status"], state["team"], state["assignee"], state["version"]) == ("not_answering", "it", "carl", 3)
    assert store.current()["x:1"]["rationale"] == "troll, no new facts"
    hist = store.history("x:1")
    assert [(h["version"], h["status"], h["who"]) for h in hist] == [
        (1, "new", "anna"), (2, "assigned", "ben"), (3, "not_answering", "carl")]
    assert (tmp_path / "workflow.sqlite").exists()
    con = sqlite3.connect(tmp_path / "workflow.sqlite")
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        con.execute("UPDATE decisions SET status = 'resolved'")
    con.close()


def test_bad_decisions_are_refused(tmp_path: Path) -> None:
    store = WorkflowStore(tmp_path)
    with pytest.raises(InputError, match="not one of"):
        store.decide("x:1", "anna", status="done")
    with pytest.raises(InputError):
        store.decide("x:1", "", status="resolved")
    assert store.history() == []


def test_stale_decision_is_a_conflict_not_an_overwrite(tmp_path: Path) -> None:
    store = WorkflowStore(tmp_path)
    seen = store.decide("x:1", "anna", status="assigned", assignee="anna")["version"]
    store.decide("x:1", "ben", status="escalated", team="legal", expected_version=seen)
    with pytest.raises(WorkflowConflict, match="changed by ben"):
        store.decide("x:1", "anna", status="resolved", expected_version=seen)
    assert store.current("x:1")["x:1"]["status"] == "escalated"


def _writer(data_dir: str, who: str, field: str, n: int) -> None:
    store = WorkflowStore(data_dir)
    for i in range(n):
        store.decide("x:hot", who, **{field: f"{who}-{i}"})


@pytest.mark.parametrize("mode", ["threads", "processes"])
def test_two_concurrent_writers_lose_no_update(tmp_path: Path, mode: str) -> None:
    n = 40
    args = [(str(tmp_path), "anna", "assignee", n), (str(tmp_path), "ben", "rationale", n)]
    WorkflowStore(tmp_path)
    if mode == "threads":
        workers = [threading.Thread(target=_writer, args=a) for a in args]
    else:
        ctx = multiprocessing.get_context("spawn")
        workers = [ctx.Process(target=_writer, args=a) for a in args]
    for w in workers:
        w.start()
    for w in workers:
        w.join(120)
    store = WorkflowStore(tmp_path)
    hist = store.history("x:hot")
    assert [h["version"] for h in hist] == list(range(1, 2 * n + 1))  # every write, in one order
    assert sum(h["who"] == "anna" for h in hist) == n and sum(h["who"] == "ben" for h in hist) == n
    # each decision saw the other writer's latest field: the assignee is never reset to an older value
    assignees = [h["assignee"] for h in hist if h["assignee"]]
    assert assignees == sorted(assignees, key=lambda a: int(a.split("-")[1]))
    assert store.current()["x:hot"]["assignee"] == f"anna-{n - 1}"


def test_corrections_latest_wins_and_feed_the_analysis(tmp_path: Path) -> None:
    store = WorkflowStore(tmp_path)
    store.correct("x", "1", "sentiment", "Negative", "anna", author="kim")
    store.correct("x", "1", "sentiment", "neutral", "ben")
    store.correct("x", "1", "topic", "billing, pricing", "ben")
    store.correct("reddit", "9", "criticism", "false", "anna")
    with pytest.raises(InputError, match="not a value"):
        store.correct("x", "1", "intent", "rant", "anna")
    with pytest.raises(InputError, match="cannot correct"):
        store.correct("x", "1", "lang", "de", "anna")
    assert len(store.corrections(latest_only=False)) == 4
    assert tag_corrections(tmp_path) == [
        ("x", "1", "sentiment_label", "neutral"), ("x", "1", "topics", "billing, pricing"),
        ("reddit", "9", "criticism", "false")]


def test_alert_ledger_claims_once_and_retries(tmp_path: Path) -> None:
    store = WorkflowStore(tmp_path)
    assert store.add_alert("k1", {"title": "spike"}, ["webhook", "email"], authors=["kim"])
    assert not store.add_alert("k1", {"title": "spike again"}, ["webhook", "email"])
    now = datetime(2026, 3, 1, tzinfo=UTC)
    first = store.claim("webhook", now)
    assert [(c["key"], c["attempts"], c["payload"]["title"]) for c in first] == [("k1", 1, "spike")]
    assert store.claim("webhook", now) == []  # a second run does not take it meanwhile
    store.failed("k1", "webhook", "HTTP 500")
    again = store.claim("webhook", now)
    assert again[0]["attempts"] == 2
    store.delivered("k1", "webhook")
    assert store.claim("webhook", now + timedelta(days=1)) == []
    # a run that died while sending: the lease runs out and the delivery comes back
    assert store.claim("email", now)
    assert store.claim("email", now + timedelta(minutes=1)) == []
    assert store.claim("email", now + timedelta(minutes=10))[0]["attempts"] == 2
    states = {(d["channel"], d["status"]) for d in store.deliveries()}
    assert states == {("webhook", "sent"), ("email", "sending")}


def test_purge_and_forget(tmp_path: Path) -> None:
    store = WorkflowStore(tmp_path)
    old = datetime.now(UTC) - timedelta(days=400)
    store.decide("x:old", "anna", status="resolved", at=old)
    store.decide("x:new", "anna", status="assigned", assignee="ben")
    store.correct("x", "5", "intent", "question", "anna", author="kim")
    store.add_alert("k1", {"top_posts": ["kim: ..."]}, ["webhook"], authors=["kim", "lea"])
    store.add_alert("k2", {}, ["webhook"], authors=["max"])
    assert store.purge(365)["decisions"] == 1
    assert set(store.current()) == {"x:new"}
    counts = store.forget("kim", threads=["x:new"], mentions=[("x", "77")])
    assert counts == {"decisions": 1, "current": 1, "corrections": 1, "alerts": 1}
    assert [a["key"] for a in store.alerts()] == ["k2"] and store.deliveries()[0]["alert_key"] == "k2"
    assert store.history() == [] and store.corrections() == []
