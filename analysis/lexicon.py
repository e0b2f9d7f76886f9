"""A rule-based lexicon scorer (our own German word list plus emoji), in the spirit of VADER.

Valences come from ``analysis/models/lexicon_<lang>.tsv`` (``word<TAB>valence``, a trailing
``*`` matches any ending). Rules: negation ("nicht", "kein", "nie", "ohne") within three
words flips and damps a valence; intensifiers ("sehr", "total", "mega") strengthen it;
after "aber"/"but" the rest of the post counts more; emoji and emoticons carry their own
valence; the sum is squashed into [-1, 1].
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from analysis.text import tokens

MODELS = Path(__file__).resolve().parent / "models"

NEGATORS = frozenset(
    "nicht nichts kein keine keinen keinem keiner keines nie niemals ohne weder kaum "
    "not no never none nobody nothing without neither nor cannot can't don't doesn't didn't isn't wasn't "
    "won't aren't haven't hasn't".split()
)
INTENSIFIERS = {
    "sehr": 1.3, "total": 1.3, "echt": 1.2, "richtig": 1.2, "extrem": 1.4, "voll": 1.2, "mega": 1.4,
    "absolut": 1.4, "wirklich": 1.2, "so": 1.15, "ziemlich": 1.1, "äußerst": 1.4, "besonders": 1.2,
    "very": 1.3, "really": 1.2, "extremely": 1.4, "totally": 1.3, "absolutely": 1.4, "super": 1.2,
}
CONTRAST = frozenset({"aber", "but", "jedoch", "allerdings", "however", "trotzdem"})
EMOJI = {
    "😀": 2, "😃": 2, "😄": 2, "😁": 2, "😆": 2, "😊": 2, "🙂": 1, "😍": 3, "🥰": 3, "😘": 2, "😎": 1.5,
    "🤩": 3, "👍": 2, "👏": 2, "🙌": 2, "💪": 1.5, "🎉": 2, "🥳": 2.5, "❤": 2.5, "♥": 2.5, "💚": 2,
    "💙": 2, "💛": 2, "💜": 2, "😂": 1, "🤣": 1, "😉": 1, "✨": 1, "🌞": 1, "☀": 1, "🙏": 0.5, "✅": 1,
    "😞": -2, "😔": -2, "😟": -2, "😕": -1.5, "🙁": -1.5, "☹": -2, "😢": -2.5, "😭": -2.5, "😡": -3,
    "😠": -3, "🤬": -3.5, "👎": -2, "💩": -2.5, "😤": -2.5, "😩": -2.5, "😫": -2.5, "🤮": -3, "🤢": -2.5,
    "😒": -2, "🙄": -2, "😱": -2, "😰": -2, "😨": -2, "💔": -2.5, "🤦": -2, "😬": -1, "❌": -1, "⚠": -1,
    ":)": 2, ":-)": 2, ";)": 1, ";-)": 1, ":d": 2.5, ":-d": 2.5, ":p": 1, ":(": -2, ":-(": -2,
}


@dataclass
class Lexicon:
    """Word valences: exact words, prefixes (``gut*``) and two-word phrases."""

    words: dict[str, float] = field(default_factory=dict)
    prefixes: dict[str, float] = field(default_factory=dict)
    phrases: dict[tuple[str, str], float] = field(default_factory=dict)
    _cache: dict[str, float] = field(default_factory=dict, repr=False)
    # Tokens that matter to ``summary`` without a valence: contrast words and the phrases' first words.
    _special: frozenset[str] = field(init=False, repr=False)
    _firsts: frozenset[str] = field(init=False, repr=False)  # the phrases' first words

    def __post_init__(self) -> None:
        self._firsts = frozenset(a for a, _ in self.phrases)
        self._special = CONTRAST | self._firsts

    @classmethod
    def load(cls, path: Path) -> Lexicon:
        words: dict[str, float] = {}
        prefixes: dict[str, float] = {}
        phrases: dict[tuple[str, str], float] = {}
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            term, value = line.rsplit("\t", 1)
            v = float(value)
            parts = term.split()
            if len(parts) == 2:
                phrases[(parts[0], parts[1])] = v
            elif term.endswith("*"):
                prefixes[term[:-1]] = v
            else:
                words[term] = v
        return cls(words, prefixes, phrases)

    def valence(self, tok: str) -> float:
        """Valence of one lower-cased token (0.0 if unknown); prefix entries match the longest prefix."""
        hit = self._cache.get(tok)
        if hit is not None:
            return hit
        v = self.words.get(tok)
        if v is None:
            v = EMOJI.get(tok, 0.0)
            for i in range(len(tok), 2, -1):
                p = self.prefixes.get(tok[:i])
                if p is not None:
                    v = p
                    break
        if len(self._cache) < 200_000:
            self._cache[tok] = v
        return v

    def summary(self, toks: list[str]) -> tuple[float, float, float, int, int]:
        """One pass over lower-cased tokens: (score in [-1, 1], positive mass, negative mass, positive
        emoji, negative emoji)."""
        total = pos = neg = 0.0
        pe = ne = 0
        weight = 1.0
        vals = list(map(self._cache.get, toks))  # valences already known; None where not yet
        if None in vals:
            vals = [self.valence(t) if v is None else v for t, v in zip(toks, vals, strict=True)]
        # Only tokens with a valence, a contrast word or a phrase's first word change anything: visit just
        # those (a phrase also consumes the token after it, whatever that is).
        special = self._special
        active = [i for i, (t, v) in enumerate(zip(toks, vals, strict=True)) if v or t in special]
        phrases, firsts, n = self.phrases, self._firsts, len(toks)
        negators, intensifiers, emoji = NEGATORS, INTENSIFIERS, EMOJI
        skip = -1
        for i in active:
            if i == skip:
                continue
            tok = toks[i]
            if tok in CONTRAST:
                total *= 0.5
                weight = 1.5
                continue
            if tok in firsts and i + 1 < n and (tok, toks[i + 1]) in phrases:
                v = phrases[(tok, toks[i + 1])]
                skip = i + 1
            else:
                v = vals[i]
            if not v:
                continue
            if v > 0:
                pos += v
                pe += tok in emoji
            else:
                neg -= v
                ne += tok in emoji
            # Up to three tokens back: a negator flips and damps the valence; an intensifier just before
            # strengthens it; another opinion word on the way ends the search (a negator before it is its own).
            j = i - 1
            if j >= 0:
                prev = toks[j]
                if prev in negators:
                    v *= -0.6
                elif prev in intensifiers or not vals[j]:
                    if prev in intensifiers:
                        v *= intensifiers[prev]
                    if j >= 1:
                        if toks[j - 1] in negators:
                            v *= -0.6
                        elif j >= 2 and not vals[j - 1] and toks[j - 2] in negators:
                            v *= -0.6
            total += v * weight
        if total and "!" in toks:
            total *= 1.0 + min(toks.count("!"), 3) * 0.08
        return total / math.sqrt(total * total + 15.0), pos, neg, pe, ne

    def score(self, text: str) -> float:
        """Sentiment of one (masked) text in [-1, 1]."""
        return self.summary(tokens(text))[0]


@lru_cache(maxsize=4)
def load(lang: str) -> Lexicon:
    """The lexicon of a language: ours for German, VADER's word list for English, else emoji only."""
    path = MODELS / f"lexicon_{lang}.tsv"
    if path.exists():
        return Lexicon.load(path)
    if lang == "en":
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        return Lexicon(words={w: float(v) for w, v in SentimentIntensityAnalyzer().lexicon.items()})
    return Lexicon()
