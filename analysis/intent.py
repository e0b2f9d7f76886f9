"""Intent of a post: question, complaint, praise, suggestion or other."""

from __future__ import annotations

from analysis import cues

INTENTS = ("question", "complaint", "praise", "suggestion", "other")
PRAISE = 0.3  # sentiment from which a post that is not a question counts as praise


def intent(
    masked_lower: str, lang: str, sentiment: float, criticism: bool, scan: cues.Scan | None = None
) -> str:
    """One intent for a post; complaints win, then suggestions, questions, praise. ``scan``: the text's
    ``cues.scanner(lang).scan``, if already made."""
    if criticism:
        return "complaint"
    scanner = cues.scanner(lang)
    if scan is None:
        scan = scanner.scan(masked_lower)
    if scanner.any(scan, cues.SUGGESTION_LIST):
        return "suggestion"
    if "?" in masked_lower or scanner.any(scan, cues.QUESTION_LIST):
        return "question"
    if sentiment >= PRAISE:
        return "praise"
    return "other"
