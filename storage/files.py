"""Atomic file writes: write to a hidden temp name in the same folder, fsync, rename."""

from __future__ import annotations

import contextlib
import errno
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

from earshot.errors import LakeError

# Errors that mean "no room": the disk or the user's quota is full.
_FULL = {errno.ENOSPC, errno.EDQUOT}


def fsync_dir(path: Path) -> None:
    """Make a rename in ``path`` durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_path(final: Path) -> Iterator[Path]:
    """Yield a temp path beside ``final``; on success it is fsynced and renamed into place.

    On any exception the temp file is removed and ``final`` is untouched, so readers never
    see a half-written file. An ``OSError`` while writing (a full disk, a read-only mount)
    becomes a ``LakeError`` that says where and what to do.
    """
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _lake_error(final, exc) from exc
    tmp = final.parent / f".tmp-{uuid.uuid4().hex}-{final.name}"
    try:
        yield tmp
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, final)
        fsync_dir(final.parent)
    except OSError as exc:
        raise _lake_error(final, exc) from exc
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def _lake_error(final: Path, exc: OSError) -> LakeError:
    if exc.errno in _FULL:
        return LakeError(
            f"the disk is full: cannot write {final} (nothing of this file was committed).",
            "Free space on that disk (or run `python -m collectors purge`), then run again; "
            "the run resumes from its last committed cursor.",
        )
    return LakeError(f"cannot write {final}: {exc.strerror or exc}.", "Check that the data directory is writable.")


def write_atomic(final: Path, data: bytes) -> None:
    """Write ``data`` to ``final`` atomically."""
    with atomic_path(final) as tmp:
        tmp.write_bytes(data)
