"""Shared fixtures: a throwaway data directory and the example (demo) config."""

from __future__ import annotations

from pathlib import Path

import pytest

from earshot.config import EXAMPLE_CONFIG, load_config
from earshot.context import Context


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty data directory, also exported as EARSHOT_DATA_DIR."""
    d = tmp_path / "data"
    d.mkdir()
    monkeypatch.setenv("EARSHOT_DATA_DIR", str(d))
    monkeypatch.setenv("EARSHOT_CONFIG", str(EXAMPLE_CONFIG))
    return d


@pytest.fixture
def ctx(data_dir: Path) -> Context:
    """A Context on the example config and an empty data directory."""
    return Context(load_config(EXAMPLE_CONFIG), data_dir)
