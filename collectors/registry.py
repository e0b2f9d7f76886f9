"""Every collector Earshot knows, listed explicitly. The config enables them by name.

Entries name ``module:Class`` and are imported on first use, so that a run of one source (or
the dashboard's demo loader) does not pay for importing every client library (atproto alone
takes seconds).
"""

from __future__ import annotations

from importlib import import_module

from collectors.base import Collector
from earshot.errors import ConfigError


class _Registry(dict):
    """A dict of name -> collector class whose values are imported when first read."""

    def __getitem__(self, name: str) -> type[Collector]:
        value = super().__getitem__(name)
        if isinstance(value, str):
            module, _, attr = value.partition(":")
            value = getattr(import_module(module), attr)
            super().__setitem__(name, value)
        return value

    def items(self):  # type: ignore[override]
        return [(name, self[name]) for name in self]

    def values(self):  # type: ignore[override]
        return [self[name] for name in self]


REGISTRY: dict[str, type[Collector]] = _Registry(
    {
        "demo": "collectors.demo:DemoCollector",
        "import": "collectors.file_import:FileImport",
        # Platform collectors (issue 3), one file each.
        "x": "collectors.x:XCollector",
        "reddit": "collectors.reddit:RedditCollector",
        "rss": "collectors.rss:RssCollector",
        "hackernews": "collectors.hackernews:HackerNewsCollector",
        "mastodon": "collectors.mastodon:MastodonCollector",
        "bluesky": "collectors.bluesky:BlueskyCollector",
    }
)

# Collectors that need an argument (a file) and never run as part of a scheduled run.
ON_DEMAND = {"import"}


def get(name: str) -> type[Collector]:
    """The collector class registered under ``name``."""
    if name not in REGISTRY:
        raise ConfigError(f"unknown source {name!r}.", f"Known sources: {', '.join(sorted(REGISTRY))}.")
    return REGISTRY[name]
