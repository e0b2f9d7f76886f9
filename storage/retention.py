"""Retention and erasure over every store in the data directory.

- ``purge`` deletes what is older than ``privacy.retention_days``: mentions and tags (by
  ``created_at``), ledger rows (``started_at``), employee post counts (``day``), raw payload
  files (by the day they were collected), quarantined files and exports (by file time), and
  workflow entries (``storage.workflow``'s ``purge``, by their time). The workflow rows of the
  purged mentions go however recent they are: the team's corrections of them, and the decisions of
  the threads they belong to that keep no post (``_expiring``).
- ``forget`` erases one author, named by handle or id, in clear or as an ``anon:`` pseudonym:
  their mentions and those mentions' tags, their raw payloads (other payloads that name them
  are redacted), ``@handle`` / ``u/handle`` mentions of them in other posts, workflow entries
  (with the decisions of threads they started or that keep no post without theirs, keyed as purge
  keys them: ``_dead_threads``), exports and temp files that contain them, and quarantined files
  (which cannot be filtered; their rows can be re-mapped from raw). The keys of their quarantined mentions are read from
  the files that can still be read, else from their raw payloads, so those mentions' tags and
  workflow rows go too. The author's erasure mark is added to the erasure list first, so that
  later runs never collect them again.

Both also take the deleted mentions' keys out of the analysis pass's correction list
(``analysis.corrections.forget_mentions``). Both find the mentions' keys before they delete
anything and delete what is derived from the mentions before the mention rows, so a run that
died half-way completes when it runs again. Both rewrite files atomically and must run under
``storage.lock.write_lock``, which the analysis pass holds too: neither runs during a pass.
"""

from __future__ import annotations

import logging
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from analysis import corrections
from earshot import privacy
from earshot.context import Context
from earshot.errors import ConfigError
from storage.files import atomic_path
from storage.lake import READ_ATTEMPTS
from storage.raw import RawStore, dumps_line
from storage.schema import MENTIONS, RUNS, TAGS, Table

log = logging.getLogger(__name__)
REDACTED = "[erased]"
EXPORTS = "exports"  # folder under the data directory where exports are written
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass
class Report:
    """What a purge or forget removed, per store."""

    removed: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def add(self, store: str, n: int) -> None:
        self.removed[store] = self.removed.get(store, 0) + n

    def lines(self) -> list[str]:
        return [f"{store}: {n} removed" for store, n in self.removed.items()] + self.notes


def _workflow(ctx: Context) -> Any:
    """The workflow store (``storage.workflow.WorkflowStore``) if one exists in the data directory."""
    if not (ctx.data_dir / "workflow.sqlite").exists():
        return None
    from storage.workflow import WorkflowStore  # noqa: PLC0415 - only needed when the store exists

    return WorkflowStore(ctx.data_dir)


def _remove_empty_dirs(base: Path) -> None:
    if not base.exists():
        return
    for d in sorted((p for p in base.rglob("*") if p.is_dir()), key=lambda p: len(p.parts), reverse=True):
        if not any(d.iterdir()):
            d.rmdir()


def _old_files(base: Path, cutoff: datetime) -> list[Path]:
    if not base.exists():
        return []
    limit = cutoff.timestamp()
    return [p for p in base.rglob("*") if p.is_file() and p.stat().st_mtime < limit]


def _pairs(tables: list[pa.Table]) -> Iterator[tuple[str, str]]:
    """The (source, id) rows of ``tables``, one batch at a time."""
    for t in tables:
        for batch in t.to_batches():
            yield from zip(batch.column("source").to_pylist(), batch.column("id").to_pylist(), strict=True)


# -- threads that keep no post (purge and forget) ------------------------------------------
THREAD_COLUMNS = ["source", "id", "conversation_id", "parent_id"]  # what thread keys are computed from


def _thread_part(t: pa.Table, gone: pa.Array) -> pa.Table:
    """The ``THREAD_COLUMNS`` of a mentions table, with whether each row is about to be deleted (``gone``)."""
    # Empty, not null: thread_keys tests the ids for truth, and pandas turns a null string into NaN.
    return pa.table({c: pc.fill_null(t.column(c), "") for c in THREAD_COLUMNS}).append_column("gone", gone)


