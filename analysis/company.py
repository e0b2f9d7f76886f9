"""The company model: learn from the team's corrected sentiment labels (``python -m analysis train``).

Per language with enough corrections, a small logistic regression over the corrected posts'
own words and cues, stacked on the shipped model's class scores (three extra inputs), so it
keeps what the base data taught and adds the company's vocabulary and its idea of
"neutral". Cross-validated accuracy on the corrections decides: the model is saved to
``<data>/models/sentiment_<lang>.npz`` (and used from then on) only if it beats the shipped
model on the same folds.
"""

from __future__ import annotations

import argparse
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from analysis import corrections
from analysis.features import DENSE, build_vocab
from analysis.model import CLASSES, LinearModel, company_path, shipped_path

log = logging.getLogger(__name__)

MIN_CORRECTIONS = 30  # fewer corrected posts in a language: nothing to learn from
C = 4.0  # weak regularisation: the corrections are few but in-domain
BASE_SCALE = 0.3  # the base scores enter scaled down, so the own words can move the decision


@dataclass
class StackedModel:
    """A company model: ``own`` features plus the base model's class scores (``base_coef``)."""

    own: LinearModel
    base: LinearModel
    base_coef: np.ndarray  # (3, 3): base decision -> class scores

    bias: np.ndarray | None = None

    def decision(self, texts: list[str]) -> np.ndarray:
        return self.own.decision(texts) + self.base.decision(texts) @ self.base_coef

    def proba(self, texts: list[str], calibrated: bool = True) -> np.ndarray:
        z = self.decision(texts)
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        return p / p.sum(axis=1, keepdims=True)

    def save(self, path: Path) -> None:
        # Stored as a LinearModel whose meta names the base and holds the stacking weights.
        self.own.meta = {**self.own.meta, "stacked_on": self.base.meta.get("trained_at", "shipped"),
                         "base_coef": self.base_coef.tolist()}
        self.own.save(path)


def load_stacked(own: LinearModel, base: LinearModel) -> StackedModel:
    return StackedModel(own, base, np.asarray(own.meta["base_coef"], dtype=np.float64))


def fit_stacked(texts: list[str], labels: list[str], base: LinearModel, lexicon_name: str) -> StackedModel:
    """Fit a company model on masked ``texts`` with their corrected ``labels``."""
    from sklearn.linear_model import LogisticRegression

    vocab, idf = build_vocab(texts, min_df=2, max_features=50_000)
    own = LinearModel(list(vocab), idf, np.zeros((len(vocab) + len(DENSE), 3), np.float32), np.zeros(3),
                      lexicon_name)
    X = own.featurizer.transform(texts)
    B = base.decision(texts) * BASE_SCALE
    clf = LogisticRegression(C=C, max_iter=500)
    clf.fit(sp.hstack([X, sp.csr_matrix(B)], format="csr"), labels)
    coef = np.zeros((X.shape[1] + 3, 3), np.float64)
    intercept = np.zeros(3)
    if len(clf.classes_) == 2:  # binary: sklearn keeps one weight vector, for its second class
        k = CLASSES.index(clf.classes_[1])
        coef[:, k] = clf.coef_[0]
        intercept[k] = clf.intercept_[0]
    else:
        for j, c in enumerate(clf.classes_):
            coef[:, CLASSES.index(c)] = clf.coef_[j]
            intercept[CLASSES.index(c)] = clf.intercept_[j]
    for k, c in enumerate(CLASSES):
        if c not in clf.classes_:
            intercept[k] = -20.0  # a class nobody used in the corrections is never predicted
    own.coef = coef[: X.shape[1]].astype(np.float32)
    own.intercept = intercept
    own.bias = np.ones(3)
    own._featurizer = None
    own.meta = {"rows": len(texts), "kind": "company"}
    return StackedModel(own, base, coef[X.shape[1] :] * BASE_SCALE)


