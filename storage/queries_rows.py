"""Row-level queries: one page of mentions (with text), the simple response queue, export rows.

Rows are chosen on ``facts`` (no text) and only the chosen page's text is read from parquet,
with month-partition pruning, so a page costs about the same at a thousand or a million rows.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

import pandas as pd

from storage.queries import Filters, Store

SORTS = {
    "recency": "created_at DESC, source, id",
    "reach": "reach DESC NULLS LAST, created_at DESC, source, id",
    "engagement": "engagement DESC NULLS LAST, created_at DESC, source, id",
}
TEXT_COLUMNS = ["source", "id", "url", "author", "title", "text"]
PAGE_COLUMNS = [
    "created_at", "source", "lang", "entity", "sentiment_label", "criticism", "topics", "intent",
    "author", "title", "text", "reach", "engagement", "url", "id",
]

# The CSV export's columns, in order (documented in docs/dashboard.md).
EXPORT_COLUMNS = [
    "source", "id", "url", "created_at", "author", "author_followers", "title", "text", "lang", "entity",
    "entities", "matched_terms", "is_own", "likes", "replies", "reposts", "sentiment", "sentiment_label",
    "criticism", "criticism_reasons", "topics", "intent", "parent_id", "conversation_id",
]


def safe_url(url: object) -> str | None:
    """The post's own link if it is a plain http(s) URL, else None (no javascript:, data:, ...)."""
    if not isinstance(url, str) or not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme not in {"http", "https"} or not parts.netloc or any(c in url for c in "\r\n\t <>\"'"):
        return None
    return url.strip()


def _span(rows: pd.DataFrame) -> tuple[str, list[datetime]]:
    """A condition on ``created_at`` that every one of some chosen rows meets, and its parameters: a mention's
    text, and the tag rows written for it, carry its time, so bounding a lookup by the rows' first and last time
    lets DuckDB skip the row groups of other times (parquet statistics). No condition when a row has no time."""
    times = pd.to_datetime(rows["created_at"], utc=True)
    if times.empty or times.isna().any():
        return "true", []
    return "created_at BETWEEN ? AND ?", [times.min().to_pydatetime(), times.max().to_pydatetime()]


def _with_text(store: Store, keys: pd.DataFrame) -> pd.DataFrame:
    """Attach author, title, text and url to rows chosen on ``facts`` (keeps their order)."""
    if keys.empty:
        return keys.assign(**{c: pd.Series(dtype="object") for c in TEXT_COLUMNS[2:]})
    if "month" in keys:  # rows read from ``mentions``
        months = sorted({str(m) for m in keys["month"].dropna()})
    else:  # rows of ``facts``, which spares itself the column: the partition is the UTC month of created_at
        months = sorted(set(pd.to_datetime(keys["created_at"], utc=True).dt.strftime("%Y-%m").dropna()))
    when, bounds = _span(keys)
    text = store.df(
        "SELECT source, id, url, author, title, text FROM mentions "  # noqa: S608 - ``when`` is ours
        f"WHERE month IN (SELECT unnest(?::VARCHAR[])) AND {when} AND id IN (SELECT unnest(?::VARCHAR[]))",
        [months, *bounds, list(keys["id"])],
    ).drop_duplicates(["source", "id"])
    out = keys.merge(text, on=["source", "id"], how="left")
    out["url"] = out["url"].map(safe_url)
    return out


def _page_from_parquet(store: Store, f: Filters, order: str, limit: int) -> pd.DataFrame:
    """Before the fact table is ready: choose rows on ``mentions`` alone, then fetch their tags."""
    where, params = f.where(text=True)  # only mention columns are set (checked by the caller)
    frame = store.df(
        "SELECT source, id, created_at, entity, lang AS source_lang, month, "  # noqa: S608
        "author_followers AS reach, coalesce(likes, 0) + coalesce(replies, 0) + coalesce(reposts, 0) AS engagement "
        f"FROM mentions WHERE {where} ORDER BY {order} LIMIT ?",
        [*params, limit],
    )
    months = sorted({str(m) for m in frame["month"].dropna()})
    when, bounds = _span(frame)
    sql = "SELECT source, id, lang, sentiment_label, criticism, topics, intent FROM tags WHERE "
    tags = store.df(
        sql + f"month IN (SELECT unnest(?::VARCHAR[])) AND {when} AND id IN (SELECT unnest(?::VARCHAR[]))",
        [months, *bounds, list(frame["id"])],
    )
    # a mention stored again in a later month has its tag rows in the first one only: look those up anywhere
    missing = sorted(set(frame["id"]) - set(tags["id"]))
    if missing:
        tags = pd.concat([tags, store.df(sql + "id IN (SELECT unnest(?::VARCHAR[]))", [missing])])
    tags = tags.drop_duplicates(["source", "id"])
    out = frame.merge(tags, on=["source", "id"], how="left")
    out["lang"] = out["lang"].fillna(out["source_lang"])
    return _with_text(store, out)


