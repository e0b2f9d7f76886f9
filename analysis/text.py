"""Text helpers shared by the taggers: cleaning, tokens, and masking of configured names.

Masking replaces the company's and competitors' names, aliases and handles by neutral
placeholders before anything is scored, so that a brand called "Hafenlicht" or "United"
never counts as praise or blame by itself. Other @handles and links become placeholders too.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from earshot.config import Config, Entity

BRAND = "xbrandx"  # placeholder for the company's own names
RIVAL = "xrivalx"  # placeholder for competitors' names
USER = "@user"
URL = "http"

_URL = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
# A handle: "@" not after a word character or another "@", then a word. (The look-behind comes after the "@",
# so the regex engine can skip from "@" to "@"; the same matches as ``(?<![\w@])@\w[\w.]*``.)
_HANDLE = re.compile(r"@(?<![\w@]@)\w[\w.]*")
_TERM_WORDS = re.compile(r'"([^"]+)"|([^\s()"]+)')
_OPERATORS = {"AND", "OR", "NOT"}
# A word token: letters/digits with inner apostrophes or hyphens; emoji and ! ? as tokens of their own.
TOKEN = re.compile(r"[#@]?\w+(?:['’\-]\w+)*|[!?]+|[\U0001F300-\U0001FAFF\u2600-\u27BF]|[:;]-?[()DPp]", re.UNICODE)


def clean(text: object) -> str:
    """A str for any cell: None/NaN become "", control characters are dropped, NFC-normalised."""
    if text is None or (isinstance(text, float) and text != text):
        return ""
    if not isinstance(text, str):
        text = str(text)
    text = unicodedata.normalize("NFC", text)
    return "".join(ch if ch.isprintable() or ch in "\n\t" else " " for ch in text) if not text.isprintable() else text


def tokens(text: str) -> list[str]:
    """Lower-cased word, punctuation-run and emoji tokens."""
    return TOKEN.findall(text.lower())


def _term_phrases(term: str) -> list[str]:
    """The plain words/phrases of a term in the matching language (operators, excludes dropped)."""
    out: list[str] = []
    negate = False
    for quoted, word in _TERM_WORDS.findall(term):
        if word in _OPERATORS:
            negate = word == "NOT"
            continue
        if word and word.startswith("-"):
            negate = False
            continue
        if not negate:
            phrase = (quoted or word).strip("()")
            if any(ch.isalnum() for ch in phrase):
                out.append(phrase)
        negate = False
    return out


def _phrase_pattern(phrase: str) -> str:
    """A pattern for a phrase on word boundaries; it starts with a literal character, which lets the regex
    engine skip quickly to candidate positions (a leading look-behind would disable that)."""
    prefix = phrase.endswith("*")
    words = phrase.rstrip("*").split()
    body = r"[\s\-]*".join(re.escape(w) for w in words)
    first, rest = re.escape(phrase[0]), body[len(re.escape(phrase[0])) :]
    return rf"{first}(?<!\w.){rest}" + (r"[\w\-]*" if prefix else r"(?!\w)")


@dataclass
class Masker:
    """Replaces configured names by ``xbrandx`` / ``xrivalx``, handles by ``@user``, links by ``http``."""

    own: re.Pattern[str] | None
    rivals: re.Pattern[str] | None
    # Lower-cased leading words of the names: a quick substring test before the patterns run.
    own_words: tuple[str, ...] = field(default=())
    rival_words: tuple[str, ...] = field(default=())
    # The alternatives of ``own`` / ``rivals`` in order, each with its leading word (every match of it holds
    # that word): only the alternatives whose word occurs in a text need to run on it.
    own_alts: tuple[tuple[str, str], ...] = field(default=())
    rival_alts: tuple[tuple[str, str], ...] = field(default=())
    _subsets: dict = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_entities(cls, own: list[Entity], rivals: list[Entity], handles: list[str] | None = None) -> Masker:
        def phrases_of(entities: list[Entity], extra: list[str]) -> set[str]:
            phrases = {p for e in entities for t in [*e.terms, *e.aliases, e.name] for p in _term_phrases(t)}
            phrases.update(h for h in extra if h)
            return phrases

        def word(phrase: str) -> str:
            return phrase.split()[0].rstrip("*").lstrip("@#").lower()

        def alts(phrases: set[str]) -> tuple[tuple[str, str], ...]:
            # Longest first, so "Hafenlicht Energie" wins over "Hafenlicht".
            return tuple((word(p), _phrase_pattern(p.lower())) for p in sorted(phrases, key=len, reverse=True))

        def compile_(phrases: set[str]) -> re.Pattern[str] | None:
            if not phrases:
                return None
            return re.compile("|".join(p for _, p in alts(phrases)))  # runs on lower-cased text

        def words(phrases: set[str]) -> tuple[str, ...]:
            return tuple(sorted({word(p) for p in phrases if p.split()}))

        own_p = phrases_of(own, [f"@{h.lstrip('@')}" for h in handles or []])
        rival_p = phrases_of(rivals, [])
        return cls(compile_(own_p), compile_(rival_p), words(own_p), words(rival_p), alts(own_p), alts(rival_p))

    @classmethod
    def from_config(cls, config: Config) -> Masker:
        handles = [h.split("@")[0] for hs in config.own_accounts.values() for h in hs]
        return cls.from_entities(config.entities, config.competitors, handles)

    def mask(self, text: str) -> str:
        """The text, lower-cased, with configured names, other handles and links replaced by placeholders."""
        text = text.lower()
        if self.own is not None:
            text = self._sub(self.own, self.own_words, self.own_alts, BRAND, text)
        if self.rivals is not None:
            text = self._sub(self.rivals, self.rival_words, self.rival_alts, RIVAL, text)
        if "http" in text or "www." in text:
            text = _URL.sub(URL, text)
        return _HANDLE.sub(USER, text) if "@" in text else text

    def _sub(self, pattern: re.Pattern[str], words: tuple[str, ...], alts: tuple[tuple[str, str], ...],
             placeholder: str, text: str) -> str:
        """``pattern.sub(placeholder, text)``, running only the alternatives whose leading word occurs."""
        present = tuple(w for w in words if w in text)
        if not present:
            return text
        if not alts:
            return pattern.sub(placeholder, text)
        key = (placeholder, present)
        subset = self._subsets.get(key)
        if subset is None:
            keep = set(present)
            subset = self._subsets[key] = re.compile("|".join(p for w, p in alts if w in keep))
        return subset.sub(placeholder, text)
