"""Sparse text features for the linear sentiment models: fast, stable, the same in training and tagging.

Features of a (masked) text: lower-cased word unigrams and bigrams, character 3- to
5-grams inside each word (with ``<``/``>`` marking its edges, so "unfreundlich" shares
"freundl" with "freundlich" but not its sign-bearing prefix), and a few dense cues (lexicon
score, its positive and negative mass, "!", "?", emoji, length). Words map to columns through a
vocabulary fixed at training time (no hashing, so no collisions and no seed), and the
word -> columns lookups are cached, which makes repeated words nearly free.
"""

from __future__ import annotations

import itertools
import math
import re
import struct
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import numpy as np
import scipy.sparse as sp

from analysis.lexicon import Lexicon

# Words (with a leading # or @ and inner apostrophes), ! and ?, emoji, emoticons. The # / @ word is its own
# branch and the one-character tokens share one class: the same tokens as ``[#@]?\w+...|[!?]|[emoji]|...``
# with about 12% fewer steps of the regex engine (tested against that pattern).
WORD = re.compile(r"\w+(?:['’]\w+)*|[#@]\w+(?:['’]\w+)*|[!?\U0001F300-\U0001FAFF\u2600-\u27BF]|[:;]-?[()DPp]")
CHAR_N = (3, 4, 5)
DENSE = ("lex", "lex_pos", "lex_neg", "exclaim", "question", "length", "neg_emoji", "pos_emoji")


def words_of(text: str) -> list[str]:
    """Lower-cased tokens of a text (words, !, ?, emoji, emoticons)."""
    return WORD.findall(text.lower())


_SHARED: ContextVar[dict[str, list[str]] | None] = ContextVar("analysis.features.shared", default=None)


@contextmanager
def shared_tokens() -> Iterator[None]:
    """Within this block, ``tokens_of`` remembers each text's ``words_of`` tokens, so that the taggers that
    read the same (masked) texts of a batch tokenise each once. The lists must not be changed."""
    reset = _SHARED.set({})
    try:
        yield
    finally:
        _SHARED.reset(reset)


def tokens_of(text: str) -> list[str]:
    """``words_of(text)``, remembered inside ``shared_tokens``."""
    cache = _SHARED.get()
    if cache is None:
        return WORD.findall(text.lower())
    toks = cache.get(text)
    if toks is None:
        toks = cache[text] = WORD.findall(text.lower())
    return toks


