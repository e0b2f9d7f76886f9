"""Collector throughput: mapping + matching + lake append of recorded-shape items, per source.

Run: python bench/bench_collect.py [--items 100000] [--repeat 1]

For each platform, ``--items`` raw payloads in the shape that collector receives (built here
from fictional templates: about a third mention a configured entity, as a loose platform
search returns) go through what a collector run does after fetching:

- "map+match+append": ``to_mention`` -> entity matching, own accounts, pseudonymisation
  (``Pipeline.map_batch``) -> one lake append (dedup, zstd parquet), in runner-sized batches;
- "full run": ``run_collector`` with a collector that yields those payloads, which adds the
  raw store (zstd JSON Lines), the cursor and the ledger row.

Each measurement runs in its own process so that its peak memory (max RSS) is its own.
items/s is wall-clock; "CPU items/s" divides by the process's CPU time, which is the fairer
figure on a machine shared with other work. One-off imports (the collector's client library,
pandas, which pyarrow loads on its first conversion) happen before the clock starts. Target: at
least 20,000 items/s on the 2-core machine.

Finally it shows that a run with nothing new costs one request per query and writes no
mentions parquet file (Hacker News collector against a local fake Algolia endpoint).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from collectors.base import Batch  # noqa: E402
from collectors.registry import REGISTRY  # noqa: E402
from collectors.runner import FLUSH_ROWS, Pipeline, RunReport, run_collector  # noqa: E402
from earshot.config import EXAMPLE_CONFIG, load_config  # noqa: E402
from earshot.context import Context  # noqa: E402
from storage.schema import MENTIONS  # noqa: E402

SOURCES = ("x", "reddit", "rss", "hackernews", "mastodon", "bluesky")
ON_TOPIC = [
    "Die Hafenlicht App zeigt seit gestern keinen Verbrauch mehr an",
    "Is the LichtBox worth it compared to Stromwerk Nord's battery?",
    "GrünFluss hat mir gekündigt, jetzt bin ich bei Hafenlicht",
    "Abschlag bei Hafenlicht Energie schon wieder erhöht, wer noch?",
]
OFF_TOPIC = [
    "Hafen in Hamburg heute mit wunderschönem Licht, perfekter Abend",
    "Anyone know a good bakery near the Stromberg station?",
    "Der Bahnhof ist wieder gesperrt, Ersatzverkehr bis Freitag",
    "Finished the marathon today, legs are done",
    "New blog post about Rust lifetimes and borrow checking",
    "Lichtblick im Tarifdschungel? Vergleichsportale im Test",
]


def text(i: int, rng: random.Random) -> str:
    base = rng.choice(ON_TOPIC) if i % 3 == 0 else rng.choice(OFF_TOPIC)
    return f"{base} ({i})"


def item(source: str, i: int, rng: random.Random) -> dict[str, Any]:
    """One raw payload shaped like the recordings in tests/fixtures for that source."""
    t = datetime(2026, 11, 1, tzinfo=UTC) + timedelta(seconds=i * 7)
    iso = t.isoformat().replace("+00:00", "Z")
    user = f"user{i % 5000}"
    body = text(i, rng)
    if source == "x":
        return {"tweet": {"id": str(1861000000000000000 + i), "text": body, "author_id": str(10**15 + i % 5000),
                          "created_at": iso, "lang": "de", "conversation_id": str(1861000000000000000 + i),
                          "edit_history_tweet_ids": [str(1861000000000000000 + i)],
                          "public_metrics": {"retweet_count": i % 4, "reply_count": i % 3, "like_count": i % 9,
                                             "quote_count": 0, "bookmark_count": 0, "impression_count": 100 + i % 999}},
                "author": {"id": str(10**15 + i % 5000), "username": user, "name": user.title(), "verified": False,
                           "public_metrics": {"followers_count": i % 10000, "following_count": 12}}}
    if source == "reddit":
        thread = f"t3_{i // 20:07x}"
        return {"kind": "t1", "data": {"name": f"t1_{i:08x}", "id": f"{i:08x}", "body": body, "author": user,
                                       "author_fullname": f"t2_{i % 5000:06x}", "created_utc": t.timestamp(),
                                       "score": i % 50, "parent_id": thread, "link_id": thread,
                                       "permalink": f"/r/hamburg/comments/{i // 20:07x}/x/{i:08x}/",
                                       "subreddit": "hamburg", "ups": i % 50, "downs": 0}}
    if source == "rss":
        return {"feed_url": "https://news.example/feed", "feed_title": "News", "feed_lang": "de",
                "entry": {"id": f"https://news.example/a/{i}", "link": f"https://news.example/a/{i}", "title": body,
                          "summary": f"<p>{body}</p> <a href='https://news.example/a/{i}'>mehr</a>",
                          "published": iso, "published_parsed": t.isoformat(), "author": user}}
    if source == "hackernews":
        return {"objectID": str(46000000 + i), "created_at": iso, "created_at_i": int(t.timestamp()), "author": user,
                "comment_text": f"<p>{body}</p>", "story_id": 46000000 + i // 30, "parent_id": 46000000 + i // 30,
                "_tags": ["comment", f"author_{user}", f"story_{46000000 + i // 30}"], "points": None}
    if source == "mastodon":
        tag = ('<p><a href="https://social.example/tags/hafenlicht" class="mention hashtag">'
               "#<span>hafenlicht</span></a></p>")
        return {"instance": "https://social.example",
                "status": {"id": str(113000000000000000 + i), "uri": f"https://social.example/users/{user}/statuses/{i}",
                           "url": f"https://social.example/@{user}/{i}", "created_at": iso, "language": "de",
                           "content": f"<p>{body}</p>" + (tag if i % 3 == 0 else ""),
                           "spoiler_text": "", "reblog": None, "in_reply_to_id": None, "replies_count": i % 3,
                           "reblogs_count": i % 2, "favourites_count": i % 7,
                           "account": {"id": str(i % 5000), "acct": user, "url": f"https://social.example/@{user}",
                                       "followers_count": i % 800}}}
    return {"uri": f"at://did:plc:{i % 5000:024d}/app.bsky.feed.post/3l{i:011d}", "cid": f"bafy{i}",
            "author": {"did": f"did:plc:{i % 5000:024d}", "handle": f"{user}.bsky.social"},
            "record": {"$type": "app.bsky.feed.post", "createdAt": iso, "langs": ["de"], "text": body},
            "replyCount": i % 3, "repostCount": 0, "likeCount": i % 5, "quoteCount": 0, "indexedAt": iso}


class Replay:
    """A collector that yields pre-built payloads and maps them with the real collector."""

    def __init__(self, real: Any, items: list[Any], batch: int = 1000) -> None:
        self.real, self.items, self.batch = real, items, batch
        self.name, self.title, self.credentials = real.name, real.title, real.credentials
        self.keep_unmatched = real.keep_unmatched

    def plan(self, state, since):
        return ["replay"]

    def fetch(self, state, since):
        for i in range(0, len(self.items), self.batch):
            yield Batch(self.items[i:i + self.batch], {"n": i}, "bench")

    def to_mention(self, raw):
        return self.real.to_mention(raw)


def measure(source: str, mode: str, n: int) -> dict[str, Any]:
    """One measurement in this process: items/s and peak RSS."""
    rng = random.Random(7)
    items = [item(source, i, rng) for i in range(n)]
    cfg = load_config(EXAMPLE_CONFIG)
    with tempfile.TemporaryDirectory() as tmp:
        ctx = Context(cfg, Path(tmp))
        real = REGISTRY[source](cfg, cfg.source(source))
        # pyarrow imports pandas on its first conversion (about half a second): a one-off per process,
        # like the collector's own imports above, so it happens before the clock starts.
        pa.array([""])
        t0, c0 = time.perf_counter(), time.process_time()
        if mode == "full":
            report = run_collector(ctx, Replay(real, items))
            kept = report.new
        else:
            pipe, report, kept, rows = Pipeline(ctx, real), RunReport(source), 0, []
            for i in range(0, n, 1000):
                rows.extend(pipe.map_batch(items[i:i + 1000], report))
                if len(rows) >= FLUSH_ROWS:
                    kept += ctx.lake.append(MENTIONS, rows).new
                    rows = []
            kept += ctx.lake.append(MENTIONS, rows).new if rows else 0
        secs, cpu = time.perf_counter() - t0, time.process_time() - c0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"source": source, "mode": mode, "items": n, "kept": kept, "seconds": secs, "items_s": n / secs,
            "cpu_items_s": n / cpu, "peak_mb": peak_mb, "bad": report.bad}


def nothing_new() -> None:
    """Hacker News twice against a local fake Algolia endpoint: the second run finds nothing new."""
    from tests.fakeapi import Answer, FakeAPI

    hits = [item("hackernews", i, random.Random(1)) for i in range(3)]
    cfg = load_config(EXAMPLE_CONFIG)
    with tempfile.TemporaryDirectory() as tmp, FakeAPI() as api:
        api.route("GET", "/api/v1/search_by_date", lambda seen: Answer(200, {
            "hits": [h for h in hits if "numericFilters" not in seen.query
                     or h["created_at_i"] >= int(seen.query["numericFilters"][0].split(">=")[1])],
            "nbPages": 1, "page": 0}))
        settings = cfg.source("hackernews").model_copy(update={"enabled": True, "api_url": api.url + "/api/v1"})
        ctx = Context(cfg, Path(tmp))
        queries = len(REGISTRY["hackernews"](cfg, settings).queries())
        first = run_collector(ctx, REGISTRY["hackernews"](cfg, settings))
        files, requests_before = len(ctx.lake.files(MENTIONS)), len(api.seen)
        second = run_collector(ctx, REGISTRY["hackernews"](cfg, settings))
        print(f"\nNothing new (hackernews, {queries} queries): first run {requests_before} requests, "
              f"{first.new} new, {files} mentions file(s); second run {len(api.seen) - requests_before} requests, "
              f"{second.fetched} fetched, {second.new} new, {len(ctx.lake.files(MENTIONS)) - files} new mentions files")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--sources", default=",".join(SOURCES))
    parser.add_argument("--one", nargs=2, metavar=("SOURCE", "MODE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one[0], args.one[1], args.items)))
        return
    print(f"{'source':<11} {'mode':<17} {'items':>8} {'kept':>7} {'seconds':>8} {'items/s':>9} {'CPU items/s':>12} "
          f"{'peak MB':>8}")
    for source in args.sources.split(","):
        for mode in ("map+match+append", "full run"):
            proc = subprocess.run([sys.executable, __file__, "--items", str(args.items), "--one", source,
                                   "full" if mode == "full run" else "map"], capture_output=True, text=True)
            if proc.returncode != 0:
                print(f"{source:<11} {mode:<17} failed: {(proc.stderr.strip().splitlines() or ['?'])[-1]}")
                continue
            r = json.loads(proc.stdout.strip().splitlines()[-1])
            print(f"{source:<11} {mode:<17} {r['items']:>8} {r['kept']:>7} {r['seconds']:>8.2f} {r['items_s']:>9,.0f} "
                  f"{r['cpu_items_s']:>12,.0f} {r['peak_mb']:>8.0f}")
    nothing_new()


if __name__ == "__main__":
    main()
