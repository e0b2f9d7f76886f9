"""Reading the lake with DuckDB while writers run.

Readers take no lock. A reader that lists a table's files and then hands the list to DuckDB
can lose the race with a writer in between: a compaction deletes the small files it merged, a
rewrite or re-tag swap replaces a file. DuckDB then fails with an I/O error ("No files found")
or a changed-file error. ``retry_read`` runs such a read again on a fresh listing; the read
function must list the files itself, inside the call.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

import duckdb

from earshot.errors import LakeError

log = logging.getLogger(__name__)

T = TypeVar("T")

# What DuckDB raises when a listed parquet file is gone or was replaced while it read it.
LAKE_CHANGED: tuple[type[Exception], ...] = (duckdb.IOException, duckdb.InvalidInputException)


def retry_read(read: Callable[[], T], what: str, attempts: int = 4, pause: float = 0.25) -> T:
    """``read()``, run again (up to ``attempts`` times) when a writer changed the lake under it.

    ``read`` must list the lake's files itself, so that each attempt sees the files as they are
    then. After the last attempt a ``LakeError`` says what failed and what to do.
    """
    for attempt in range(1, attempts + 1):
        try:
            return read()
        except LAKE_CHANGED as exc:
            first = str(exc).splitlines()[0]
            if attempt == attempts:
                raise LakeError(
                    f"reading {what} failed {attempts} times while other runs changed the lake ({first}).",
                    "Run the command again; if it keeps failing, check the data directory for files "
                    "other programs change.",
                ) from exc
            log.info("the lake changed while reading %s (%s); reading again", what, first)
            time.sleep(pause * attempt)
    raise AssertionError("unreachable")