def _dead_threads(parts: list[pa.Table]) -> set[str]:
    """The thread keys that only the ``gone`` rows of ``parts`` (``_thread_part`` of every lake file) have.

    Threads are keyed by ``analysis.conversations.thread_keys``, as the dashboard keys them: by
    ``conversation_id``, else by the top of the reply chain, which is often a post never collected (a
    comment's submission, a reply's lost root). The gone mentions' keys are taken over the whole lake
    (as the dashboard shows them now), the kept mentions' over the kept ones (as it will show them after
    the deletion: a reply whose parent is gone is rooted at the parent's id); a key of the first kind
    that is not one of the second kind is dead. Needs every mention at once (a reply chain can cross
    files): about 11 s and 350 MB for a million mentions.
    """
    if not any(pc.any(p.column("gone")).as_py() for p in parts):
        return set()
    from analysis.conversations import thread_keys  # noqa: PLC0415 - pandas only when there are threads

    posts = pa.concat_tables(parts).to_pandas().astype(object)  # Python strings: thread_keys runs 3x faster
    gone = posts["gone"].to_numpy(dtype=bool)
    return set(thread_keys(posts)[gone]) - set(thread_keys(posts[~gone]))


# -- retention ----------------------------------------------------------------------------
def _expiring(ctx: Context, cutoff: datetime, threads: bool) -> tuple[list[pa.Table], set[str]]:
    """The (source, id) of the mentions created before ``cutoff``, and (with ``threads``) the thread keys
    that only those mentions have (``_dead_threads``). Reads only a few columns; with ``threads``, those
    of every mention at once.
    """
    ctx.lake.recover(MENTIONS)
    expiring: list[pa.Table] = []
    parts: list[pa.Table] = []
    for path in ctx.lake.files(MENTIONS):
        t = ctx.lake.read_file(path, [*THREAD_COLUMNS, "created_at"])
        if t is None:
            continue
        col = t.column("created_at")
        old = pc.fill_null(pc.less(col, pa.scalar(cutoff, col.type)), False)
        expiring.append(t.filter(old).select(["source", "id"]))
        if threads:
            parts.append(_thread_part(t, old))
    return expiring, _dead_threads(parts)


def purge(ctx: Context, now: datetime | None = None, days: int | None = None) -> Report:
    """Delete everything older than ``days`` (default ``privacy.retention_days``) from every store.

    What is derived from the expiring mentions (correction-list keys, workflow corrections, decisions
    of threads that keep no post) goes before the mention rows, so a purge that dies half-way finds the
    mentions it has not deleted yet, and their derived data, when it runs again. The workflow rows are
    looked up in the transaction that deletes them, and the SQLite file is then rebuilt (``_wipe_sqlite``)
    so that they are not left in its free pages or write-ahead log.
    """
    now = now or datetime.now(UTC)
    days = days if days is not None else ctx.config.privacy.retention_days
    cutoff = now - timedelta(days=days)
    report = Report(dict.fromkeys((MENTIONS.name, TAGS.name), 0))  # listed first, though removed later
    store = _workflow(ctx)
    expiring, dead = _expiring(ctx, cutoff, threads=store is not None)
    report.add("correction list entries", corrections.forget_mentions(ctx.data_dir, _pairs(expiring)))
    if store is not None:

        def corrected_expiring(corrected: set[tuple[str, str]]) -> list[tuple[str, str]]:
            return [m for m in _pairs(expiring) if m in corrected]

        n = sum(store.forget_among(dead, corrected_expiring).values()) + sum(store.purge(days, now=now).values())
        report.add("workflow entries", n)
        if n and not _wipe_sqlite(store.path):
            report.notes.append(f"{store.path} is busy: run `sqlite3 {store.path} VACUUM` later to wipe freed pages")
    for table in (MENTIONS, TAGS, RUNS, privacy.EMPLOYEE_POSTS):
        col = table.time_column

        def keep(t: pa.Table, col: str = col) -> pa.Array:
            return pc.fill_null(pc.greater_equal(t.column(col), pa.scalar(cutoff, t.schema.field(col).type)), True)

        report.add(table.name, ctx.lake.rewrite(table, keep))
        _remove_empty_dirs(ctx.lake.table_dir(table))
    raw_files = 0
    for path in ctx.raw.files():
        day = path.parent.name
        if _DAY.match(day) and datetime.strptime(day, "%Y-%m-%d").replace(tzinfo=UTC) < cutoff - timedelta(days=1):
            path.unlink()
            raw_files += 1
    _remove_empty_dirs(ctx.raw.root)
    report.add("raw files", raw_files)
    for folder in ("quarantine", EXPORTS):
        old = _old_files(ctx.data_dir / folder, cutoff)
        for p in old:
            p.unlink()
        _remove_empty_dirs(ctx.data_dir / folder)
        report.add("quarantined files" if folder == "quarantine" else "export files", len(old))
    return report


