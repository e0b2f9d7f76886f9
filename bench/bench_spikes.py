"""Spike detection on simulated daily/hourly criticism counts with known spikes: precision and recall.

Run: python bench/bench_spikes.py [--series 50] [--seed 1] [--p-values 0.001,0.01]

Each scenario simulates many count series (negative binomial noise around a level, with a
weekly rhythm for daily counts and a daily rhythm for hourly counts), injects spikes of a
known size at two random intervals per series, and scores ``analysis.spikes.detect_series`` against them:
a detected interval is a true positive when a spike was injected there.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analysis.spikes import detect_series  # noqa: E402
from earshot.config import Alerts  # noqa: E402

# name, bucket, base level per interval, NB dispersion r (smaller = noisier), spike sizes.
# A spike interval holds its usual (noisy) count plus a known excess: "+k" adds k posts, "xm" adds level x (m - 1).
SCENARIOS = [
    ("tiny brand, daily (0.3/day)", "day", 0.3, 2.0, ["+5", "+8", "+12"]),
    ("small brand, daily (2/day)", "day", 2.0, 3.0, ["+6", "+10", "+20"]),
    ("mid brand, daily (20/day)", "day", 20.0, 8.0, ["x2", "x3", "x4"]),
    ("large brand, daily (300/day)", "day", 300.0, 15.0, ["x1.5", "x2", "x3"]),
    ("small brand, hourly (0.5/h)", "hour", 0.5, 2.0, ["+5", "+8", "+12"]),
    ("large brand, hourly (15/h)", "hour", 15.0, 8.0, ["x2", "x3", "x4"]),
]


def excess(size: str, level: float) -> int:
    return int(size[1:]) if size.startswith("+") else int(level * (float(size[1:]) - 1))


def simulate(rng: np.random.Generator, bucket: str, level: float, r: float, n: int) -> np.ndarray:
    t = np.arange(n)
    if bucket == "day":
        rhythm = np.where(t % 7 >= 5, 0.7, 1.1)  # quieter weekends
    else:
        rhythm = 0.3 + 1.4 * np.clip(np.sin((t % 24 - 6) / 24 * 2 * np.pi), 0, None)  # daytime peak
    mean = level * rhythm
    return rng.negative_binomial(r, r / (r + mean))


def run(series: int, seed: int, p_value: float) -> list[dict]:
    rows = []
    for name, bucket, level, r, sizes in SCENARIOS:
        settings = Alerts(bucket=bucket, p_value=p_value)
        n = 120 if bucket == "day" else 24 * 45
        warm = settings.baseline_buckets * (1 if bucket == "day" else 24)
        for size in sizes:
            rng = np.random.default_rng(seed)  # the same series for every size and p-value
            tp = fp = fn = 0
            for _ in range(series):
                counts = simulate(rng, bucket, level, r, n)
                truth = set(rng.choice(np.arange(warm, n), size=2, replace=False).tolist())
                for i in truth:
                    counts[i] += excess(size, level)
                index = pd.date_range("2026-01-01", periods=n, freq="D" if bucket == "day" else "h", tz="UTC")
                found = {index.get_loc(s.start) for s in detect_series(pd.Series(counts, index=index), settings)}
                found = {i for i in found if i >= warm}
                tp, fp, fn = tp + len(found & truth), fp + len(found - truth), fn + len(truth - found)
            rows.append({
                "scenario": name, "spike": size, "p_value": p_value, "series": series,
                "injected": tp + fn, "detected": tp + fp,
                "precision": tp / max(tp + fp, 1), "recall": tp / max(tp + fn, 1),
                "false alerts per 100 intervals": 100 * fp / (series * (n - warm)),
            })  # fmt: skip
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=50, help="simulated series per scenario")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--p-values", default="0.001,0.01", help="comma-separated alerts.p_value settings")
    args = parser.parse_args()
    rows = [row for p in args.p_values.split(",") for row in run(args.series, args.seed, float(p))]
    table = pd.DataFrame(rows)
    print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))


if __name__ == "__main__":
    main()
