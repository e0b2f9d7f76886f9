"""Run collectors: fetch, keep raw, map, match, append, then commit the cursor.

Order per batch (a crash anywhere repeats work, never skips or doubles it):
raw payloads written -> rows mapped and matched -> rows appended to the lake (dedup) ->
cursor state saved. After the run one ledger row records what was seen.
"""

from __future__ import annotations

import logging
import re
import time
import traceback
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from collectors.base import BadItem, Batch, Collector
from collectors.matching import Matcher
from earshot import privacy
from earshot.context import Context
from earshot.errors import EarshotError, SourceError
from earshot.log import mask
from storage.schema import MENTIONS, RUNS, empty_row

log = logging.getLogger(__name__)
_SURROGATE = re.compile("[\ud800-\udfff]")
MAX_ERRORS = 50  # error lines kept per run; the count keeps going
QUERY_SEP = " | "  # between the queries of one run in the ledger's query column
MAX_QUERY_CHARS = 2000  # the ledger keeps this much of a run's queries
FLUSH_ROWS = 50_000  # rows buffered before a lake append: fewer, larger files per cron run


@dataclass
class RunReport:
    """What one collector run saw; becomes one ledger row."""

    collector: str
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    query: str = ""
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    finished_at: datetime | None = None
    window_start: datetime | None = None
    window_end: datetime | None = None
    pages: int = 0
    fetched: int = 0
    matched: int = 0
    new: int = 0
    duplicates: int = 0
    bad: int = 0
    unmatched: int = 0
    excluded: int = 0
    errors: list[str] = field(default_factory=list)
    rate_limit_waits: int = 0
    rate_limit_wait_seconds: float = 0.0
    status: str = "ok"

    def error(self, line: str) -> None:
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(mask(line))

    def ledger_row(self) -> dict[str, Any]:
        end = self.finished_at or datetime.now(UTC)
        row = {f.name: getattr(self, f.name, None) for f in RUNS.schema}
        row["duration_s"] = (end - self.started_at).total_seconds()
        return row


def _clean_strings(row: dict[str, Any], keys: Iterable[str] | None = None) -> None:
    """Replace lone surrogates (valid in JSON escapes, not in UTF-8 or parquet) by U+FFFD, in place
    (only in ``keys`` when given: the values a collector filled in, the rest are the empty row's)."""
    for key in row if keys is None else keys:
        value = row[key]
        if isinstance(value, str):
            if not value.isascii():  # an ASCII string (ids, links, most names) holds no surrogate: skip it
                row[key] = _SURROGATE.sub("\ufffd", value)
        elif isinstance(value, list):
            row[key] = [_SURROGATE.sub("\ufffd", v) if isinstance(v, str) else v for v in value]


def _handles(values: Iterable[str]) -> set[str]:
    return privacy.handles(values)


