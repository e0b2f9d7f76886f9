"""Conversations: mentions grouped into threads, and one summary row per thread.

A thread is keyed ``"<source>:<root id>"``. The root is the mention's ``conversation_id`` when
the source gives one; otherwise the ``parent_id`` chain is followed upwards as far as the lake
knows it (a reply whose parent was never collected is rooted at that parent's id, so its
siblings still meet); a standalone mention is its own thread.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import duckdb
import pandas as pd

from analysis.response import track_all
from analysis.version import shown_version
from storage.lake import Lake
from storage.reads import retry_read
from storage.schema import MENTION, MENTIONS, TAGS

TAG_COLUMNS = ["sentiment", "sentiment_label", "criticism", "criticism_reasons", "topics", "intent"]
TEXTS_PER_THREAD = 50  # texts kept per thread for keyword cues (risk); the first ones in time
COLUMNS = [
    "thread", "source", "root_id", "url", "title", "text", "author", "first_at", "last_at", "size",
    "participants", "authors", "own_replies", "criticism", "questions", "praise", "topics", "entity", "sentiment",
    "max_followers", "engagement", "velocity", "repeat_complainer", "texts",
    "answered", "first_response_at", "first_response_s", "sentiment_before", "sentiment_after", "outcome",
    "open_question", "open_criticism", "open_text",
]  # fmt: skip


def load_mentions(lake: Lake, since: datetime | None = None) -> pd.DataFrame:
    """Mentions (optionally created at or after ``since``) left-joined with their tags of the shown version
    (``analysis.version.shown_version``: that of the last completed pass).

    Untagged mentions keep null tag columns (``criticism`` False, lists empty). An empty lake gives
    an empty frame with every column. Read again if a writer changes the lake meanwhile.
    """
    return normalise(retry_read(lambda: _read_mentions(lake, since), "mentions and tags"))


def _read_mentions(lake: Lake, since: datetime | None) -> pd.DataFrame:
    files = [str(p) for p in lake.files(MENTIONS)]
    tag_files = [str(p) for p in lake.files(TAGS)]
    cols = ", ".join(f"m.{name}" for name in MENTION.names)
    tag_cols = ", ".join(f"t.{name}" for name in TAG_COLUMNS)
    if not files:
        frame = MENTION.empty_table().to_pandas()
        for name in TAG_COLUMNS:
            frame[name] = pd.Series(dtype=object)
        return frame
    if tag_files:
        tags_sql = (
            f"SELECT source, id, {', '.join(TAG_COLUMNS)} FROM read_parquet(?, union_by_name=true) "  # noqa: S608
            "WHERE analyzer_version = ? QUALIFY row_number() OVER (PARTITION BY source, id) = 1"
        )
        tag_args: list = [tag_files, shown_version(lake.data_dir)]
    else:
        tags_sql = (
            "SELECT NULL::VARCHAR source, NULL::VARCHAR id, NULL::DOUBLE sentiment, NULL::VARCHAR sentiment_label, "
            "NULL::BOOLEAN criticism, NULL::VARCHAR[] criticism_reasons, NULL::VARCHAR[] topics, "
            "NULL::VARCHAR intent WHERE false"
        )
        tag_args = []
    con = duckdb.connect()
    try:
        return con.execute(
            f"WITH t AS ({tags_sql}) SELECT {cols}, {tag_cols} "  # noqa: S608 (fixed column names)
            "FROM read_parquet(?, union_by_name=true) m LEFT JOIN t ON m.source = t.source AND m.id = t.id "
            "WHERE ?::TIMESTAMPTZ IS NULL OR m.created_at >= ?::TIMESTAMPTZ ORDER BY m.created_at",
            [*tag_args, files, since, since],
        ).df()
    finally:
        con.close()


def normalise(frame: pd.DataFrame) -> pd.DataFrame:
    """Fill defaults so that the functions below need no null checks (works on hand-built frames too)."""
    frame = frame.copy()
    for name in ("likes", "replies", "reposts", "author_followers"):
        if name not in frame:
            frame[name] = 0
        frame[name] = pd.to_numeric(frame[name], errors="coerce").fillna(0).astype("int64")
    for name in ("criticism", "is_own"):
        if name not in frame:
            frame[name] = False
        frame[name] = frame[name].astype("boolean").fillna(False).astype(bool)
    for name in ("topics", "matched_terms", "entities", "criticism_reasons"):
        if name not in frame:
            frame[name] = [[] for _ in range(len(frame))]
        frame[name] = [list(v) if isinstance(v, list | tuple) or hasattr(v, "tolist") else [] for v in frame[name]]
    for name in ("source", "id", "parent_id", "conversation_id", "author", "text", "title", "url", "intent", "entity"):
        if name not in frame:
            frame[name] = None
        frame[name] = frame[name].astype(object).where(frame[name].notna(), None)
    if "sentiment" not in frame:
        frame["sentiment"] = float("nan")
    frame["sentiment"] = pd.to_numeric(frame["sentiment"], errors="coerce")
    frame["created_at"] = pd.to_datetime(frame["created_at"] if "created_at" in frame else [], utc=True)
    return frame


def thread_keys(mentions: pd.DataFrame) -> pd.Series:
    """The thread key ``"<source>:<root id>"`` of every mention (same index)."""
    parents: dict[tuple[str, str], str] = {}
    for source, mid, parent in zip(mentions["source"], mentions["id"], mentions["parent_id"], strict=True):
        if parent and parent != mid:
            parents[(source, mid)] = parent
    keys = []
    for source, mid, conv in zip(mentions["source"], mentions["id"], mentions["conversation_id"], strict=True):
        if conv:
            keys.append(f"{source}:{conv}")
            continue
        root, seen = mid, {mid}
        while (source, root) in parents and parents[(source, root)] not in seen:
            root = parents[(source, root)]
            seen.add(root)
        keys.append(f"{source}:{root}")
    return pd.Series(keys, index=mentions.index, dtype=object)


def thread_posts(mentions: pd.DataFrame, thread: str) -> pd.DataFrame:
    """The posts of one thread, oldest first."""
    keys = mentions["thread"] if "thread" in mentions else thread_keys(mentions)
    return mentions[keys == thread].sort_values("created_at")


def _critical_posts_by_author(mentions: pd.DataFrame) -> Counter:
    critical = mentions[mentions["criticism"] & ~mentions["is_own"] & mentions["author"].notna()]
    return Counter(critical["author"])


def _first_topics(others: pd.DataFrame) -> pd.Series:
    """Per thread, others' topics, most frequent first (ties: first mentioned first)."""
    exploded = others[["thread", "topics"]].assign(pos=range(len(others))).explode("topics").dropna()
    if exploded.empty:
        return pd.Series(dtype=object)
    counted = exploded.groupby(["thread", "topics"], sort=False).agg(n=("pos", "size"), first=("pos", "min"))
    counted = counted.reset_index().sort_values(["thread", "n", "first"], ascending=[True, False, True])
    return counted.groupby("thread", sort=False)["topics"].agg(list)