# -- erasure ------------------------------------------------------------------------------
@dataclass
class Target:
    """Everything one author can appear as: normalised clear values and pseudonyms."""

    given: str
    values: set[str]  # normalised forms to compare against normalised cells
    handle: str | None  # clear handle for redacting @mentions in other posts, if known
    pseudo: privacy.Pseudonymiser | None = None  # finds clear cells when only the pseudonym is given

    def matches(self, value: Any) -> bool:
        if not isinstance(value, str) or not value:
            return False
        if value in self.values or privacy.normalise(value) in self.values:
            return True
        return self.pseudo is not None and not privacy.is_pseudonym(value) and self.pseudo(value) in self.values

    def learn(self, lake: Any) -> None:
        """Given only a pseudonym, find the clear names and ids stored for it (rows kept in clear)."""
        if self.pseudo is None or not privacy.is_pseudonym(self.given):
            return
        for _ in range(READ_ATTEMPTS):  # without the lock (access), a compaction may delete listed files
            complete = True
            for path in lake.files(MENTIONS):
                part = lake.read_file(path, ["author", "author_id"])
                if part is None:
                    complete = False  # merged into a file not listed here (or quarantined): list again
                    continue
                for col in ("author", "author_id"):
                    for value in set(part.column(col).to_pylist()):
                        if isinstance(value, str) and not privacy.is_pseudonym(value) and self.matches(value):
                            self.values.add(privacy.normalise(value))
                            if col == "author":
                                self.handle = privacy.normalise(value)
            if complete:
                return


def target_for(ctx: Context, who: str) -> tuple[Target, privacy.Pseudonymiser | None]:
    """The values under which ``who`` may be stored, given the config and the key in the environment."""
    who = who.strip()
    if not who or not privacy.normalise(who):
        raise ConfigError("forget needs an author handle or id.", "Run: python -m collectors forget HANDLE")
    pseudo = privacy.pseudonymiser_for(ctx.config, required=True)
    values = {privacy.normalise(who), who}
    handle = None
    if not privacy.is_pseudonym(who):
        handle = privacy.normalise(who)
        if pseudo is not None:
            values.add(pseudo(who))
    target = Target(who, values, handle, pseudo)
    target.learn(ctx.lake)
    return target, pseudo


def _mention_pattern(handle: str) -> re.Pattern[str]:
    # "@jane", "@jane@server", "u/jane", "/u/jane": the forms in which posts name another author.
    return re.compile(rf"(?<![\w@/])(?:@|/?u/){re.escape(handle)}(?![\w.-]*\w)", re.IGNORECASE)


def _redact_text(text: Any, pattern: re.Pattern[str] | None) -> Any:
    if pattern is None or not isinstance(text, str):
        return text
    return pattern.sub(f"@{REDACTED}", text)


def _theirs(data: pa.Table, target: Target) -> list[bool]:
    """Per row of a mentions table: True where the author is ``target``."""
    authors, author_ids = data.column("author").to_pylist(), data.column("author_id").to_pylist()
    return [target.matches(a) or target.matches(b) for a, b in zip(authors, author_ids, strict=True)]


def _keys_of(data: pa.Table, drop: list[bool]) -> set[tuple[str, str]]:
    """The (source, id) of the rows of ``data`` marked in ``drop``."""
    sources, ids = data.column("source").to_pylist(), data.column("id").to_pylist()
    return {(s, i) for s, i, gone in zip(sources, ids, drop, strict=True) if gone}


