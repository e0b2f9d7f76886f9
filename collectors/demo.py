"""The built-in demo: public mentions of a fictional company, generated from our own text (no network).

"Hafenlicht Energie GmbH" (config/earshot.example.yaml) is a Hamburg energy supplier. Over
``days`` days ending at ``anchor`` (default: the start of the current hour, UTC) it gets
about 7,500 mentions (90 days) on X, Reddit, feeds, Hacker News, Mastodon and Bluesky, in German and
English: an app outage with a spike of angry posts, a price-increase wave, privacy
questions, a product launch, works-council and job talk, customer questions (some answered
by the company's own accounts), competitor comparisons and news. The same seed and anchor
always give the same records; ids depend on the seed and the span only (not on the
anchor), so re-running adds nothing.

Raw items are flat records, the shape ``python -m collectors import`` accepts; the story and
the text live in ``demo_scenario``, ``demo_build``, ``demo_render`` and the phrase banks.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, ClassVar

from collectors.base import Batch
from collectors.demo_build import build
from collectors.records import parse_time, record_to_mention
from earshot.config import Config, Source
from earshot.errors import ConfigError

BATCH = 1000
MIN_DAYS, MAX_DAYS = 14, 365
DEMO_ENTITY = "Hafenlicht"  # the generated text names this company


def _int(settings: Source, key: str, default: int, lo: int, hi: int) -> int:
    value = getattr(settings, key, None)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise ConfigError(
            f"sources.demo.{key} is {value!r}, but must be a whole number from {lo} to {hi}.",
            f"Fix it in the config (default: {default}).",
        )
    return value


class DemoCollector:
    """Generates the demo company's mentions; deterministic for a seed and an anchor time."""

    name: ClassVar[str] = "demo"
    title: ClassVar[str] = "Demo company (fictional)"
    credentials: ClassVar[tuple[str, ...]] = ()
    keep_unmatched: ClassVar[bool] = False  # a few generated posts name no entity: the matcher drops them

    def __init__(self, config: Config, settings: Source) -> None:
        self.config = config
        self.days = _int(settings, "days", 90, MIN_DAYS, MAX_DAYS)
        self.seed = _int(settings, "seed", 7, 0, 2**31 - 1)
        anchor = getattr(settings, "anchor", None)
        try:
            parsed = parse_time(anchor, "sources.demo.anchor")
        except ValueError as exc:
            raise ConfigError(str(exc), "Leave sources.demo.anchor empty to end the demo now.") from None
        now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
        self.anchor = (parsed or now).replace(microsecond=0)
        self._records: list[dict[str, Any]] | None = None

    def records(self) -> list[dict[str, Any]]:
        """Every raw record of the demo, oldest first (generated once, then cached)."""
        if self._records is None:
            self._records = build(self.seed, self.anchor, self.days)
        return self._records

    def total(self) -> int:
        """How many raw items ``fetch`` will yield, for a progress bar (generates, well under a second)."""
        return len(self.records())

    @property
    def expected_items(self) -> int:
        """The same as ``total()``, under the name the dashboard's demo loader reads."""
        return self.total()

    def plan(self, state: dict[str, Any], since: datetime | None) -> list[str]:
        return [f"generate {self.days} days of demo mentions ending {self.anchor:%Y-%m-%d %H:%M} UTC "
                f"(seed {self.seed}); no network"]

    def fetch(self, state: dict[str, Any], since: datetime | None) -> Iterator[Batch]:
        """The records in batches of 1,000; ``since`` is ignored (the demo is always whole)."""
        records = self.records()
        errors = []
        if DEMO_ENTITY not in {e.name for e in self.config.entities}:
            errors.append(
                f"the demo writes about the fictional {DEMO_ENTITY}, which this config does not list, so its "
                "mentions will not match: run it with EARSHOT_CONFIG=config/earshot.example.yaml"
            )
        query = f"demo seed {self.seed}, {self.days} days to {self.anchor.isoformat()}"
        for start in range(0, len(records), BATCH):
            last = start + BATCH >= len(records)
            state_after = {"seed": self.seed, "days": self.days, "anchor": self.anchor.isoformat(),
                           "records": len(records)} if last else None
            yield Batch(records[start:start + BATCH], state=state_after, query=query, errors=errors if last else [])

    def to_mention(self, raw: Any) -> dict[str, Any] | None:
        """A flat demo record to a mention row (the same mapping file import uses)."""
        return record_to_mention(raw, "demo")
