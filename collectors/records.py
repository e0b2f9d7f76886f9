"""Map flat records (file imports, the demo) to mention rows: parsing dates, counts and ids."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from collectors.base import BadItem

_DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%d.%m.%Y %H:%M", "%d.%m.%Y", "%m/%d/%Y %H:%M")
COUNTS = ("likes", "replies", "reposts", "author_followers")
TEXTS = ("url", "author", "author_id", "title", "lang", "parent_id", "conversation_id")


def _epoch(value: float, field: str) -> datetime:
    try:
        return datetime.fromtimestamp(float(value), UTC)
    except (ValueError, OverflowError, OSError):
        raise BadItem(f"{field} {str(value)[:24]!r} is out of range for epoch seconds") from None


def parse_time(value: Any, field: str = "created_at") -> datetime | None:
    """ISO 8601, a few common spreadsheet formats, or epoch seconds; naive times are UTC."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _epoch(value, field)
    text = str(value).strip()
    if text.isdigit():
        return _epoch(int(text), field)
    try:
        ts = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        for fmt in _DATE_FORMATS:
            try:
                ts = datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
        else:
            raise BadItem(f"{field} {text[:40]!r} is not a date; use ISO 8601 such as 2026-11-27T09:30:00Z") from None
    return ts.astimezone(UTC) if ts.tzinfo else ts.replace(tzinfo=UTC)


def parse_count(value: Any, field: str) -> int | None:
    """A non-negative whole number, or None when empty."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = int(float(str(value).replace(",", "").strip()))
    except (ValueError, OverflowError):
        raise BadItem(f"{field} {str(value)[:20]!r} is not a number") from None
    if number < 0:
        raise BadItem(f"{field} must not be negative")
    if number >= 2**63:  # the lake stores counts as int64
        raise BadItem(f"{field} {str(value)[:20]!r} is too large to be a count")
    return number


def stable_id(source: str, author: str | None, created: datetime | None, text: str) -> str:
    """An id derived from content, so that re-importing the same row dedupes."""
    basis = "\x1f".join([source, author or "", created.isoformat() if created else "", text])
    return "h" + hashlib.sha256(basis.encode("utf-8", "surrogatepass")).hexdigest()[:24]


def record_to_mention(rec: dict[str, Any], default_source: str) -> dict[str, Any]:
    """Map one flat record (a CSV row or JSON object) to a mention row; ``BadItem`` if unusable."""
    if not isinstance(rec, dict):
        raise BadItem(f"expected an object with a text field, got {type(rec).__name__}")
    if rec.get("_error"):
        raise BadItem(str(rec["_error"]))
    text = rec.get("text")
    if not isinstance(text, str) or not text.strip():
        raise BadItem("text is missing or empty")
    source = str(rec.get("source") or default_source).strip().lower() or default_source
    row: dict[str, Any] = {"source": source, "text": text}
    for f in TEXTS:
        v = rec.get(f)
        row[f] = None if v is None or v == "" else str(v)
    for f in COUNTS:
        row[f] = parse_count(rec.get(f), f)
    row["created_at"] = parse_time(rec.get("created_at"))
    rid = rec.get("id")
    row["id"] = str(rid).strip() if rid not in (None, "") else stable_id(source, row["author"], row["created_at"], text)
    return row
