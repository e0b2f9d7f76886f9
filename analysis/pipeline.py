"""The incremental analysis pass: tag every mention that has no tag row of this analyzer version.

Untagged mentions are found with an anti-join in DuckDB over the lake's parquet files and
streamed in batches (memory stays flat however large the lake); each batch is tagged by
``analysis.tagger.Tagger`` and appended to the ``tags`` table. Re-running adds nothing; a
new ``ANALYZER_VERSION`` tags everything again, and once it has, the older versions' rows are
dropped. Corrections by the team
(``analysis.corrections``) override the automatic tags they concern: when a mention is tagged,
and, for corrections made (or changed) after that, on the next pass, which rewrites only the
tag files holding such rows (``reapply_corrections``). A correction withdrawn since (deleted from
the workflow store) gives the mention its automatic tags back on the next pass, likewise
(``restore_withdrawn``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from analysis import corrections, fingerprint
from analysis.parallel import ParallelTagger
from analysis.tagger import Tagger
from analysis.version import ANALYZER_VERSION
from earshot.context import Context
from storage.lake import Lake
from storage.lock import write_lock
from storage.schema import MENTIONS, TAGS

log = logging.getLogger(__name__)

BATCH = 50_000
RETAG = "+retag"  # suffix of the analyzer version a re-tag writes under until it is complete (``promote``)
# Read from mentions: the key, the time, the text and what the taggers use (and whose post it is).
_ALL = (
    "SELECT m.source, m.id, m.created_at, m.text, m.title, m.lang, m.is_own "
    "FROM read_parquet(?, union_by_name = true) m"
)
_UNTAGGED = (
    "WITH done AS (SELECT source, id FROM read_parquet(?, union_by_name = true) WHERE analyzer_version = ?) "
    "SELECT m.source, m.id, m.created_at, m.text, m.title, m.lang, m.is_own "
    "FROM read_parquet(?, union_by_name = true) m "
    "ANTI JOIN done t ON m.source = t.source AND m.id = t.id"
)
# Mentions whose key is in the registered table ``gone``.
_MENTIONS_OF = (
    "SELECT m.source, m.id, m.created_at, m.text, m.title, m.lang, m.is_own "
    "FROM read_parquet(?, union_by_name = true) m "
    "SEMI JOIN gone k ON m.source = k.source AND m.id = k.id"
)
# Tag rows of one version whose mention has a correction, with the file that holds them.
_CORRECTED = (
    "SELECT {cols}, t.filename AS _file FROM read_parquet(?, union_by_name = true, filename = true) t "
    "SEMI JOIN fixed k ON t.source = k.source AND t.id = k.id WHERE t.analyzer_version = ?"
)
# Tag rows of some versions whose mention is in ``gone``, with their file.
_TAGS_OF = (
    "SELECT {cols}, t.filename AS _file FROM read_parquet(?, union_by_name = true, filename = true) t "
    "SEMI JOIN gone k ON t.source = k.source AND t.id = k.id WHERE list_contains(?, t.analyzer_version)"
)


@dataclass
class PassResult:
    tagged: int = 0
    batches: int = 0
    seconds: float = 0.0
    corrected: int = 0  # tag rows tagged before a correction (or its change) that now carry it
    corrected_files: int = 0  # tag files rewritten for them
    restored: int = 0  # tag rows whose correction was withdrawn, given the automatic tags again
    restored_files: int = 0  # tag files rewritten for them
    retagged_for: list[str] = field(default_factory=list)  # languages whose model changed: all tagged again
    pruned: int = 0  # tag rows of other analyzer versions dropped after the pass
    config_moved: bool = False  # earlier mentions were tagged under other entities/topics (see --retag)


def _connect(memory_limit: str = "512MB") -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(f"SET memory_limit = '{memory_limit}'")  # a fixed literal, not user input
    con.execute("SET preserve_insertion_order = false")
    return con


def untagged(lake: Lake, version: str = ANALYZER_VERSION, batch: int = BATCH) -> Iterator[pa.RecordBatch]:
    """Mentions without a tag row of ``version``, as record batches of at most ``batch`` rows."""
    mention_files = [str(p) for p in lake.files(MENTIONS)]
    if not mention_files:
        return
    tag_files = [str(p) for p in lake.files(TAGS)]
    con = _connect()
    try:
        if tag_files:
            reader = con.sql(_UNTAGGED, params=[tag_files, version, mention_files]).to_arrow_reader(batch)
        else:
            reader = con.sql(_ALL, params=[mention_files]).to_arrow_reader(batch)
        for rb in reader:
            if rb.num_rows:
                yield rb
    finally:
        con.close()


def text_of(title: str | None, text: str | None) -> str:
    """What the taggers read: the title (feeds, Reddit submissions) and the text."""
    if title and text:
        return f"{title}. {text}"
    return title or text or ""


def reapply_corrections(
    lake: Lake, fixes: list[corrections.Correction], version: str = ANALYZER_VERSION, batch: int = BATCH,
) -> tuple[int, int]:
    """Apply corrections made after tagging to the stored tags of ``version``; returns (rows, files).

    Only tag rows of corrected mentions are read (a DuckDB semi-join over the tag files, streamed),
    and only files holding a row that differs from what ``corrections.apply`` gives are rewritten,
    each atomically through ``Lake.change_files``. Nothing to do, nothing
    written: a second pass without new corrections touches no file. Caller holds the write lock.
    """
    if not fixes:
        return 0, 0
    lake.recover(TAGS)
    tag_files = [str(p) for p in lake.files(TAGS)]
    if not tag_files:
        return 0, 0
    keys = sorted({(c.source, c.id) for c in fixes if c.field in corrections.FIELDS})
    if not keys:
        return 0, 0
    fixed = pa.table({"source": [k[0] for k in keys], "id": [k[1] for k in keys]})
    sql = _CORRECTED.format(cols=", ".join(f"t.{name}" for name in TAGS.schema.names))
    stale_files: dict[str, int] = {}
    con = _connect()
    try:
        con.register("fixed", fixed)
        for rb in con.sql(sql, params=[tag_files, version]).to_arrow_reader(batch):
            if not rb.num_rows:
                continue
            rows = pa.Table.from_batches([rb])
            files = rows.column("_file").to_pylist()
            rows = rows.drop_columns(["_file"]).cast(TAGS.schema)
            for path, is_stale in zip(files, corrections.stale(rows, fixes, version), strict=True):
                if is_stale:
                    stale_files[path] = stale_files.get(path, 0) + 1
    finally:
        con.close()
    def fix(data: pa.Table) -> pa.Table:
        return corrections.apply(data, fixes, version=version)

    # A file quarantined as unreadable meanwhile is skipped: nothing left to correct there.
    done = sum(n for path, n in sorted(stale_files.items()) if lake.change_files(TAGS, fix, [Path(path)]))
    return done, len(stale_files)


def restore_withdrawn(
    lake: Lake, tagger: Tagger | ParallelTagger, gone: list[tuple[str, str]], fixes: list[corrections.Correction],
    versions: tuple[str, ...] = (ANALYZER_VERSION,),
) -> tuple[int, int]:
    """Tag the mentions ``gone`` (a correction of theirs was withdrawn) again; returns (rows, files) rewritten.

    Their tag rows of ``versions`` and their mention rows are found with DuckDB semi-joins (nothing is
    read when they have no such tag row), tagged with ``tagger``, and given the corrections they still have
    (``fixes``). Only tag files holding a row that then differs (``tagged_at`` aside) are rewritten, each
    atomically through ``Lake.change_files``, the new rows in the old rows' places; restoring a restored
    mention writes nothing. A mention no longer in the lake keeps its row. Caller holds the write lock.
    """
    if not gone:
        return 0, 0
    lake.recover(TAGS)
    tag_files = [str(p) for p in lake.files(TAGS)]
    mention_files = [str(p) for p in lake.files(MENTIONS)]
    if not tag_files or not mention_files:
        return 0, 0
    con = _connect()
    try:
        con.register("gone", pa.table({"source": [k[0] for k in gone], "id": [k[1] for k in gone]}))
        sql = _TAGS_OF.format(cols=", ".join(f"t.{name}" for name in TAGS.schema.names))
        old = con.sql(sql, params=[tag_files, list(versions)]).to_arrow_table()
        if not old.num_rows:
            return 0, 0
        mentions = con.sql(_MENTIONS_OF, params=[mention_files]).to_arrow_table()
    finally:
        con.close()
    fresh = {(r["source"], r["id"]): r for r in tag_batch(tagger, mentions, datetime.now(UTC), versions[0], fixes)
             .to_pylist()} if mentions.num_rows else {}
    files = old.column("_file").to_pylist()
    changed: dict[str, dict[str, dict]] = {}  # file -> "source\x1fid\x1fversion" -> its new row
    for path, row in zip(files, old.drop_columns(["_file"]).cast(TAGS.schema).to_pylist(), strict=True):
        new = fresh.get((row["source"], row["id"]))
        if new is None:
            continue
        new = {**new, "analyzer_version": row["analyzer_version"], "created_at": row["created_at"]}
        if any(not corrections.same(row[c], new[c]) for c in row if c != "tagged_at"):
            changed.setdefault(path, {})["\x1f".join((row["source"], row["id"], row["analyzer_version"]))] = new
    # A file quarantined as unreadable meanwhile is skipped: nothing left to restore there.
    done = sum(
        len(rows) for path, rows in sorted(changed.items())
        if lake.change_files(TAGS, lambda data, rows=rows: _put_rows(data, rows), [Path(path)])
    )
    return done, len(changed)


def _put_rows(data: pa.Table, rows: dict[str, dict]) -> pa.Table:
    """``data`` (a tag file) with the rows keyed ``source\x1fid\x1fversion`` in ``rows`` replaced, in place."""
    keys = pc.binary_join_element_wise(data.column("source"), data.column("id"), data.column("analyzer_version"),
                                       "\x1f")
    at = pc.indices_nonzero(pc.fill_null(pc.is_in(keys, value_set=pa.array(list(rows), pa.string())), False))
    new = pa.Table.from_pylist([rows[k] for k in keys.take(at).to_pylist()], schema=data.schema)
    order = np.arange(data.num_rows)
    order[at.to_numpy()] = np.arange(data.num_rows, data.num_rows + new.num_rows)
    return pa.concat_tables([data, new]).take(pa.array(order))


def _count_version(lake: Lake, version: str) -> int:
    """Tag rows of ``version`` in the lake (read from the version column alone)."""
    tag_files = [str(p) for p in lake.files(TAGS)]
    if not tag_files:
        return 0
    con = _connect()
    try:
        return int(con.execute("SELECT count(*) FROM read_parquet(?, union_by_name = true) WHERE analyzer_version = ?",
                               [tag_files, version]).fetchone()[0])
    finally:
        con.close()


def promote(lake: Lake, staging: str, version: str) -> int:
    """Make a finished re-tag's rows (analyzer version ``staging``) the tags of ``version``; returns how many.

    Every tag file that holds rows of either is replaced atomically by its rows without those of
    ``version`` and with ``staging`` relabelled ``version``. Cut short between files, some files are done
    and the others not; the next pass finds ``staging`` rows left, re-tags what lacks one and promotes
    again, which ends in the same state. Caller holds the write lock.
    """
    done = 0

    def swapped(data: pa.Table) -> pa.Table | None:
        nonlocal done
        col = data.column("analyzer_version")
        old = pc.fill_null(pc.equal(col, version), False)
        n_new = int(pc.sum(pc.fill_null(pc.equal(col, staging), False)).as_py() or 0)
        if not n_new and not pc.any(old).as_py():
            return None
        done += n_new
        kept = data.filter(pc.invert(old))
        i = kept.schema.get_field_index("analyzer_version")
        relabel = pc.if_else(pc.equal(kept.column(i), staging), pa.scalar(version), kept.column(i))
        return kept.set_column(i, kept.schema.field(i), relabel)

    lake.change_files(TAGS, swapped)
    return done


def prune_other_versions(lake: Lake, version: str) -> int:
    """Drop the tag rows of every analyzer version but ``version``; returns how many.

    Meant for the end of a completed pass, when every mention has a tag row of ``version``: the rows of
    earlier versions are then read by nothing (queries read only the current version). Only files that
    hold such rows are rewritten (found from the version column alone). Caller holds the write lock.
    """
    tag_files = [str(p) for p in lake.files(TAGS)]
    if not tag_files:
        return 0
    con = _connect()
    try:
        stale = con.execute(
            "SELECT DISTINCT filename FROM read_parquet(?, union_by_name = true, filename = true) "
            "WHERE analyzer_version IS DISTINCT FROM ? ORDER BY filename",
            [tag_files, version],
        ).fetchall()
    finally:
        con.close()
    removed = 0

    def current_only(data: pa.Table) -> pa.Table:
        nonlocal removed
        kept = data.filter(pc.fill_null(pc.equal(data.column("analyzer_version"), version), False))
        removed += data.num_rows - kept.num_rows
        return kept

    lake.change_files(TAGS, current_only, [Path(path) for (path,) in stale])
    return removed


def tag_batch(
    tagger: Tagger | ParallelTagger, rb: pa.RecordBatch | pa.Table, tagged_at: datetime,
    version: str = ANALYZER_VERSION, fixes: list[corrections.Correction] | None = None,
) -> pa.Table:
    """Tag rows (``storage.schema.TAG``) for one batch of mentions: the taggers' columns (own posts are never
    criticism, see ``Tagger.tag``), then the team's corrections on top."""
    cols = rb.to_pydict()
    texts = [text_of(ti, te) for ti, te in zip(cols["title"], cols["text"], strict=True)]
    tags = tagger.tag(texts, cols["lang"], cols.get("is_own"))
    n = rb.num_rows
    data = {
        "source": cols["source"],
        "id": cols["id"],
        "created_at": cols["created_at"],
        "analyzer_version": [version] * n,
        "tagged_at": [tagged_at] * n,
        **tags,
    }
    table = pa.Table.from_pydict(data, schema=TAGS.schema)
    return corrections.apply(table, fixes)


