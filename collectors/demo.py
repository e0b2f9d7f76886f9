"""The built-in demo: a fictional company's public mentions, generated (seeded, no network).

Placeholder generator; the full scenario generator replaces it.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from collectors.base import Batch
from collectors.records import record_to_mention
from earshot.config import Config, Source

SOURCES = ("x", "reddit", "rss", "hackernews", "mastodon", "bluesky")
TEXTS = [
    ("de", "Die Hafenlicht App geht schon wieder nicht. Seit heute morgen Störung!"),
    ("de", "Danke an Hafenlicht, die LichtBox läuft super."),
    ("en", "Hafenlicht raised prices again, this is ridiculous."),
    ("en", "Does anyone know how Hafenlicht handles smart meter data?"),
    ("de", "Stromwerk Nord ist günstiger als Hafenlicht, oder?"),
]


class DemoCollector:
    name: ClassVar[str] = "demo"
    title: ClassVar[str] = "Demo company (fictional)"
    credentials: ClassVar[tuple[str, ...]] = ()
    keep_unmatched: ClassVar[bool] = False

    def __init__(self, config: Config, settings: Source) -> None:
        self.days = int(getattr(settings, "days", 90) or 90)
        self.seed = int(getattr(settings, "seed", 7) or 7)

    def plan(self, state: dict[str, Any], since: datetime | None) -> list[str]:
        return [f"generate {self.days} days of demo mentions (seed {self.seed})"]

    def fetch(self, state: dict[str, Any], since: datetime | None) -> Iterator[Batch]:
        rng = random.Random(self.seed)
        end = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
        items = []
        for i in range(6000):
            lang, text = rng.choice(TEXTS)
            created = end - timedelta(minutes=rng.randrange(self.days * 24 * 60))
            items.append({
                "id": f"demo-{i}", "source": rng.choice(SOURCES), "text": text, "lang": lang,
                "author": f"user{rng.randrange(800)}", "created_at": created.isoformat(),
                "likes": rng.randrange(50), "replies": rng.randrange(10), "reposts": rng.randrange(5),
            })
        for i in range(0, len(items), 1000):
            yield Batch(items[i:i + 1000], query="demo")

    def to_mention(self, raw: Any) -> dict[str, Any] | None:
        return record_to_mention(raw, "demo")