def _author_keys(ctx: Context, target: Target, threads: bool) -> tuple[set[tuple[str, str]], set[str], int]:
    """The (source, id) of the author's mentions, in the lake and in quarantine; (with ``threads``) the
    keys of the threads that keep no post of the lake once theirs are gone (``_dead_threads``, as purge
    finds them); and how many quarantined mention files cannot be read. Changes nothing but a crashed
    compaction (``recover``).

    For unreadable quarantined files the author's raw payloads are mapped to keys instead (when their
    collector can be built offline): the rows of those files came from them.
    """
    cols = ["source", "id", "author", "author_id"]
    ctx.lake.recover(MENTIONS)
    keys: set[tuple[str, str]] = set()
    parts: list[pa.Table] = []
    for path in ctx.lake.files(MENTIONS):
        data = ctx.lake.read_file(path, [*cols, *THREAD_COLUMNS[2:]] if threads else cols)
        if data is not None:
            drop = _theirs(data, target)
            keys |= _keys_of(data, drop)
            if threads:
                parts.append(_thread_part(data, pa.array(drop, pa.bool_())))
    unreadable = 0
    quarantined = ctx.data_dir / "quarantine" / MENTIONS.name
    for path in sorted(quarantined.rglob("*.parquet")) if quarantined.exists() else []:
        try:
            data = pq.read_table(path, columns=cols)
        except (pa.ArrowException, OSError):
            unreadable += 1
            continue
        keys |= _keys_of(data, _theirs(data, target))
    if unreadable:
        keys |= _raw_keys(ctx, target)
    return keys, _dead_threads(parts), unreadable


def _rewrite_mentions(ctx: Context, target: Target) -> tuple[int, int]:
    """Drop the author's mentions, redact mentions of them in others; returns (removed, redacted).

    The files that hold none of the author's rows are rewritten first, theirs last: given only a
    pseudonym, the handle to redact is learnt from their rows (``Target.learn``), so a run that dies
    after dropping some of them has redacted every other file already, or leaves rows of theirs from
    which the next run learns the handle again.
    """
    lake = ctx.lake
    lake.recover(MENTIONS)
    pattern = _mention_pattern(target.handle) if target.handle else None
    removed = redacted = 0
    theirs: list[Path] = []
    for last in (False, True):
        for path in theirs if last else lake.files(MENTIONS):
            data = lake.read_file(path)
            if data is None:
                continue
            drop = _theirs(data, target)
            if any(drop) and not last:
                theirs.append(path)
                continue
            kept = data.filter(pa.array([not d for d in drop], pa.bool_()))
            changed = kept.num_rows != data.num_rows
            if pattern is not None and kept.num_rows:
                for col in ("text", "title"):
                    old = kept.column(col).to_pylist()
                    new = [_redact_text(v, pattern) for v in old]
                    n = sum(a != b for a, b in zip(old, new, strict=True))
                    if n:
                        redacted += n
                        changed = True
                        kept = kept.set_column(kept.schema.get_field_index(col), col, pa.array(new, pa.string()))
            removed += data.num_rows - kept.num_rows
            if changed:
                lake.replace_file(path, kept)
    return removed, redacted


def _drop_keys(ctx: Context, table: Table, keys: set[tuple[str, str]]) -> int:
    if not keys:
        return 0
    wanted = {f"{s}\x1f{i}" for s, i in keys}

    def keep(t: pa.Table) -> pa.Array:
        joined = pc.binary_join_element_wise(
            pc.fill_null(t.column("source"), ""), pc.fill_null(t.column("id"), ""), "\x1f")
        return pc.invert(pc.is_in(joined, value_set=pa.array(sorted(wanted), pa.string())))

    return ctx.lake.rewrite(table, keep)


def _mapper(ctx: Context, name: str) -> Callable[[Any], dict[str, Any] | None] | None:
    """The ``to_mention`` of the collector that wrote ``raw/<name>``, if it can be built offline."""
    from collectors import registry  # noqa: PLC0415 - storage must not import collectors at module load

    try:
        cls = registry.get(name)
        settings = ctx.config.source(name).model_copy(update={"path": "(forget)"})
        return cls(ctx.config, settings).to_mention
    except Exception:  # noqa: BLE001 - fall back to recognising author fields by their keys
        return None


