"""Soak: many simulated cron runs against a fake API on 127.0.0.1; prints a table.

Each run is what cron does: ``python -m collectors run`` (in this process, through
``collectors.__main__.main``), with one source that asks a local fake "search recent" API for
posts newer than its cursor (minus an overlap, as real platforms return overlapping windows),
then the automatic compaction. The API grows by 0-60 posts per run spread over three months,
and answers 503 now and then. Checked after every run: no duplicate keys in the lake, every
post the API published is in the lake (at the end), files per month stay bounded, and memory
(RSS of this process) stays flat.

    python bench/soak.py [--runs 500] [--every 50]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

import pyarrow as pa
import requests
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from collectors import registry  # noqa: E402
from collectors.__main__ import AUTO_COMPACT_FILES, main  # noqa: E402
from collectors.base import Batch  # noqa: E402
from collectors.records import parse_time  # noqa: E402
from earshot.config import EXAMPLE_CONFIG, Config, Source  # noqa: E402
from earshot.errors import SourceError  # noqa: E402
from storage.lake import Lake  # noqa: E402
from storage.schema import MENTIONS, RUNS  # noqa: E402
from tests.fakeapi import Answer, FakeAPI, Seen  # noqa: E402

OVERLAP = 5  # the source re-sends this many already-seen posts each run
# Memory: a real cron run is its own process, so every checkpoint run is started as a subprocess
# and its peak RSS reported ("cron peak MB"): flat means it does not grow with runs or data.
# "soak RSS MB" is this long-lived process after the in-process runs (allocator retention included);
# "Arrow MB" is what the Arrow memory pool still holds between runs (0: nothing kept there).


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Platform:
    """The fake platform's posts; grows every run."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.posts: list[dict[str, Any]] = []
        self.start = datetime.now(UTC) - timedelta(days=80)

    def grow(self) -> None:
        for _ in range(self.rng.randrange(61)):
            n = len(self.posts) + 1
            when = self.start + timedelta(minutes=self.rng.randrange(80 * 24 * 60))
            self.posts.append({"id": n, "text": f"Hafenlicht soak post {n}", "author": f"user{n % 97}",
                               "created_at": when.isoformat()})

    def answer(self, seen: Seen) -> Answer:
        if self.rng.random() < 0.05:
            return Answer(503, "busy")
        since = int(seen.query.get("since_id", ["0"])[0])
        page = [p for p in self.posts if p["id"] > since][:200]
        return Answer(200, {"data": page})


class SoakSource:
    """A cursor-based search source over the fake platform."""

    name: ClassVar[str] = "soak"
    title: ClassVar[str] = "Soak fake API"
    credentials: ClassVar[tuple[str, ...]] = ()
    keep_unmatched: ClassVar[bool] = False
    url: ClassVar[str] = ""

    def __init__(self, config: Config, settings: Source) -> None:
        self.session = requests.Session()

    def plan(self, state: dict[str, Any], since: datetime | None) -> list[str]:
        return ["GET /search"]

    def fetch(self, state: dict[str, Any], since: datetime | None) -> Iterator[Batch]:
        cursor = int(state.get("since_id", 0))
        while True:
            resp = self.session.get(f"{self.url}/search", params={"since_id": max(0, cursor - OVERLAP)}, timeout=5)
            if resp.status_code != 200:
                raise SourceError(self.name, f"HTTP {resp.status_code}", status=resp.status_code)
            page = resp.json()["data"]
            fresh = [p for p in page if p["id"] > cursor]
            if not fresh:
                return
            cursor = max(p["id"] for p in page)
            yield Batch(page, {"since_id": cursor}, "search")

    def to_mention(self, raw: Any) -> dict[str, Any] | None:
        return {"source": self.name, "id": str(raw["id"]), "text": raw["text"], "author": raw["author"],
                "created_at": parse_time(raw["created_at"])}


def cron_subprocess(url: str, args: list[str]) -> tuple[int, float]:
    """One cron run as its own process (as cron starts it); its exit code and peak RSS in MB."""
    proc = subprocess.run([sys.executable, __file__, "--one-run", url, *args], capture_output=True, text=True,
                          timeout=600)
    lines = proc.stdout.strip().splitlines()
    return proc.returncode, float(lines[-1]) if lines else float("nan")


