"""Rebuilding the shipped models: evaluation texts never train, Naive-Bayes weighting, one language at a time."""

from __future__ import annotations

import csv
import logging
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from analysis import __main__ as cli
from analysis import training
from analysis.model import LinearModel

# Fictional training posts: three classes, each with its own words and words all classes share.
NEG = ["the app is broken again {n} awful", "awful support, still broken {n}", "refund me, this is awful {n}"]
NEU = ["the store opens at nine {n} today", "new tariff list for {n} today", "meeting notes {n} today at nine"]
POS = ["great service {n} thanks a lot", "love the new app {n} great", "thanks, great help {n} today"]


def _write_set(root: Path, folder: str, rows: list[tuple[str, str]]) -> None:
    (root / folder).mkdir(parents=True)
    with open(root / folder / "train.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["text", "label"])
        w.writerows(rows)


def _rows(n: int) -> list[tuple[str, str]]:
    out = []
    for i in range(n):
        for label, forms in (("negative", NEG), ("neutral", NEU), ("positive", POS)):
            out.append((forms[i % 3].format(n=i), label))
    return out


def test_overlap_key_finds_a_reencoded_copy() -> None:
    a = training.overlap_key("@Carrier my bag NEVER arrived!!! http://x.y/z")
    assert a == training.overlap_key("@someone  my bag never arrived \u2026 https://t.co/abc")
    assert a != training.overlap_key("my bag arrived")


def test_evaluation_texts_never_train(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    rows = _rows(20)
    _write_set(tmp_path / "train", "en-semeval2017-task4a-train", rows)
    dev = tmp_path / "dev"
    dev.mkdir()
    with open(dev / "en-some-val.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["text", "label"])
        w.writerow([rows[0][0].upper() + "!", rows[0][1]])  # the same post, re-encoded
        w.writerow(["a text that is in no training set", "neutral"])
    held_out = training.evaluation_keys(dev)
    assert len(held_out) == 2
    with caplog.at_level(logging.WARNING, logger="analysis.training"):
        written = training.train_base(tmp_path / "train", ["en"], tmp_path / "out", held_out=held_out)
    assert "1 rows of en-semeval2017-task4a-train are also in the evaluation sets" in caplog.text
    assert LinearModel.load(written["en"]).meta["rows"] == len(rows) - 1
    assert set(written) == {"en"}  # only the language asked for


def test_nb_weights_favour_features_that_tell_classes_apart() -> None:
    # Columns: 0 only in negative rows, 1 in every row, 2 in positive rows and one neutral row.
    X = sp.csr_matrix(np.array([[1, 1, 0], [1, 1, 0], [0, 1, 0], [0, 1, 1], [0, 1, 1], [0, 1, 1]], dtype=float))
    labels = ["negative", "negative", "neutral", "neutral", "positive", "positive"]
    r = training.nb_weights(X, labels, None, 3)
    assert r.shape == (3,) and r.mean() == pytest.approx(1.0)
    assert r[0] > r[2] > r[1]
    heavier = training.nb_weights(X, labels, np.array([1, 1, 1, 5, 1, 1.0]), 3)
    assert heavier[2] < r[2]  # the neutral row with column 2 counts more: column 2 tells less


def test_nb_fit_folds_the_weights_into_the_model() -> None:
    rows = _rows(30)
    texts, labels = [t for t, _ in rows], [y for _, y in rows]
    plain = training.fit_linear(texts, labels, None, "en")
    nb = training.fit_linear(texts, labels, None, "en", nb=True)
    for model in (plain, nb):
        assert model.coef.shape == (len(model.features) + 8, 3)
        labels_of = [("negative", "neutral", "positive")[i] for i in model.proba(texts).argmax(axis=1)]
        assert np.mean([a == b for a, b in zip(labels_of, labels, strict=True)]) > 0.9
    assert not np.allclose(plain.proba(texts), nb.proba(texts))  # the weighting changes the fit


def test_train_base_command_takes_one_language(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict = {}

    def fake(root: Path, langs: list[str] | None = None, out_dir: Path | None = None,
             held_out: set[str] | None = None) -> dict[str, Path]:
        seen.update(root=root, langs=langs, held_out=held_out)
        return {}

    (tmp_path / "train").mkdir()
    (tmp_path / "dev").mkdir()
    (tmp_path / "dev" / "x.csv").write_text("text,label\nhello world,neutral\n", encoding="utf-8")
    monkeypatch.setattr(training, "train_base", fake)
    assert cli.main(["train-base", "--data-root", str(tmp_path / "train"), "--lang", "en"]) == 0
    assert seen["langs"] == ["en"] and seen["held_out"] == {"hello world"}
