"""Test helpers for the privacy, fault and security tests: an in-memory collector and a data-dir search.

``ListCollector`` yields raw payloads shaped like a platform's (a post with a nested ``user``
object, a reply naming another user), so pseudonymisation and erasure are exercised on
nested JSON, not only on flat rows.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from collectors.base import Batch
from collectors.records import parse_time
from earshot.config import EXAMPLE_CONFIG, Config, parse_config
from earshot.context import Context


def post(pid: str, text: str, user: str, uid: str, name: str = "", when: str = "2026-11-20T10:00:00Z",
         source: str = "fake", reply_to: str | None = None) -> dict[str, Any]:
    """One raw payload shaped like a platform's post, with the author as a nested object."""
    item: dict[str, Any] = {
        "id": pid, "source": source, "text": text, "created_at": when,
        "url": f"https://fake.example/posts/{pid}",
        "user": {"id": uid, "username": user, "name": name or user.title(), "followers_count": 12},
    }
    if reply_to:
        item["in_reply_to_screen_name"] = reply_to
        item["entities"] = {"mentions": [{"username": reply_to}]}
    return item


class ListCollector:
    """A collector over a fixed list of raw payloads, in pages of ``page`` items."""

    name: ClassVar[str] = "fake"
    title: ClassVar[str] = "Fake platform (tests)"
    credentials: ClassVar[tuple[str, ...]] = ()
    keep_unmatched: ClassVar[bool] = False

    def __init__(self, items: list[dict[str, Any]], page: int = 2) -> None:
        self.items = items
        self.page = page

    def plan(self, state: dict[str, Any], since: datetime | None) -> list[str]:
        return [f"{len(self.items)} items"]

    def fetch(self, state: dict[str, Any], since: datetime | None) -> Iterator[Batch]:
        start = int(state.get("offset", 0))
        for i in range(start, len(self.items), self.page):
            chunk = self.items[i:i + self.page]
            yield Batch(chunk, state={"offset": i + len(chunk)}, query="fake query")

    def to_mention(self, raw: Any) -> dict[str, Any] | None:
        user = raw["user"]
        return {
            "source": raw.get("source", "fake"), "id": raw["id"], "url": raw["url"], "text": raw["text"],
            "created_at": parse_time(raw["created_at"]), "author": user["username"], "author_id": user["id"],
            "author_followers": user.get("followers_count"),
        }


def config(tmp: Path, **privacy: Any) -> Config:
    """The example config with ``privacy`` overrides and demo off (a real company); also written to tmp."""
    data = yaml.safe_load(EXAMPLE_CONFIG.read_text(encoding="utf-8"))
    data["company"]["demo"] = False
    data["privacy"].update(privacy)
    path = tmp / "earshot.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return parse_config(data, path)


def aged(tmp: Path) -> tuple[Context, str, str]:
    """A context keeping 30 days (raw pseudonymised), and two post times: 40 days old (purged) and 2 days old."""
    ctx = Context(config(tmp, keep_raw="pseudonymised", retention_days=30), tmp / "data")
    now = datetime.now(UTC)
    return ctx, (now - timedelta(days=40)).isoformat(), (now - timedelta(days=2)).isoformat()


def _parquet_text(path: Path) -> bytes:
    try:
        table = pq.read_table(path)
    except (pa.ArrowInvalid, OSError):
        return path.read_bytes()
    return json.dumps(table.to_pylist(), default=str, ensure_ascii=False).encode()


def _zst_text(path: Path) -> bytes:
    try:
        with pa.CompressedInputStream(str(path), "zstd") as src:
            return bytes(src.read())
    except (pa.ArrowInvalid, OSError):
        return path.read_bytes()


def readable_files(data_dir: Path) -> Iterator[tuple[Path, bytes]]:
    """Every file under ``data_dir`` as searchable bytes: parquet decoded, zstd decompressed, the rest raw.

    SQLite files are dumped with ``iterdump`` as well, so deleted-but-not-vacuumed pages and
    live rows are both searched (raw bytes and SQL text).
    """
    for path in sorted(p for p in data_dir.rglob("*") if p.is_file()):
        if path.suffix == ".parquet":
            yield path, _parquet_text(path) + path.read_bytes()
        elif path.name.endswith(".zst"):
            yield path, _zst_text(path)
        elif path.suffix == ".sqlite":
            import sqlite3

            con = sqlite3.connect(path)
            try:
                dump = "\n".join(con.iterdump()).encode()
            finally:
                con.close()
            yield path, dump + path.read_bytes()
        else:
            yield path, path.read_bytes()


def find_in_data(data_dir: Path, needles: list[str]) -> list[str]:
    """``path: needle`` for every needle found (case-insensitive) in any file under ``data_dir``."""
    hits = []
    for path, blob in readable_files(data_dir):
        low = blob.lower()
        for n in needles:
            forms = {n.lower().encode(), json.dumps(n.lower())[1:-1].encode()}
            if any(f in low for f in forms):
                hits.append(f"{path.relative_to(data_dir)}: {n}")
    return hits


def raw_items(data_dir: Path) -> list[Any]:
    """Every stored raw payload."""
    out = []
    for p in sorted((data_dir / "raw").rglob("*.jsonl.zst")):
        for line in io.BytesIO(_zst_text(p)).read().splitlines():
            if line.strip():
                out.append(json.loads(line))
    return out


def now() -> datetime:
    return datetime.now(UTC)
