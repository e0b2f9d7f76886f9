"""The write lock: one process at a time writes to a data directory.

An advisory ``flock`` on ``<data>/.write.lock``; the kernel drops it when the process dies,
so a crashed run never leaves a stale lock behind.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator
from pathlib import Path

from earshot.errors import LockBusy


@contextlib.contextmanager
def write_lock(data_dir: Path, wait: float = 0.0, poll: float = 0.1) -> Iterator[None]:
    """Hold the data directory's write lock; wait up to ``wait`` seconds, else ``LockBusy``."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / ".write.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise LockBusy(
                        f"another Earshot run is writing to {data_dir}.",
                        "It will finish by itself; run again later or pass a longer --wait.",
                    ) from None
                time.sleep(poll)
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock
