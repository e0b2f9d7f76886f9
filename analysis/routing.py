"""Owner routing: which team owns a conversation, from the topic taxonomy in the config."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from earshot.config import Config


@dataclass(frozen=True)
class Route:
    team: str  # owning team ("" when neither a topic nor fallback_team names one)
    topic: str | None  # the topic that decided it, None for the fallback
    reason: str  # in words, for the dashboard


def route(topics: Sequence[str], config: Config) -> Route:
    """The team of the first topic (most frequent first) that the taxonomy knows; else ``fallback_team``."""
    owners = {t.name: t.team for t in config.topics}
    for topic in topics:
        if topic in owners:
            return Route(owners[topic], topic, f"topic {topic} is owned by {owners[topic]}")
    if config.fallback_team:
        why = "no configured topic matched" if not topics else f"no team owns {', '.join(topics)}"
        return Route(config.fallback_team, None, f"{why}: fallback team {config.fallback_team}")
    return Route("", None, "no topic matched and no fallback_team is configured")


def guidelines(team: str, config: Config) -> str:
    """The team's guidelines from the config ("" if none)."""
    return next((t.guidelines for t in config.teams if t.name == team), "")
