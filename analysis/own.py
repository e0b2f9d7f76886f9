"""Posts by the company's own accounts are not criticism of the company.

An own reply often repeats the customer's trouble ("sorry your bill was wrong again, that is not
ok") and reads as very negative criticism to the taggers. Where a mention's ``is_own`` is known
(the analysis pass), ``clear`` overrides what ``Tagger.tag`` said for those rows: criticism
False, no criticism reasons, and the intent the post has without the flag (a complaint becomes a
question, suggestion, praise or other, by the rules of ``analysis.intent``). Language,
sentiment and topics stay as computed. Team corrections are applied after this and still win.
"""

from __future__ import annotations

from collections.abc import Sequence

from analysis import intent as intent_mod
from analysis import litotes
from analysis.tagger import Tagger
from analysis.text import clean


def clear(tagger: Tagger, texts: Sequence[str], tags: dict[str, list], own: Sequence[bool | None]) -> dict[str, list]:
    """``tags`` (the columns ``tagger.tag(texts)`` returned) with the rows where ``own`` is true changed as
    described above, in place; returned for convenience."""
    for i, mine in enumerate(own):
        if not mine:
            continue
        tags["criticism"][i] = False
        tags["criticism_reasons"][i] = []
        if tags["intent"][i] == "complaint":  # only criticism is a complaint: the intent without it
            lang = tags["lang"][i]
            masked = litotes.settle(tagger.masker.mask(clean(texts[i])), lang)  # the text as the taggers read it
            tags["intent"][i] = intent_mod.intent(masked, lang, float(tags["sentiment"][i]), False)
    return tags
