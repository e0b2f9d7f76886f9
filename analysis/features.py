"""Sparse text features for the linear sentiment models: fast, stable, the same in training and tagging.

Features of a (masked) text: lower-cased word unigrams and bigrams, character 3- to
5-grams inside each word (with ``<``/``>`` marking its edges, so "unfreundlich" shares
"freundl" with "freundlich" but not its sign-bearing prefix), and a few dense cues (lexicon
score, its positive and negative mass, "!", "?", emoji, length). Words map to columns through a
vocabulary fixed at training time (no hashing, so no collisions and no seed), and the
word -> columns lookups are cached, which makes repeated words nearly free.
"""

from __future__ import annotations

import math
import re

import numpy as np
import scipy.sparse as sp

from analysis.lexicon import Lexicon

WORD = re.compile(r"[#@]?\w+(?:['’]\w+)*|[!?]|[\U0001F300-\U0001FAFF\u2600-\u27BF]|[:;]-?[()DPp]")
CHAR_N = (3, 4, 5)
DENSE = ("lex", "lex_pos", "lex_neg", "exclaim", "question", "length", "neg_emoji", "pos_emoji")


def words_of(text: str) -> list[str]:
    """Lower-cased tokens of a text (words, !, ?, emoji, emoticons)."""
    return WORD.findall(text.lower())


def char_grams(word: str) -> list[str]:
    """Character n-grams of one word, with its edges marked (``<wo``, ``ord>``)."""
    if len(word) < 2 or not word[0].isalnum():
        return []
    w = f"<{word}>"
    return [w[i : i + n] for n in CHAR_N for i in range(len(w) - n + 1)]


def raw_features(text: str) -> list[str]:
    """Every sparse feature name of a text (used at training time to build the vocabulary)."""
    toks = words_of(text)
    out = [f"w:{t}" for t in toks]
    out.extend(f"b:{a} {b}" for a, b in zip(toks, toks[1:], strict=False))
    for t in toks:
        out.extend(f"c:{g}" for g in char_grams(t))
    return out


class Featurizer:
    """Maps texts to a CSR matrix of tf-idf-like weights (l2-normalised) plus dense cues."""

    def __init__(self, vocab: dict[str, int], idf: np.ndarray, lexicon: Lexicon | None = None) -> None:
        self.vocab = vocab
        self.idf = idf.astype(np.float32)
        self.lexicon = lexicon
        self.n_sparse = len(vocab)
        self.n_features = self.n_sparse + len(DENSE)
        self._word_cache: dict[str, tuple[int, ...]] = {}

    def _word_ids(self, tok: str) -> tuple[int, ...]:
        ids = self._word_cache.get(tok)
        if ids is None:
            vocab = self.vocab
            found = [vocab.get("w:" + tok)] + [vocab.get("c:" + g) for g in char_grams(tok)]
            ids = tuple(i for i in found if i is not None)
            if len(self._word_cache) < 500_000:
                self._word_cache[tok] = ids
        return ids

    def dense(self, text: str, toks: list[str]) -> list[float]:
        """The dense cues of one text, each roughly in [-1, 1]."""
        lex = pos = neg = 0.0
        pe = ne = 0
        if self.lexicon is not None:
            lex, pos, neg, pe, ne = self.lexicon.summary(toks)
        return [
            lex, math.tanh(pos / 4), math.tanh(neg / 4), float("!" in toks), float("?" in toks),
            math.tanh(len(text) / 280), math.tanh(ne), math.tanh(pe),
        ]

    def transform(self, texts: list[str]) -> sp.csr_matrix:
        """Feature matrix (rows: texts; columns: vocabulary, then ``DENSE``)."""
        indptr = [0]
        indices: list[int] = []
        dense_rows: list[list[float]] = []
        vocab = self.vocab
        for text in texts:
            toks = words_of(text)
            row: set[int] = set()
            for t in toks:
                row.update(self._word_ids(t))
            for a, b in zip(toks, toks[1:], strict=False):
                i = vocab.get(f"b:{a} {b}")
                if i is not None:
                    row.add(i)
            indices.extend(row)
            indptr.append(len(indices))
            dense_rows.append(self.dense(text, toks))
        idx = np.asarray(indices, dtype=np.int32)
        data = self.idf[idx] if len(idx) else np.zeros(0, np.float32)
        ptr = np.asarray(indptr, dtype=np.int64)
        counts = np.diff(ptr)
        rows = np.repeat(np.arange(len(texts)), counts)
        sq = np.bincount(rows, weights=data * data, minlength=len(texts))
        norms = np.sqrt(np.maximum(sq, 1e-12))
        data = (data / np.repeat(norms, counts)).astype(np.float32)
        X = sp.csr_matrix((data, idx, ptr), shape=(len(texts), self.n_sparse))
        D = sp.csr_matrix(np.asarray(dense_rows, dtype=np.float32).reshape(len(texts), len(DENSE)))
        return sp.hstack([X, D], format="csr")


def build_vocab(texts: list[str], min_df: int = 2, max_features: int = 400_000) -> tuple[dict[str, int], np.ndarray]:
    """Vocabulary (features in at least ``min_df`` texts, most frequent first) and smoothed idf."""
    df: dict[str, int] = {}
    for text in texts:
        for f in set(raw_features(text)):
            df[f] = df.get(f, 0) + 1
    kept = sorted((f for f, c in df.items() if c >= min_df), key=lambda f: (-df[f], f))[:max_features]
    n = len(texts)
    vocab = {f: i for i, f in enumerate(kept)}
    idf = np.array([math.log((1 + n) / (1 + df[f])) + 1.0 for f in kept], dtype=np.float32)
    return vocab, idf
