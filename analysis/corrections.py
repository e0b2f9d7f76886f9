"""Team corrections of automatic tags: they override what the taggers said.

The workflow store (``storage.workflow``, owned by the engagement side) keeps corrected
labels. This module reads them through one small function, ``load``, and applies them to
tag tables. Corrections are ``(source, id, field, value)``; ``field`` is one of the tag
columns that a person can correct (see ``FIELDS``); the store's names ("sentiment",
"topic") are mapped to them. A corrected topic replaces the automatic topics.

``apply`` is idempotent, so ``stale`` can tell which stored tag rows miss a correction made
after they were tagged (or changed since); ``analysis.pipeline`` rewrites just those.

A correction deleted from the store (retention, erasure, by hand) leaves no trace there, so the
pipeline keeps a record of the corrections that stored tag rows may carry (``record_path``: the
``(source, id, field)`` of each, no values). A key in the record that the store no longer has is a
withdrawn correction (``withdrawn``): the pipeline tags that mention again. Erasure and retention
(``storage.retention``) take the keys of the mentions they delete out of the record
(``forget_mentions``), so that no trace of those mentions is left.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from storage.files import write_atomic

log = logging.getLogger(__name__)

FIELDS = ("sentiment_label", "criticism", "intent", "topics", "lang")
TEAM_REASON = "corrected by the team"  # first criticism reason of a corrected criticism flag
RECORD = Path("analysis") / "corrected.json"  # under the data dir: corrections the tag rows may carry


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
    ``data_dir`` (``storage.workflow``; none when it does not exist yet, or cannot be read)."""
    return read(data_dir) or []


def read(data_dir: Path | None = None) -> list[Correction] | None:
    """As ``load``, but None (with a warning) when the workflow store exists and cannot be read: no
    correction can then be told withdrawn."""
    if _registered is not None:
        return list(_registered)
    if data_dir is None or not (Path(data_dir) / "workflow.sqlite").exists():
        return []
    try:
        from storage.workflow import WorkflowStore  # the engagement side's store

        return from_store(WorkflowStore(data_dir).corrections(latest_only=True))
    except Exception as exc:  # noqa: BLE001 - a broken store must not stop tagging
        log.warning("could not read team corrections (%s); automatic tags are used", exc)
        return None


Key = tuple[str, str, str]  # (source, id, tag column) of a correction


def keys(items: Iterable[Correction]) -> set[Key]:
    return {(c.source, c.id, c.field) for c in items if c.field in FIELDS}


def record_path(data_dir: Path) -> Path:
    return Path(data_dir) / RECORD


_UNREADABLE = (OSError, ValueError, TypeError, KeyError)  # what reading a damaged record raises


def _read_record(data_dir: Path) -> set[Key]:
    """The record's keys; ``FileNotFoundError`` before the first record, one of ``_UNREADABLE`` when damaged."""
    doc = json.loads(record_path(data_dir).read_text(encoding="utf-8"))
    return {(str(s), str(i), str(f)) for s, i, f in doc["corrections"]}


def recorded(data_dir: Path) -> set[Key]:
    """The corrections that stored tag rows may carry, as last recorded (none before the first record)."""
    try:
        return _read_record(data_dir)
    except FileNotFoundError:
        return set()
    except _UNREADABLE as exc:
        log.warning("%s cannot be read (%s); corrections withdrawn before now stay until `run --retag`",
                    record_path(data_dir), exc)
        return set()


def record(data_dir: Path, items: set[Key], before: set[Key] | None = None) -> None:
    """Save ``items`` as the record (atomically); nothing is written when it equals ``before``."""
    if items == before:
        return
    doc = {"corrections": [list(k) for k in sorted(items)]}
    write_atomic(record_path(data_dir), json.dumps(doc, indent=0).encode())


def forget_mentions(data_dir: Path, mentions: Iterable[tuple[str, str]]) -> int:
    """Take every key of ``mentions`` (source, id) out of the record, atomically; returns how many went.

    For erasure and retention, which delete those mentions with their tag rows: a deleted mention has no
    tag row left to restore, so its keys are of no use, and they must not outlive it. ``mentions`` is read
    lazily and only when there is a record. A record that cannot be read is deleted (with a warning) when
    ``mentions`` holds any: it may hold their keys, and the pass reads it as empty anyway (``recorded``).
    Caller holds the write lock, like the pass, so no pass adds keys meanwhile.
    """
    path = record_path(data_dir)
    try:
        before = _read_record(data_dir)
    except FileNotFoundError:
        return 0
    except _UNREADABLE as exc:
        if next(iter(mentions), None) is None:
            return 0
        try:
            path.unlink(missing_ok=True)
        except OSError as gone_exc:
            log.warning("%s cannot be read (%s) and may hold keys of deleted mentions, but cannot be deleted "
                        "either (%s): delete it by hand", path, exc, gone_exc)
        else:
            log.warning("%s cannot be read (%s) and may hold keys of deleted mentions: deleted it (the analysis "
                        "pass could not use it either; corrections withdrawn before now stay until `run --retag`)",
                        path, exc)
        return 0
    marked = {(s, i) for s, i, _ in before}
    gone = {m for m in mentions if m in marked} if marked else set()
    after = {k for k in before if (k[0], k[1]) not in gone}
    record(data_dir, after, before)
    return len(before) - len(after)


