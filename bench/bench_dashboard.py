"""Benchmark: the dashboard's Overview page against a naive page that caches a full DataFrame.

    python bench/bench_dashboard.py                 # 1M mentions
    python bench/bench_dashboard.py --sizes 1000000 10000000

For each lake size it generates a lake (mentions + tags, compacted layout, cached under
``--cache``), then, each variant in a fresh Python process (so RSS is that page's alone):

- first render: the first script run of the page in a server process whose Streamlit runtime
  and libraries are already loaded, with every data cache cold (AppTest, server side: queries
  and element building; the browser's drawing is not included);
- first rerun: the script run right after the first render, after changing the Source filter
  (on a fast start Earshot is still building its in-memory fact table then);
- rerun: the script run after changing the Source filter once the store has warmed up (median of 3);
- RSS: the process's resident memory after those runs, and its peak (VmHWM).

"earshot" is ``dashboard.py`` (Overview; DuckDB, aggregates only) with the rollup that the
analysis pass saves (``analysis.rollups.refresh``); "earshot, no rollup" is the same page when
that file is missing or stale (it then builds the fact table and rollup itself). "naive" is a page that
reads mentions and tags into one pandas DataFrame kept in ``st.cache_data`` and filters and
aggregates it in pandas, showing the same charts and table.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analysis.version import ANALYZER_VERSION  # noqa: E402
from storage.lake import ROW_GROUP  # noqa: E402
from storage.schema import MENTION, TAG  # noqa: E402

SOURCES = np.array(["x", "reddit", "rss", "hackernews", "mastodon", "bluesky"])
ENTITIES = np.array(["Hafenlicht", "LichtBox", "Hafenlicht App", "Stromwerk Nord", "GrünFluss"])
TOPICS = ["billing", "pricing", "outage", "privacy", "product", "employer"]
WORDS = ("Hafenlicht Rechnung Preis Störung App LichtBox Kundenservice price outage support great terrible "
         "waiting again why thanks data meter Tarif teurer works council Stromwerk cheaper").split()
TARGETS = {1_000_000: (1.5, 0.3, 500), 10_000_000: (3.0, 1.0, 1000)}

NAIVE_PAGE = '''
import glob, os
import pandas as pd
import streamlit as st
from analysis.version import ANALYZER_VERSION

DATA = os.environ["EARSHOT_DATA_DIR"]

@st.cache_data
def load() -> pd.DataFrame:
    m = pd.concat(pd.read_parquet(p) for p in glob.glob(f"{DATA}/lake/mentions/month=*/part-*.parquet"))
    t = pd.concat(pd.read_parquet(p) for p in glob.glob(f"{DATA}/lake/tags/month=*/part-*.parquet"))
    t = t[t["analyzer_version"] == ANALYZER_VERSION].drop(columns=["created_at", "lang"])
    return m.merge(t, on=["source", "id"], how="left")

df = load()
sources = st.sidebar.multiselect("Source", sorted(df["source"].dropna().unique()), key="f_source")
hi = df["created_at"].max()
view = df[df["created_at"] > hi - pd.Timedelta(days=30)]
if sources:
    view = view[view["source"].isin(sources)]
st.metric("Mentions", len(view))
st.metric("Criticism", int(view["criticism"].fillna(False).sum()))
daily = view.groupby([view["created_at"].dt.floor("D"), "source"]).size().rename("mentions").reset_index()
st.bar_chart(daily, x="created_at", y="mentions", color="source")
st.bar_chart(view["sentiment_label"].fillna("untagged").value_counts())
st.dataframe(view.sort_values("created_at", ascending=False).head(200)[
    ["created_at", "source", "lang", "sentiment_label", "criticism", "text"]])
'''

RUNNER = '''
import json, os, statistics, sys, time
from streamlit.testing.v1 import AppTest

def rss():
    out = {}
    for line in open("/proc/self/status"):
        k, _, v = line.partition(":")
        if k in ("VmRSS", "VmHWM"):
            out[k] = int(v.split()[0]) / 1024
    return out

script, warmup = sys.argv[1], sys.argv[2]
# A running server has already started Streamlit's runtime (component discovery scans every
# installed package once) and imported its libraries: do that outside the timed runs.
AppTest.from_file(warmup, default_timeout=600).run()
import altair, duckdb, pandas, pyarrow  # noqa: E401,F401
sys.path.insert(0, os.getcwd())
at = AppTest.from_file(script, default_timeout=600)
t = time.perf_counter(); at.run(); first = time.perf_counter() - t
assert not at.exception, at.exception
options = at.multiselect(key="f_source").options
at.multiselect(key="f_source").set_value([o for o in options if o == "mastodon"])
t = time.perf_counter(); at.run(); early = time.perf_counter() - t  # right away, while a fast start warms up
try:  # then wait until Earshot's store has finished warming up (the naive page has no store)
    from pages import _ui
    store = _ui._store(os.environ["EARSHOT_DATA_DIR"])
    deadline = time.monotonic() + 120
    while not store.facts_ready() and time.monotonic() < deadline:
        time.sleep(0.2)
except ImportError:
    pass
reruns = []
for choice in (["reddit"], ["x", "rss"], []):
    at.multiselect(key="f_source").set_value([o for o in options if o in choice])
    t = time.perf_counter(); at.run(); reruns.append(time.perf_counter() - t)
    assert not at.exception, at.exception
print(json.dumps({"first": first, "early": early, "rerun": statistics.median(reruns), **rss()}))
'''


def generate(data: Path, n: int, seed: int = 7) -> None:
    """Write ``n`` mentions and their tags in the compacted lake layout (one file per month)."""
    rng = np.random.default_rng(seed)
    end = datetime(2026, 11, 1, tzinfo=UTC)
    start = end - timedelta(days=90)
    secs = np.sort(rng.integers(0, 90 * 86400, n))
    created = np.datetime64(start.replace(tzinfo=None), "us") + secs.astype("timedelta64[s]")
    spike = (secs > 40 * 86400) & (secs < 41 * 86400)  # a busy day
    ids = np.char.add("m", np.arange(n).astype(str))
    src = SOURCES[rng.integers(0, len(SOURCES), n)]
    ent = ENTITIES[rng.choice(len(ENTITIES), n, p=[0.5, 0.15, 0.15, 0.1, 0.1])]
    lang = np.where(rng.random(n) < 0.6, "de", "en")
    word_idx = rng.integers(0, len(WORDS), (n, 12))
    text = [" ".join(WORDS[j] for j in row) for row in word_idx[: min(n, 200_000)]]
    text = np.array(text * (n // len(text) + 1))[:n]
    months = created.astype("datetime64[M]")
    sent = rng.choice(["negative", "neutral", "positive"], n, p=[0.3, 0.45, 0.25])
    sent = np.where(spike, "negative", sent)
    crit = (sent == "negative") & (rng.random(n) < 0.7)
    topic_idx = rng.integers(0, len(TOPICS), n)
    tagged_at = datetime(2026, 11, 2, tzinfo=UTC)
    for month in np.unique(months):
        sel = months == month
        k = int(sel.sum())
        label = str(month)[:7]
        ts = pa.array(created[sel], pa.timestamp("us")).cast(pa.timestamp("us", tz="UTC"))
        m = pa.table({
            "source": src[sel], "id": ids[sel], "url": np.char.add("https://example.org/p/", ids[sel]),
            "created_at": ts, "collected_at": ts, "author": np.char.add("user", (secs[sel] % 9973).astype(str)),
            "author_id": pa.nulls(k, pa.string()), "author_followers": rng.integers(0, 50_000, k), "text": text[sel],
            "title": pa.nulls(k, pa.string()),
            "lang": lang[sel], "parent_id": pa.nulls(k, pa.string()), "conversation_id": pa.nulls(k, pa.string()),
            "likes": rng.integers(0, 60, k), "replies": rng.integers(0, 10, k), "reposts": rng.integers(0, 5, k),
            "entity": ent[sel], "entities": pa.array([[e] for e in ent[sel]], pa.list_(pa.string())),
            "matched_terms": pa.array([[e] for e in ent[sel]], pa.list_(pa.string())), "is_own": np.zeros(k, bool),
        }).cast(MENTION)  # fmt: skip
        t = pa.table({
            "source": src[sel], "id": ids[sel], "created_at": ts, "analyzer_version": np.full(k, ANALYZER_VERSION),
            "tagged_at": pa.array([tagged_at] * k, pa.timestamp("us", tz="UTC")), "lang": lang[sel],
            "sentiment": np.where(sent[sel] == "negative", -0.6, np.where(sent[sel] == "positive", 0.6, 0.0)),
            "sentiment_label": sent[sel], "criticism": crit[sel],
            "criticism_reasons": pa.array([[]] * k, pa.list_(pa.string())),
            "topics": pa.array([[TOPICS[i]] for i in topic_idx[sel]], pa.list_(pa.string())),
            "intent": np.full(k, "other"),
        }).cast(TAG)  # fmt: skip
        for name, table in (("mentions", m), ("tags", t)):
            d = data / "lake" / name / f"month={label}"
            d.mkdir(parents=True, exist_ok=True)
            pq.write_table(table, d / "part-bench-c000.parquet", compression="zstd", row_group_size=ROW_GROUP)


def measure(script: Path, data: Path) -> dict:
    env = {**os.environ, "EARSHOT_DATA_DIR": str(data), "EARSHOT_CONFIG": str(ROOT / "config" /
                                                                               "earshot.example.yaml")}
    warmup = Path(tempfile.gettempdir()) / "earshot_warmup_page.py"
    warmup.write_text("import streamlit as st\nst.write('warm-up')\n")
    out = subprocess.run([sys.executable, "-c", RUNNER, str(script), str(warmup)], env=env, cwd=ROOT,
                         capture_output=True, text=True, check=False)
    if out.returncode:
        raise RuntimeError(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def _rollup_current(data: Path) -> bool:
    """True if the lake's saved rollup was computed from its files as they are, by this analyzer version."""
    from storage.queries import Store

    try:
        saved = json.loads((data / "rollups" / "daily.json").read_text())
    except (OSError, ValueError):
        return False
    store = Store(data, facts=False)
    return saved.get("fingerprint") == store.data_fingerprint() and saved.get("analyzer_version") == store.version


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", type=int, nargs="+", default=[1_000_000])
    p.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "earshot-bench-dashboard")
    p.add_argument("--skip-naive", action="store_true", help="only measure Earshot's page")
    args = p.parse_args(argv)
    naive = args.cache / "naive_page.py"
    args.cache.mkdir(parents=True, exist_ok=True)
    naive.write_text(NAIVE_PAGE)
    rows = []
    for n in args.sizes:
        data = args.cache / f"lake-{n}-v{ANALYZER_VERSION}"  # tags of another version would show as untagged
        if not (data / "lake" / "tags").exists():
            t = time.perf_counter()
            generate(data, n)
            print(f"generated {n:,} mentions in {time.perf_counter() - t:.0f} s -> {data}", file=sys.stderr)
        if not _rollup_current(data):
            from analysis import rollups
            from earshot.config import load_config
            from earshot.context import Context

            rollups.refresh(Context(load_config(ROOT / "config" / "earshot.example.yaml"), data))
        variants = [("earshot", ROOT / "dashboard.py"), ("earshot, no rollup", ROOT / "dashboard.py")]
        variants += [] if args.skip_naive else [("naive", naive)]
        for name, script in variants:
            hidden = data / "rollups-hidden"
            if name.endswith("no rollup"):
                (data / "rollups").rename(hidden)
            try:
                r = measure(script, data)
            finally:
                if hidden.exists():
                    hidden.rename(data / "rollups")
            rows.append((n, name, r))
            print(f"{n:>10,} {name:18} first {r['first']:.2f} s  early rerun {r['early']:.2f} s  "
                  f"rerun {r['rerun']:.2f} s  "
                  f"RSS {r['VmRSS']:.0f} MB (peak {r['VmHWM']:.0f})", file=sys.stderr)
    print("\n| mentions | page | first render (s) | first rerun (s) | rerun after filter (s) | RSS after (MB) "
          "| peak RSS (MB) | target |")
    print("|---:|---|---:|---:|---:|---:|---:|---|")
    for n, name, r in rows:
        goal = TARGETS.get(n)
        target = f"≤ {goal[0]} s, ≤ {goal[1]} s, ≤ {goal[2]} MB" if goal and name.startswith("earshot") else ""
        print(f"| {n:,} | {name} | {r['first']:.2f} | {r['early']:.2f} | {r['rerun']:.2f} | {r['VmRSS']:.0f} | "
              f"{r['VmHWM']:.0f} | "
              f"{target} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
