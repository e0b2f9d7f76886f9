"""What every command does with Earshot's own errors: one masked line on stderr, the right exit code."""

from __future__ import annotations

import sys
from collections.abc import Callable

from earshot.errors import EarshotError, LockBusy
from earshot.log import mask

EXIT_BUSY = 75  # another run holds the write lock: try again later (EX_TEMPFAIL)


def run(command: Callable[[], int]) -> int:
    """Run a command body; ``LockBusy`` exits 75, any other ``EarshotError`` its ``exit_code``."""
    try:
        return command()
    except LockBusy as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BUSY
    except EarshotError as exc:
        print(f"error: {mask(str(exc))}", file=sys.stderr)
        return exc.exit_code
