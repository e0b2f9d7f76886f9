"""Aggregates over the ``daily`` rollup (``facts`` for response times and hourly spikes): volumes,
sentiment, criticism, KPIs, topics, share of voice, spike days.

Every function takes a ``Store`` and ``Filters`` and returns a small pandas frame or a dataclass.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pandas as pd

from analysis import spikes
from earshot.config import Alerts
from storage.queries import Filters, Store

HOUR = "timezone('UTC', date_trunc('hour', created_at))"  # a post's hour, naive UTC


def volume_by_day(store: Store, f: Filters, by: str = "source") -> pd.DataFrame:
    """Mentions per day and ``by`` (source | sentiment_label | entity | lang): columns day, <by>, mentions."""
    if by not in {"source", "sentiment_label", "entity", "lang"}:
        raise ValueError(f"cannot group volume by {by!r}")
    where, params = f.where()
    sql = (
        f"SELECT day, coalesce({by}, 'untagged') AS {by}, CAST(sum(n) AS BIGINT) AS mentions FROM daily "  # noqa: S608
        f"WHERE {where} GROUP BY ALL ORDER BY day, {by}"  # a stable order: the same data, the same frame
    )
    frame = store.df(sql, params)
    frame["day"] = pd.to_datetime(frame["day"])
    return frame


def spike_days(store: Store, f: Filters, settings: Alerts) -> pd.DataFrame:
    """The charts' spike markers: ``analysis.spikes.marked_days`` on the posts the sidebar filters select
    (entity, source, language, topic; not the mention table's sentiment, criticism or search), counted
    per ``settings.bucket`` as the alerts count them, with every day before the period as baseline.

    The series starts at the first post by others in the whole lake, as ``spikes.find`` starts it, so a
    day's marker does not depend on the period shown. Columns: see ``marked_days``.
    """
    until = f.until or store.bounds()[1]
    chosen = replace(f, since=None, until=until, sentiments=(), criticism=None, search="", include_own=True)
    where, params = chosen.where()
    if settings.bucket == "day":
        bucket, table, n = "day", "daily", "CAST(sum(n) AS BIGINT)"
    else:  # hours need the post times: the fact table (the join over parquet until it is built)
        bucket, table, n = HOUR, "facts", "count(*)"
    # only critical posts by others count (``spikes.critical_counts``): before the fact table is built the
    # join then holds only the critical tags
    sql = (
        f"SELECT {bucket} AS bucket, true AS criticism, false AS is_own, {n} AS n FROM {table} "  # noqa: S608
        f"WHERE {where} AND criticism AND NOT coalesce(is_own, false) GROUP BY ALL"
    )
    first = store.memo(("first_other", settings.bucket), lambda: _first_other(store, settings.bucket))
    if until is None or first is None or pd.isna(first):
        return spikes.marked_days(pd.DataFrame(), settings, None, None, None)  # no posts by others: no markers
    since = pd.Timestamp(f.since) if f.since else None
    return spikes.marked_days(store.df(sql, params), settings, pd.Timestamp(first), pd.Timestamp(until), since)


def _first_other(store: Store, bucket: str) -> Any:
    """The first interval holding a post by others: its day from the rollup, its hour from that day's mentions
    (a mention column, so no join, and the day's bounds let DuckDB skip most row groups)."""
    day = store.one("SELECT min(day) FROM daily WHERE NOT coalesce(is_own, false)")[0]
    if bucket == "day" or day is None or pd.isna(day):
        return day
    start = datetime.combine(pd.Timestamp(day).date(), time.min, tzinfo=UTC)
    return store.one(
        f"SELECT min({HOUR}) FROM mentions WHERE created_at >= ? AND created_at < ? "  # noqa: S608
        "AND NOT coalesce(is_own, false)",
        [start, start + timedelta(days=1)],
    )[0]


def alert_scope(f: Filters) -> str | None:
    """The spike alert whose series the sidebar filters select: ``"overall"``, a topic, or None when
    an entity, source or language filter, or more than one topic, picks posts no alert watches."""
    if f.entities or f.sources or f.langs or len(f.topics) > 1:
        return None
    return f.topics[0] if f.topics else "overall"


def sentiment_share(store: Store, f: Filters) -> pd.DataFrame:
    """Mentions per sentiment label (untagged included): columns sentiment, mentions, share."""
    where, params = f.where()
    frame = store.df(
        f"SELECT coalesce(sentiment_label, 'untagged') AS sentiment, CAST(sum(n) AS BIGINT) AS mentions FROM daily "  # noqa: S608
        f"WHERE {where} GROUP BY ALL ORDER BY mentions DESC, sentiment",
        params,
    )
    total = frame["mentions"].sum()
    frame["share"] = frame["mentions"] / total if total else 0.0
    return frame


@dataclass
class Kpis:
    """The Overview's headline figures for one period (None: not computable, e.g. no tags yet)."""

    mentions: int = 0
    criticism: int = 0
    criticism_share: float | None = None
    brand_health: float | None = None  # positive / (positive + negative)
    share_of_voice: float | None = None  # company entities / (company + competitor) mentions
    criticism_answered: float | None = None  # share of criticism with a later reply by an own account
    median_first_response_h: float | None = None  # hours from criticism to the first own reply
    tagged: int = 0


def kpis(store: Store, f: Filters, company: list[str], competitors: list[str]) -> Kpis:
    """Headline figures; the share of voice ignores the entity filter (it compares entities)."""
    where, params = f.where()
    row = store.one(
        "SELECT coalesce(sum(n), 0), coalesce(sum(n) FILTER (criticism), 0), "  # noqa: S608
        "coalesce(sum(n) FILTER (sentiment_label = 'positive'), 0), "
        "coalesce(sum(n) FILTER (sentiment_label = 'negative'), 0), "
        "coalesce(sum(n) FILTER (sentiment_label IS NOT NULL), 0) "
        f"FROM daily WHERE {where} AND NOT coalesce(is_own, false)",
        params,
    )
    n, crit, pos, neg, tagged = (int(x or 0) for x in row)
    out = Kpis(mentions=n, criticism=crit, tagged=tagged)
    if tagged:
        out.criticism_share = crit / tagged
        out.brand_health = pos / (pos + neg) if pos + neg else None
    sov_where, sov_params = replace(f, entities=()).where()
    if company and competitors:
        own, comp = (
            int(x or 0)
            for x in store.one(
                "SELECT coalesce(sum(n) FILTER (list_has_any(entities, ?::VARCHAR[])), 0), "  # noqa: S608
                "coalesce(sum(n) FILTER (list_has_any(entities, ?::VARCHAR[])), 0) "
                f"FROM daily WHERE {sov_where} AND NOT coalesce(is_own, false)",
                [company, competitors, *sov_params],
            )
        )
        out.share_of_voice = own / (own + comp) if own + comp else None
    if crit and store.facts_ready():  # row-level: only once the fact table is in memory
        answered, median_s = store.one(
            "WITH c AS (SELECT source, id, created_at, coalesce(conversation_id, id) AS conv FROM facts "  # noqa: S608
            f"WHERE {where} AND criticism AND NOT coalesce(is_own, false)), "
            "o AS (SELECT source, parent_id, coalesce(conversation_id, parent_id) AS conv, created_at FROM facts "
            "WHERE is_own), "
            # two equi-joins (a reply to the post, or a later own post in its thread) instead of one OR-join
            "w AS (SELECT c.source, c.id, o.created_at - c.created_at AS wait FROM c JOIN o ON o.source = c.source "
            "AND o.parent_id = c.id WHERE o.created_at > c.created_at UNION ALL "
            "SELECT c.source, c.id, o.created_at - c.created_at FROM c JOIN o ON o.source = c.source "
            "AND o.conv = c.conv WHERE o.created_at > c.created_at), "
            "r AS (SELECT source, id, min(wait) AS wait FROM w GROUP BY source, id) "
            "SELECT count(*), median(epoch(wait)) FROM r",
            params,
        )
        out.criticism_answered = int(answered or 0) / crit
        out.median_first_response_h = None if pd.isna(median_s) else float(median_s) / 3600
    return out


def change(now: float | int | None, before: float | int | None, relative: bool) -> float | None:
    """The change of a KPI against the previous period (relative for counts, absolute for shares)."""
    if now is None or before is None:
        return None
    if relative:
        return (now - before) / before if before else None
    return now - before


def top_topics(store: Store, f: Filters, limit: int = 10) -> pd.DataFrame:
    """Topics by mentions: columns topic, mentions, criticism, criticism_share, negative_share."""
    where, params = f.where()
    frame = store.df(
        "SELECT topic, CAST(sum(n) AS BIGINT) AS mentions, coalesce(sum(n) FILTER (criticism), 0) AS criticism, "  # noqa: S608
        "coalesce(sum(n) FILTER (sentiment_label = 'negative'), 0) AS negative "
        f"FROM (SELECT unnest(topics) AS topic, criticism, sentiment_label, n FROM daily WHERE {where}) "
        "GROUP BY topic ORDER BY mentions DESC LIMIT ?",
        [*params, limit],
    )
    frame["criticism_share"] = frame["criticism"] / frame["mentions"]
    frame["negative_share"] = frame["negative"] / frame["mentions"]
    return frame.drop(columns="negative")


def topic_trend(store: Store, f: Filters, topics: list[str]) -> pd.DataFrame:
    """Mentions per week and topic: columns week, topic, mentions."""
    where, params = f.where()
    frame = store.df(
        "SELECT date_trunc('week', day) AS week, topic, CAST(sum(n) AS BIGINT) AS mentions "  # noqa: S608
        f"FROM (SELECT day, unnest(topics) AS topic, n FROM daily WHERE {where}) "
        "WHERE topic IN (SELECT unnest(?::VARCHAR[])) GROUP BY ALL ORDER BY week",
        [*params, topics],
    )
    frame["week"] = pd.to_datetime(frame["week"])
    return frame


def by_entity(store: Store, f: Filters, entities: list[str]) -> pd.DataFrame:
    """Side by side per entity: mentions, share of voice, sentiment shares, criticism share."""
    where, params = replace(f, entities=()).where()
    frame = store.df(
        "SELECT e AS entity, CAST(sum(n) AS BIGINT) AS mentions, coalesce(sum(n) FILTER (criticism), 0) AS criticism, "  # noqa: S608
        "coalesce(sum(n) FILTER (sentiment_label = 'positive'), 0) AS positive, "
        "coalesce(sum(n) FILTER (sentiment_label = 'negative'), 0) AS negative, "
        "coalesce(sum(n) FILTER (sentiment_label IS NOT NULL), 0) AS tagged "
        f"FROM (SELECT unnest(entities) AS e, criticism, sentiment_label, n FROM daily WHERE {where} "
        "AND NOT coalesce(is_own, false)) WHERE e IN (SELECT unnest(?::VARCHAR[])) GROUP BY e",
        [*params, entities],
    )
    frame = frame.set_index("entity").reindex(entities, fill_value=0).reset_index()
    total = frame["mentions"].sum()
    frame["share_of_voice"] = frame["mentions"] / total if total else 0.0
    tagged = frame["tagged"].where(frame["tagged"] > 0)
    frame["criticism_share"] = frame["criticism"] / tagged
    polar = (frame["positive"] + frame["negative"]).where(lambda s: s > 0)
    frame["brand_health"] = frame["positive"] / polar
    return frame


def entity_topics(store: Store, f: Filters, entities: list[str], criticism_only: bool = True) -> pd.DataFrame:
    """Topics per entity (criticism only by default): columns entity, topic, mentions."""
    where, params = replace(f, entities=(), criticism=True if criticism_only else f.criticism).where()
    return store.df(
        "SELECT e AS entity, t AS topic, CAST(sum(n) AS BIGINT) AS mentions "  # noqa: S608
        "FROM (SELECT e, unnest(topics) AS t, n FROM "
        f"(SELECT unnest(entities) AS e, topics, n FROM daily WHERE {where})) "
        "WHERE e IN (SELECT unnest(?::VARCHAR[])) GROUP BY ALL ORDER BY entity, mentions DESC",
        [*params, entities],
    )
