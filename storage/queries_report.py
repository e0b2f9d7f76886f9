"""The transparency report's figures: aggregated only, no post text, no author, no team member."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import pandas as pd

from storage import queries_coverage, queries_metrics
from storage.queries import Filters, Store


@dataclass
class Report:
    """What we heard and what we did in one period (and how that compares with the period before)."""

    company: str
    since: date | None
    until: date | None
    now: queries_metrics.Kpis
    before: queries_metrics.Kpis | None
    themes: pd.DataFrame  # topic, mentions, criticism, criticism_share, before, change
    sources: pd.DataFrame  # source, mentions
    decisions: dict[str, int] = field(default_factory=dict)  # status -> decisions recorded in the period
    gaps: list[str] = field(default_factory=list)
    demo: bool = False


def _in_period(at: str, f: Filters) -> bool:
    try:
        day = datetime.fromisoformat(at).date()
    except (TypeError, ValueError):
        return False
    return (f.since is None or day >= f.since) and (f.until is None or day <= f.until)


def transparency(
    store: Store, f: Filters, company: str, own: list[str], competitors: list[str],
    decisions: list[dict[str, Any]] | None = None, demo: bool = False,
) -> Report:
    """Aggregate the period: volume, criticism, answers, themes with change, decisions by status, gaps."""
    now = queries_metrics.kpis(store, f, own, competitors)
    prev = f.previous()
    before = queries_metrics.kpis(store, prev, own, competitors) if prev else None
    themes = queries_metrics.top_topics(store, f, limit=50)
    if prev is not None:
        old = queries_metrics.top_topics(store, prev, limit=50).set_index("topic")["mentions"]
        themes["before"] = [int(old.get(t, 0)) for t in themes["topic"]]
        themes["change"] = themes["mentions"] - themes["before"]
    where, params = f.where()
    sources = store.df(
        f"SELECT source, CAST(sum(n) AS BIGINT) AS mentions FROM daily WHERE {where} "  # noqa: S608
        "GROUP BY source ORDER BY mentions DESC",
        params,
    )
    counts = Counter(d["status"] for d in decisions or [] if _in_period(d.get("at", ""), f))
    return Report(company, f.since, f.until, now, before, themes.drop(columns=["negative_share"]), sources,
                  dict(counts), queries_coverage.gaps(store, f), demo)
