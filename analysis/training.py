"""Training: the shipped base models (``train-base``) and the company model (``train``).

``train-base`` rebuilds ``analysis/models/sentiment_<lang>.npz`` from the training sets
named in ``BASE`` (all marked shippable in the data's README; see docs/analysis.md for the
attribution). It is deterministic: same data, same model.

``train`` learns from the team's corrected sentiment labels (``analysis.corrections``): per
language, a small model over the corrected posts' own words, stacked on the shipped model's
scores (so it keeps what the base data taught). It reports cross-validated accuracy of the
shipped model and of the company model on the corrections and saves the company model to
``<data>/models/`` only when it is better. ``python -m analysis run --retag`` then applies it.
"""

from __future__ import annotations

import argparse
import csv
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from analysis.features import build_vocab
from analysis.model import CLASSES, LinearModel, shipped_path
from analysis.text import Masker
from earshot.errors import ConfigError, InputError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DataSet:
    folder: str  # under the training data root; a train.csv with text,label
    weight: float  # sample weight of its rows
    attribution: str


BASE: dict[str, dict] = {
    "en": {
        "lexicon": "en",
        "C": 1.0,
        "neutral_bias": 1.0,
        "sets": [
            DataSet("en-semeval2017-task4a-train", 1.0,
                    "SemEval-2017 Task 4A English training data (Rosenthal, Farra, Nakov 2017), CC BY 3.0"),
        ],
    },
    "de": {
        "lexicon": "de",
        "C": 1.0,
        "neutral_bias": 2.5,
        "sets": [
            DataSet("de-potts", 1.0, "PotTS, Potsdam Twitter Sentiment corpus (Sidarenka 2016), MIT"),
            DataSet("de-mozetic2016-posneg", 0.3,
                    "Mozetič, Grčar, Smailović 2016, German positive/negative tweets, CC BY-SA 4.0 (reported)"),
        ],
    },
}
_PLAIN = Masker(None, None)


def normalise(text: str) -> str:
    """The masking applied to training texts (links and handles; no company names to hide)."""
    return _PLAIN.mask(str(text).replace("\\u002c", ","))


def read_set(root: Path, folder: str) -> tuple[list[str], list[str]]:
    path = root / folder / "train.csv"
    if not path.exists():
        raise InputError(f"{path}: training data not found.", "Pass --data-root with the folder that holds it.")
    texts: list[str] = []
    labels: list[str] = []
    with open(path, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if row.get("label") in CLASSES and row.get("text"):
                texts.append(normalise(row["text"]))
                labels.append(row["label"])
    return texts, labels


def fit_linear(
    texts: list[str], labels: list[str], weights: np.ndarray | None, lexicon_name: str, C: float = 1.0,
    min_df: int = 2, max_features: int = 200_000,
) -> LinearModel:
    """A class-balanced multinomial logistic regression over ``analysis.features``, pruned of near-zero weights."""
    from sklearn.linear_model import LogisticRegression

    vocab, idf = build_vocab(texts, min_df=min_df, max_features=max_features)
    model = LinearModel(list(vocab), idf, np.zeros((len(vocab) + 8, 3), np.float32), np.zeros(3), lexicon_name)
    X = model.featurizer.transform(texts)
    clf = LogisticRegression(C=C, max_iter=300, tol=1e-3, class_weight="balanced")
    clf.fit(X, labels, sample_weight=weights)
    order = [list(clf.classes_).index(c) for c in CLASSES]
    coef = clf.coef_[order].T.astype(np.float32)
    intercept = clf.intercept_[order].astype(np.float64)
    n = len(vocab)
    keep = np.flatnonzero(np.abs(coef[:n]).max(axis=1) >= 0.02)
    feats = [model.features[i] for i in keep]
    return LinearModel(feats, idf[keep], np.vstack([coef[keep], coef[n:]]), intercept, lexicon_name)


def train_base(root: Path, langs: list[str] | None = None, out_dir: Path | None = None) -> dict[str, Path]:
    """Rebuild the shipped models from the data sets in ``BASE``; returns the written files."""
    written: dict[str, Path] = {}
    for lang, spec in BASE.items():
        if langs and lang not in langs:
            continue
        texts: list[str] = []
        labels: list[str] = []
        weights: list[float] = []
        for ds in spec["sets"]:
            t, y = read_set(root, ds.folder)
            texts += t
            labels += y
            weights += [ds.weight] * len(t)
            log.info("%s: %d rows from %s", lang, len(t), ds.folder)
        model = fit_linear(texts, labels, np.asarray(weights), spec["lexicon"], spec["C"])
        model.bias = np.array([1.0, spec["neutral_bias"], 1.0])
        model.meta = {
            "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "rows": len(texts),
            "data": [ds.attribution for ds in spec["sets"]],
        }
        path = (out_dir / f"sentiment_{lang}.npz") if out_dir else shipped_path(lang)
        model.save(path)
        written[lang] = path
        log.info("%s: saved %s (%d features)", lang, path, len(model.features))
    return written


def main_train_base(args: argparse.Namespace) -> int:
    """``python -m analysis train-base``."""
    if not Path(args.data_root).exists():
        raise ConfigError(f"{args.data_root}: no such folder.", "Pass --data-root with the training data sets.")
    for lang, path in train_base(Path(args.data_root)).items():
        print(f"{lang}: {path} ({path.stat().st_size / 1e6:.1f} MB)")
    return 0


def main_train(ctx, args: argparse.Namespace) -> int:  # noqa: ANN001 - Context, imported lazily
    """``python -m analysis train``: see ``analysis.company``."""
    from analysis import company

    return company.main(ctx, args)
