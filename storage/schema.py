"""The schemas of the lake's tables, in one place.

Every table is partitioned by the month of one timestamp column (``month=YYYY-MM``) and,
where it has a key, deduplicated on that key when rows are appended.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

TS = pa.timestamp("us", tz="UTC")

MENTION = pa.schema(
    [
        ("source", pa.string()),  # platform the post lives on: x, reddit, rss, hackernews, mastodon, bluesky, import
        ("id", pa.string()),  # the post's id on that platform; (source, id) is the key
        ("url", pa.string()),  # link to the original post
        ("created_at", TS),  # when it was posted (UTC)
        ("collected_at", TS),  # when Earshot stored it (UTC)
        ("author", pa.string()),  # handle or name (pseudonymised when privacy says so)
        ("author_id", pa.string()),  # the platform's author id (pseudonymised likewise)
        ("author_followers", pa.int64()),  # reach at collection time, if the source tells
        ("text", pa.string()),  # the post, as plain text
        ("title", pa.string()),  # title of feed entries and Reddit submissions
        ("lang", pa.string()),  # language as given by the source, if any
        ("parent_id", pa.string()),  # id of the post this one answers
        ("conversation_id", pa.string()),  # id of the thread's root post
        ("likes", pa.int64()),  # engagement counts at collection time
        ("replies", pa.int64()),
        ("reposts", pa.int64()),
        ("entity", pa.string()),  # first configured entity that matched
        ("entities", pa.list_(pa.string())),  # every entity that matched
        ("matched_terms", pa.list_(pa.string())),  # the terms that matched
        ("is_own", pa.bool_()),  # posted by one of the company's own accounts
    ]
)

TAG = pa.schema(
    [
        ("source", pa.string()),
        ("id", pa.string()),
        ("created_at", TS),  # copied from the mention, for partitioning and time filters
        ("analyzer_version", pa.string()),  # version of the analysis that wrote this row
        ("tagged_at", TS),
        ("lang", pa.string()),  # detected: one of the configured languages or "other"
        ("sentiment", pa.float64()),  # score in [-1, 1]
        ("sentiment_label", pa.string()),  # negative | neutral | positive
        ("criticism", pa.bool_()),  # criticism of the company or its products, people, conduct
        ("criticism_reasons", pa.list_(pa.string())),  # why it was (or was not) flagged, in words
        ("topics", pa.list_(pa.string())),  # configured topics that matched
        ("intent", pa.string()),  # question | complaint | praise | suggestion | other
    ]
)

RUN = pa.schema(
    [
        ("run_id", pa.string()),
        ("collector", pa.string()),  # registry name of the collector
        ("query", pa.string()),  # what was asked, in words
        ("started_at", TS),
        ("finished_at", TS),
        ("window_start", TS),  # oldest created_at seen in the run
        ("window_end", TS),  # newest created_at seen in the run
        ("pages", pa.int64()),  # batches (API pages) received
        ("fetched", pa.int64()),  # raw items received
        ("matched", pa.int64()),  # items that matched an entity (or were kept anyway)
        ("new", pa.int64()),  # rows added to the lake
        ("duplicates", pa.int64()),  # rows already there
        ("bad", pa.int64()),  # items that could not be mapped
        ("errors", pa.list_(pa.string())),  # what went wrong, one line each
        ("rate_limit_waits", pa.int64()),
        ("rate_limit_wait_seconds", pa.float64()),
        ("status", pa.string()),  # ok | partial | failed
        ("duration_s", pa.float64()),
    ]
)


@dataclass(frozen=True)
class Table:
    """A lake table: its folder name, schema, dedup key and partitioning column."""

    name: str
    schema: pa.Schema
    key: tuple[str, ...] | None
    time_column: str


MENTIONS = Table("mentions", MENTION, ("source", "id"), "created_at")
TAGS = Table("tags", TAG, ("source", "id", "analyzer_version"), "created_at")
RUNS = Table("runs", RUN, None, "started_at")
TABLES = {t.name: t for t in (MENTIONS, TAGS, RUNS)}


# Per schema object (keyed by id: hashing a pa.Schema costs more than building the row): the schema
# itself (kept alive, so the id stays its own), the row template and the names of its list fields.
_EMPTY: dict[int, tuple[pa.Schema, dict, tuple[str, ...]]] = {}


def empty_row(schema: pa.Schema = MENTION) -> dict:
    """A row of the schema with every field None (lists empty, is_own False)."""
    cached = _EMPTY.get(id(schema))
    if cached is None or cached[0] is not schema:  # built once per schema: collectors call this per item
        template: dict = {f.name: None for f in schema}
        if "is_own" in template:
            template["is_own"] = False
        lists = tuple(f.name for f in schema if pa.types.is_list(f.type))
        cached = _EMPTY[id(schema)] = (schema, template, lists)
    row = dict(cached[1])
    for name in cached[2]:
        row[name] = []  # a fresh list per row
    return row
