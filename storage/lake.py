"""The parquet lake: ``<data>/lake/<table>/month=YYYY-MM/part-*.parquet``.

- Appends write one zstd parquet file per touched month, atomically (temp name, rename).
- Rows whose key is already in the lake (or earlier in the same batch) are dropped.
- ``compact`` merges a month's files into few large ones (row groups of ~128k rows),
  journalled so that a crash half-way never shows a row twice once the lake is reopened.
- ``rewrite`` filters rows out of every file (retention, erasure).
- A file that cannot be read is moved to ``<data>/quarantine/`` with a warning.

Writers must hold ``storage.lock.write_lock``; readers need no lock, but a DuckDB read over a
file listing must run through ``storage.reads.retry_read`` (a writer may delete a listed file).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from storage.files import atomic_path, fsync_dir, write_atomic
from storage.schema import Table

log = logging.getLogger(__name__)

ROW_GROUP = 128 * 1024
MAX_FILE_ROWS = 32 * ROW_GROUP  # ~4M rows per compacted file
JOURNAL = "_compaction.json"
READ_ATTEMPTS = 4  # listings a lock-free ``read`` tries while writers delete the files it listed


@dataclass
class AppendResult:
    new: int = 0
    duplicates: int = 0
    files: int = 0


def _month_of(ts: pa.Array) -> pa.Array:
    return pc.strftime(ts, format="%Y-%m")


def file_month(path: Path | str) -> str:
    """The month partition (``YYYY-MM``) of a lake file, from its ``month=YYYY-MM`` folder."""
    return Path(path).parent.name.removeprefix("month=")


def _key_strings(table: pa.Table, key: tuple[str, ...]) -> list[str]:
    cols = [pc.fill_null(table.column(k).cast(pa.string()), "") for k in key]
    return pc.binary_join_element_wise(*cols, "\x1f").to_pylist() if len(cols) > 1 else cols[0].to_pylist()


def _journal_hides(month_dir: Path) -> set[str]:
    """Files a reader must skip while a compaction of this month is unfinished (or crashed).

    Once every merged file is in place the originals are hidden, before that the merged ones,
    so a reader sees each row once even before the next writer's ``recover`` cleans up.
    """
    try:
        journal = json.loads((month_dir / JOURNAL).read_text())
    except (OSError, ValueError):
        return set()
    if all((month_dir / n).exists() for n in journal["new"]):
        return set(journal["old"])
    return set(journal["new"])


class Lake:
    """Read and write the lake's tables under ``<data>/lake``."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        self.root = self.data_dir / "lake"
        self._keys: dict[tuple[str, str], set[str]] = {}

    # -- layout -------------------------------------------------------------------------
    def table_dir(self, table: Table) -> Path:
        return self.root / table.name

    def months(self, table: Table) -> list[str]:
        base = self.table_dir(table)
        if not base.exists():
            return []
        return sorted(p.name.removeprefix("month=") for p in base.iterdir() if p.name.startswith("month="))

    def files(self, table: Table, months: Iterable[str] | None = None) -> list[Path]:
        """The visible parquet files of a table (optionally of some months)."""
        base = self.table_dir(table)
        if not base.exists():
            return []
        wanted = list(months) if months is not None else self.months(table)
        out: list[Path] = []
        for month in wanted:
            d = base / f"month={month}"
            if d.exists():
                before = _journal_hides(d)
                found = sorted(d.glob("part-*.parquet"))
                hidden = before | _journal_hides(d)  # journal read before and after: no window shows both
                out.extend(p for p in found if p.name not in hidden)
        return out

    def glob(self, table: Table) -> str:
        """A glob DuckDB can read: ``read_parquet(glob, hive_partitioning=true)``."""
        return str(self.table_dir(table) / "month=*" / "part-*.parquet")

    # -- reading ------------------------------------------------------------------------
    def quarantine(self, path: Path, reason: str) -> Path:
        """Move an unreadable file aside so the rest of the lake stays readable."""
        dest = self.data_dir / "quarantine" / path.relative_to(self.root)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(path), dest)
        self._keys.clear()
        log.warning(
            "moved unreadable file %s to %s (%s); its rows can be restored by re-mapping raw "
            "payloads: python -m collectors remap",
            path,
            dest,
            reason,
        )
        return dest

    def read_file(self, path: Path, columns: list[str] | None = None) -> pa.Table | None:
        """One file, or None after quarantining it if it is corrupt."""
        try:
            return pq.read_table(path, columns=columns)
        except (pa.ArrowInvalid, OSError) as exc:
            if not path.exists():
                return None  # compacted away under a reader's feet
            self.quarantine(path, str(exc).splitlines()[0])
            return None

    def read(self, table: Table, columns: list[str] | None = None, months: Iterable[str] | None = None) -> pa.Table:
        """All rows of a table (or some columns / months), schema-conformant.

        Takes no lock: when a listed file is gone by the time it is read (a compaction merged and
        deleted it, or it was quarantined), the files are listed and read again, so the rows a
        compaction moved are read from the merged file instead of being left out.
        """
        wanted = list(months) if months is not None else None
        for _ in range(READ_ATTEMPTS):
            listed = self.files(table, wanted)
            parts = [t for p in listed if (t := self.read_file(p, columns)) is not None]
            if len(parts) == len(listed):
                break
        schema = pa.schema([table.schema.field(c) for c in columns]) if columns else table.schema
        if not parts:
            return schema.empty_table()
        return pa.concat_tables([p.select(schema.names).cast(schema) for p in parts])

    def count(self, table: Table) -> int:
        """Rows in a table, from file footers only."""
        total = 0
        for p in self.files(table):
            try:
                total += pq.ParquetFile(p).metadata.num_rows
            except (pa.ArrowInvalid, OSError):
                if p.exists():
                    self.quarantine(p, "unreadable footer")
        return total

    def _month_keys(self, table: Table, month: str) -> set[str]:
        cache_key = (table.name, month)
        if cache_key not in self._keys:
            assert table.key is not None
            keys: set[str] = set()
            for p in self.files(table, [month]):
                part = self.read_file(p, list(table.key))
                if part is not None:
                    keys.update(_key_strings(part, table.key))
            self._keys[cache_key] = keys
        return self._keys[cache_key]

    # -- writing ------------------------------------------------------------------------
    def _write_file(self, table: Table, month: str, data: pa.Table, stem: str = "part") -> Path:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        final = self.table_dir(table) / f"month={month}" / f"{stem}-{stamp}-{uuid.uuid4().hex[:8]}.parquet"
        with atomic_path(final) as tmp:
            pq.write_table(data, tmp, compression="zstd", row_group_size=ROW_GROUP)
        return final

    def append(self, table: Table, rows: pa.Table | list[dict]) -> AppendResult:
        """Append rows, dropping those whose key is already present. Caller holds the write lock."""
        data = rows if isinstance(rows, pa.Table) else pa.Table.from_pylist(rows, schema=table.schema)
        data = data.select(table.schema.names).cast(table.schema)
        result = AppendResult()
        if data.num_rows == 0:
            return result
        if data.column(table.time_column).null_count:
            raise ValueError(f"{table.name}: every row needs {table.time_column}")
        months = _month_of(data.column(table.time_column))
        for month in pc.unique(months).to_pylist():
            part = data.filter(pc.equal(months, month))
            if table.key is not None:
                seen = self._month_keys(table, month)
                keep = []
                for k in _key_strings(part, table.key):
                    keep.append(k not in seen)
                    seen.add(k)
                before = part.num_rows
                part = part.filter(pa.array(keep, pa.bool_()))
                result.duplicates += before - part.num_rows
            if part.num_rows:
                self._write_file(table, month, part)
                result.new += part.num_rows
                result.files += 1
        return result

    def _num_rows(self, path: Path) -> int | None:
        try:
            return pq.ParquetFile(path).metadata.num_rows
        except (pa.ArrowInvalid, OSError):
            if path.exists():
                self.quarantine(path, "unreadable footer")
            return None

    def compact(self, table: Table, min_files: int = 2) -> int:
        """Merge each month's small files (under one row group) once there are ``min_files`` of them.

        Files that already hold a full row group are left alone, so a nightly compaction costs
        what the day added, not the size of the month. The merge streams: at most about two
        row groups are in memory, whatever the number of small files. Returns how many files
        were replaced. Caller holds the write lock.
        """
        self.recover(table)
        replaced = 0
        for month in self.months(table):
            small = [p for p in self.files(table, [month]) if (n := self._num_rows(p)) is not None and n < ROW_GROUP]
            if len(small) < min_files:
                continue
            d = self.table_dir(table) / f"month={month}"
            temps = self._merge(table, d, small)
            journal = {"new": [f.name for _, f in temps], "old": [p.name for p in small]}
            write_atomic(d / JOURNAL, json.dumps(journal).encode())
            for tmp, final in temps:
                os.replace(tmp, final)
            fsync_dir(d)
            self._finish(d, journal)
            replaced += len(small)
        return replaced

    def _merge(self, table: Table, month_dir: Path, sources: list[Path]) -> list[tuple[Path, Path]]:
        """Stream ``sources`` into new temp files of full row groups; returns (temp, final) pairs."""
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        temps: list[tuple[Path, Path]] = []
        writer: pq.ParquetWriter | None = None
        written = 0
        buffer: list[pa.Table] = []
        buffered = 0

        def emit(chunk: pa.Table) -> None:
            nonlocal writer, written
            if writer is None or written >= MAX_FILE_ROWS:
                if writer is not None:
                    writer.close()
                final = month_dir / f"part-{stamp}-c{len(temps):03d}-{uuid.uuid4().hex[:8]}.parquet"
                tmp = month_dir / f".tmp-compact-{final.name}"
                temps.append((tmp, final))
                writer = pq.ParquetWriter(tmp, table.schema, compression="zstd")
                written = 0
            writer.write_table(chunk.sort_by(table.time_column), row_group_size=ROW_GROUP)
            written += chunk.num_rows

        for path in sources:
            part = self.read_file(path)
            if part is None:
                continue
            buffer.append(part.select(table.schema.names).cast(table.schema))
            buffered += part.num_rows
            if buffered >= ROW_GROUP:
                merged = pa.concat_tables(buffer)
                emit(merged.slice(0, ROW_GROUP))
                rest = merged.slice(ROW_GROUP)
                buffer, buffered = ([rest], rest.num_rows) if rest.num_rows else ([], 0)
        if buffered:
            emit(pa.concat_tables(buffer))
        if writer is not None:
            writer.close()
        for tmp, _ in temps:
            with open(tmp, "rb") as fh:
                os.fsync(fh.fileno())
        return temps

    def _finish(self, month_dir: Path, journal: dict) -> None:
        for name in journal["old"]:
            (month_dir / name).unlink(missing_ok=True)
        (month_dir / JOURNAL).unlink(missing_ok=True)
        fsync_dir(month_dir)

    def recover(self, table: Table) -> None:
        """Finish or undo a compaction that a crash interrupted; drop stray temp files."""
        base = self.table_dir(table)
        if not base.exists():
            return
        for d in base.glob("month=*"):
            for tmp in d.glob(".tmp-*"):
                tmp.unlink(missing_ok=True)
            jpath = d / JOURNAL
            if not jpath.exists():
                continue
            journal = json.loads(jpath.read_text())
            if all((d / n).exists() for n in journal["new"]):
                self._finish(d, journal)  # the merge is complete: drop the originals
            else:
                for n in journal["new"]:  # the originals still hold every row: drop the merge
                    (d / n).unlink(missing_ok=True)
                jpath.unlink()
        self._keys.clear()

    def rewrite(self, table: Table, keep: Callable[[pa.Table], pa.Array]) -> int:
        """Keep only rows where ``keep(file_table)`` is true, in every file; returns rows removed.

        Each file is replaced atomically by its filtered version (or deleted when empty).
        Caller holds the write lock.
        """
        removed = 0

        def filtered(data: pa.Table) -> pa.Table | None:
            nonlocal removed
            kept = data.filter(keep(data))
            removed += data.num_rows - kept.num_rows
            return kept if kept.num_rows < data.num_rows else None

        self.change_files(table, filtered)
        return removed

    def change_files(
        self, table: Table, change: Callable[[pa.Table], pa.Table | None], paths: list[Path] | None = None,
    ) -> int:
        """Replace each file of ``table`` (or just ``paths``) by ``change(file_table)``, atomically (an empty
        result deletes it); ``change`` returns None to leave a file as it is. Unreadable files are skipped.
        Returns the number of files replaced. Caller holds the write lock."""
        self.recover(table)
        replaced = 0
        for p in self.files(table) if paths is None else paths:
            data = self.read_file(p)
            if data is None:
                continue
            new = change(data)
            if new is not None:
                self.replace_file(p, new)
                replaced += 1
        return replaced

    def replace_file(self, path: Path, kept: pa.Table) -> None:
        """Replace one lake file by ``kept`` atomically, or delete it when ``kept`` is empty.

        Forgets the dedup caches, since keys may have gone. Caller holds the write lock.
        """
        if kept.num_rows:
            with atomic_path(path) as tmp:
                pq.write_table(kept, tmp, compression="zstd", row_group_size=ROW_GROUP)
        else:
            path.unlink()
            fsync_dir(path.parent)
        self._keys.clear()
