"""Coverage from the runs ledger: what each collector saw, and the gaps of a period."""

from __future__ import annotations

import pandas as pd

from storage.queries import Filters, Store

ON_DEMAND = {"import"}  # collectors that never run on a schedule: their gaps are not gaps


def runs(store: Store, limit: int = 500) -> pd.DataFrame:
    """The latest runs, newest first, with errors joined into one line."""
    return store.df(
        "SELECT started_at, collector, status, query, window_start, window_end, pages, fetched, matched, new, "
        "duplicates, bad, array_to_string(errors, ' | ') AS errors, rate_limit_waits, rate_limit_wait_seconds, "
        "duration_s, run_id FROM runs ORDER BY started_at DESC LIMIT ?",
        [limit],
    )


def per_collector(store: Store) -> pd.DataFrame:
    """One row per collector: runs, last run and status, time depth, totals, errors, rate-limit waits."""
    return store.df(
        "SELECT collector, count(*) AS runs, max(started_at) AS last_run, "
        "arg_max(status, started_at) AS last_status, count(*) FILTER (status = 'failed') AS failed_runs, "
        "min(window_start) AS oldest_post, max(window_end) AS newest_post, sum(fetched) AS fetched, "
        "sum(new) AS new, sum(duplicates) AS duplicates, sum(bad) AS bad, sum(len(errors)) AS error_lines, "
        "sum(rate_limit_waits) AS rate_limit_waits, sum(rate_limit_wait_seconds) AS rate_limit_wait_seconds "
        "FROM runs GROUP BY collector ORDER BY collector"
    )


def gaps(store: Store, f: Filters) -> list[str]:
    """One short line per scheduled collector with uncovered days or failed runs in the period."""
    return store.memo(("gaps", f.since, f.until), lambda: _gaps(store, f))


def _gaps(store: Store, f: Filters) -> list[str]:
    lo, hi = f.since, f.until
    if lo is None or hi is None:
        first, last = store.bounds()
        lo, hi = lo or first, hi or last
    if lo is None or hi is None or hi < lo:
        return []
    frame = store.df(
        "WITH d AS (SELECT CAST(range AS DATE) AS day FROM range(CAST(? AS DATE), CAST(? AS DATE) + 1, "
        "INTERVAL 1 DAY)), c AS (SELECT DISTINCT collector FROM runs WHERE collector NOT IN "
        "(SELECT unnest(?::VARCHAR[]))), "
        "w AS (SELECT collector, CAST(timezone('UTC', window_start) AS DATE) AS a, "
        "CAST(timezone('UTC', greatest(window_end, finished_at)) AS DATE) AS b FROM runs "
        "WHERE status IN ('ok', 'partial') AND window_start IS NOT NULL) "
        "SELECT c.collector, count(*) FILTER (NOT EXISTS (SELECT 1 FROM w WHERE w.collector = c.collector "
        "AND d.day BETWEEN w.a AND w.b)) AS missing_days, "
        "(SELECT count(*) FROM runs r WHERE r.collector = c.collector AND r.status = 'failed' "
        "AND CAST(timezone('UTC', r.started_at) AS DATE) BETWEEN ? AND ?) AS failed "
        "FROM c, d GROUP BY c.collector ORDER BY c.collector",
        [lo, hi, sorted(ON_DEMAND), lo, hi],
    )
    lines = []
    for row in frame.itertuples(index=False):
        bits = []
        if row.missing_days:
            bits.append(f"{int(row.missing_days)} day{'s' if row.missing_days != 1 else ''} not covered")
        if row.failed:
            bits.append(f"{int(row.failed)} failed run{'s' if row.failed != 1 else ''}")
        if bits:
            lines.append(f"{row.collector}: {', '.join(bits)}")
    return lines


def gap_note(store: Store, f: Filters) -> str | None:
    """The one-line note charts show when their period has coverage gaps, or None."""
    lines = gaps(store, f)
    if not lines:
        return None
    return "Coverage gaps in this period (see Coverage): " + "; ".join(lines)
