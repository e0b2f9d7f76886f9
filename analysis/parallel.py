"""Spread tagging over the machine's cores: worker processes forked from a ready ``Tagger``.

Forking after the tagger (models, lexicons, patterns) is built shares it copy-on-write, so
workers start at once and memory grows little. Small batches are tagged in-process.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from concurrent.futures import ProcessPoolExecutor

from analysis.tagger import TAG_COLUMNS, Tagger

_TAGGER: Tagger | None = None  # set in the parent before forking; inherited by the workers
CHUNK = 4_000
MIN_PARALLEL = 2 * CHUNK


def _work(args: tuple[list[str], list[str | None] | None, list[bool] | None]) -> dict[str, list]:
    assert _TAGGER is not None
    texts, langs, own = args
    return _TAGGER.tag(texts, langs, own)


def default_workers() -> int:
    """The cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


class ParallelTagger:
    """``tag`` like ``Tagger.tag``, on ``workers`` processes; use as a context manager."""

    def __init__(self, tagger: Tagger, workers: int | None = None) -> None:
        self.tagger = tagger
        self.workers = workers or default_workers()
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> ParallelTagger:
        global _TAGGER
        if self.workers > 1 and "fork" in mp.get_all_start_methods():
            _TAGGER = self.tagger
            self.tagger.warm()
            self._pool = ProcessPoolExecutor(self.workers, mp_context=mp.get_context("fork"))
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None

    def tag(
        self, texts: list[str], langs: list[str | None] | None = None, own: list[bool] | None = None,
    ) -> dict[str, list]:
        if self._pool is None or len(texts) < MIN_PARALLEL:
            return self.tagger.tag(texts, langs, own)
        parts = [
            (texts[i : i + CHUNK], langs[i : i + CHUNK] if langs is not None else None,
             own[i : i + CHUNK] if own is not None else None)
            for i in range(0, len(texts), CHUNK)
        ]
        out: dict[str, list] = {c: [] for c in TAG_COLUMNS}
        for res in self._pool.map(_work, parts):
            for c in TAG_COLUMNS:
                out[c].extend(res[c])
        return out
