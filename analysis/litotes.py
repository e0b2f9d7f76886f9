"""Negated trouble reads as praise: "zero issues", "keine Probleme", "no complaints so far", "nicht schlecht".

Tweet-trained models see "problems", "issues" and "complaints" as negative words, and the
complaint cues fire on "Probleme mit"; so "three years with them, zero issues" came out as very
negative criticism. ``settle(masked_lower, lang)`` rewrites such phrases to a plain positive word
of the language ("fine", "gut") before sentiment and cues look at the text. Only unambiguous
forms are rewritten: a number or "no/never/without" right before the trouble word, fixed words
such as "problemlos" and "hassle-free", and understatements that mean praise: "can't complain",
"not bad (at all)", "the grass wasn't greener", "(gar) nicht (so) schlecht", "nicht übel",
"kann mich nicht beschweren / nicht klagen". "not a single problem was solved" is left alone,
and so is "staunte nicht schlecht" (was taken aback).
"""

from __future__ import annotations

import re

from analysis.features import tokens_of

_EN = re.compile(
    r"\b(?:(?:no|zero|never (?:had|have) (?:any|a)|never any|without (?:any|a)) (?:single )?"
    r"(?:problems?|issues?|complaints?|trouble|hassle|glitch(?:es)?|hiccups?)"
    r"|(?:hassle|trouble|problem|issue)[- ]free"
    r"|can(?:['’]t| ?not) complain|not (?:too |that |so |half )?bad(?: at all)?"
    r"|(?:the )?grass (?:was|is|wasn['’]t|isn['’]t|was not|is not) (?:not |never |always |any )?greener)\b"
)
_DE = re.compile(
    r"\b(?:(?:keine|keinerlei|null|nie|niemals|ohne) (?:\w+ )?(?:probleme?|ärger|beschwerden?|störungen?|ausfälle?)"
    r"|problemlos|reibungslos|einwandfrei|nichts zu meckern|kein grund zur klage"
    r"|(?:\bstaun\w* )?(?:gar |echt |wirklich )?nicht (?:so |mal so |zu )?(?:schlecht|übel)(?: gestaunt)?"
    r"|kann (?:mich )?(?:echt |wirklich |absolut )?nicht (?:beschweren|klagen|meckern))\b"
)
# Every match holds one of these words. The text's tokens are made anyway (and remembered within a batch, see
# ``features.tokens_of``), so the test for them costs a set lookup; the search runs only on the few texts with one.
_EN_WORDS = frozenset("problem problems issue issues complaint complaints trouble hassle glitch glitches hiccup "
                      "hiccups complain bad greener".split())
_DE_WORDS = frozenset("problem probleme problemlos ärger beschwerde beschwerden störung störungen ausfall ausfälle "
                      "reibungslos einwandfrei meckern klage schlecht übel beschweren klagen".split())
_PATTERNS = {"en": (_EN, "fine", _EN_WORDS), "de": (_DE, "gut", _DE_WORDS)}


def settle(masked_lower: str, lang: str) -> str:
    """``masked_lower`` with negated trouble ("no issues", "keine Probleme") replaced by "fine" / "gut"."""
    rule = _PATTERNS.get(lang)
    if rule is None:
        return masked_lower
    rx, word, needed = rule
    if needed.isdisjoint(tokens_of(masked_lower)):
        return masked_lower
    return rx.sub(lambda m: m.group() if "staun" in m.group() else word, masked_lower)