def mentions_page(store: Store, f: Filters, sort: str = "recency", limit: int = 500) -> pd.DataFrame:
    """The first ``limit`` mentions matching ``f`` (search included), sorted by recency, reach or engagement."""
    order = SORTS[sort]
    where, params = f.where(text=bool(f.search))
    if not store.facts_ready() and not (f.search or f.langs or f.topics or f.sentiments or f.criticism is not None):
        frame = _page_from_parquet(store, f, order, limit)
    elif f.search:
        frame = store.df(
            f"SELECT *, author_followers AS reach, coalesce(likes, 0) + coalesce(replies, 0) "  # noqa: S608
            f"+ coalesce(reposts, 0) AS engagement FROM joined WHERE {where} ORDER BY {order} LIMIT ?",
            [*params, limit],
        )
        frame["url"] = frame["url"].map(safe_url)
    else:
        keys = store.df(f"SELECT * FROM facts WHERE {where} ORDER BY {order} LIMIT ?", [*params, limit])  # noqa: S608
        frame = _with_text(store, keys)
    return frame[PAGE_COLUMNS] if not frame.empty else frame.reindex(columns=PAGE_COLUMNS)


def count(store: Store, f: Filters) -> int:
    """How many mentions match ``f`` (search included)."""
    where, params = f.where(text=bool(f.search))
    if f.search:
        return int(store.one(f"SELECT count(*) FROM joined WHERE {where}", params)[0])  # noqa: S608
    return int(store.one(f"SELECT coalesce(sum(n), 0) FROM daily WHERE {where}", params)[0])  # noqa: S608


def simple_queue(store: Store, f: Filters, limit: int = 100) -> pd.DataFrame:
    """Criticism and questions without an own reply yet, ranked by a simple transparent score.

    score = 2 if criticism + 1.5 if question + ln(1 + engagement) + 0.5 ln(1 + reach) + 2 * freshness,
    where freshness falls from 1 (today) to 0 (two weeks old). Columns: PAGE_COLUMNS + score, reasons.
    """
    where, params = f.where()
    keys = store.df(
        "WITH own AS (SELECT DISTINCT source, parent_id, conversation_id FROM facts WHERE is_own), "  # noqa: S608
        "c AS (SELECT * FROM facts WHERE " + where + " AND NOT coalesce(is_own, false) "
        "AND (criticism OR intent = 'question')), "
        "open AS (SELECT c.* FROM c WHERE NOT EXISTS (SELECT 1 FROM own o WHERE o.source = c.source "
        "AND (o.parent_id = c.id OR o.conversation_id = coalesce(c.conversation_id, c.id)))) "
        "SELECT *, (CASE WHEN criticism THEN 2 ELSE 0 END) + (CASE WHEN intent = 'question' THEN 1.5 ELSE 0 END) "
        "+ ln(1 + engagement) + 0.5 * ln(1 + coalesce(reach, 0)) "
        "+ 2 * greatest(0, 1 - epoch(now() - created_at) / (14 * 86400)) AS score FROM open "
        "ORDER BY score DESC LIMIT ?",
        [*params, limit],
    )
    frame = _with_text(store, keys)
    if frame.empty:
        return frame.reindex(columns=[*PAGE_COLUMNS, "score", "reasons"])
    frame["reasons"] = [
        _reasons(c, i, e, r)
        for c, i, e, r in zip(frame["criticism"], frame["intent"], frame["engagement"], frame["reach"], strict=True)
    ]
    return frame[[*PAGE_COLUMNS, "score", "reasons"]]


def _reasons(criticism: object, intent: object, engagement: object, reach: object) -> str:
    out = []
    if criticism is True or (pd.notna(criticism) and bool(criticism)):
        out.append("criticism")
    if intent == "question":
        out.append("open question")
    if pd.notna(engagement) and engagement > 0:
        out.append(f"{int(engagement)} interactions")
    if pd.notna(reach) and reach > 0:
        out.append(f"reach {int(reach):,}")
    return ", ".join(out)


def by_keys(store: Store, keys: list[str]) -> pd.DataFrame:
    """Mentions named by ``"source:id"`` keys (e.g. a theme's examples), newest first, with their tags."""
    pairs = [k.split(":", 1) for k in keys if ":" in k]
    if not pairs:
        return pd.DataFrame(columns=PAGE_COLUMNS)
    frame = store.df(
        "SELECT *, author_followers AS reach, coalesce(likes, 0) + coalesce(replies, 0) + coalesce(reposts, 0) "
        "AS engagement FROM joined WHERE id IN (SELECT unnest(?::VARCHAR[])) ORDER BY created_at DESC",
        [[i for _, i in pairs]],
    )
    wanted = {(s, i) for s, i in pairs}
    frame = frame[[(s, i) in wanted for s, i in zip(frame["source"], frame["id"], strict=True)]]
    frame = frame.assign(url=frame["url"].map(safe_url))
    return frame[PAGE_COLUMNS].reset_index(drop=True)


def export_sql(f: Filters) -> tuple[str, list]:
    """The query behind every CSV export: EXPORT_COLUMNS of ``joined`` matching ``f``, oldest first."""
    where, params = f.where(text=True)
    return f"SELECT {', '.join(EXPORT_COLUMNS)} FROM joined WHERE {where} ORDER BY created_at, source, id", params  # noqa: S608
