"""The built-in demo: how long generating it and loading it take, and what it contains.

Run: python bench/bench_demo.py [--repeat 3] [--days 90] [--seed 7]

Times (median of ``--repeat``): generating the raw records in-process (what ``total()`` costs
the dashboard's progress bar), and the whole ``python -m collectors demo`` command into an
empty data directory (interpreter start, generation, raw store, matching, parquet append).
Then the shape of the loaded demo: mentions per source, language share, the outage spike.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from collectors.demo_build import build  # noqa: E402
from earshot.config import EXAMPLE_CONFIG  # noqa: E402
from earshot.context import Context  # noqa: E402
from storage.schema import MENTIONS  # noqa: E402


def time_generation(seed: int, days: int, repeat: int) -> tuple[float, float, int]:
    anchor = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    walls, cpus, n = [], [], 0
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        n = len(build(seed, anchor, days))
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    return statistics.median(walls), statistics.median(cpus), n


def time_command(repeat: int) -> tuple[float, float, Path]:
    walls, cpus, last = [], [], Path()
    for _ in range(repeat):
        data = Path(tempfile.mkdtemp(prefix="earshot-bench-demo-"))
        env = {**os.environ, "EARSHOT_DATA_DIR": str(data), "EARSHOT_CONFIG": str(EXAMPLE_CONFIG)}
        before = os.times()
        w = time.perf_counter()
        subprocess.run([sys.executable, "-m", "collectors", "demo"], cwd=ROOT, env=env, check=True,
                       capture_output=True)
        walls.append(time.perf_counter() - w)
        after = os.times()
        cpus.append((after.children_user - before.children_user) + (after.children_system - before.children_system))
        last = data
    return statistics.median(walls), statistics.median(cpus), last


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    gen_wall, gen_cpu, raw = time_generation(args.seed, args.days, args.repeat)
    cmd_wall, cmd_cpu, data = time_command(args.repeat)
    rows = Context.load(EXAMPLE_CONFIG, data).lake.read(MENTIONS, ["source", "lang", "created_at"]).to_pylist()
    load = os.getloadavg()[0]
    print(f"machine: {os.cpu_count()} cores, load average {load:.1f} (timings grow with load)\n")
    print(f"| step (median of {args.repeat}) | wall s | cpu s |")
    print("|---|---:|---:|")
    print(f"| generate {raw:,} raw records ({args.days} days, in-process) | {gen_wall:.2f} | {gen_cpu:.2f} |")
    print(f"| `python -m collectors demo` into an empty data dir | {cmd_wall:.2f} | {cmd_cpu:.2f} |")
    sources = Counter(r["source"] for r in rows)
    langs = Counter(r["lang"] for r in rows if r["lang"])
    days = Counter(r["created_at"].date() for r in rows)
    peak_day, peak = days.most_common(1)[0]
    print(f"\n| demo contents (seed {args.seed}) | value |")
    print("|---|---:|")
    print(f"| mentions kept (raw {raw:,}) | {len(rows):,} |")
    for name, count in sorted(sources.items()):
        print(f"| {name} | {count:,} |")
    print(f"| German share where the source gives a language | {langs['de'] / sum(langs.values()):.0%} |")
    print(f"| busiest day / median day | {peak} / {statistics.median(days.values()):.0f} ({peak_day}) |")


if __name__ == "__main__":
    main()
