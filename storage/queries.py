"""Read the lake through DuckDB: views, filters, and a slim in-memory fact table.

``Store`` owns one in-memory DuckDB database over ``<data>/lake``:

- views ``mentions``, ``tags`` (current analyzer version only) and ``runs`` read the parquet
  files; a table whose glob matches no file yet is an empty relation of the right types, and
  ``refresh()`` re-checks on every call, so the first appended file is picked up;
- ``joined``: every mention with its current tags (null tags when untagged);
- ``facts``: a slim copy of ``joined`` (no text) materialised in DuckDB whenever the set of
  lake files changes; the dashboard aggregates over it, never over a pandas copy.

Query functions live in ``storage.queries_*`` modules and take a ``Store`` and ``Filters``;
they return small pandas frames (aggregates, or one page of rows). Compaction may delete a
file between the glob and the read: every query is retried once after re-listing the lake.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa

from analysis.version import ANALYZER_VERSION
from storage.schema import MENTIONS, RUNS, TAGS, Table

log = logging.getLogger(__name__)

# DuckDB types of the lake's Arrow types, for empty relations.
_DUCK_TYPES = {
    pa.string(): "VARCHAR",
    pa.int64(): "BIGINT",
    pa.float64(): "DOUBLE",
    pa.bool_(): "BOOLEAN",
    pa.timestamp("us", tz="UTC"): "TIMESTAMPTZ",
    pa.list_(pa.string()): "VARCHAR[]",
}

FACT_COLUMNS = (
    "source, id, created_at, CAST(timezone('UTC', created_at) AS DATE) AS day, entity, entities, lang, "
    "sentiment, sentiment_label, criticism, topics, intent, is_own, author_followers AS reach, "
    "coalesce(likes, 0) + coalesce(replies, 0) + coalesce(reposts, 0) AS engagement, parent_id, conversation_id, "
    "month"
)


def _empty_relation(table: Table) -> str:
    cols = ", ".join(f"CAST(NULL AS {_DUCK_TYPES[f.type]}) AS {f.name}" for f in table.schema)
    return f"SELECT {cols}, CAST(NULL AS VARCHAR) AS month WHERE false"  # noqa: S608 - built from the schema


@dataclass(frozen=True)
class Filters:
    """What every page filters by. Empty tuples and None mean "all"."""

    since: date | None = None  # first day included (UTC)
    until: date | None = None  # last day included (UTC)
    entities: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    langs: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    sentiments: tuple[str, ...] = ()  # negative | neutral | positive
    criticism: bool | None = None
    search: str = ""  # case-insensitive substring of text or title (needs text: not on ``facts``)
    include_own: bool = True  # the company's own posts

    def where(self, text: bool = False) -> tuple[str, list[Any]]:
        """A SQL condition and its parameters over ``joined``/``facts`` column names."""
        parts: list[str] = ["true"]
        params: list[Any] = []
        if self.since:
            parts.append("created_at >= ?")
            params.append(datetime.combine(self.since, time(), UTC))
        if self.until:
            parts.append("created_at < ?")
            params.append(datetime.combine(self.until + timedelta(days=1), time(), UTC))
        for column, values in (("source", self.sources), ("lang", self.langs), ("sentiment_label", self.sentiments)):
            if values:
                parts.append(f"{column} IN ({', '.join('?' for _ in values)})")
                params.extend(values)
        if self.entities:
            parts.append("list_has_any(entities, ?::VARCHAR[])")
            params.append(list(self.entities))
        if self.topics:
            parts.append("list_has_any(topics, ?::VARCHAR[])")
            params.append(list(self.topics))
        if self.criticism is not None:
            parts.append("coalesce(criticism, false) = ?")
            params.append(self.criticism)
        if not self.include_own:
            parts.append("NOT coalesce(is_own, false)")
        if self.search and text:
            parts.append("(contains(lower(coalesce(text, '')), ?) OR contains(lower(coalesce(title, '')), ?))")
            params.extend([self.search.lower()] * 2)
        return " AND ".join(parts), params

    def days(self) -> int | None:
        """Length of the period in days, when both ends are set."""
        if self.since and self.until:
            return (self.until - self.since).days + 1
        return None

    def previous(self) -> Filters | None:
        """The same filters over the period of equal length just before this one."""
        n = self.days()
        if not n or not self.since:
            return None
        return replace(self, since=self.since - timedelta(days=n), until=self.since - timedelta(days=1))


@dataclass
class Store:
    """One DuckDB database over one data directory's lake. Thread-safe; cache it per process."""

    data_dir: Path
    analyzer_version: str = ANALYZER_VERSION
    facts: bool = True  # materialise the fact table (the dashboard); exports read the views only
    memory_limit: str = "1GB"
    con: duckdb.DuckDBPyConnection = field(init=False)
    _fingerprint: tuple = field(init=False, default=())
    _lock: threading.RLock = field(init=False, default_factory=threading.RLock)

    def __post_init__(self) -> None:
        self.data_dir = Path(self.data_dir)
        self.root = self.data_dir / "lake"
        self.con = duckdb.connect(":memory:", config={"threads": min(2, os.cpu_count() or 1)})
        self.con.execute(f"SET memory_limit = '{self.memory_limit}'")
        self.con.execute("SET preserve_insertion_order = false")
        self.con.execute("SET TimeZone = 'UTC'")
        self.refresh(force=True)

    # -- views ----------------------------------------------------------------------------
    def _files(self, table: Table) -> list[tuple[str, float]]:
        base = self.root / table.name
        out: list[tuple[str, float]] = []
        if not base.exists():
            return out
        for month in base.glob("month=*"):
            for p in month.glob("part-*.parquet"):
                try:
                    out.append((str(p), p.stat().st_mtime))
                except FileNotFoundError:
                    continue  # compacted away while listing
        return sorted(out)

    def _source(self, table: Table, present: bool) -> str:
        if not present:
            return _empty_relation(table)
        glob = str(self.root / table.name / "month=*" / "part-*.parquet").replace("'", "''")
        return f"SELECT * FROM read_parquet('{glob}', hive_partitioning = true, union_by_name = true)"  # noqa: S608

    def refresh(self, force: bool = False) -> bool:
        """Re-create the views and the fact table if the lake's files changed; True if they did."""
        with self._lock:
            files = {t.name: self._files(t) for t in (MENTIONS, TAGS, RUNS)}
            fingerprint = tuple((k, tuple(v)) for k, v in sorted(files.items()))
            if fingerprint == self._fingerprint and not force:
                return False
            c = self.con
            version = self.analyzer_version.replace("'", "''")
            c.execute(f"CREATE OR REPLACE VIEW mentions AS {self._source(MENTIONS, bool(files['mentions']))}")
            c.execute(
                f"CREATE OR REPLACE VIEW tags AS SELECT * FROM ({self._source(TAGS, bool(files['tags']))}) "  # noqa: S608
                f"WHERE analyzer_version = '{version}'"
            )
            c.execute(f"CREATE OR REPLACE VIEW runs AS {self._source(RUNS, bool(files['runs']))}")
            c.execute(
                "CREATE OR REPLACE VIEW joined AS SELECT m.source, m.id, m.url, m.created_at, m.collected_at, "
                "m.author, m.author_id, m.author_followers, m.text, m.title, coalesce(t.lang, m.lang) AS lang, "
                "m.parent_id, m.conversation_id, m.likes, m.replies, m.reposts, m.entity, m.entities, "
                "m.matched_terms, m.is_own, m.month, t.sentiment, t.sentiment_label, t.criticism, "
                "t.criticism_reasons, t.topics, t.intent "
                "FROM mentions m LEFT JOIN tags t ON m.source = t.source AND m.id = t.id"
            )
            for attempt in (1, 2):
                if not self.facts:
                    break
                try:
                    c.execute(f"CREATE OR REPLACE TABLE facts AS SELECT {FACT_COLUMNS} FROM joined")  # noqa: S608
                    break
                except (duckdb.IOException, duckdb.InvalidInputException):
                    if attempt == 2:
                        raise
                    files = {t.name: self._files(t) for t in (MENTIONS, TAGS, RUNS)}
                    fingerprint = tuple((k, tuple(v)) for k, v in sorted(files.items()))
            self._fingerprint = fingerprint
            return True

    # -- queries --------------------------------------------------------------------------
    def df(self, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
        """Run one query and return its (small) result; retried once after a lake change."""
        with self._lock:
            for attempt in (1, 2):
                try:
                    return self.con.execute(sql, list(params)).df()
                except (duckdb.IOException, duckdb.InvalidInputException) as exc:
                    if attempt == 2:
                        raise
                    log.info("lake changed under a query (%s); retrying once", str(exc).splitlines()[0])
                    self.refresh(force=True)
        raise AssertionError("unreachable")

    def one(self, sql: str, params: Sequence[Any] = ()) -> tuple:
        """The first row of a query."""
        frame = self.df(sql, params)
        return tuple(frame.iloc[0]) if len(frame) else ()

    def batches(self, sql: str, params: Sequence[Any] = (), rows: int = 50_000) -> Iterator[pa.RecordBatch]:
        """Stream a query's result in Arrow batches of about ``rows`` rows (own cursor, no lock held)."""
        cur = self.con.cursor()
        try:
            reader = cur.sql(sql, params=list(params)).to_arrow_reader(rows)
            yield from reader
        finally:
            cur.close()

    def mention_count(self) -> int:
        return int(self.one("SELECT count(*) FROM facts")[0])

    def run_collectors(self) -> list[str]:
        return list(self.df("SELECT DISTINCT collector FROM runs ORDER BY 1")["collector"])

    def has_demo(self) -> bool:
        """True when the lake holds rows of a demo run."""
        return "demo" in self.run_collectors()

    def bounds(self) -> tuple[date | None, date | None]:
        """First and last day with mentions."""
        row = self.one("SELECT min(day), max(day) FROM facts")
        lo, hi = (row or (None, None))
        return (None if pd.isna(lo) else pd.Timestamp(lo).date(), None if pd.isna(hi) else pd.Timestamp(hi).date())

    def distinct(self, column: str) -> list[str]:
        """Values of a filter column present in the data (lists are unnested)."""
        if column not in {"source", "lang", "entity", "sentiment_label", "intent"} | {"topics", "entities"}:
            raise ValueError(f"not a filter column: {column}")
        expr = f"unnest({column})" if column in {"topics", "entities"} else column
        frame = self.df(f"SELECT DISTINCT v FROM (SELECT {expr} AS v FROM facts) WHERE v IS NOT NULL ORDER BY 1")  # noqa: S608
        return [str(v) for v in frame["v"]]
