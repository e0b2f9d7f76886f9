"""Trained linear sentiment models: load, predict, save (numpy ``.npz``, no pickle).

A model is a vocabulary with idf weights (``analysis.features``), a coefficient matrix
(features x classes) and intercepts, the lexicon it uses for its dense cues, and a class
prior ``bias`` that calibrates how readily it leaves "neutral" (set at training time, see
docs/analysis.md). Shipped models live in ``analysis/models/sentiment_<lang>.npz``; a
company model trained on the team's corrections lives in ``<data>/models/`` and is used
instead when ``python -m analysis train`` found it better.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from analysis import lexicon
from analysis.features import Featurizer

if TYPE_CHECKING:
    from earshot.config import Analysis

SHIPPED = Path(__file__).resolve().parent / "models"
CLASSES = ("negative", "neutral", "positive")


@dataclass
class LinearModel:
    """A multinomial linear model over ``analysis.features`` features."""

    features: list[str]
    idf: np.ndarray
    coef: np.ndarray  # (n_features + n_dense, 3), classes in CLASSES order
    intercept: np.ndarray  # (3,)
    lexicon_name: str  # "en" (VADER's word list), "de" (ours) or "" for none
    bias: np.ndarray = field(default_factory=lambda: np.ones(3))  # multiplies the class probabilities
    meta: dict = field(default_factory=dict)  # training data, date, scores: shown by docs and `train`
    _featurizer: Featurizer | None = field(default=None, init=False, repr=False)

    @property
    def featurizer(self) -> Featurizer:
        if self._featurizer is None:
            vocab = {f: i for i, f in enumerate(self.features)}
            lex = lexicon.load(self.lexicon_name) if self.lexicon_name else None
            self._featurizer = Featurizer(vocab, self.idf, lex)
        return self._featurizer

    def decision(self, texts: list[str]) -> np.ndarray:
        """Raw class scores (texts x 3)."""
        X = self.featurizer.transform(texts)
        return np.asarray(X @ self.coef, dtype=np.float64) + self.intercept

    def proba(self, texts: list[str], calibrated: bool = True) -> np.ndarray:
        """Class probabilities (texts x 3, CLASSES order), calibrated by ``bias`` unless told otherwise."""
        z = self.decision(texts)
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        if calibrated:
            p *= self.bias
        return p / p.sum(axis=1, keepdims=True)

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.npz")
        np.savez_compressed(
            tmp,
            features=np.array("\n".join(self.features)),
            idf=self.idf.astype(np.float16),
            coef=self.coef.astype(np.float16),
            intercept=self.intercept.astype(np.float64),
            bias=self.bias.astype(np.float64),
            lexicon=np.array(self.lexicon_name),
            meta=np.array(json.dumps(self.meta)),
        )
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> LinearModel:
        with np.load(path, allow_pickle=False) as z:
            features = str(z["features"]).split("\n") if str(z["features"]) else []
            return cls(
                features=features,
                idf=z["idf"].astype(np.float32),
                coef=z["coef"].astype(np.float32),
                intercept=z["intercept"],
                lexicon_name=str(z["lexicon"]),
                bias=z["bias"],
                meta=json.loads(str(z["meta"])),
            )


def shipped_path(lang: str) -> Path:
    return SHIPPED / f"sentiment_{lang}.npz"


def company_path(data_dir: Path, lang: str) -> Path:
    return Path(data_dir) / "models" / f"sentiment_{lang}.npz"


@lru_cache(maxsize=16)
def _load_cached(path: str, mtime: float) -> LinearModel:
    return LinearModel.load(Path(path))


def load_model(lang: str, data_dir: Path | None = None, settings: Analysis | None = None):  # noqa: ANN201 - see docstring
    """The company model of ``lang`` if one was trained and accepted, else the shipped one, else None.

    When ``settings`` (``earshot.config.Analysis``) choose the transformer backend for ``lang``, its
    ``analysis.transformer.TransformerModel`` instead (imported only then: torch stays unloaded otherwise).
    """
    if settings is not None and settings.uses_transformer(lang):
        from analysis.transformer import from_settings

        return from_settings(settings)
    base_path = shipped_path(lang)
    base = _load_cached(str(base_path), base_path.stat().st_mtime) if base_path.exists() else None
    own_path = company_path(data_dir, lang) if data_dir else None
    if base is not None and own_path is not None and own_path.exists():
        return _load_stacked(str(own_path), own_path.stat().st_mtime, str(base_path))
    return base


@lru_cache(maxsize=16)
def _load_stacked(path: str, mtime: float, base_path: str):  # noqa: ANN202
    from analysis.company import load_stacked

    base = _load_cached(base_path, Path(base_path).stat().st_mtime)
    return load_stacked(LinearModel.load(Path(path)), base)
