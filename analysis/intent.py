"""Intent of a post: question, complaint, praise, suggestion or other."""

from __future__ import annotations

from analysis import cues

INTENTS = ("question", "complaint", "praise", "suggestion", "other")
PRAISE = 0.3  # sentiment from which a post that is not a question counts as praise


def intent(
    masked_lower: str, lang: str, sentiment: float, criticism: bool, present: set[str] | None = None
) -> str:
    """One intent for a post; complaints win, then suggestions, questions, praise. ``present``: the text's
    ``cues.scanner(lang).scan``, if already made."""
    if criticism:
        return "complaint"
    scan = cues.scanner(lang)
    if present is None:
        present = scan.scan(masked_lower)
    if scan.any(masked_lower, present, cues.TABLES.index(cues.SUGGESTION)):
        return "suggestion"
    if "?" in masked_lower or scan.any(masked_lower, present, cues.TABLES.index(cues.QUESTION)):
        return "question"
    if sentiment >= PRAISE:
        return "praise"
    return "other"
