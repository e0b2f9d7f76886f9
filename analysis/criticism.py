"""Criticism: is a post negative about the company or its products, services, people or conduct?

Not just negative sentiment. A post is flagged when it carries complaint cues (also polite
ones: "please help, my bag never arrived"), sarcasm cues ("thanks for the 3h delay"), a
question that implies a failure ("why is the app still down?"), or clearly negative
sentiment while it is about the company. A post that is only about a competitor is not
criticism of the company. Negativity without any cue needs a speaker, too: unless the post names
the company, someone must write as a customer or to an account (first or second person, or a
negation); a very negative line of news or commentary about something else is not criticism.
Every result carries readable reasons: the cues found, the sentiment, the target.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from analysis import cues

NEGATIVE = -0.2  # sentiment at or below this counts as negative
VERY_NEGATIVE = -0.5  # negative enough to flag a post without any cue or named target
SOFT_POSITIVE = 0.6  # above this, a single weak cue is outweighed (e.g. "no problem at all, thanks!")
NO_SPEAKER = "negative, but no one speaks as a customer or to the company"  # and no company name
HOW_TO_REASON = "a how-to question without a complaint in it"
SARCASM_FLIP = "sentiment read as negative: the praise is sarcastic"


def sarcastic(reasons: list[str], lang: str) -> bool:
    """Whether the reasons of a flag name a sarcasm cue of ``lang`` (praise used to complain)."""
    names = cues.scanner(lang).names[cues.CRITICISM_LISTS[1]]
    return any(r in names for r in reasons)


def _how_to(masked_lower: str, lang: str) -> bool:
    """A question asking how to do something that opens the post ("moving abroad, how do I cancel?"): at most
    ``HOW_TO_LEAD`` words (besides handles) and no sentence before it, so that no problem is told first;
    see ``cues.HOW_TO``."""
    rx = cues.HOW_TO.get(lang)
    if rx is None or "?" not in masked_lower:
        return False
    m = rx.search(masked_lower)
    if m is None:
        return False
    lead = masked_lower[: m.start()]
    return _SENTENCE_END.search(lead) is None and len(_LEAD_WORD.findall(lead)) <= HOW_TO_LEAD


HOW_TO_LEAD = 5
_SENTENCE_END = re.compile(r"[.!?;:](?:\s|$)|[:;]-?[()]")
_LEAD_WORD = re.compile(r"(?<![@\w])\w+")


@dataclass(frozen=True)
class Target:
    """What a post is about: the company's entities it names, competitors, or a handle it addresses."""

    own: tuple[str, ...] = ()
    rivals: tuple[str, ...] = ()
    addressed: bool = False  # starts by addressing an account (a reply or a post to customer service)

    def describe(self) -> str:
        if self.own:
            return "target: " + ", ".join(self.own)
        if self.rivals:
            return "target: competitor " + ", ".join(self.rivals)
        if self.addressed:
            return "target: the addressed account"
        return "target: the collected topic (no name in the text)"


def judge(
    masked_lower: str, lang: str, sentiment: float, target: Target, label: str | None = None,
    scan: cues.Scan | None = None,
) -> tuple[bool, list[str]]:
    """Flag and reasons for one post (masked, lower-cased text); ``label`` is the sentiment label, if known
    (negativity without a cue counts only when the label is negative, too). ``scan``: the text's
    ``cues.scanner(lang).scan``, if already made."""
    if scan is None:
        scan = cues.scanner(lang).scan(masked_lower)
    complaint, sarcasm, failure = cues.scanner(lang).find_lists(scan, cues.CRITICISM_LISTS)
    found = complaint + sarcasm + failure
    reasons = list(found)
    reasons.append(f"sentiment: {sentiment:+.2f}")
    reasons.append(target.describe())
    only_rival = bool(target.rivals) and not target.own
    if only_rival:
        return False, ["not about the company: only a competitor is named", *reasons]
    if not sarcasm and not failure and cues.LEAVING.issuperset(complaint) and _how_to(masked_lower, lang):
        return False, [HOW_TO_REASON, *reasons]
    strong = sarcasm or failure or len(complaint) >= 2
    if found and (strong or sentiment < SOFT_POSITIVE):
        return True, reasons
    # Without a cue, negativity alone flags a post that names the company or addresses an account, or
    # a very negative one (every collected post was collected because it concerns the company).
    negative = label in (None, "negative")
    if negative and (((target.own or target.addressed) and sentiment <= NEGATIVE) or sentiment <= VERY_NEGATIVE):
        speaker = cues.SPEAKER.get(lang)
        if not target.own and speaker is not None and not speaker.search(masked_lower):
            return False, [NO_SPEAKER, *reasons]
        return True, ["negative sentiment", *reasons]
    return False, reasons
