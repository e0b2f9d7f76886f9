"""The one collector interface. Every source, the file import and the demo go through it.

A collector is a class with a few metadata attributes and two methods:

- ``fetch(state, since)`` yields ``Batch``es: raw payloads exactly as received, plus the
  cursor state that becomes true once those payloads are stored. It does network I/O.
- ``to_mention(raw)`` maps one raw payload to a mention row (a dict with the keys of
  ``storage.schema.MENTION``), or returns None for payloads that are not posts. It is pure.
  It may raise ``BadItem`` for a payload it cannot map; the runner counts and reports it.

The runner (``collectors.runner``) does everything else: raw storage, entity matching, own
accounts, privacy, dedup, the lake append, the cursor commit and the ledger row.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, Protocol

from earshot.config import Config, Source


class BadItem(ValueError):
    """One raw payload cannot be mapped; the message says which field and why."""


@dataclass
class Batch:
    """One page of raw payloads and the cursor state they advance to."""

    items: list[Any]
    state: dict[str, Any] | None = None  # None: leave the cursor where it is
    query: str = ""  # what was asked, for the ledger
    rate_limit_waits: int = 0  # waits the fetch made before this page
    rate_limit_wait_seconds: float = 0.0
    errors: list[str] = field(default_factory=list)  # non-fatal problems met on this page


class Collector(Protocol):
    name: ClassVar[str]  # registry key, used on the command line and in the ledger
    title: ClassVar[str]  # human name for the dashboard
    credentials: ClassVar[tuple[str, ...]]  # environment variables it needs (empty: none)
    keep_unmatched: ClassVar[bool]  # keep items that match no entity (file import: yes)

    def __init__(self, config: Config, settings: Source) -> None: ...

    def plan(self, state: dict[str, Any], since: datetime | None) -> list[str]:
        """What a run would fetch, one line per request, without fetching (``--dry-run``)."""
        ...

    def fetch(self, state: dict[str, Any], since: datetime | None) -> Iterator[Batch]:
        """Yield raw pages newer than the cursor in ``state`` (or than ``since``)."""
        ...

    def to_mention(self, raw: Any) -> dict[str, Any] | None:
        """Map one raw payload to a mention row; None to skip it; ``BadItem`` if malformed."""
        ...
