"""Sentiment: a score in [-1, 1] and a label (negative | neutral | positive) per text.

Texts arrive masked (``analysis.text.Masker``). English is scored by VADER, German by our
own lexicon (``analysis.lexicon``), never by VADER, whose English words ("die", "war")
misfire on German. Other languages get the emoji/emoticon part of the lexicon only.
``analysis.model`` replaces these rules by trained models where a shipped model exists.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from analysis import lexicon

LABELS = ("negative", "neutral", "positive")
THRESHOLD = 0.25  # |score| below this is neutral


@lru_cache(maxsize=1)
def _vader():  # noqa: ANN202 - vaderSentiment has no type hints
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def rule_score(text: str, lang: str) -> float:
    """The rule-based score of one masked text."""
    if lang == "en":
        return float(_vader().polarity_scores(text)["compound"])
    return lexicon.load(lang).score(text)


def label_of(score: float, threshold: float = THRESHOLD) -> str:
    """negative / neutral / positive for a score."""
    if score <= -threshold:
        return "negative"
    if score >= threshold:
        return "positive"
    return "neutral"


def score(texts: list[str], langs: list[str]) -> tuple[np.ndarray, list[str]]:
    """Scores and labels of masked texts, by their languages."""
    scores = np.array([rule_score(t, lang) for t, lang in zip(texts, langs, strict=True)], dtype=np.float64)
    scores = np.clip(scores, -1.0, 1.0)
    return scores, [label_of(s) for s in scores]