class Pipeline:
    """Turns raw payloads of one collector into lake rows; no I/O except the lake append."""

    def __init__(self, ctx: Context, collector: Collector) -> None:
        self.ctx = ctx
        self.collector = collector
        cfg = ctx.config
        self.matcher = Matcher(cfg.all_entities)
        self.own = {src: _handles(v) for src, v in cfg.own_accounts.items()}
        self.staff = {src: _handles(v) for src, v in cfg.privacy.employee_accounts.items()}
        self.privacy = cfg.privacy
        # Raises ConfigError (exit 2) when pseudonymisation is on and its key is missing.
        self.pseudo = privacy.pseudonymiser_for(cfg)
        self.own_any = set().union(*self.own.values()) if self.own else set()
        # Authors erased with `python -m collectors forget` are never collected again.
        self.forgotten = set(ctx.state.load(privacy.FORGOTTEN).get("marks", []))
        self.marker = privacy.pseudonymiser_for(cfg, required=True) if self.forgotten else None
        self.staff_counts: Counter[tuple[datetime, str, str]] = Counter()  # employee_posts: count_only
        self.to_mention: Callable[[Any], dict[str, Any] | None] = collector.to_mention

    def raw_items(self, items: list[Any]) -> list[Any]:
        """The batch's raw payloads as ``privacy.keep_raw`` allows them to be stored (may be empty)."""
        skip = self._skip if self.forgotten or any(self.staff.values()) else None  # None: nobody to drop
        return privacy.prepare_raw(items, self.to_mention, self.privacy.keep_raw, self.pseudo, self.own_any, skip)

    def _skip(self, ids: set[str], source: str) -> bool:
        """True for authors that must not be stored at all: employees, forgotten authors."""
        return bool(ids & self.staff.get(source, set())) or privacy.is_forgotten(ids, self.forgotten, self.marker)

    def map_batch(self, items: list[Any], report: RunReport) -> list[dict[str, Any]]:
        """Map, filter and match one batch of raw payloads into mention rows."""
        now = datetime.now(UTC)
        rows: list[dict[str, Any]] = []
        to_mention, match, pseudo = self.to_mention, self.matcher.match, self.pseudo
        normalise, authors_key = privacy.normalise, privacy.AUTHORS_KEY
        forgotten, staff_of, own_of = self.forgotten, self.staff, self.own
        keep_unmatched = self.collector.keep_unmatched
        surrogate = _SURROGATE.sub
        # The empty row, copied per item. Its two list fields are shared until replaced, and every row
        # that is kept gets its own lists (entities, matched_terms) below.
        template = empty_row()
        for n, raw in enumerate(items):
            try:
                mapped = to_mention(raw)
            except (BadItem, KeyError, TypeError, ValueError, AttributeError, OverflowError, RecursionError) as exc:
                report.bad += 1
                where = raw.get("_line") if isinstance(raw, dict) else None
                label = f"line {where}" if where else f"item {report.fetched - len(items) + n + 1}"
                report.error(f"{label}: {type(exc).__name__}: {exc}"[:300])
                continue
            if mapped is None:
                continue
            row = template.copy()
            row.update(mapped)
            # _clean_strings(row, mapped), written out; the other fields hold the empty row's None, False, [].
            for key, value in mapped.items():
                if isinstance(value, str):
                    if not value.isascii():  # an ASCII string holds no surrogate
                        row[key] = surrogate("\ufffd", value)
                elif isinstance(value, list):
                    row[key] = [surrogate("\ufffd", v) if isinstance(v, str) else v for v in value]
            if isinstance(raw, dict) and authors_key in raw:
                # A re-mapped pseudonymised payload: the values ingest stored.
                stored = privacy.stored_authors(raw)
                if stored is not None:
                    row.update(stored)
                    _clean_strings(row, stored)
            row["collected_at"] = row["collected_at"] or now
            row["created_at"] = row["created_at"] or row["collected_at"]
            handle = normalise(row["author"] or "")
            src = row["source"]
            title, body = row["title"], row["text"]
            text = " ".join((title, body)) if title and body else " ".join(x for x in (title, body) if x)
            author_id = normalise(row["author_id"] or "")
            if forgotten and privacy.is_forgotten({handle, author_id} - {""}, forgotten, self.marker):
                report.excluded += 1  # erased on request: never collected again
                continue
            staff = staff_of.get(src)
            if staff and ((handle and handle in staff) or (author_id and author_id in staff)):
                report.excluded += 1  # privacy: staff accounts never enter the lake
                if self.privacy.employee_posts == "count_only":
                    day = row["created_at"].replace(hour=0, minute=0, second=0, microsecond=0)
                    found, _ = match(text)
                    self.staff_counts[(day, src, found[0] if found else "")] += 1
                continue
            # Own accounts are recognised before hashing and stay in clear: they are the company's.
            row["is_own"] = is_own = bool(handle) and handle in own_of.get(src, ())
            if pseudo is not None and not is_own:
                row["author"] = pseudo(row["author"])
                row["author_id"] = pseudo(row["author_id"])
            entities, terms = match(text)
            if not entities and not is_own and not keep_unmatched:
                report.unmatched += 1
                continue
            row["entity"] = entities[0] if entities else None
            row["entities"] = entities
            row["matched_terms"] = terms
            rows.append(row)
        return rows


