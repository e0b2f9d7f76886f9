"""File import: CSV or JSON Lines exports from other tools, spreadsheets or archives.

A ``text`` column is required; ``id, created_at, author, url, source, likes, replies,
reposts, lang, title`` (and ``author_id, author_followers, parent_id, conversation_id``)
are optional. Rows without an id get one derived from their content, so re-importing the
same file adds nothing. Imported rows are kept whether or not they match an entity.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from collectors.base import Batch
from collectors.records import record_to_mention
from earshot.config import Config, Source
from earshot.errors import InputError

BATCH = 5000


def _decode(data: bytes, path: Path) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Spreadsheets on Windows still save cp1252; every byte decodes there, so say so.
        print(f"{path}: not UTF-8, read as Windows-1252; check umlauts in the result", file=sys.stderr)
        return data.decode("cp1252", errors="replace")


class FileImport:
    """Collector over one local CSV or JSON Lines file (``settings.path``)."""

    name: ClassVar[str] = "import"
    title: ClassVar[str] = "File import (CSV, JSON Lines)"
    credentials: ClassVar[tuple[str, ...]] = ()
    keep_unmatched: ClassVar[bool] = True

    def __init__(self, config: Config, settings: Source) -> None:
        self.config = config
        path = getattr(settings, "path", None)
        if not path:
            raise InputError("file import needs a file.", "Run: python -m collectors import FILE")
        self.path = Path(path)
        self.source = str(getattr(settings, "source_name", None) or "import")

    def plan(self, state: dict[str, Any], since: datetime | None) -> list[str]:
        return [f"read {self.path}"]

    def _records(self) -> Iterator[dict[str, Any]]:
        try:
            data = self.path.read_bytes()
        except OSError as exc:
            raise InputError(f"cannot read {self.path}: {exc.strerror or exc}.", "Check the path.") from None
        text = _decode(data, self.path)
        if self.path.suffix.lower() in (".jsonl", ".ndjson", ".json"):
            for n, line in enumerate(text.splitlines(), start=1):
                if not line.strip():
                    continue
                try:
                    rec = json.loads(line)
                except ValueError as exc:
                    yield {"_line": n, "_error": f"not valid JSON ({exc.msg})"}
                    continue
                except RecursionError:  # hostile nesting must not stop the other lines
                    yield {"_line": n, "_error": "JSON nested too deeply to read"}
                    continue
                if isinstance(rec, dict):
                    rec["_line"] = n
                    yield rec
                else:
                    yield {"_line": n, "_error": "a line must hold one JSON object"}
        else:
            reader = csv.DictReader(io.StringIO(text, newline=""))
            if not reader.fieldnames or "text" not in [f.strip().lower() for f in reader.fieldnames]:
                raise InputError(
                    f"{self.path}: no 'text' column (found {reader.fieldnames}).",
                    "Name the column holding the post 'text'.",
                )
            for rec in reader:
                rec = {(k or "").strip().lower(): v for k, v in rec.items()}
                rec.pop("", None)
                rec["_line"] = reader.line_num
                yield rec

    def fetch(self, state: dict[str, Any], since: datetime | None) -> Iterator[Batch]:
        chunk: list[dict[str, Any]] = []
        for rec in self._records():
            chunk.append(rec)
            if len(chunk) >= BATCH:
                yield Batch(chunk, query=str(self.path.name))
                chunk = []
        if chunk:
            yield Batch(chunk, query=str(self.path.name))

    def to_mention(self, raw: Any) -> dict[str, Any] | None:
        rec = {k: v for k, v in raw.items() if k != "_line"} if isinstance(raw, dict) else raw
        return record_to_mention(rec, self.source)
