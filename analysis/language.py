"""Language detection, offline, restricted to the configured languages plus "other".

Two stages, both bundled (no downloads):
1. Function words: most posts in German or English carry a few of the very common words
   ("und", "nicht", "the", "and"); a clear majority decides at once (fast, and robust on
   the short, noisy text where character models guess).
2. Otherwise py3langid's naive Bayes model, restricted to the configured languages and a
   set of common others; anything that is not a configured language becomes "other".
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import filterfalse

from analysis import features

OTHER = "other"
# Languages langid may answer besides the configured ones, so that French is not forced into "de" or "en".
_COMMON = ("de", "en", "fr", "es", "it", "nl", "pt", "pl", "tr", "sv", "da", "no", "ru", "ar", "ja", "zh", "ko")
# Very frequent words that are rare in the other language (no "die": an English word, too; no "war", "also").
FUNCTION_WORDS = {
    "de": frozenset(
        "und ist nicht ich der das den dem des ein eine einen einem mit auf für von sich auch "
        "noch nur wie schon wenn aber bei nach mir mich dir dich wir ihr sie uns euch hat haben "
        "wird werden sind kein keine keinen heute jetzt immer wieder mehr sehr gibt geht kann "
        "doch bitte danke seit warum wieso weil dass oder vom zum zur ins im über unter gar".split()
    ),
    "en": frozenset(
        "the and is not you it this that with for are was have has my me your what when why "
        "how just they them been will would can't don't doesn't didn't isn't i'm it's please "
        "thanks of to be at from by an or so if all about get got still again never".split()
    ),
}
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
_LETTER = re.compile(r"[^\W\d_]")


@lru_cache(maxsize=8)
def _identifier(languages: tuple[str, ...]):  # noqa: ANN202 - py3langid has no public type
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    known = set(ident.labels)
    ident.set_languages(sorted({*(lang for lang in languages if lang in known), *_COMMON} & known))
    return ident


def _words(text: str) -> list[str]:
    """The words of ``_WORD.findall(text.lower())``, in some order (only their counts matter here).

    Inside ``features.shared_tokens`` they are read off the text's feature tokens: every word lies inside
    one token, so a token of letters is a word, and any other token holds its own words. Not when an
    emoticon token (":p") took a letter from a word."""
    if not features.sharing_tokens():
        return _WORD.findall(text.lower())
    toks = features.tokens_of(text)
    out = list(filter(str.isalpha, toks))
    if len(out) < len(toks):
        known = _TOKEN_WORDS
        for tok in filterfalse(str.isalpha, toks):
            words = known.get(tok)
            if words is None:
                words = _EMOTICON if tok[0] in ":;" else () if tok in ("!", "?") else tuple(_WORD.findall(tok))
                if len(known) < 100_000:
                    known[tok] = words
            if words is _EMOTICON:
                return _WORD.findall(text.lower())
            out.extend(words)
    return out


_EMOTICON = ("",)  # ``_TOKEN_WORDS`` value of an emoticon token: read the words off the text instead
_TOKEN_WORDS: dict[str, tuple[str, ...]] = {}  # feature token (not all letters) -> the words in it


def detect_one(text: str, languages: tuple[str, ...]) -> str:
    """The language of one text: one of ``languages`` or "other" (also for text without letters)."""
    if not _LETTER.search(text):
        return OTHER
    words = _words(text)
    counts = {lang: sum(map(FUNCTION_WORDS[lang].__contains__, words)) for lang in languages if lang in FUNCTION_WORDS}
    if counts:
        best = max(counts, key=counts.__getitem__)
        top = counts[best]
        if top >= 2 and top >= 3 * (sum(counts.values()) - top):
            return best
    lang, _ = _identifier(languages).classify(text)
    if lang in languages:
        return lang
    # Short texts: prefer a configured language that the model finds nearly as likely.
    ranked = _identifier(languages).rank(text)
    top = ranked[0][1]
    for cand, prob in ranked[:3]:
        if cand in languages and prob >= 0.5 * top and len(words) < 6:
            return cand
    return OTHER


def detect(texts: list[str], languages: list[str] | tuple[str, ...]) -> list[str]:
    """Languages of many texts (see ``detect_one``); a text that occurs more than once is looked at once."""
    langs = tuple(languages)
    seen: dict[str, str] = {}
    out = []
    for t in texts:
        lang = seen.get(t)
        if lang is None:
            lang = seen[t] = detect_one(t, langs)
        out.append(lang)
    return out