def one_run(url: str, args: list[str]) -> int:
    SoakSource.url = url
    registry.REGISTRY["soak"] = SoakSource
    with contextlib.redirect_stderr(io.StringIO()):
        code = main(args)
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return code


def check(lake: Lake) -> tuple[int, int, int, int]:
    keys = lake.read(MENTIONS, ["id"]).column("id").to_pylist()
    return len(keys), len(set(keys)), len(lake.files(MENTIONS)), len(lake.files(RUNS))


def soak(runs: int, every: int, seed: int) -> int:
    platform = Platform(seed)
    with tempfile.TemporaryDirectory() as tmp, FakeAPI() as api:
        api.route("GET", "/search", platform.answer)
        SoakSource.url = api.url
        registry.REGISTRY["soak"] = SoakSource
        cfg = yaml.safe_load(EXAMPLE_CONFIG.read_text(encoding="utf-8"))
        cfg["sources"] = {"soak": {"enabled": True}}
        cfg["privacy"]["keep_raw"] = "none"  # the lake is what is soaked here
        cfg_path = Path(tmp) / "earshot.yaml"
        cfg_path.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
        data = Path(tmp) / "data"
        args = ["--config", str(cfg_path), "--data", str(data), "run"]
        print(f"soak: {runs} cron runs, compaction at {AUTO_COMPACT_FILES} files per month, seed {seed}")
        print(f"{'run':>5} {'posts':>7} {'rows':>7} {'dup keys':>8} {'mention files':>13} {'run files':>9} "
              f"{'cron peak MB':>12} {'soak RSS MB':>11} {'Arrow MB':>8} {'ms/run':>7} {'runs w/ 503':>11}")
        failed = 0
        durations: list[float] = []
        rss_samples: list[float] = []
        peaks: list[float] = []
        worst_files = 0
        problems = 0
        for i in range(1, runs + 1):
            platform.grow()
            t0 = time.perf_counter()
            if i % every == 0 or i == 1:
                code, peak = cron_subprocess(api.url, args)
                peaks.append(peak)
            else:
                with contextlib.redirect_stderr(io.StringIO()):
                    code = main(args)
            durations.append(time.perf_counter() - t0)
            api.seen.clear()  # the fake API's request log is the bench's, not Earshot's
            failed += code != 0
            lake = Lake(data)
            rows, unique, mfiles, rfiles = check(lake) if i % 10 == 0 or i == runs else (0, 0, 0, 0)
            if rows != unique:
                problems += 1
            worst_files = max(worst_files, mfiles)
            if i % every == 0 or i == runs:
                rss_samples.append(rss_mb())
                print(f"{i:>5} {len(platform.posts):>7} {rows:>7} {rows - unique:>8} {mfiles:>13} {rfiles:>9} "
                      f"{peaks[-1]:>12.1f} {rss_samples[-1]:>11.1f} {pa.total_allocated_bytes() / 2**20:>8.1f} "
                      f"{1000 * sum(durations[-every:]) / len(durations[-every:]):>7.0f} {failed:>11}")
        # A final run with a healthy API catches up whatever the 503s delayed.
        platform.rng = random.Random(0)
        platform.rng.random = lambda: 1.0  # type: ignore[method-assign]
        with contextlib.redirect_stderr(io.StringIO()):
            main(args)
        lake = Lake(data)
        rows, unique, mfiles, _ = check(lake)
        months = len(lake.months(MENTIONS))
        missing = len(platform.posts) - unique
        print()
        print(f"after a final catch-up run: {rows} rows, {rows - unique} duplicate keys, {missing} posts missing, "
              f"{mfiles} mention files over {months} months (most seen at a check: {worst_files}; "
              f"bound {months * AUTO_COMPACT_FILES}); peak RSS of a cron run: first {peaks[0]:.1f} MB, "
              f"last {peaks[-1]:.1f} MB, highest {max(peaks):.1f} MB")
        ok = rows == unique and missing == 0 and worst_files <= months * AUTO_COMPACT_FILES and problems == 0
        print("result:", "OK" if ok else "PROBLEM")
        return 0 if ok else 1


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--one-run":
        sys.exit(one_run(sys.argv[2], sys.argv[3:]))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=500)
    ap.add_argument("--every", type=int, default=50, help="print a line every this many runs")
    ap.add_argument("--seed", type=int, default=11)
    a = ap.parse_args()
    sys.exit(soak(a.runs, a.every, a.seed))
