"""Team corrections of automatic tags: they override what the taggers said.

The workflow store (``storage.workflow``, owned by the engagement side) keeps corrected
labels. This module reads them through one small function, ``load``, and applies them to
tag tables. Corrections are ``(source, id, field, value)``; ``field`` is one of the tag
columns that a person can correct (see ``FIELDS``); the store's names ("sentiment",
"topic") are mapped to them. A corrected topic replaces the automatic topics.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

import pyarrow as pa

log = logging.getLogger(__name__)

FIELDS = ("sentiment_label", "criticism", "intent", "topics", "lang")


class Correction(NamedTuple):
    source: str
    id: str
    field: str
    value: object


_SENTIMENT_OF = {"negative": -1.0, "neutral": 0.0, "positive": 1.0}
_registered: list[Correction] | None = None


def set_corrections(items: Iterable[tuple[str, str, str, object]] | None) -> None:
    """Use these corrections (tests, or a caller that read them elsewhere); None reads the store again."""
    global _registered
    _registered = None if items is None else [Correction(*c) for c in items]


# The workflow store's field names -> tag columns.
_STORE_FIELDS = {"sentiment": "sentiment_label", "criticism": "criticism", "topic": "topics", "intent": "intent",
                 "lang": "lang"}


def from_store(rows: Iterable[dict]) -> list[Correction]:
    """Corrections from the workflow store's rows (``source, mention_id, field, value``)."""
    out: list[Correction] = []
    for r in rows:
        field = _STORE_FIELDS.get(str(r.get("field")))
        if field:
            out.append(Correction(str(r["source"]), str(r["mention_id"]), field, r["value"]))
    return out


def load(data_dir: Path | None = None) -> list[Correction]:
    """The team's latest corrections: those set with ``set_corrections``, else the workflow store's of
    ``data_dir`` (``storage.workflow``; none when it does not exist yet)."""
    if _registered is not None:
        return list(_registered)
    if data_dir is None or not (Path(data_dir) / "workflow.sqlite").exists():
        return []
    try:
        from storage.workflow import WorkflowStore  # the engagement side's store

        return from_store(WorkflowStore(data_dir).corrections(latest_only=True))
    except Exception as exc:  # noqa: BLE001 - a broken store must not stop tagging
        log.warning("could not read team corrections (%s); automatic tags are used", exc)
        return []


def _coerce(field: str, value: object) -> object:
    if field == "criticism":
        return value if isinstance(value, bool) else str(value).strip().lower() in ("1", "true", "yes", "ja")
    if field == "topics":
        if isinstance(value, list | tuple):
            return list(value)
        return [v.strip() for v in str(value).split(",") if v.strip()]
    return str(value)


def apply(table: pa.Table, items: list[Correction] | None = None, data_dir: Path | None = None) -> pa.Table:
    """``table`` (TAG schema) with corrected fields replaced; a corrected label sets the score's sign too.

    ``items`` default to ``load(data_dir)``."""
    items = load(data_dir) if items is None else items
    if not items or table.num_rows == 0:
        return table
    wanted: dict[tuple[str, str], dict[str, object]] = {}
    for c in items:
        if c.field in FIELDS:
            wanted.setdefault((c.source, c.id), {})[c.field] = _coerce(c.field, c.value)
    keys = list(zip(table.column("source").to_pylist(), table.column("id").to_pylist(), strict=True))
    rows = [i for i, k in enumerate(keys) if k in wanted]
    if not rows:
        return table
    cols = {name: table.column(name).to_pylist() for name in table.column_names}
    for i in rows:
        fix = wanted[keys[i]]
        for field, value in fix.items():
            cols[field][i] = value
        if "sentiment_label" in fix and fix["sentiment_label"] in _SENTIMENT_OF:
            cols["sentiment"][i] = _SENTIMENT_OF[str(fix["sentiment_label"])] * max(abs(cols["sentiment"][i] or 0), 0.5)
        if "criticism" in fix:
            cols["criticism_reasons"][i] = ["corrected by the team", *(cols["criticism_reasons"][i] or [])]
    return pa.Table.from_pydict(cols, schema=table.schema)
