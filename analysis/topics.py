"""Configured topics: the taxonomy's keywords (per language, term syntax of collectors.terms)."""

from __future__ import annotations

from analysis.fastmatch import FastMatcher
from earshot.config import Config, Entity


class TopicMatcher:
    """Which configured topics a text belongs to, using the keywords of its language.

    A text in a language the taxonomy has no keywords for ("other") is matched against the
    keywords of every language.
    """

    def __init__(self, config: Config) -> None:
        self.names = [t.name for t in config.topics]
        langs = sorted({lang for t in config.topics for lang in t.keywords})
        self._by_lang: dict[str, FastMatcher] = {}
        for lang in [*langs, "*"]:
            entities = []
            for t in config.topics:
                kws = t.keywords.get(lang, []) if lang != "*" else [k for ks in t.keywords.values() for k in ks]
                if kws:
                    entities.append(Entity(name=t.name, kind="brand", terms=kws))
            self._by_lang[lang] = FastMatcher(entities)

    def matcher(self, lang: str) -> FastMatcher:
        """The matcher of a language's keywords (every language's for one without keywords)."""
        return self._by_lang.get(lang) or self._by_lang["*"]

    def match(self, text: str, lang: str, lower: str | None = None) -> list[str]:
        """Topic names (taxonomy order) whose keywords occur in ``text``."""
        return self.matcher(lang).match(text, lower)
