"""Transparency metrics: how much criticism the company answered in public, and how fast.

Computed over thread summaries (``conversations.summarize``): a critical thread is one with at
least one critical post by someone else; it counts as answered when an own account replied in it.
"""

from __future__ import annotations

import pandas as pd

from analysis.routing import route
from earshot.config import Config

COLUMNS = ["critical_threads", "answered", "share_answered", "median_first_response_h"]


def transparency(
    threads: pd.DataFrame, config: Config, by: str | None = "team", freq: str | None = "W"
) -> pd.DataFrame:
    """Share of critical threads answered and median first-response time (hours).

    ``by``: "team" (owner from the taxonomy), "topic" (a thread counts once per topic; "(none)"
    without one) or None (overall). ``freq``: a pandas period such as "D", "W", "M" for one row per
    period (by the thread's first post), or None for one row per group. Columns: the group and/or
    ``period``, then critical_threads, answered, share_answered (0-1), median_first_response_h
    (NaN when nothing was answered).
    """
    keys = ([by] if by else []) + (["period"] if freq else [])
    critical = threads[threads["criticism"] > 0].copy() if len(threads) else threads
    if critical.empty:
        return pd.DataFrame(columns=[*keys, *COLUMNS])
    if by == "team":
        critical["team"] = [route(list(t), config).team or "(none)" for t in critical["topics"]]
    elif by == "topic":
        critical["topic"] = [list(t) or ["(none)"] for t in critical["topics"]]
        critical = critical.explode("topic")
    elif by is not None:
        raise ValueError(f"by must be 'team', 'topic' or None, not {by!r}")
    if freq:
        first = pd.to_datetime(critical["first_at"], utc=True).dt.tz_convert(None)
        critical["period"] = first.dt.to_period(freq).dt.start_time
    critical["hours"] = pd.to_numeric(critical["first_response_s"], errors="coerce") / 3600
    critical["answered"] = critical["answered"].astype(bool)
    if not keys:
        critical["_all"] = "all"
        keys = ["_all"]
    out = critical.groupby(keys, sort=True).agg(
        critical_threads=("thread", "size"),
        answered=("answered", "sum"),
        median_first_response_h=("hours", "median"),
    )
    out["share_answered"] = out["answered"] / out["critical_threads"]
    out = out.reset_index()[[*keys, *COLUMNS]]
    return out.drop(columns=["_all"]) if "_all" in out else out
