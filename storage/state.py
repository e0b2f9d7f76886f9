"""Cursor state per collector: ``<data>/state/<name>.json``, written atomically.

The runner saves a cursor only after the rows it describes are durably in the lake, so a
crash repeats work and never skips it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from earshot.errors import LakeError
from storage.files import write_atomic


class StateStore:
    """Read and write small JSON cursor documents, one per collector."""

    def __init__(self, data_dir: Path) -> None:
        self.root = data_dir / "state"

    def path(self, name: str) -> Path:
        return self.root / f"{name}.json"

    def load(self, name: str) -> dict[str, Any]:
        """The saved state, or ``{}`` before the first run."""
        try:
            data = json.loads(self.path(name).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            raise LakeError(
                f"cursor file {self.path(name)} is unreadable ({exc}).",
                "Delete it to collect again from the start; duplicates are dropped.",
            ) from None
        if not isinstance(data, dict):
            raise LakeError(f"cursor file {self.path(name)} is not a JSON object.", "Delete it to start over.")
        return data

    def save(self, name: str, state: dict[str, Any]) -> None:
        """Replace the state atomically."""
        write_atomic(self.path(name), json.dumps(state, sort_keys=True, default=str).encode())