def cross_validate(texts: list[str], labels: list[str], base: LinearModel, lexicon_name: str,
                   folds: int = 5, seed: int = 0) -> tuple[float, float]:
    """Accuracy of the base model and of the company model over the same ``folds`` folds."""
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(texts))
    y = np.asarray(labels)
    base_pred = np.asarray(CLASSES)[base.proba(texts).argmax(axis=1)]
    company_pred = np.empty(len(texts), dtype=object)
    for f in range(folds):
        test = order[f::folds]
        train = np.setdiff1d(order, test)
        m = fit_stacked([texts[i] for i in train], [labels[i] for i in train], base, lexicon_name)
        company_pred[test] = np.asarray(CLASSES)[m.proba([texts[i] for i in test]).argmax(axis=1)]
    return float((base_pred == y).mean()), float((company_pred == y).mean())


def corrected_texts(ctx) -> dict[str, tuple[list[str], list[str]]]:  # noqa: ANN001 - Context
    """Masked texts and corrected labels per language, from the corrections and the lake's mentions."""
    import duckdb

    from analysis.language import detect
    from analysis.litotes import settle
    from analysis.pipeline import text_of
    from analysis.text import Masker
    from storage.reads import retry_read
    from storage.schema import MENTIONS

    wanted = {(c.source, c.id): str(c.value) for c in corrections.load(ctx.data_dir) if c.field == "sentiment_label"}
    wanted = {k: v for k, v in wanted.items() if v in CLASSES}
    if not wanted:
        return {}
    con = duckdb.connect()
    con.execute("CREATE TEMP TABLE w (source VARCHAR, id VARCHAR)")
    con.executemany("INSERT INTO w VALUES (?, ?)", list(wanted))

    def corrected() -> list[tuple]:
        files = [str(p) for p in ctx.lake.files(MENTIONS)]
        if not files:
            return []
        return con.execute(
            "SELECT m.source, m.id, m.title, m.text FROM read_parquet(?, union_by_name = true) m "
            "JOIN w ON m.source = w.source AND m.id = w.id", [files]
        ).fetchall()

    rows = retry_read(corrected, "corrected mentions")
    if not rows:
        return {}
    masker = Masker.from_config(ctx.config)
    texts = [masker.mask(text_of(r[2], r[3])) for r in rows]
    langs = detect(texts, ctx.config.languages)
    texts = [settle(t, lang) for t, lang in zip(texts, langs, strict=True)]  # as the tagger scores them
    out: dict[str, tuple[list[str], list[str]]] = {}
    for r, t, lang in zip(rows, texts, langs, strict=True):
        bucket = out.setdefault(lang, ([], []))
        bucket[0].append(t)
        bucket[1].append(wanted[(r[0], r[1])])
    return out


def train(ctx, folds: int = 5) -> list[str]:  # noqa: ANN001 - Context
    """Train, compare and (when better) save company models; returns report lines."""
    report: list[str] = []
    per_lang = corrected_texts(ctx)
    if not per_lang:
        return ["no corrected sentiment labels yet: correct some in the dashboard first"]
    for lang, (texts, labels) in sorted(per_lang.items()):
        if not shipped_path(lang).exists():
            report.append(f"{lang}: {len(texts)} corrections, but no base model for this language; skipped")
            continue
        if len(texts) < MIN_CORRECTIONS:
            report.append(f"{lang}: {len(texts)} corrections; need at least {MIN_CORRECTIONS}")
            continue
        base = LinearModel.load(shipped_path(lang))
        base_acc, company_acc = cross_validate(texts, labels, base, base.lexicon_name, folds)
        path = company_path(ctx.data_dir, lang)
        if company_acc > base_acc:
            fit_stacked(texts, labels, base, base.lexicon_name).save(path)
            verdict = f"better: saved {path}; the next `python -m analysis` run tags every mention with it"
        else:
            path.unlink(missing_ok=True)
            verdict = "not better: the shipped model stays in use"
        report.append(f"{lang}: {len(texts)} corrections, {folds}-fold accuracy shipped {base_acc:.3f} "
                      f"vs company {company_acc:.3f} -> {verdict}")
    return report


def main(ctx, args: argparse.Namespace) -> int:  # noqa: ANN001 - Context
    for line in train(ctx, args.folds):
        print(line)
    return 0