def run(
    ctx: Context, batch: int = BATCH, wait: float = 60.0, version: str = ANALYZER_VERSION,
    workers: int | None = None, retag: bool = False,
) -> PassResult:
    """Tag every untagged mention of ``ctx``'s lake on ``workers`` processes (default: all cores).

    Holds the write lock while it runs. ``retag`` tags every mention again; so does a change of the
    sentiment models since the last completed pass (``analysis.fingerprint``: a company model accepted
    by ``train``, a switch of backend). A re-tag writes under the staging version ``version + RETAG``
    while queries go on reading the earlier tags, and ``promote`` swaps them in when every mention has
    one; a re-tag cut short is continued by the next pass (started afresh when ``retag`` is asked for or
    the models changed again). Before new mentions are tagged, mentions whose correction was withdrawn
    since the last pass are tagged again (``restore_withdrawn``) and corrections made since a mention was
    tagged are applied to its stored tags (``reapply_corrections``). The record of the corrections the
    tags may carry (``analysis.corrections.recorded``) gains the new ones before any tag row is written
    and is made exact after the pass, so a pass cut short never loses track of one. The models'
    fingerprint is saved after the pass, which makes ``version`` the one readers show (``shown_version``:
    until then they read the last completed pass's version); tag rows of other analyzer versions are
    dropped then (``prune_other_versions``).
    """
    started = time.monotonic()
    result = PassResult()
    tagger = Tagger(ctx.config, ctx.data_dir)
    with write_lock(ctx.data_dir, wait=wait), ParallelTagger(tagger, workers) as ptagger:
        lake = Lake(ctx.data_dir)
        before = fingerprint.saved(ctx.data_dir)
        models = fingerprint.of(ctx.config, ctx.data_dir, version, before)
        moved = fingerprint.changed(before, models)
        if moved and not retag:
            log.info("the sentiment model of %s changed since the last pass: tagging every mention again",
                     ", ".join(moved))
            result.retagged_for = moved
            retag = True
        staging = f"{version}{RETAG}"
        left = _count_version(lake, staging)  # rows of a re-tag that was cut short
        if retag and left:  # asked for again, or the models changed since: start afresh
            lake.rewrite(TAGS, lambda t: pc.fill_null(pc.not_equal(t.column("analyzer_version"), staging), True))
            log.info("dropped %d rows of an earlier re-tag that was cut short, to start afresh", left)
        elif left:
            log.info("continuing a re-tag that was cut short (%d mentions done)", left)
            retag = True
        if not retag and fingerprint.config_moved(before, models):
            models["config"] = before["config"]  # the earlier mentions' tags still follow those settings
            result.config_moved = True
            log.warning("entities, competitors, languages or topics changed since every mention was tagged: new "
                        "mentions follow the new settings; run `python -m analysis run --retag` to tag the "
                        "earlier ones again")
        read = corrections.read(ctx.data_dir)  # None (with a warning) when the store cannot be read
        fixes = read or []
        applied = corrections.recorded(ctx.data_dir)
        if read is not None:  # an unreadable store withdraws nothing
            corrections.record(ctx.data_dir, applied | corrections.keys(fixes), applied)  # before tags carry them
            gone = corrections.withdrawn(applied, fixes)
            result.restored, result.restored_files = restore_withdrawn(lake, ptagger, gone, fixes, (version, staging))
            if gone:
                log.info("%d mentions lost a team correction: %d tag rows have their automatic tags again "
                         "(%d tag files rewritten)", len(gone), result.restored, result.restored_files)
        result.corrected, result.corrected_files = reapply_corrections(lake, fixes, version, batch)
        if result.corrected:
            log.info("re-applied team corrections to %d tagged mentions (%d tag files rewritten)",
                     result.corrected, result.corrected_files)
        # A re-tag writes its rows under a staging version while queries keep reading this version's rows.
        writing = staging if retag else version
        for rb in untagged(lake, writing, batch):
            table = tag_batch(ptagger, rb, datetime.now(UTC), writing, fixes)
            res = lake.append(TAGS, table)
            result.tagged += res.new
            result.batches += 1
            log.info("tagged %d mentions (batch %d)", res.new, result.batches)
        if retag:
            swapped = promote(lake, staging, version)
            log.info("the re-tag's %d tag rows replace the earlier tags of version %s", swapped, version)
        fingerprint.save(ctx.data_dir, models)  # after the tags it describes
        if read is not None:  # every tag row now carries exactly these corrections
            corrections.record(ctx.data_dir, corrections.keys(fixes), applied | corrections.keys(fixes))
        result.pruned = prune_other_versions(lake, version)  # every mention has a tag of this version now
        if result.pruned:
            log.info("dropped %d tag rows of earlier analyzer versions", result.pruned)
    result.seconds = time.monotonic() - started
    return result
