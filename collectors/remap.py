"""Re-map stored raw payloads into the lake: ``python -m collectors remap SOURCE``.

After a mapping fix, or after a corrupt lake file was quarantined, the rows can be rebuilt
from ``<data>/raw/<collector>/`` without asking the platform again. The raw payloads go
through the same ``Pipeline`` as a live run (matching, own accounts, privacy, dedup), so
rows already in the lake are counted as duplicates and never doubled. The cursor is not
touched and no new raw files are written; one ledger row records the remap.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime
from typing import Any, ClassVar

from collectors import registry
from collectors.base import Batch, Collector
from collectors.runner import RunReport, run_collector
from earshot.context import Context
from earshot.errors import ConfigError
from storage.raw import RawStore

log = logging.getLogger(__name__)


class RawReplay:
    """A collector whose pages are the raw files another collector stored."""

    credentials: ClassVar[tuple[str, ...]] = ()

    def __init__(self, inner: Collector, files: list) -> None:
        self.inner = inner
        self.files = files
        self.name = inner.name  # same name: same ledger series, same dedup keys
        self.title = f"{inner.title} (re-mapped from raw payloads)"
        self.keep_unmatched = inner.keep_unmatched

    def plan(self, state: dict[str, Any], since: datetime | None) -> list[str]:
        return [f"re-map {len(self.files)} raw files"]

    def fetch(self, state: dict[str, Any], since: datetime | None) -> Iterator[Batch]:
        for path in self.files:
            try:
                items = list(RawStore.read(path))
            except (OSError, ValueError) as exc:  # a damaged raw file is reported, the others still map
                yield Batch([], query="remap", errors=[f"{path.name}: unreadable raw file ({exc})"])
                continue
            yield Batch(items, query="remap")  # state None: the cursor stays where it is

    def to_mention(self, raw: Any) -> dict[str, Any] | None:
        return self.inner.to_mention(raw)


def remap(ctx: Context, source: str) -> RunReport:
    """Re-map every raw payload of ``source``; the caller holds the write lock."""
    files = ctx.raw.files(source)
    if not files:
        raise ConfigError(
            f"no raw payloads stored for {source!r} under {ctx.raw.root}.",
            "Nothing to re-map: raw payloads are kept only when privacy.keep_raw is clear or pseudonymised.",
        )
    cls = registry.get(source)
    # The file import needs a path to be built; re-mapping reads the stored records instead.
    settings = ctx.config.source(source).model_copy(update={"path": "(raw payloads)"})
    inner = cls(ctx.config, settings)
    privacy = ctx.config.privacy.model_copy(update={"keep_raw": "none"})  # never write the raw files again
    replay_ctx = Context(ctx.config.model_copy(update={"privacy": privacy}), ctx.data_dir)
    replay_ctx.lake = ctx.lake
    return run_collector(replay_ctx, RawReplay(inner, files))
