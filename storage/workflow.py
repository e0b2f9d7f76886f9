"""The workflow store: what the team decided about conversations, its tag corrections, and the alert ledger.

SQLite in WAL mode at ``<data>/workflow.sqlite``: readers never block the writer, writers queue
behind a busy timeout, so several dashboard users and a cron job can use it at once. Every
write is one ``BEGIN IMMEDIATE`` transaction that reads the current state and writes both the
append-only ``decisions`` history and the ``current`` row, so two writers never lose each
other's update. A connection is opened per call, so one store object is safe across threads.

Retention and erasure (``purge``, ``forget``) are the only deletes; history rows are never updated.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Callable, Container, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from earshot.errors import EarshotError, InputError, WorkflowConflict

STATUSES = ("new", "assigned", "answered", "not_answering", "escalated", "resolved")
CORRECTION_VALUES: dict[str, tuple[str, ...] | None] = {
    "sentiment": ("negative", "neutral", "positive"),
    "criticism": ("true", "false"),
    "topic": None,  # any configured topic name
    "intent": ("question", "complaint", "praise", "suggestion", "other"),
}
BUSY_TIMEOUT_S = 30.0
LEASE = timedelta(minutes=5)  # a delivery claimed by a run that died is retried after this

SCHEMA = """
CREATE TABLE IF NOT EXISTS decisions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    thread TEXT NOT NULL, version INTEGER NOT NULL,
    status TEXT NOT NULL, team TEXT, assignee TEXT, rationale TEXT,
    who TEXT NOT NULL, at TEXT NOT NULL,
    UNIQUE (thread, version)
);
CREATE TRIGGER IF NOT EXISTS decisions_append_only BEFORE UPDATE ON decisions
BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END;
CREATE TABLE IF NOT EXISTS current (
    thread TEXT PRIMARY KEY, version INTEGER NOT NULL,
    status TEXT NOT NULL, team TEXT, assignee TEXT, rationale TEXT,
    who TEXT NOT NULL, at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS corrections (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    source TEXT NOT NULL, mention_id TEXT NOT NULL, field TEXT NOT NULL, value TEXT NOT NULL,
    author TEXT, who TEXT NOT NULL, at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS corrections_key ON corrections (source, mention_id, field);
CREATE TABLE IF NOT EXISTS alerts (
    key TEXT PRIMARY KEY, created_at TEXT NOT NULL, payload TEXT NOT NULL, authors TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE IF NOT EXISTS deliveries (
    alert_key TEXT NOT NULL REFERENCES alerts (key) ON DELETE CASCADE,
    channel TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'sent')),
    attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT, lease_until TEXT, sent_at TEXT,
    PRIMARY KEY (alert_key, channel)
);
"""
_FIELDS = ("status", "team", "assignee", "rationale")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _iso(when: datetime | None) -> str:
    return (when or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="microseconds")


class WorkflowStore:
    """Decisions, corrections and alerts of one data directory."""

    def __init__(self, data_dir: Path | str) -> None:
        self.path = Path(data_dir) / "workflow.sqlite"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with self._connect() as con:
                con.execute("PRAGMA journal_mode=WAL")
                con.executescript(SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise EarshotError(
                f"{self.path} is not a usable workflow database ({exc}).",
                "Restore it from a backup or move it aside; Earshot creates a new one.",
            ) from None

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        con = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        con.row_factory = sqlite3.Row
        con.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
        con.execute("PRAGMA foreign_keys=ON")
        con.execute("PRAGMA synchronous=FULL")
        try:
            yield con
        finally:
            con.close()

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken before reading so no other writer can interleave."""
        with self._connect() as con:
            con.execute("BEGIN IMMEDIATE")
            try:
                yield con
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")

    # -- decisions ----------------------------------------------------------------------
    def decide(
        self,
        thread: str,
        who: str,
        *,
        status: str | None = None,
        team: str | None = None,
        assignee: str | None = None,
        rationale: str | None = None,
        expected_version: int | None = None,
        at: datetime | None = None,
    ) -> dict[str, Any]:
        """Record a decision on a thread; fields left None keep their current value.

        With ``expected_version`` (the version the user saw) a decision made meanwhile by someone
        else raises ``WorkflowConflict`` instead of being overwritten. Returns the new current state.
        """
        if not thread or not who:
            raise InputError("a decision needs the thread and who made it.", "Pass both.")
        if status is not None and status not in STATUSES:
            raise InputError(f"status {status!r} is not one of {', '.join(STATUSES)}.", "Use one of those.")
        with self._write() as con:
            row = con.execute("SELECT * FROM current WHERE thread = ?", (thread,)).fetchone()
            old = dict(row) if row else {"version": 0, "status": "new", "team": None, "assignee": None}
            if expected_version is not None and expected_version != old["version"]:
                raise WorkflowConflict(
                    f"{thread} was changed by {old.get('who')} at {old.get('at')} since you opened it.",
                    "Reload the conversation and decide again.",
                )
            given = {"status": status, "team": team, "assignee": assignee, "rationale": rationale}
            new = {f: given[f] if given[f] is not None else old.get(f) for f in _FIELDS}
            if status is None and assignee and old["status"] == "new":
                new["status"] = "assigned"
            new.update(thread=thread, version=old["version"] + 1, who=who, at=_iso(at))
            new["rationale"] = rationale  # a rationale belongs to the decision it explains
            con.execute(
                "INSERT INTO decisions (thread, version, status, team, assignee, rationale, who, at) "
                "VALUES (:thread, :version, :status, :team, :assignee, :rationale, :who, :at)",
                new,
            )
            con.execute(
                "INSERT OR REPLACE INTO current (thread, version, status, team, assignee, rationale, who, at) "
                "VALUES (:thread, :version, :status, :team, :assignee, :rationale, :who, :at)",
                new,
            )
        return new

    def current(self, thread: str | None = None) -> dict[str, dict[str, Any]]:
        """Current state per thread (all threads, or just one): thread -> fields."""
        with self._connect() as con:
            if thread is None:
                rows = con.execute("SELECT * FROM current").fetchall()
            else:
                rows = con.execute("SELECT * FROM current WHERE thread = ?", (thread,)).fetchall()
        return {r["thread"]: dict(r) for r in rows}

    def history(self, thread: str | None = None) -> list[dict[str, Any]]:
        """Every decision (of one thread), oldest first."""
        sql, args = "SELECT * FROM decisions", ()
        if thread is not None:
            sql, args = sql + " WHERE thread = ?", (thread,)
        with self._connect() as con:
            return [dict(r) for r in con.execute(sql + " ORDER BY seq", args)]

    # -- tag corrections ----------------------------------------------------------------
    def correct(
        self, source: str, mention_id: str, field: str, value: str, who: str, author: str | None = None
    ) -> None:
        """Record the team's correction of an automatic tag of one mention."""
        if field not in CORRECTION_VALUES:
            raise InputError(f"cannot correct {field!r}.", f"Correct one of {', '.join(CORRECTION_VALUES)}.")
        allowed = CORRECTION_VALUES[field]
        value = str(value).strip().lower() if allowed else str(value).strip()
        if not value or (allowed and value not in allowed):
            choices = ", ".join(allowed or ["a topic name"])
            raise InputError(f"{value!r} is not a value for {field}.", f"Use one of {choices}.")
        if not who:
            raise InputError("a correction needs who made it.", "Pass who.")
        with self._write() as con:
            con.execute(
                "INSERT INTO corrections (source, mention_id, field, value, author, who, at) VALUES (?,?,?,?,?,?,?)",
                (source, mention_id, field, value, author, who, _now()),
            )

    def corrections(self, latest_only: bool = True) -> list[dict[str, Any]]:
        """Corrections for the analysis to learn from: the latest per (source, mention_id, field), or all."""
        sql = "SELECT source, mention_id, field, value, who, at FROM corrections"
        if latest_only:
            sql += " WHERE seq IN (SELECT max(seq) FROM corrections GROUP BY source, mention_id, field)"
        with self._connect() as con:
            return [dict(r) for r in con.execute(sql + " ORDER BY seq")]

    # -- alert ledger -------------------------------------------------------------------
    def add_alert(
        self, key: str, payload: dict[str, Any], channels: Iterable[str], authors: Iterable[str] = ()
    ) -> bool:
        """Remember an alert and queue it on each channel; False when the key was already known."""
        with self._write() as con:
            cur = con.execute(
                "INSERT OR IGNORE INTO alerts (key, created_at, payload, authors) VALUES (?,?,?,?)",
                (key, _now(), json.dumps(payload, default=str), json.dumps(sorted(set(authors)))),
            )
            if not cur.rowcount:
                return False
            for channel in channels:
                con.execute(
                    "INSERT OR IGNORE INTO deliveries (alert_key, channel, status) VALUES (?,?, 'pending')",
                    (key, channel),
                )
        return True

    def claim(self, channel: str, now: datetime | None = None) -> list[dict[str, Any]]:
        """Take the channel's pending deliveries (and ones whose claimant died) for sending."""
        now_s, until = _iso(now), _iso((now or datetime.now(UTC)) + LEASE)
        with self._write() as con:
            rows = con.execute(
                "SELECT d.alert_key, d.attempts, a.payload FROM deliveries d JOIN alerts a ON a.key = d.alert_key "
                "WHERE d.channel = ? AND (d.status = 'pending' OR (d.status = 'sending' AND d.lease_until < ?)) "
                "ORDER BY a.created_at",
                (channel, now_s),
            ).fetchall()
            for r in rows:
                con.execute(
                    "UPDATE deliveries SET status='sending', lease_until=?, attempts=attempts+1 "
                    "WHERE alert_key=? AND channel=?",
                    (until, r["alert_key"], channel),
                )
        return [
            {"key": r["alert_key"], "attempts": r["attempts"] + 1, "payload": json.loads(r["payload"])} for r in rows
        ]

    def delivered(self, key: str, channel: str) -> None:
        with self._write() as con:
            con.execute(
                "UPDATE deliveries SET status='sent', sent_at=?, lease_until=NULL, last_error=NULL "
                "WHERE alert_key=? AND channel=?",
                (_now(), key, channel),
            )

    def failed(self, key: str, channel: str, error: str) -> None:
        """Put a delivery back in the queue with the reason; the next run retries it."""
        with self._write() as con:
            con.execute(
                "UPDATE deliveries SET status='pending', lease_until=NULL, last_error=? "
                "WHERE alert_key=? AND channel=?",
                (error[:500], key, channel),
            )

    def deliveries(self) -> list[dict[str, Any]]:
        """Every delivery with its state, for status pages and tests."""
        with self._connect() as con:
            return [dict(r) for r in con.execute("SELECT * FROM deliveries ORDER BY alert_key, channel")]

    def extend_alert(self, key: str, end: str) -> None:
        """Remember that an alert's event was still going on at ``end`` (ISO time; only ever later)."""
        with self._write() as con:
            con.execute(
                "UPDATE alerts SET payload = json_set(payload, '$.end', ?) "
                "WHERE key = ? AND json_extract(payload, '$.end') < ?",
                (end, key, end),
            )

    def alerts(self) -> list[dict[str, Any]]:
        with self._connect() as con:
            rows = con.execute("SELECT key, created_at, payload FROM alerts ORDER BY created_at").fetchall()
        return [{"key": r["key"], "created_at": r["created_at"], "payload": json.loads(r["payload"])} for r in rows]

    # -- retention and erasure ----------------------------------------------------------
    def purge(self, older_than_days: int, now: datetime | None = None) -> dict[str, int]:
        """Delete decisions, corrections and alerts older than the retention period; counts per table."""
        cutoff = _iso((now or datetime.now(UTC)) - timedelta(days=older_than_days))
        with self._write() as con:
            counts = {
                "decisions": con.execute("DELETE FROM decisions WHERE at < ?", (cutoff,)).rowcount,
                "current": con.execute("DELETE FROM current WHERE at < ?", (cutoff,)).rowcount,
                "corrections": con.execute("DELETE FROM corrections WHERE at < ?", (cutoff,)).rowcount,
                "alerts": con.execute("DELETE FROM alerts WHERE created_at < ?", (cutoff,)).rowcount,
            }
        return counts

    def forget(
        self, author: str | None = None, threads: Iterable[str] = (), mentions: Iterable[tuple[str, str]] = ()
    ) -> dict[str, int]:
        """Erase one author (their corrections, alerts that quote them) and/or the given threads'
        decisions and mentions' corrections (the caller finds those in the lake; ``forget_among`` is
        ``purge``'s variant)."""
        threads, mentions = list(threads), list(mentions)
        with self._write() as con:
            counts = _delete(con, threads, mentions)
            if author:
                counts["corrections"] += con.execute("DELETE FROM corrections WHERE author = ?", (author,)).rowcount
                counts["alerts"] = con.execute(
                    "DELETE FROM alerts WHERE EXISTS (SELECT 1 FROM json_each(alerts.authors) WHERE value = ?)",
                    (author,),
                ).rowcount
        return counts

    def forget_among(
        self, threads: Container[str], mentions: Callable[[set[tuple[str, str]]], Iterable[tuple[str, str]]]
    ) -> dict[str, int]:
        """Delete the decisions of the stored threads that are in ``threads``, and the corrections of the
        corrected mentions that ``mentions`` picks (it is given the set of corrected ``(source, id)``).

        What is stored is read in the transaction that deletes, so a decision or correction recorded
        while the caller was looking (``purge`` reads the lake first) is not missed.
        """
        with self._write() as con:
            stored = {r[0] for r in con.execute("SELECT thread FROM current UNION SELECT thread FROM decisions")}
            corrected = {(r[0], r[1]) for r in con.execute("SELECT DISTINCT source, mention_id FROM corrections")}
            picked = sorted(set(mentions(corrected)) & corrected) if corrected else []
            return _delete(con, sorted(t for t in stored if t in threads), picked)


def _delete(con: sqlite3.Connection, threads: list[str], mentions: list[tuple[str, str]]) -> dict[str, int]:
    """Delete the threads' decisions and the mentions' corrections within the caller's transaction."""
    counts = {"decisions": 0, "current": 0, "corrections": 0, "alerts": 0}
    for t in threads:
        counts["decisions"] += con.execute("DELETE FROM decisions WHERE thread = ?", (t,)).rowcount
        counts["current"] += con.execute("DELETE FROM current WHERE thread = ?", (t,)).rowcount
    for source, mid in mentions:
        counts["corrections"] += con.execute(
            "DELETE FROM corrections WHERE source = ? AND mention_id = ?", (source, mid)
        ).rowcount
    return counts


# Correction fields as the tag table names them (analysis.corrections reads these).
TAG_FIELD = {"sentiment": "sentiment_label", "criticism": "criticism", "topic": "topics", "intent": "intent"}


def tag_corrections(data_dir: Path | str | None = None) -> list[tuple[str, str, str, str]]:
    """The team's latest corrections as ``(source, id, tag column, value)`` for ``analysis.corrections``.

    Reads ``<data>/workflow.sqlite`` (``EARSHOT_DATA_DIR`` by default); no store yet means no corrections.
    """
    if data_dir is None:
        from earshot.config import data_dir as default_data_dir

        data_dir = default_data_dir()
    if not (Path(data_dir) / "workflow.sqlite").exists():
        return []
    rows = WorkflowStore(data_dir).corrections()
    return [(r["source"], r["mention_id"], TAG_FIELD[r["field"]], r["value"]) for r in rows]
