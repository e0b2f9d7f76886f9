"""Read the lake through DuckDB: views, filters, and a slim in-memory fact table.

``Store`` owns one in-memory DuckDB database over ``<data>/lake``:

- views ``mentions``, ``tags`` (only rows of the shown analyzer version: that of the last
  completed analysis pass, ``analysis.version.shown_version``) and ``runs`` read the lake's
  visible parquet files as ``Lake.files`` lists them (never both a compaction's originals and
  its merged file); a table with no file yet is an empty relation of the right types, and
  ``refresh()`` re-lists on every call, so new files are picked up;
- ``joined``: every mention with its current tags (null tags when untagged);
- ``facts``: a slim copy of ``joined`` (no text) materialised in DuckDB whenever the set of
  lake files changes; the dashboard aggregates over it, never over a pandas copy.

Query functions live in ``storage.queries_*`` modules and take a ``Store`` and ``Filters``;
they return small pandas frames (aggregates, or one page of rows). Compaction may delete a
listed file before it is read: every query is retried once after re-listing the lake.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Callable, Hashable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa

from analysis.version import shown_version
from storage.lake import Lake, file_month
from storage.reads import LAKE_CHANGED
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
    "coalesce(likes, 0) + coalesce(replies, 0) + coalesce(reposts, 0) AS engagement, parent_id, conversation_id"
)  # no ``month``: 13 MB at 1M mentions, and the UTC month of created_at says the same


# The rollup: mentions counted per day and every filter dimension (lists kept as values).
ROLLUP_SQL = (
    "SELECT day, source, entity, entities, lang, sentiment_label, criticism, topics, intent, is_own, "
    "count(*) AS n FROM facts GROUP BY ALL"
)
ROLLUP_FILE = "daily.parquet"
FAST_START_ROWS = 200_000  # from this many mentions on, start from the saved rollup and build facts in the background
ROLLUP_META = "daily.json"


def _joined(mentions: str, tags: str) -> str:
    """Every mention of the relation ``mentions`` with its tags from ``tags`` (null when untagged)."""
    return (
        "SELECT m.source, m.id, m.url, m.created_at, m.collected_at, "  # noqa: S608 - relation names are ours
        "m.author, m.author_id, m.author_followers, m.text, m.title, coalesce(t.lang, m.lang) AS lang, "
        "m.parent_id, m.conversation_id, m.likes, m.replies, m.reposts, m.entity, m.entities, "
        "m.matched_terms, m.is_own, m.month, t.sentiment, t.sentiment_label, t.criticism, "
        "t.criticism_reasons, t.topics, t.intent "
        f"FROM {mentions} m LEFT JOIN {tags} t ON m.source = t.source AND m.id = t.id"
    )


_NO_TAGS = "sentiment_label IS NULL AND criticism IS NULL AND intent IS NULL"  # a fact row without a tag row
# Tags of the fact rows that have none in their own month, from any month (only those rows' keys are looked up).
_UNTAGGED_FIX = (
    "UPDATE {name} AS f SET lang = coalesce(t.lang, f.lang), sentiment = t.sentiment, "  # noqa: S608 - names are ours
    "sentiment_label = t.sentiment_label, criticism = t.criticism, topics = t.topics, intent = t.intent "
    "FROM (SELECT tags.* FROM tags SEMI JOIN (SELECT source, id FROM {name} WHERE " + _NO_TAGS + ") u "
    "USING (source, id)) t WHERE f.source = t.source AND f.id = t.id "
    "AND f.sentiment_label IS NULL AND f.criticism IS NULL AND f.intent IS NULL"
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
        """A SQL condition and its parameters: over ``facts``/``daily`` columns, or ``joined`` when ``text``."""
        parts: list[str] = ["true"]
        params: list[Any] = []
        if text:  # ``joined`` has timestamps only
            if self.since:
                parts.append("created_at >= ?")
                params.append(datetime.combine(self.since, time(), UTC))
            if self.until:
                parts.append("created_at < ?")
                params.append(datetime.combine(self.until + timedelta(days=1), time(), UTC))
        else:  # ``facts`` and ``daily`` have the UTC day
            if self.since:
                parts.append("day >= ?")
                params.append(self.since)
            if self.until:
                parts.append("day <= ?")
                params.append(self.until)
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
    analyzer_version: str | None = None  # None: the version of the last completed pass (``shown_version``)
    facts: bool = True  # materialise the fact table (the dashboard); exports read the views only
    memory_limit: str = "1GB"
    con: duckdb.DuckDBPyConnection = field(init=False)
    version: str = field(init=False, default="")  # the analyzer version whose tags the views read
    _fingerprint: tuple = field(init=False, default=())
    _lock: threading.RLock = field(init=False, default_factory=threading.RLock)
    _generation: int = field(init=False, default=0)
    _pending: int | None = field(init=False, default=None)
    _memo: dict = field(init=False, default_factory=dict)
    _months: list[str] = field(init=False, default_factory=list)  # the mentions' partitions, for ``_build_facts``

    def __post_init__(self) -> None:
        self.data_dir = Path(self.data_dir)
        self.root = self.data_dir / "lake"
        self.con = duckdb.connect(":memory:", config={"threads": min(2, os.cpu_count() or 1)})
        self.con.execute(f"SET memory_limit = '{self.memory_limit}'")
        self.con.execute("SET preserve_insertion_order = false")
        self.con.execute("SET TimeZone = 'UTC'")
        self.con.execute("SET enable_progress_bar = false")
        self.refresh(force=True)

    # -- views ----------------------------------------------------------------------------
    def _files(self, table: Table) -> list[tuple[str, float]]:
        """The table's visible files (``Lake.files``: not the originals of a compaction under way or cut short,
        which a glob would count twice) with their modification times."""
        out: list[tuple[str, float]] = []
        for p in Lake(self.data_dir).files(table):
            try:
                out.append((str(p), p.stat().st_mtime))
            except FileNotFoundError:
                continue  # compacted away while listing
        return sorted(out)

    def _source(self, table: Table, files: list[tuple[str, float]]) -> str:
        if not files:
            return _empty_relation(table)
        listed = ", ".join("'" + path.replace("'", "''") + "'" for path, _ in files)
        return f"SELECT * FROM read_parquet([{listed}], hive_partitioning = true, union_by_name = true)"  # noqa: S608

    def data_fingerprint(self) -> list[list]:
        """What the fact table and the rollup depend on: the mentions and tags files (name, size, mtime)."""
        out = []
        for table in (MENTIONS, TAGS):
            for path, mtime in self._files(table):
                try:
                    size = Path(path).stat().st_size
                except FileNotFoundError:
                    continue
                out.append([str(Path(path).relative_to(self.root)), size, round(mtime, 6)])
        return out

    def _persisted_rollup(self, fingerprint: list[list]) -> Path | None:
        """The rollup written by ``analysis.rollups.refresh`` if it matches the lake as it is now and the lake
        is large enough for a fast start to matter."""
        meta, data = self.data_dir / "rollups" / ROLLUP_META, self.data_dir / "rollups" / ROLLUP_FILE
        try:
            saved = json.loads(meta.read_text())
        except (OSError, ValueError):
            return None
        ok = saved.get("fingerprint") == fingerprint and saved.get("analyzer_version") == self.version
        ok = ok and int(saved.get("mentions", 0)) >= FAST_START_ROWS
        return data if ok and data.exists() else None

    def refresh(self, force: bool = False) -> bool:
        """Re-create the views, the fact table and the rollup if the lake's files changed; True if they did."""
        with self._lock:
            files = {t.name: self._files(t) for t in (MENTIONS, TAGS, RUNS)}
            version = self.analyzer_version or shown_version(self.data_dir)
            fingerprint = (version, *((k, tuple(v)) for k, v in sorted(files.items())))
            if fingerprint == self._fingerprint and not force:
                return False
            self.version = version
            self._generation += 1
            self._memo.clear()
            c = self.con
            quoted = version.replace("'", "''")
            c.execute(f"CREATE OR REPLACE VIEW mentions AS {self._source(MENTIONS, files['mentions'])}")
            c.execute(
                f"CREATE OR REPLACE VIEW tags AS SELECT * FROM ({self._source(TAGS, files['tags'])}) "  # noqa: S608
                f"WHERE analyzer_version = '{quoted}'"
            )
            c.execute(f"CREATE OR REPLACE VIEW runs AS {self._source(RUNS, files['runs'])}")
            c.execute(f"CREATE OR REPLACE VIEW joined AS {_joined('mentions', 'tags')}")
            c.execute(f"CREATE OR REPLACE VIEW facts AS SELECT {FACT_COLUMNS} FROM joined")  # noqa: S608
            self._fingerprint = fingerprint
            self._months = sorted({file_month(path) for path, _ in files["mentions"]})
            if not self.facts:
                return True
            rollup = self._persisted_rollup(self.data_fingerprint()) if files["mentions"] else None
            if rollup is not None:
                # Fast start: the rollup answers the charts now; the fact table is built in the background
                # (``warm``) and then replaces the ``facts`` view (rows are read from parquet until then).
                path = str(rollup).replace("'", "''")
                c.execute(f"CREATE OR REPLACE TABLE daily AS SELECT * FROM read_parquet('{path}')")  # noqa: S608
                self._pending = self._generation  # ``warm()`` builds the fact table once the page is out
                return True
            self._build_facts(self._generation)
            return True

    def _build_facts(self, generation: int, with_rollup: bool = True) -> None:
        """Materialise ``facts`` (and ``daily`` if it is not loaded yet) from the views; retried once.

        Built one month at a time: a mention's tag rows are in its month's partition (both tables are
        partitioned by the mention's ``created_at``), so each join holds one month's tags, not all of
        them (1M mentions: peak memory about 100 MB lower, and faster). A mention stored again in a later
        month (a dated-by-collection item fetched twice) has its tags in the first one: rows left without
        tags are then looked up in every month (``_UNTAGGED_FIX``), as ``joined`` finds them."""
        with self._lock:  # even a cursor is made on ``con``, which another thread may be using
            cur = self.con.cursor()
            months = list(self._months)
        one_month = _joined("(SELECT * FROM mentions WHERE month = $m)", "(SELECT * FROM tags WHERE month = $m)")
        try:
            for attempt in (1, 2):
                try:
                    name = f"facts_{generation}"
                    cur.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM facts WHERE false")  # noqa: S608
                    for month in months:
                        cur.execute(f"INSERT INTO {name} SELECT {FACT_COLUMNS} FROM ({one_month})", {"m": month})  # noqa: S608
                    if cur.execute(f"SELECT count(*) FROM {name} WHERE {_NO_TAGS}").fetchone()[0]:  # noqa: S608
                        cur.execute(_UNTAGGED_FIX.format(name=name))
                    break
                except duckdb.Error as exc:  # a file compacted away, or the process is shutting down
                    if attempt == 2:
                        log.warning("could not build the fact table (%s); queries read parquet directly", exc)
                        return
            with self._lock:
                if generation != self._generation:
                    cur.execute(f"DROP TABLE IF EXISTS {name}")
                    return
                self.con.execute(f"CREATE OR REPLACE VIEW facts AS SELECT * FROM {name}")  # noqa: S608
                for old in self.con.execute(
                    "SELECT table_name FROM duckdb_tables() WHERE table_name LIKE 'facts_%' AND table_name <> ?", [name]
                ).fetchall():
                    self.con.execute(f'DROP TABLE IF EXISTS "{old[0]}"')
                if with_rollup:
                    self.con.execute(f"CREATE OR REPLACE TABLE daily AS {ROLLUP_SQL}")
        finally:
            cur.close()

    def warm(self) -> None:
        """Build the fact table in a background thread if a fast start left it pending."""
        with self._lock:
            generation, self._pending = self._pending, None
        if generation is not None:
            # not a daemon: a process that exits mid-build waits for it rather than tearing DuckDB down under it
            threading.Thread(target=self._build_facts, args=(generation, False), name="earshot-facts").start()

    def facts_ready(self) -> bool:
        """True once ``facts`` is the materialised table (not the view over parquet)."""
        with self._lock:  # ``warm``'s thread swaps the view on ``con``: one connection, one thread at a time
            sql = self.con.execute("SELECT sql FROM duckdb_views() WHERE view_name = 'facts'").fetchone()
        return bool(sql) and "joined" not in sql[0]

    # -- queries --------------------------------------------------------------------------
    def df(self, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
        """Run one query and return its (small) result; retried once after a lake change."""
        with self._lock:
            for attempt in (1, 2):
                try:
                    return self.con.execute(sql, list(params)).df()
                except LAKE_CHANGED as exc:
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
        """Stream a query's result in Arrow batches of about ``rows`` rows (own cursor, no lock held while reading)."""
        with self._lock:
            cur = self.con.cursor()
        try:
            reader = cur.sql(sql, params=list(params)).to_arrow_reader(rows)
            yield from reader
        finally:
            cur.close()

    def memo(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """A small result remembered until the lake's files change (filter-independent lookups)."""
        with self._lock:
            if key not in self._memo:
                self._memo[key] = compute()
            return self._memo[key]

    def mention_count(self) -> int:
        return self.memo("count", lambda: int(self.one("SELECT coalesce(sum(n), 0) FROM daily")[0]))

    def run_collectors(self) -> list[str]:
        return self.memo("collectors", lambda: list(
            self.df("SELECT DISTINCT collector FROM runs ORDER BY 1")["collector"]))

    def has_demo(self) -> bool:
        """True when the lake holds rows of a demo run."""
        return "demo" in self.run_collectors()

    def bounds(self) -> tuple[date | None, date | None]:
        """First and last day with mentions."""
        row = self.memo("bounds", lambda: self.one("SELECT min(day), max(day) FROM daily"))
        lo, hi = (row or (None, None))
        return (None if pd.isna(lo) else pd.Timestamp(lo).date(), None if pd.isna(hi) else pd.Timestamp(hi).date())

    def distinct(self, column: str) -> list[str]:
        """Values of a filter column present in the data (lists are unnested)."""
        if column not in {"source", "lang", "entity", "sentiment_label", "intent"} | {"topics", "entities"}:
            raise ValueError(f"not a filter column: {column}")
        expr = f"unnest({column})" if column in {"topics", "entities"} else column
        sql = f"SELECT DISTINCT v FROM (SELECT {expr} AS v FROM daily) WHERE v IS NOT NULL ORDER BY 1"  # noqa: S608
        return self.memo(("distinct", column), lambda: [str(v) for v in self.df(sql)["v"]])