def sharing_tokens() -> bool:
    """Whether ``tokens_of`` remembers tokens here (inside ``shared_tokens``)."""
    return _SHARED.get() is not None


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
        self._word_bytes = _WordBytes(vocab)
        self._bigrams: dict[str, dict[str, int]] | None = None

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
        """Feature matrix (rows: texts; columns: vocabulary, then ``DENSE``), each row's sparse columns in
        ascending order, then its non-zero dense cues.

        A token's columns (its word and character n-grams) are cached as packed C ints, so a text's columns
        are one join of bytes; the bigram columns are looked up token by token (``_bigram_table``). The
        columns of the whole batch are then made unique per row by one sort."""
        n = len(texts)
        cache = _SHARED.get()
        if cache is None:
            findall = WORD.findall
            toks_all = [findall(text.lower()) for text in texts]
        else:
            toks_all = list(map(tokens_of, texts))
        dense = self.dense
        dense_rows = [dense(text, toks) for text, toks in zip(texts, toks_all, strict=True)]
        word_cols = self._word_bytes.__getitem__
        follows = self._bigram_table().get  # token -> {next token: bigram column}
        words = [b"".join(map(word_cols, dict.fromkeys(toks))) for toks in toks_all]  # each token once
        pairs = [
            [nxt[b] for nxt, b in zip(map(follows, toks), toks[1:], strict=False) if nxt and b in nxt]
            for toks in toks_all
        ]
        cols = np.concatenate([np.frombuffer(b"".join(words), dtype=np.int32), np.fromiter(_flat(pairs), np.int32)])
        line = np.arange(n, dtype=np.int64)
        rows = np.concatenate([  # the row of each entry: the word columns of all rows, then the bigram ones
            np.repeat(line, np.fromiter(map(len, words), dtype=np.int64, count=n) // 4),
            np.repeat(line, np.fromiter(map(len, pairs), dtype=np.int64, count=n)),
        ])
        key = rows * self.n_sparse + cols
        key.sort()
        if len(key):
            key = key[np.concatenate(([True], key[1:] != key[:-1]))]  # each column once per row
        row_of = key // self.n_sparse
        idx = (key - row_of * self.n_sparse).astype(np.int32)
        counts = np.bincount(row_of, minlength=n).astype(np.int64)
        data = self.idf[idx]
        sq = np.bincount(row_of, weights=data * data, minlength=n)
        norms = np.sqrt(np.maximum(sq, 1e-12))
        data = (data / norms[row_of]).astype(np.float32)
        return self._with_dense(idx, data, counts, np.asarray(dense_rows, dtype=np.float32).reshape(n, len(DENSE)))

    def _bigram_table(self) -> dict[str, dict[str, int]]:
        """The vocabulary's bigram columns as first token -> {second token: column} (built on first use)."""
        if self._bigrams is None:
            table: dict[str, dict[str, int]] = {}
            for name, col in self.vocab.items():
                if name.startswith("b:"):
                    a, _, b = name[2:].partition(" ")
                    if " " not in b:  # tokens hold no spaces: a name with more could never be looked up
                        table.setdefault(a, {})[b] = col
            self._bigrams = table
        return self._bigrams

    def _with_dense(self, idx: np.ndarray, data: np.ndarray, counts: np.ndarray, dense: np.ndarray) -> sp.csr_matrix:
        """The CSR matrix of the sparse part (``idx``/``data``, ``counts`` per row) followed, in each row, by
        the non-zero dense cues (as ``sp.hstack`` of the two parts lays it out)."""
        n = len(counts)
        nz = dense != 0
        d_counts = nz.sum(axis=1)
        d_rows, d_cols = np.nonzero(nz)
        out_ptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(counts + d_counts, out=out_ptr[1:])
        total = int(out_ptr[-1])
        indices = np.empty(total, dtype=np.int32)
        values = np.empty(total, dtype=np.float32)
        in_ptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(counts, out=in_ptr[1:])
        shift = np.repeat(out_ptr[:-1] - in_ptr[:-1], counts)  # where each sparse entry moves to
        at = np.arange(len(idx)) + shift
        indices[at] = idx
        values[at] = data
        d_ptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(d_counts, out=d_ptr[1:])
        at = np.arange(len(d_rows)) - d_ptr[d_rows] + out_ptr[d_rows] + counts[d_rows]
        indices[at] = d_cols + self.n_sparse
        values[at] = dense[d_rows, d_cols]
        indptr = out_ptr.astype(np.int32) if total < 2**31 else out_ptr
        return sp.csr_matrix((values, indices, indptr), shape=(n, self.n_features))


def _columns(vocab: dict[str, int], tok: str) -> tuple[int, ...]:
    """A token's columns: its word, then its character n-grams, those in the vocabulary."""
    found = [vocab.get("w:" + tok)] + [vocab.get("c:" + g) for g in char_grams(tok)]
    return tuple(i for i in found if i is not None)


class _WordBytes(dict):
    """token -> its columns (``_columns``) packed as C ints, computed on first use."""

    def __init__(self, vocab: dict[str, int]) -> None:
        super().__init__()
        self.vocab = vocab

    def __missing__(self, tok: str) -> bytes:
        cols = _columns(self.vocab, tok)
        packed = struct.pack(f"{len(cols)}i", *cols)
        if len(self) < 500_000:
            self[tok] = packed
        return packed


_flat = itertools.chain.from_iterable


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
