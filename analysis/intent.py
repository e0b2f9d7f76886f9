"""Intent of a post: question, complaint, praise, suggestion or other."""

from __future__ import annotations

from analysis import cues

INTENTS = ("question", "complaint", "praise", "suggestion", "other")
PRAISE = 0.3  # sentiment from which a post that is not a question counts as praise


def intent(masked_lower: str, lang: str, sentiment: float, criticism: bool) -> str:
    """One intent for a post; complaints win, then suggestions, questions, praise."""
    if criticism:
        return "complaint"
    if any(rx.search(masked_lower) for rx in cues.for_lang(cues.SUGGESTION, lang)):
        return "suggestion"
    if "?" in masked_lower or any(rx.search(masked_lower) for rx in cues.for_lang(cues.QUESTION, lang)):
        return "question"
    if sentiment >= PRAISE:
        return "praise"
    return "other"