def _is_authors(item: Any, target: Target, mapper: Callable[[Any], Any] | None) -> bool:
    stored = privacy.stored_authors(item)
    if stored is not None and (target.matches(stored["author"]) or target.matches(stored["author_id"])):
        return True
    if mapper is not None:
        try:
            mapped = mapper(item) or {}
        except Exception:  # noqa: BLE001 - unmappable payloads are judged by their keys
            mapped = {}
        if mapped:
            return target.matches(mapped.get("author")) or target.matches(mapped.get("author_id"))
    hit = False

    def look(value: str, personal: bool) -> str:
        nonlocal hit
        hit = hit or (personal and target.matches(value))
        return value

    if isinstance(item, dict):  # the item's own author fields and author object, not quotes or mention lists
        own = {k: v for k, v in item.items() if not str(k).casefold().startswith("in_reply_to") and (
            not isinstance(v, dict | list) or (isinstance(v, dict) and str(k).casefold() in privacy.PERSON_KEYS))}
        privacy.map_strings(own, look)
    return hit


def _forget_raw(ctx: Context, target: Target) -> tuple[int, int]:
    """Drop the author's raw payloads and redact them in others; returns (items removed, items redacted)."""
    pattern = _mention_pattern(target.handle) if target.handle else None
    removed = redacted = 0
    mappers: dict[str, Callable[[Any], Any] | None] = {}
    for path in ctx.raw.files():
        name = path.relative_to(ctx.raw.root).parts[0]
        if name not in mappers:
            mappers[name] = _mapper(ctx, name)
        items = list(RawStore.read(path))
        out: list[Any] = []
        changed = False
        for item in items:
            if _is_authors(item, target, mappers[name]):
                removed += 1
                changed = True
                continue

            def scrub(value: str, personal: bool) -> str:
                if target.matches(value):
                    return REDACTED
                return _redact_text(value, pattern)

            new = privacy.map_strings(item, scrub)
            if new != item:
                redacted += 1
                changed = True
            out.append(new)
        if not changed:
            continue
        if out:
            with atomic_path(path) as tmp, pa.CompressedOutputStream(str(tmp), "zstd") as sink:
                for item in out:
                    sink.write(dumps_line(item))
        else:
            path.unlink()
    return removed, redacted


def _raw_keys(ctx: Context, target: Target) -> set[tuple[str, str]]:
    """The (source, id) that the author's raw payloads map to (none where the mapping cannot be built)."""
    keys: set[tuple[str, str]] = set()
    mappers: dict[str, Callable[[Any], Any] | None] = {}
    for path in ctx.raw.files():
        name = path.relative_to(ctx.raw.root).parts[0]
        if name not in mappers:
            mappers[name] = _mapper(ctx, name)
        mapper = mappers[name]
        if mapper is None:
            continue
        for item in RawStore.read(path):
            if not _is_authors(item, target, mapper):
                continue
            try:
                row = mapper(item) or {}
            except Exception:  # noqa: BLE001 - a payload that cannot be mapped has no key
                continue
            if row.get("source") and row.get("id"):
                keys.add((str(row["source"]), str(row["id"])))
    return keys


def _wipe_sqlite(path: Path) -> bool:
    """Overwrite deleted rows for good: checkpoint the WAL and rebuild the file. False if it is busy."""
    import sqlite3  # noqa: PLC0415 - only needed here

    try:
        con = sqlite3.connect(path, timeout=10)
        try:
            con.execute("PRAGMA secure_delete = ON")
            con.execute("VACUUM")
            con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            con.close()
    except sqlite3.Error:
        return False
    return True


def _contains(path: Path, needles: list[bytes]) -> bool:
    data = path.read_bytes().lower() if path.stat().st_size < 512 * 1024 * 1024 else b""
    return any(n in data for n in needles)


def access(ctx: Context, who: str) -> dict[str, Any]:
    """Everything stored about one author, for an access request (GDPR Art. 15); changes nothing.

    Returns their mention rows (with tags), the raw payloads that are theirs, and counts of
    other posts that name them. Same matching as ``forget``.
    """
    target, _ = target_for(ctx, who)
    pattern = _mention_pattern(target.handle) if target.handle else None
    for _ in range(READ_ATTEMPTS):  # takes no lock: a compaction may delete files listed here
        listed = ctx.lake.files(MENTIONS)
        mentions: list[dict[str, Any]] = []
        named, complete = 0, True
        for path in listed:
            data = ctx.lake.read_file(path)
            if data is None:
                complete = False  # merged into a file not listed here (or quarantined): list again
                continue
            for row in data.to_pylist():
                if target.matches(row["author"]) or target.matches(row["author_id"]):
                    mentions.append(row)
                elif pattern is not None and any(pattern.search(row[c] or "") for c in ("text", "title")):
                    named += 1
        if complete:
            break
    keys = {(m["source"], m["id"]) for m in mentions}
    tags = [t for t in ctx.lake.read(TAGS).to_pylist() if (t["source"], t["id"]) in keys] if keys else []
    raw: list[Any] = []
    mappers: dict[str, Callable[[Any], Any] | None] = {}
    for path in ctx.raw.files():
        name = path.relative_to(ctx.raw.root).parts[0]
        if name not in mappers:
            mappers[name] = _mapper(ctx, name)
        raw.extend(item for item in RawStore.read(path) if _is_authors(item, target, mappers[name]))
    return {"author": who, "mentions": mentions, "tags": tags, "raw_payloads": raw,
            "other_posts_naming_them": named}