def withdrawn(before: set[Key], items: list[Correction]) -> list[tuple[str, str]]:
    """The mentions (source, id) with a recorded correction that ``items`` no longer hold."""
    return sorted({(s, i) for s, i, _ in before - keys(items)})


def _coerce(field: str, value: object) -> object:
    if field == "criticism":
        return value if isinstance(value, bool) else str(value).strip().lower() in ("1", "true", "yes", "ja")
    if field == "topics":
        if isinstance(value, list | tuple):
            return list(value)
        return [v.strip() for v in str(value).split(",") if v.strip()]
    return str(value)


def _wanted(items: Iterable[Correction]) -> dict[tuple[str, str], dict[str, object]]:
    """(source, id) -> {tag column: coerced value}; a later correction of the same field wins."""
    wanted: dict[tuple[str, str], dict[str, object]] = {}
    for c in items:
        if c.field in FIELDS:
            wanted.setdefault((c.source, c.id), {})[c.field] = _coerce(c.field, c.value)
    return wanted


def _fix_row(row: dict, fix: dict[str, object]) -> None:
    """Apply one mention's corrections to its tag row (in place). Idempotent: fixing a fixed row changes nothing."""
    for field, value in fix.items():
        row[field] = value
    if "sentiment_label" in fix and fix["sentiment_label"] in _SENTIMENT_OF:
        row["sentiment"] = _SENTIMENT_OF[str(fix["sentiment_label"])] * max(abs(row["sentiment"] or 0), 0.5)
    if "criticism" in fix:
        reasons = [r for r in (row["criticism_reasons"] or []) if r != TEAM_REASON]
        row["criticism_reasons"] = [TEAM_REASON, *reasons]


def apply(
    table: pa.Table, items: list[Correction] | None = None, data_dir: Path | None = None, version: str | None = None
) -> pa.Table:
    """``table`` (TAG schema) with corrected fields replaced; a corrected label sets the score's sign too.

    ``items`` default to ``load(data_dir)``. With ``version`` only rows of that analyzer version are
    corrected. Only the corrected rows are converted to Python objects, so a large table (a whole lake
    file) costs little more than its key columns; row order is kept. Applying twice gives the same table.
    """
    items = load(data_dir) if items is None else items
    if not items or table.num_rows == 0:
        return table
    wanted = _wanted(items)
    if not wanted:
        return table
    keys = pc.binary_join_element_wise(table.column("source"), table.column("id"), "\x1f")
    mask = pc.is_in(keys, value_set=pa.array([f"{s}\x1f{i}" for s, i in wanted], pa.string()))
    if version is not None:
        mask = pc.and_(mask, pc.equal(table.column("analyzer_version"), version))
    rows = pc.indices_nonzero(pc.fill_null(mask, False))
    if len(rows) == 0:
        return table
    picked = table.take(rows).to_pylist()
    for row in picked:
        _fix_row(row, wanted[(row["source"], row["id"])])
    fixed = pa.Table.from_pylist(picked, schema=table.schema)
    n = table.num_rows
    order = np.arange(n)
    order[rows.to_numpy()] = np.arange(n, n + len(picked))  # each corrected row takes its row's place
    return pa.concat_tables([table, fixed]).take(pa.array(order))


def same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b


def stale(table: pa.Table, items: list[Correction], version: str | None = None) -> list[bool]:
    """Per row of ``table`` (TAG schema): True where ``apply`` would change it, i.e. a correction of that
    mention is not (or no longer) what the row holds. Meant for the few rows that have corrections."""
    if not items or table.num_rows == 0:
        return [False] * table.num_rows
    before = table.to_pylist()
    after = apply(table, items, version=version).to_pylist()
    return [any(not same(b[k], a[k]) for k in b) for b, a in zip(before, after, strict=True)]
