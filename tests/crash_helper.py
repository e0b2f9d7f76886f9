"""Subprocess helper for the crash and concurrency tests (not a test module).

``python tests/crash_helper.py DATA CONFIG NAME N_ITEMS [--hang WHERE] [--page K]`` runs a
``ListCollector`` named NAME over N_ITEMS generated posts (ids ``NAME-i``) under the write
lock, flushing to the lake after every page. With ``--hang WHERE`` it writes a marker file
``DATA/../hang-WHERE`` at that point and sleeps, so the test can SIGKILL it there:

- ``parquet``: the second lake file is fully written under its temp name, not yet renamed;
- ``cursor``: the rows of the second page are in the lake, the cursor not yet saved;
- ``compact``: a compaction wrote its journal and merged files, old files not yet deleted.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from collectors import runner  # noqa: E402
from collectors.runner import run_collector  # noqa: E402
from earshot.config import load_config  # noqa: E402
from earshot.context import Context  # noqa: E402
from storage import lake as lake_mod  # noqa: E402
from storage.lock import write_lock  # noqa: E402
from storage.schema import MENTIONS  # noqa: E402
from tests.privacy_helpers import ListCollector, post  # noqa: E402


def items(name: str, n: int) -> list[dict]:
    return [
        post(f"{name}-{i}", f"Hafenlicht mention {name} {i}", f"user{i % 37}", f"id{i % 37}", source=name,
             when=f"2026-{10 + i % 2}-{1 + i % 28:02d}T10:00:00Z")
        for i in range(n)
    ]


class Named(ListCollector):
    def __init__(self, name: str, n: int, page: int) -> None:
        super().__init__(items(name, n), page)
        self.name = name


def hang(marker: Path) -> None:
    marker.write_text("here")
    time.sleep(120)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("data", type=Path)
    ap.add_argument("config", type=Path)
    ap.add_argument("name")
    ap.add_argument("n", type=int)
    ap.add_argument("--hang", choices=["parquet", "cursor", "compact"])
    ap.add_argument("--page", type=int, default=10)
    ap.add_argument("--compact", action="store_true", help="compact the mentions after collecting")
    args = ap.parse_args()
    ctx = Context(load_config(args.config), args.data)
    runner.FLUSH_ROWS = 1  # every page is its own lake append
    marker = args.data.parent / f"hang-{args.hang}"
    if args.hang == "parquet":
        real_write = lake_mod.pq.write_table
        calls = {"n": 0}

        def slow_write(table, where, **kw):  # type: ignore[no-untyped-def]
            real_write(table, where, **kw)
            calls["n"] += 1
            if calls["n"] == 3 and ".tmp-" in str(where):  # mentions page 2 (after the first month's file)
                hang(marker)

        lake_mod.pq.write_table = slow_write
    elif args.hang == "cursor":
        real_save = ctx.state.save
        calls = {"n": 0}

        def slow_save(name, state):  # type: ignore[no-untyped-def]
            calls["n"] += 1
            if calls["n"] == 2:
                hang(marker)
            real_save(name, state)

        ctx.state.save = slow_save  # type: ignore[method-assign]
    elif args.hang == "compact":
        real_finish = lake_mod.Lake._finish

        def slow_finish(self, month_dir, journal):  # type: ignore[no-untyped-def]
            hang(marker)
            real_finish(self, month_dir, journal)

        lake_mod.Lake._finish = slow_finish  # type: ignore[method-assign]
    with write_lock(ctx.data_dir, wait=120):
        report = run_collector(ctx, Named(args.name, args.n, args.page))
        if args.compact or args.hang == "compact":
            ctx.lake.compact(MENTIONS)
    print(f"{report.name if hasattr(report, 'name') else args.name}: {report.new} new, {report.duplicates} dup")
    return 0 if report.status == "ok" else 1


if __name__ == "__main__":
    sys.exit(main())