def summarize(mentions: pd.DataFrame, now: datetime | None = None) -> pd.DataFrame:
    """One row per thread, most recently active first.

    Columns: thread, source, root_id, url, title, text (the root's, or the first post's), author,
    first_at, last_at, size, participants, authors, own_replies, criticism (critical posts),
    questions, praise (posts of those intents), topics (most frequent first), entity, sentiment
    (mean of others' posts), max_followers, engagement (others' likes + replies + reposts, plus
    the posts in the thread after the first), velocity (interactions per hour since the first
    post), repeat_complainer (most critical posts by one of its authors in ``mentions``), texts
    (others' texts, the first ``TEXTS_PER_THREAD``), plus the columns of ``analysis.response.track``.
    """
    now = now or datetime.now(UTC)
    if mentions.empty:
        return pd.DataFrame(columns=COLUMNS)
    posts = normalise(mentions)
    if "thread" not in posts:
        posts["thread"] = thread_keys(posts)
    posts = posts.sort_values("created_at", kind="stable").reset_index(drop=True)
    own = posts["is_own"]
    others = posts[~own].copy()
    complaints = _critical_posts_by_author(posts)
    others["complaints"] = others["author"].map(complaints).fillna(0).astype(int)
    others["interactions"] = others["likes"] + others["replies"] + others["reposts"]
    grouped = posts.groupby("thread", sort=False)
    out = grouped.agg(
        source=("source", "first"), first_at=("created_at", "min"), last_at=("created_at", "max"),
        size=("id", "size"), own_replies=("is_own", "sum"),
    )  # fmt: skip
    by_other = others.groupby("thread", sort=False)
    out = out.join(by_other.agg(
        criticism=("criticism", "sum"), max_followers=("author_followers", "max"),
        engagement=("interactions", "sum"), sentiment=("sentiment", "mean"),
        repeat_complainer=("complaints", "max"), entity=("entity", "first"),
    ))  # fmt: skip
    intents = others.assign(q=others["intent"] == "question", p=others["intent"] == "praise").groupby("thread")
    out = out.join(intents[["q", "p"]].sum().rename(columns={"q": "questions", "p": "praise"}))
    named = others[others["author"].notna()]
    out["authors"] = named.groupby("thread", sort=False)["author"].agg(lambda a: list(dict.fromkeys(a)))
    out["texts"] = others[others["text"].notna()].groupby("thread", sort=False)["text"].agg(
        lambda t: list(t.iloc[:TEXTS_PER_THREAD])
    )
    out["topics"] = _first_topics(others)
    for name in ("authors", "texts", "topics"):
        out[name] = [v if isinstance(v, list) else [] for v in out[name]]
    for name in ("criticism", "max_followers", "engagement", "repeat_complainer", "questions", "praise"):
        out[name] = out[name].fillna(0).astype("int64")
    out["participants"] = out["authors"].map(len)
    out["engagement"] += out["size"] - 1
    hours = ((pd.Timestamp(now).tz_convert("UTC") - out["first_at"]).dt.total_seconds() / 3600).clip(lower=1.0)
    out["velocity"] = out["engagement"] / hours
    # The head: the root post if collected, else the first post by someone else, else the first post.
    posts["rank"] = (posts["source"] + ":" + posts["id"] != posts["thread"]).astype(int) * 2 + own.astype(int)
    head = posts.sort_values(["rank", "created_at"], kind="stable").drop_duplicates("thread").set_index("thread")
    out = out.join(head[["url", "title", "text", "author"]])
    out = out.join(track_all(posts))
    out = out.reset_index().rename(columns={"index": "thread"})
    out["root_id"] = out["thread"].str.split(":", n=1).str[1]
    return out[COLUMNS].sort_values("last_at", ascending=False, ignore_index=True)