def forget(ctx: Context, who: str) -> Report:
    """Erase every trace of one author from the data directory; see the module docstring.

    Safe to run again after a crash at any step: the erasure mark comes first (no run collects them
    meanwhile), the mention keys are read before anything is deleted (``_author_keys``), what is derived
    from the mentions (tags, correction-list keys, workflow rows) goes before the raw payloads and the
    mention rows that give the keys, and the quarantine folder goes last; a second run finds the keys
    again in the rows still there, and needs none once they are gone.
    """
    target, pseudo = target_for(ctx, who)
    report = Report(dict.fromkeys(("mentions", "tags"), 0))  # listed first, though removed last
    marks = set(ctx.state.load(privacy.FORGOTTEN).get("marks", []))
    ctx.state.save(privacy.FORGOTTEN, {"marks": sorted(marks | privacy.erasure_marks(target.given, pseudo))})
    store = _workflow(ctx)
    keys, dead, unreadable = _author_keys(ctx, target, threads=store is not None)
    report.add("tags", _drop_keys(ctx, TAGS, keys))
    report.add("correction list entries", corrections.forget_mentions(ctx.data_dir, keys))
    if store is not None:
        # Threads they started (thread key "<source>:<root id>"), threads that keep no post without
        # theirs (keyed as purge keys them: by conversation id or a root never collected) and
        # corrections of their posts go; so do their corrections and alerts quoting them, under every
        # form their name is stored in.
        threads = sorted({f"{source}:{mid}" for source, mid in keys} | dead)
        n = sum(store.forget(None, threads, sorted(keys)).values())
        for value in sorted(target.values):
            n += sum(store.forget(value).values())
        report.add("workflow entries", n)
        if not _wipe_sqlite(store.path):
            report.notes.append(f"{store.path} is busy: run `sqlite3 {store.path} VACUUM` later to wipe freed pages")
    raw_removed, raw_redacted = _forget_raw(ctx, target)
    report.add("raw payloads", raw_removed)
    if raw_redacted:
        report.notes.append(f"raw payloads naming them redacted: {raw_redacted}")
    # Before the mention rows: given only a pseudonym, the clear names learnt from those rows find exports.
    needles = [v.lower().encode("utf-8", "surrogatepass") for v in target.values if len(v) >= 3]
    files = 0
    exports = ctx.data_dir / EXPORTS
    for p in [*(exports.rglob("*") if exports.exists() else []), *ctx.data_dir.rglob(".tmp-*")]:
        if p.is_file() and _contains(p, needles):
            p.unlink()
            files += 1
    report.add("export and temp files", files)
    removed, redacted = _rewrite_mentions(ctx, target)
    report.add("mentions", removed)
    if redacted:
        report.notes.append(f"mentions of them redacted in {redacted} other posts")
    quarantine = ctx.data_dir / "quarantine"
    if quarantine.exists() and any(quarantine.rglob("*")):
        n = sum(1 for p in quarantine.rglob("*") if p.is_file())
        shutil.rmtree(quarantine)
        report.add("quarantined files", n)
        report.notes.append("quarantined files cannot be filtered and were deleted: python -m collectors remap "
                            "restores their rows from raw payloads")
        if unreadable:
            report.notes.append(f"{unreadable} quarantined mention files could not be read: the derived data "
                                "of their rows was found through the author's raw payloads, where kept")
    if pseudo is None and ctx.config.privacy.pseudonymise_authors is False:
        report.notes.append(f"{privacy.KEY_ENV} is not set: rows pseudonymised in earlier runs were not searched")
    return report
