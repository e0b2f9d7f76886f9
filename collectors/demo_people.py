"""The demo's fictional authors: generated handles per source, heavy-tailed reach, repeat posters.

Handles are made from common first names and Hamburg-ish words on ``.example`` domains, so
they belong to nobody. A Zipf-like pick makes a few authors post often and most only once.
"""

from __future__ import annotations

import hashlib
import itertools
import random
from dataclasses import dataclass

FIRST_DE = ["maren", "kai", "jonas", "lena", "finn", "ole", "svenja", "hannes", "anke", "timo", "nils", "greta",
            "jan", "mia", "lars", "birte", "deniz", "aylin", "sophie", "lukas", "paula", "jakob", "hauke",
            "frauke", "piet", "imke", "clara", "milan", "ronja", "emil", "tjark", "wiebke", "malte", "inga"]
FIRST_EN = ["sarah", "james", "olivia", "dan", "priya", "mark", "rachel", "tom", "laura", "ethan", "chloe",
            "sam", "alex", "nina", "leo", "maya"]
WORD_A = ["elb", "deich", "kiez", "nord", "watt", "strom", "kaffee", "fischbroetchen", "moewen", "regen",
          "solar", "kabel", "fahrrad", "hafen", "alster"]
WORD_B = ["segler", "kind", "pirat", "liebe", "nerd", "held", "blick", "fan", "tante", "onkel", "wolf", "meister"]
SUFFIX = ["", "", "hh", "_hh", "84", "1987", "_92", "_nord", "2000", "_x", "23", "_de", "mh", "_k"]
INSTANCES = ["social.example", "hh.social.example", "norden.example", "mastodon.example", "chaos.social.example"]
OUTLETS = [  # feed publishers: (name, domain, language)
    ("Elbkurier", "elbkurier.example", "de"),
    ("Energie-Report Nord", "energie-report.example", "de"),
    ("Hanse Wirtschaftsdienst", "hanse-wirtschaft.example", "de"),
    ("Verbraucherblog Strom", "verbraucherblog.example", "de"),
    ("Grid Weekly", "gridweekly.example", "en"),
    ("Northern Europe Energy News", "news.example", "en"),
]
# The company's own accounts, as listed under own_accounts in config/earshot.example.yaml.
OWN = {"x": "hafenlicht_hilft", "reddit": "Hafenlicht_Team", "mastodon": "hafenlicht@social.example",
       "bluesky": "hafenlicht.example"}
OWN_MAIN_X = "hafenlicht"
OWN_FOLLOWERS: dict[str, int | None] = {"x": 4_700, "mastodon": 2_300, "bluesky": 5_100, "reddit": None}


@dataclass(frozen=True)
class Author:
    handle: str  # as the source shows it (the runner compares it with own_accounts)
    id: str  # the platform's stable author id
    followers: int | None  # reach; None where the source has no such number
    lang: str  # the language this author usually writes in


def author_id(source: str, handle: str) -> str:
    """A stable, platform-looking id for a handle."""
    digest = hashlib.sha256(f"{source}:{handle}".encode()).hexdigest()
    if source == "bluesky":
        return "did:plc:" + digest[:24]
    if source in ("reddit", "hackernews", "rss"):
        return handle
    return str(int(digest[:15], 16))


def _name(rng: random.Random, lang: str) -> str:
    if rng.random() < 0.4:
        return rng.choice(WORD_A) + rng.choice(WORD_B) + rng.choice(SUFFIX)
    first = rng.choice(FIRST_DE if lang == "de" else FIRST_EN)
    return first + rng.choice(SUFFIX) if rng.random() < 0.7 else first + "_" + rng.choice(WORD_A)


def _handle(rng: random.Random, source: str, lang: str) -> str:
    name = _name(rng, lang)
    if source == "mastodon":
        return f"{name}@{rng.choice(INSTANCES)}"
    if source == "bluesky":
        return f"{name}.bsky.example"
    if source == "reddit":
        return name.capitalize() if rng.random() < 0.5 else f"{name}_{rng.randrange(10, 9999)}"
    return name


def _followers(rng: random.Random, source: str) -> int | None:
    if source not in ("x", "mastodon", "bluesky"):
        return None
    scale = {"x": 60, "mastodon": 25, "bluesky": 35}[source]
    if rng.random() < 0.012:  # the odd journalist, politician-sized or meme account
        return rng.randrange(20_000, 260_000)
    return min(int(rng.paretovariate(1.15) * scale) - scale + rng.randrange(0, 40), 450_000)


class People:
    """Author pools per source and language; ``pick`` favours a set of repeat authors."""

    SIZES = {"x": 900, "reddit": 450, "mastodon": 380, "bluesky": 520, "hackernews": 160}

    def __init__(self, rng: random.Random) -> None:
        self.pools: dict[tuple[str, str], list[Author]] = {}
        self.cum: dict[tuple[str, str], list[float]] = {}
        for source, size in self.SIZES.items():
            for lang in ("en",) if source == "hackernews" else ("de", "en"):
                n = size * (6 if lang == "de" else 4) // 10 if source != "hackernews" else size
                seen: set[str] = set()
                pool: list[Author] = []
                while len(pool) < n:
                    handle = _handle(rng, source, lang)
                    if handle in seen or handle.lower().startswith("hafenlicht"):
                        continue
                    seen.add(handle)
                    pool.append(Author(handle, author_id(source, handle), _followers(rng, source), lang))
                self.pools[(source, lang)] = pool
                # Zipf-like: the first few authors of each pool post again and again.
                self.cum[(source, lang)] = list(itertools.accumulate(1 / (r + 6) ** 1.1 for r in range(n)))

    def pick(self, rng: random.Random, source: str, lang: str) -> Author:
        """An author of ``source`` who writes in ``lang`` (HN authors write English)."""
        key = (source, "en" if source == "hackernews" else lang)
        return rng.choices(self.pools[key], cum_weights=self.cum[key])[0]

    @staticmethod
    def outlet(rng: random.Random, lang: str) -> tuple[str, str]:
        """A feed publisher (name, domain) writing in ``lang``."""
        return rng.choice([(n, d) for n, d, lg in OUTLETS if lg == lang])

    @staticmethod
    def own(source: str, main: bool = False) -> Author:
        """The company's own account on ``source``; ``main``: the X main account used for announcements."""
        handle = OWN_MAIN_X if main and source == "x" else OWN[source]
        followers = OWN_FOLLOWERS[source] * 3 if main and source == "x" else OWN_FOLLOWERS[source]
        return Author(handle, author_id(source, handle), followers, "de")
