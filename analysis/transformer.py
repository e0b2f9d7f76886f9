"""The optional transformer sentiment backend: a local ``transformers`` sequence-classification model.

Chosen by ``analysis.sentiment_backend: transformer`` in the config (never the default; needs
``pip install -r requirements-transformers.txt``). The model folder is read with
``AutoTokenizer`` / ``AutoModelForSequenceClassification``, from local files only unless
``analysis.transformer_allow_download`` is true. ``TransformerModel.proba`` has the shape of
``LinearModel.proba`` (texts x 3, classes negative, neutral, positive), so
``analysis.sentiment.score`` uses it in place of a linear model.

The model's ``id2label`` is mapped onto our classes: names negative / neutral / positive (also
neg / neu / pos) in any case and any order; the generic names LABEL_0, LABEL_1, LABEL_2 are read
as negative, neutral, positive (the order of the common Twitter sentiment models such as
cardiffnlp's). Anything else is a ``ConfigError``.

torch and transformers are imported only when a model is loaded: importing this module (or
``analysis.sentiment``) does not import them.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from analysis.model import CLASSES
from earshot.errors import ConfigError

INSTALL_HINT = (
    "Install the extra with `pip install -r requirements-transformers.txt`, or set analysis.sentiment_backend: linear."
)
MAX_LENGTH = 512  # tokens per text at most (longer texts are truncated)
_NAMES = {
    "negative": 0, "neg": 0,
    "neutral": 1, "neu": 1,
    "positive": 2, "pos": 2,
}
DEFAULT_ORDER = {"label_0": 0, "label_1": 1, "label_2": 2}  # LABEL_k: negative, neutral, positive


def label_order(id2label: dict[Any, str]) -> np.ndarray:
    """For each of our classes (negative, neutral, positive), the model output column that holds it."""
    labels = {int(i): str(name).strip().lower() for i, name in id2label.items()}
    names = set(labels.values())
    table = DEFAULT_ORDER if names and names <= set(DEFAULT_ORDER) else _NAMES
    classes = {i: table.get(name) for i, name in labels.items()}
    if sorted(labels) != [0, 1, 2] or sorted(c for c in classes.values() if c is not None) != [0, 1, 2]:
        shown = ", ".join(f"{i}: {id2label[k]!r}" for i, k in sorted((int(k), k) for k in id2label))
        raise ConfigError(
            f"The transformer model's labels ({{{shown}}}) cannot be mapped onto negative, neutral, positive.",
            "Use a 3-class sentiment model, or set id2label in its config.json to negative/neutral/positive "
            "(or LABEL_0/1/2 in that order).",
        )
    column = {c: i for i, c in classes.items()}
    return np.array([column[c] for c in range(len(CLASSES))])


def _import() -> tuple[Any, Any]:
    try:
        import torch
        import transformers
    except ImportError as exc:
        raise ConfigError(
            f"analysis.sentiment_backend is transformer, but {exc.name or 'torch/transformers'} is not installed.",
            INSTALL_HINT,
        ) from None
    return torch, transformers


class TransformerModel:
    """A loaded sequence-classification model; ``proba`` like ``LinearModel.proba``."""

    def __init__(self, tokenizer: Any, model: Any, order: np.ndarray, batch_size: int = 32, name: str = "") -> None:
        self.tokenizer = tokenizer
        self.model = model.eval()
        self.order = order
        self.batch_size = batch_size
        limits = [MAX_LENGTH]
        if 0 < int(getattr(tokenizer, "model_max_length", 0) or 0) < 1_000_000:
            limits.append(int(tokenizer.model_max_length))
        positions = getattr(model.config, "max_position_embeddings", None)
        if positions:
            limits.append(int(positions) - 2)  # RoBERTa-style models use two positions for padding offsets
        self.max_length = max(8, min(limits))
        labels = {int(k): v for k, v in model.config.id2label.items()}
        self.meta = {"backend": "transformer", "model": name, "labels": labels}
        self._pid = os.getpid()

    def proba(self, texts: list[str], calibrated: bool = True) -> np.ndarray:
        """Class probabilities (texts x 3: negative, neutral, positive). ``calibrated`` is accepted and ignored."""
        torch, _ = _import()
        if os.getpid() != self._pid:  # a forked tagging worker: one core each (the pool has one worker per core)
            torch.set_num_threads(1)
            self._pid = os.getpid()
        out = [np.zeros((0, len(CLASSES)))]
        with torch.no_grad():
            for i in range(0, len(texts), self.batch_size):
                enc = self.tokenizer(
                    list(texts[i : i + self.batch_size]), padding=True, truncation=True,
                    max_length=self.max_length, return_tensors="pt",
                )
                logits = self.model(**enc).logits.float()
                out.append(torch.softmax(logits, dim=-1).numpy().astype(np.float64))
        p = np.concatenate(out)
        return p[:, self.order]


def load(location: Path | str, allow_download: bool = False, batch_size: int = 32) -> TransformerModel:
    """Load the model folder ``location`` (a Hugging Face Hub id too when ``allow_download``), on CPU."""
    path = Path(location)
    if not path.is_dir() and not allow_download:
        raise ConfigError(
            f"analysis.transformer_model: {path} is not a folder.",
            "Put a transformers sequence-classification model there (config.json, weights and tokenizer "
            "files, as save_pretrained() writes them), set analysis.transformer_allow_download: true to fetch "
            "a Hub model, or set analysis.sentiment_backend: linear.",
        )
    torch, transformers = _import()
    transformers.utils.logging.disable_progress_bar()  # no "Loading weights" bars in cron logs
    source = str(path) if path.is_dir() else str(location)
    try:
        tokenizer = transformers.AutoTokenizer.from_pretrained(source, local_files_only=not allow_download)
        model = transformers.AutoModelForSequenceClassification.from_pretrained(
            source, local_files_only=not allow_download, dtype=torch.float32
        )
    except (OSError, ValueError, KeyError) as exc:
        raise ConfigError(
            f"analysis.transformer_model: {source} cannot be loaded as a sequence-classification model ({exc}).",
            "Check that the folder holds config.json, the weights and the tokenizer files.",
        ) from None
    order = label_order(model.config.id2label)
    return TransformerModel(tokenizer, model.to("cpu"), order, batch_size, source)


@lru_cache(maxsize=4)
def _load_cached(location: str, stamp: float, allow_download: bool, batch_size: int) -> TransformerModel:
    return load(location, allow_download, batch_size)


def from_settings(settings: Any) -> TransformerModel:
    """The model ``earshot.config.Analysis`` names, loaded once per process (again when its config.json changes)."""
    path = settings.transformer_path()
    stamp_file = path / "config.json"
    stamp = stamp_file.stat().st_mtime if stamp_file.exists() else 0.0
    location = str(path) if path.exists() or not settings.transformer_allow_download else settings.transformer_model
    return _load_cached(location, stamp, settings.transformer_allow_download, settings.transformer_batch_size)