def run_collector(
    ctx: Context,
    collector: Collector,
    since: datetime | None = None,
    progress: Callable[[RunReport], None] | None = None,
) -> RunReport:
    """One run of one collector. The caller holds the write lock. Never raises for source faults."""
    report = RunReport(collector.name)
    pipeline = Pipeline(ctx, collector)
    state = ctx.state.load(collector.name)
    keep_raw = ctx.config.privacy.keep_raw != "none"
    if ctx.config.privacy.keep_raw == "clear" and pipeline.pseudo is not None:
        log.warning("%s: raw payloads are kept with author names in clear (privacy.keep_raw: clear)", collector.name)
    t0 = time.monotonic()
    buffer = _Buffer(ctx, collector.name, report)
    buffer.staff_counts = pipeline.staff_counts
    try:
        for batch_no, batch in enumerate(collector.fetch(state, since)):
            _take(ctx, collector, pipeline, report, batch, batch_no, keep_raw, buffer)
            if progress:
                progress(report)
        buffer.flush()
    except SourceError as exc:
        buffer.flush()  # what arrived before the fault is good: keep it and its cursor
        report.error(str(exc))
        report.status = "partial" if report.pages else "failed"
        log.error("%s", mask(str(exc)))
    except EarshotError:
        raise
    except Exception as exc:  # a bug or an unforeseen answer: record it, keep other sources going
        buffer.flush()
        report.error(f"unexpected {type(exc).__name__}: {exc}")
        report.status = "partial" if report.pages else "failed"
        log.error("%s failed unexpectedly: %s", collector.name, mask(str(exc)))
        log.debug("%s", mask(traceback.format_exc()))
    report.finished_at = datetime.now(UTC)
    if report.status == "ok" and (report.bad or report.errors):
        report.status = "partial"  # unmappable items or problems a source reported (e.g. one dead feed)
    ctx.lake.append(RUNS, [report.ledger_row()])
    log.info(
        "%s: %d fetched, %d new, %d duplicates, %d unmatched, %d bad in %.1fs (%s)",
        collector.name, report.fetched, report.new, report.duplicates, report.unmatched, report.bad,
        time.monotonic() - t0, report.status,
    )
    return report


class _Buffer:
    """Rows waiting for one lake append, and the cursor that becomes true after it."""

    def __init__(self, ctx: Context, name: str, report: RunReport) -> None:
        self.ctx, self.name, self.report = ctx, name, report
        self.rows: list[dict[str, Any]] = []
        self.state: dict[str, Any] | None = None
        self.staff_counts: Counter[tuple[datetime, str, str]] = Counter()

    def add(self, rows: list[dict[str, Any]], state: dict[str, Any] | None) -> None:
        self.rows.extend(rows)
        if state is not None:
            self.state = state
        if len(self.rows) >= FLUSH_ROWS:
            self.flush()

    def flush(self) -> None:
        if self.rows:
            result = self.ctx.lake.append(MENTIONS, self.rows)
            self.report.new += result.new
            self.report.duplicates += result.duplicates
            self.rows = []
        if self.staff_counts:
            counts = privacy.employee_count_rows(self.staff_counts, self.report.run_id)
            self.ctx.lake.append(privacy.EMPLOYEE_POSTS, counts)
            self.staff_counts.clear()
        if self.state is not None:
            self.ctx.state.save(self.name, self.state)  # only now: the rows above are durable
            self.state = None


def _mapped_once(fn: Callable[[Any], dict[str, Any] | None]) -> Callable[[Any], dict[str, Any] | None]:
    """``fn`` remembered per payload object for one batch (a failure is remembered and raised again)."""
    seen: dict[int, tuple[bool, Any]] = {}

    def mapped(raw: Any) -> dict[str, Any] | None:
        hit = seen.get(id(raw))
        if hit is None:
            try:
                hit = (True, fn(raw))
            except Exception as exc:  # noqa: BLE001 - re-raised below, where the caller handles it
                hit = (False, exc)
            seen[id(raw)] = hit
        if not hit[0]:
            raise hit[1]
        return hit[1]

    return mapped


def _take(
    ctx: Context, collector: Collector, pipeline: Pipeline, report: RunReport, batch: Batch, batch_no: int,
    keep_raw: bool, buffer: _Buffer,
) -> None:
    report.pages += 1
    report.fetched += len(batch.items)
    query = mask(batch.query)  # feed URLs may carry tokens
    if query and query not in report.query.split(QUERY_SEP):  # the ledger names every query of the run, once
        report.query = QUERY_SEP.join(x for x in (report.query, query) if x)[:MAX_QUERY_CHARS]
    report.rate_limit_waits += batch.rate_limit_waits
    report.rate_limit_wait_seconds += batch.rate_limit_wait_seconds
    for line in batch.errors:
        report.error(line)
    # Raw storage and the lake rows both need each payload mapped: map it once per batch.
    pipeline.to_mention = _mapped_once(collector.to_mention)
    if batch.items and keep_raw:
        kept = pipeline.raw_items(batch.items)  # employee posts dropped, authors pseudonymised per config
        if kept:
            ctx.raw.write(collector.name, report.run_id, batch_no, kept)
    rows = pipeline.map_batch(batch.items, report)
    report.matched += len(rows)
    if rows:
        times = [r["created_at"] for r in rows]
        lo, hi = min(times), max(times)
        report.window_start = min(report.window_start or lo, lo)
        report.window_end = max(report.window_end or hi, hi)
    buffer.add(rows, batch.state)
