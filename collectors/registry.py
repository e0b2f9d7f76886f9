"""Every collector Earshot knows, listed explicitly. The config enables them by name."""

from __future__ import annotations

from collectors.base import Collector
from collectors.bluesky import BlueskyCollector
from collectors.demo import DemoCollector
from collectors.file_import import FileImport
from collectors.hackernews import HackerNewsCollector
from collectors.mastodon import MastodonCollector
from collectors.reddit import RedditCollector
from collectors.rss import RssCollector
from collectors.x import XCollector

REGISTRY: dict[str, type[Collector]] = {
    DemoCollector.name: DemoCollector,
    FileImport.name: FileImport,
    # Platform collectors (issue 3), one file each.
    XCollector.name: XCollector,
    RedditCollector.name: RedditCollector,
    RssCollector.name: RssCollector,
    HackerNewsCollector.name: HackerNewsCollector,
    MastodonCollector.name: MastodonCollector,
    BlueskyCollector.name: BlueskyCollector,
}

# Collectors that need an argument (a file) and never run as part of a scheduled run.
ON_DEMAND = {FileImport.name}


def get(name: str) -> type[Collector]:
    """The collector class registered under ``name``."""
    from earshot.errors import ConfigError

    try:
        return REGISTRY[name]
    except KeyError:
        raise ConfigError(f"unknown source {name!r}.", f"Known sources: {', '.join(sorted(REGISTRY))}.") from None
