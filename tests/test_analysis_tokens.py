"""The sentiment features' tokenizer gives exactly the tokens of its plain form."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.features import WORD, words_of

PLAIN = re.compile(r"[#@]?\w+(?:['’]\w+)*|[!?]|[\U0001F300-\U0001FAFF\u2600-\u27BF]|[:;]-?[()DPp]")


@settings(max_examples=3000)
@given(st.text("ab#@'’:;-()DPp!?_ 1é\u00b2🙂☀\u2603\u27c0", max_size=24) | st.text(max_size=40))
def test_the_tokenizer_matches_its_plain_pattern(text: str) -> None:
    assert WORD.findall(text) == PLAIN.findall(text)


def test_tokens_of_a_post() -> None:
    assert words_of("@Hafenlicht #Störung seit 3h?! it's :-( 🙂") == [
        "@hafenlicht", "#störung", "seit", "3h", "?", "!", "it's", ":-(", "🙂",
    ]
    assert words_of("# @ ## x#y") == ["x", "#y"]
