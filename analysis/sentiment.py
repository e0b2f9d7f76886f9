"""Sentiment: a score in [-1, 1] and a label (negative | neutral | positive) per text.

Texts arrive masked (``analysis.text.Masker``). Each language with a trained model
(``analysis.model``; shipped for English and German, or a company model trained on the
team's corrections) is scored by it: the label is the most probable class after the
model's neutral calibration, the score is P(positive) - P(negative). Languages without a
model fall back to rules: VADER for English, our own lexicon for German (never VADER,
whose English words "die" and "war" misfire on German), emoji and emoticons otherwise.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from analysis import lexicon
from analysis.model import CLASSES, load_model

if TYPE_CHECKING:
    from earshot.config import Analysis

LABELS = CLASSES
THRESHOLD = 0.25  # rules only: |score| below this is neutral


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
    """negative / neutral / positive for a rule score."""
    if score <= -threshold:
        return "negative"
    if score >= threshold:
        return "positive"
    return "neutral"


def score(
    texts: list[str], langs: list[str], data_dir: Path | None = None, use_models: bool = True,
    settings: Analysis | None = None,
) -> tuple[np.ndarray, list[str]]:
    """Scores and labels of masked texts, by their languages (models where available, else rules).

    ``settings`` (the config's ``analysis``) may choose the transformer backend for some languages.
    """
    n = len(texts)
    scores = np.zeros(n, dtype=np.float64)
    labels = ["neutral"] * n
    by_lang: dict[str, list[int]] = {}
    for i, lang in enumerate(langs):
        by_lang.setdefault(lang, []).append(i)
    for lang, idx in by_lang.items():
        model = load_model(lang, data_dir, settings) if use_models else None
        if model is None:
            for i in idx:
                s = min(1.0, max(-1.0, rule_score(texts[i], lang)))
                scores[i] = s
                labels[i] = label_of(s)
            continue
        p = model.proba([texts[i] for i in idx])
        best = p.argmax(axis=1)
        for j, i in enumerate(idx):
            scores[i] = float(p[j, 2] - p[j, 0])
            labels[i] = CLASSES[best[j]]
    return np.clip(scores, -1.0, 1.0), labels
