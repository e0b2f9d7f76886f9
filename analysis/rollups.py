"""Pre-aggregated rollups for the dashboard, refreshed by the analysis pass.

``refresh(ctx)`` writes ``<data>/rollups/daily.parquet``: mentions counted per UTC day and every
filter dimension (source, entity, entities, language, sentiment, criticism, topics, intent,
own post), with ``daily.json`` naming the lake files (and analyzer version) it was computed from.
The dashboard loads it at start-up instead of scanning the whole lake, but only while those
files are unchanged; otherwise it computes the same rollup itself. Losing the file loses nothing.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass

from earshot.context import Context
from storage.files import atomic_path, write_atomic
from storage.queries import ROLLUP_FILE, ROLLUP_META, ROLLUP_SQL, Store
from storage.reads import retry_read

log = logging.getLogger(__name__)


@dataclass
class RollupResult:
    rows: int
    mentions: int
    seconds: float


def refresh(ctx: Context) -> RollupResult:
    """Recompute and atomically replace the daily rollup of ``ctx``'s lake (read again if a writer
    changes the lake meanwhile)."""
    started = time.monotonic()
    target = ctx.data_dir / "rollups" / ROLLUP_FILE

    def write() -> dict:
        store = Store(ctx.data_dir, facts=False)  # the rollup is one scan of the views; no fact table needed
        fingerprint = store.data_fingerprint()
        with atomic_path(target) as tmp:
            path = str(tmp).replace("'", "''")
            store.con.execute(f"COPY ({ROLLUP_SQL} ORDER BY day) TO '{path}' (FORMAT parquet, COMPRESSION zstd)")  # noqa: S608
            count = f"SELECT count(*), coalesce(sum(n), 0) FROM read_parquet('{path}')"  # noqa: S608
            rows, mentions = store.con.execute(count).fetchone()
        return {"fingerprint": fingerprint, "analyzer_version": store.version, "rows": int(rows),
                "mentions": int(mentions)}

    meta = retry_read(write, "the lake for the daily rollup")
    write_atomic(ctx.data_dir / "rollups" / ROLLUP_META, json.dumps(meta).encode())
    result = RollupResult(meta["rows"], meta["mentions"], time.monotonic() - started)
    log.info("rollup: %d rows for %d mentions in %.1fs", result.rows, result.mentions, result.seconds)
    return result
