"""Negated trouble reads as praise: "zero issues", "keine Probleme", "no complaints so far", "nicht schlecht".

Tweet-trained models see "problems", "issues" and "complaints" as negative words, and the
complaint cues fire on "Probleme mit"; so "three years with them, zero issues" came out as very
negative criticism. ``settle(masked_lower, lang)`` rewrites such phrases to a plain positive word
of the language ("fine", "gut") before sentiment and cues look at the text. Only unambiguous
forms are rewritten: a number or "no/never/without" right before the trouble word, fixed words
such as "problemlos" and "hassle-free", and understatements that mean praise: "can't complain",
"not bad (at all)", "the grass wasn't greener", "(gar) nicht (so) schlecht", "kann mich nicht
beschweren / nicht klagen". Left alone: trouble that was told about ("not a single problem was
solved", "no complaint was ever answered"), being unable to complain ("you can't complain to
anyone", "kann mich nicht beschweren, weil ..."), "staunte nicht schlecht" (was taken aback) and
"es wäre nicht schlecht, wenn ..." (a request).
"""

from __future__ import annotations

import re

from analysis.features import tokens_of

# Trouble that was told about, not denied: "no complaint was ever answered", "keine Beschwerde wurde bearbeitet".
_EN_TOLD = r"(?! (?:was|were|is|are|has|have|had|got|gets|ever|been|answered|handled|resolved|solved|fixed|taken)\b)"
_DE_TOLD = r"(?! (?:wurden?|wird|werden|ist|sind|hat|haben|beantwortet|bearbeitet|gelöst|behoben)\b)"
_EN = re.compile(
    r"\b(?:(?:no|zero|never (?:had|have) (?:any|a)|never any|without (?:any|a)) (?:single )?"
    r"(?:problems?|issues?|complaints?|trouble|hassle|glitch(?:es)?|hiccups?)\b" + _EN_TOLD
    + r"|(?:hassle|trouble|problem|issue)[- ]free\b"
    r"|can(?:['’]t| ?not) complain\b(?! to\b| anywhere\b| online\b| any ?more\b| by\b| via\b)"  # not "unable to"
    r"|not (?:too |that |so |half )?bad\b(?!-)(?: at all\b)?"  # not "bad-mouth"
    r"|(?:the )?grass (?:wasn['’]t|isn['’]t|was not|is not|was never|is never)(?: always| any)? greener\b)"
)
_DE = re.compile(
    r"\b(?:(?:keine|keinerlei|null|nie|niemals|ohne) (?:\w+ )?(?:probleme?|ärger|beschwerden?|störungen?|ausfälle?)\b"
    + _DE_TOLD
    + r"|(?:problemlos|reibungslos|einwandfrei|nichts zu meckern|kein grund zur klage)\b"
    # "(gar) nicht (so) schlecht"; with the words around it that turn it into something else (see ``_KEEP``)
    r"|(?:\b(?:staun|wär|würd|fänd|fand)\w* (?:es |ich |wir |das )?)?(?:gar |echt |wirklich )?"
    r"nicht (?:so |mal so |zu )?schlecht\b(?: (?:gestaunt|geschaut|geguckt|gewundert)\b)?(?:,? wenn\b)?"
    r"|kann (?:mich )?(?:über (?:\w+ ){1,2})?(?:echt |wirklich |absolut )?nicht (?:beschweren|klagen|meckern)\b"
    r"(?!,? (?:bei|wenn|weil|da|denn)\b))"  # not "unable to complain to / because ..."
)
# A match holding one of these is left as it is: "staunte nicht schlecht" (was taken aback), "nicht schlecht
# geschaut", "es wäre nicht schlecht, wenn ..." (a request, often a sarcastic one).
_KEEP = ("staun", "wär", "würd", "fänd", "fand", "gestaunt", "geschaut", "geguckt", "gewundert", "wenn")
# Every match holds one of these words. The text's tokens are made anyway (and remembered within a batch, see
# ``features.tokens_of``), so the test for them costs a set lookup; the search runs only on the few texts with one.
_EN_WORDS = frozenset("problem problems issue issues complaint complaints trouble hassle glitch glitches hiccup "
                      "hiccups complain bad greener".split())
_DE_WORDS = frozenset("problem probleme problemlos ärger beschwerde beschwerden störung störungen ausfall ausfälle "
                      "reibungslos einwandfrei meckern klage schlecht beschweren klagen".split())
_PATTERNS = {"en": (_EN, "fine", _EN_WORDS), "de": (_DE, "gut", _DE_WORDS)}


def settle(masked_lower: str, lang: str) -> str:
    """``masked_lower`` with negated trouble ("no issues", "keine Probleme") replaced by "fine" / "gut"."""
    rule = _PATTERNS.get(lang)
    if rule is None:
        return masked_lower
    rx, word, needed = rule
    if needed.isdisjoint(tokens_of(masked_lower)):
        return masked_lower
    return rx.sub(lambda m: m.group() if any(k in m.group() for k in _KEEP) else word, masked_lower)
