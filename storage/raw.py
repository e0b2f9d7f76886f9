"""Raw payloads as received: ``<data>/raw/<collector>/<YYYY-MM-DD>/<run>-<batch>.jsonl.zst``.

One zstd-compressed JSON Lines file per batch, written atomically, so that a mapping bug
costs a re-map, not a re-collect.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from storage.files import atomic_path


def dumps_line(item: Any) -> bytes:
    """One JSON Lines record. Text stays readable UTF-8; a payload with lone surrogates (which
    UTF-8 cannot hold, but JSON escapes can) is written with ``\\u`` escapes, so it round-trips exactly."""
    try:
        return json.dumps(item, ensure_ascii=False, default=str).encode() + b"\n"
    except UnicodeEncodeError:
        return json.dumps(item, ensure_ascii=True, default=str).encode() + b"\n"


class RawStore:
    """Append-only store of raw payloads."""

    def __init__(self, data_dir: Path) -> None:
        self.root = data_dir / "raw"

    def write(self, collector: str, run_id: str, batch_no: int, items: Iterable[Any]) -> Path:
        """Write one batch; returns the file's path."""
        day = datetime.now(UTC).strftime("%Y-%m-%d")
        final = self.root / collector / day / f"{run_id}-{batch_no:05d}.jsonl.zst"
        with atomic_path(final) as tmp, pa.CompressedOutputStream(str(tmp), "zstd") as out:
            for item in items:
                out.write(dumps_line(item))
        return final

    def files(self, collector: str | None = None) -> list[Path]:
        """Every raw file, oldest day first (optionally one collector's)."""
        base = self.root / collector if collector else self.root
        return sorted(base.rglob("*.jsonl.zst")) if base.exists() else []

    @staticmethod
    def read(path: Path) -> Iterator[Any]:
        """The items of one raw file."""
        with pa.CompressedInputStream(str(path), "zstd") as src:
            for line in src.read().splitlines():
                if line.strip():
                    yield json.loads(line)
