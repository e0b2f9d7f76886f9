"""The things every command needs: the validated config and the data directory's stores."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from earshot.config import Config, data_dir, load_config
from storage.lake import Lake
from storage.raw import RawStore
from storage.state import StateStore


@dataclass
class Context:
    config: Config
    data_dir: Path
    lake: Lake = field(init=False)
    raw: RawStore = field(init=False)
    state: StateStore = field(init=False)

    def __post_init__(self) -> None:
        self.data_dir = Path(self.data_dir)
        self.lake = Lake(self.data_dir)
        self.raw = RawStore(self.data_dir)
        self.state = StateStore(self.data_dir)

    @classmethod
    def load(cls, config_file: Path | str | None = None, data: Path | str | None = None) -> Context:
        """Config from ``config_file`` / ``EARSHOT_CONFIG``; data from ``data`` / ``EARSHOT_DATA_DIR``."""
        return cls(load_config(config_file), Path(data) if data else data_dir())
