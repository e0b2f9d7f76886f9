"""The built-in demo company: determinism, volume, story (spike, answers), safety of URLs, dedup."""

from __future__ import annotations

import hashlib
import json
import re
import statistics
import subprocess
import sys
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlparse

import pytest

from collectors import demo_text_de, demo_text_en
from collectors.demo import DemoCollector
from collectors.demo_render import fill
from collectors.demo_scenario import LOCAL
from collectors.matching import Matcher
from collectors.runner import RunReport, run_collector
from earshot.config import EXAMPLE_CONFIG, ROOT, Source, load_config
from earshot.context import Context
from earshot.errors import ConfigError
from storage.schema import MENTIONS

ANCHOR = "2026-11-27T14:00:00+00:00"
SIX = {"x", "reddit", "rss", "hackernews", "mastodon", "bluesky"}


def demo(config=None, **settings) -> DemoCollector:
    config = config or load_config(EXAMPLE_CONFIG)
    return DemoCollector(config, Source(enabled=True, **{"anchor": ANCHOR, **settings}))


def digest(records: list[dict]) -> str:
    return hashlib.sha256(json.dumps(records, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Context, DemoCollector, RunReport, list[dict]]:
    """One full demo run (90 days, seed 7) into a fresh lake, shared by the tests below."""
    ctx = Context(load_config(EXAMPLE_CONFIG), tmp_path_factory.mktemp("demo") / "data")
    collector = demo(ctx.config)
    report = run_collector(ctx, collector)
    return ctx, collector, report, ctx.lake.read(MENTIONS).to_pylist()


def test_same_seed_and_anchor_give_identical_records_in_any_process() -> None:
    a, b = demo(days=14).records(), demo(days=14).records()
    assert a == b and len(a) > 1000
    assert digest(demo(days=14, seed=8).records()) != digest(a)
    # A fresh interpreter with another string-hash seed must produce the very same bytes.
    code = (
        "from tests.test_demo import demo, digest; print(digest(demo(days=14).records()))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={"PYTHONHASHSEED": "12345", "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == digest(a)


def test_full_run_maps_everything_and_keeps_over_5000(run) -> None:
    _, collector, report, rows = run
    assert report.status == "ok" and report.bad == 0, report.errors
    assert report.fetched == collector.total() == collector.expected_items  # a progress bar's exact denominator
    assert report.new == len(rows) >= 5000
    # A few generated posts name no entity (or only an excluded phrase): the matcher drops them.
    assert 0 < report.unmatched < 0.03 * report.fetched
    assert all(r["id"].startswith("demo-") for r in rows)


def test_six_sources_both_languages_and_recent_data(run) -> None:
    _, _, _, rows = run
    assert {r["source"] for r in rows} == SIX
    langs = Counter(r["lang"] for r in rows if r["lang"])
    share_de = langs["de"] / (langs["de"] + langs["en"])
    assert 0.5 < share_de < 0.75, langs
    anchor = datetime.fromisoformat(ANCHOR)
    times = [r["created_at"] for r in rows]
    assert max(times) <= anchor and min(times) >= anchor - timedelta(days=90)
    assert max(times) >= anchor - timedelta(hours=3)  # the dashboard's "last day" is not empty
    rss = [r for r in rows if r["source"] == "rss"]
    assert rss and all(r["title"] and r["text"] for r in rss)


def test_outage_spike_two_to_four_weeks_before_the_end(run) -> None:
    _, _, _, rows = run
    days = Counter(r["created_at"].date() for r in rows)
    peak_day, peak = days.most_common(1)[0]
    assert peak >= 4 * statistics.median(days.values())
    back = (datetime.fromisoformat(ANCHOR).date() - peak_day).days
    assert 14 <= back <= 28
    on_peak = [r["text"].lower() for r in rows if r["created_at"].date() == peak_day]
    assert sum(("app" in t or "portal" in t) for t in on_peak) > 0.5 * len(on_peak)


def test_own_answers_point_at_existing_questions_and_some_questions_wait(run) -> None:
    ctx, _, _, rows = run
    by_id = {r["id"]: r for r in rows}
    own_replies = [r for r in rows if r["is_own"] and r["parent_id"]]
    assert len(own_replies) >= 100
    assert {r["source"] for r in own_replies} >= {"x", "reddit", "mastodon", "bluesky"}
    own = {h.lower() for hs in ctx.config.own_accounts.values() for h in hs}
    for r in own_replies:
        parent = by_id[r["parent_id"]]  # the question was kept, so the answer can be tracked
        assert not parent["is_own"] and r["created_at"] > parent["created_at"]
        assert r["conversation_id"] == (parent["conversation_id"] or parent["id"])
        assert r["author"].lower() in own
    berlin = LOCAL  # Hamburg time (a fixed UTC+1 where no tz database exists)
    local = [r["created_at"].astimezone(berlin) for r in own_replies]
    assert all(8 <= t.hour < 20 and t.weekday() != 6 for t in local)  # the service team's hours
    answered = {r["parent_id"] for r in own_replies}
    waiting = [r for r in rows if r["source"] == "x" and not r["parent_id"] and "?" in r["text"]
               and not r["is_own"] and r["id"] not in answered]
    assert len(waiting) > 100


def test_daily_and_weekly_rhythm(run) -> None:
    _, _, _, rows = run
    berlin = LOCAL
    local = [r["created_at"].astimezone(berlin) for r in rows if r["source"] != "hackernews"]
    hours = Counter(t.hour for t in local)
    assert sum(hours[h] for h in range(1, 5)) * 4 < sum(hours[h] for h in range(9, 13))
    weekdays = Counter(t.weekday() for t in local)
    per_day = Counter(t.date() for t in local)
    n_days = Counter(d.weekday() for d in per_day)
    mean = {d: weekdays[d] / n_days[d] for d in range(7)}
    assert max(mean[5], mean[6]) < min(mean[d] for d in (0, 1, 3))  # weekends are quieter


def test_reach_is_heavy_tailed_and_engagement_follows_it(run) -> None:
    _, _, _, rows = run
    x = [r for r in rows if r["source"] == "x" and not r["is_own"]]
    followers = sorted(r["author_followers"] for r in x)
    assert followers[len(followers) // 2] < 300 and followers[-1] > 20_000
    big = [r["likes"] for r in x if r["author_followers"] > 2_000]
    small = [r["likes"] for r in x if r["author_followers"] < 100]
    assert statistics.median(big) > 3 * max(statistics.median(small), 1)
    authors = Counter(r["author"] for r in x)
    assert authors.most_common(1)[0][1] >= 20 and sum(1 for n in authors.values() if n == 1) > 100


def test_threads_hang_together(run) -> None:
    _, collector, _, rows = run
    ids = {r["id"] for r in collector.records()}
    replies = [r for r in collector.records() if r["parent_id"]]
    assert sum(r["source"] == "reddit" for r in replies) > 300
    assert sum(r["source"] == "hackernews" for r in replies) > 30
    assert all(r["parent_id"] in ids and r["conversation_id"] in ids for r in replies)
    submissions = [r for r in rows if r["source"] == "reddit" and not r["parent_id"]]
    assert submissions and all(r["title"] for r in submissions)


def test_urls_and_handles_are_fictional(run) -> None:
    _, collector, _, _ = run
    for r in collector.records():
        host = urlparse(r["url"]).hostname or ""
        assert r["url"].startswith("https://") and host.endswith(".example"), r["url"]
        for link in re.findall(r"https?://[^\s)]+", r["text"]):
            assert (urlparse(link).hostname or "").endswith(".example"), link
        if r["source"] in ("mastodon", "bluesky"):
            assert r["author"].endswith(".example"), r["author"]


def test_texts_vary(run) -> None:
    _, collector, _, _ = run
    texts = [r["text"] for r in collector.records()]
    assert len(set(texts)) > 0.6 * len(texts)
    assert any(e in t for t in texts for e in ("😡", "🙄", "👏")) and any("#" in t for t in texts)


def test_rerun_adds_nothing(run) -> None:
    ctx, collector, first, _ = run
    again = run_collector(ctx, collector)
    assert again.new == 0 and again.duplicates == first.new


@pytest.mark.parametrize("bank", [demo_text_de, demo_text_en], ids=["de", "en"])
def test_every_template_names_an_entity_except_noise(bank) -> None:
    import random

    matcher = Matcher(load_config(EXAMPLE_CONFIG).all_entities)
    lang = "de" if bank is demo_text_de else "en"
    rng = random.Random(1)
    for topic, templates in bank.TOPICS.items():
        for template in templates:
            for source in ("x", "reddit", "mastodon"):
                entities, _ = matcher.match(fill(template, lang, rng, source))
                assert bool(entities) == (topic != "noise"), (topic, template)


@pytest.mark.parametrize(
    ("settings", "key"),
    [({"days": 3}, "days"), ({"days": "many"}, "days"), ({"seed": -1}, "seed"), ({"anchor": "soon"}, "anchor")],
)
def test_bad_settings_name_the_key(settings: dict, key: str) -> None:
    with pytest.raises(ConfigError, match=f"sources.demo.{key}"):
        demo(**settings)


def test_other_company_config_gets_a_hint(tmp_path: Path) -> None:
    text = re.sub(r"- name: Hafenlicht +#", "- name: Acme #", EXAMPLE_CONFIG.read_text(encoding="utf-8"), count=1)
    path = tmp_path / "other.yaml"
    path.write_text(text, encoding="utf-8")
    batches = list(demo(load_config(path), days=14).fetch({}, None))
    assert "EARSHOT_CONFIG" in " ".join(batches[-1].errors)
    assert batches[-1].state and batches[-1].state["seed"] == 7
    assert all(len(b.items) <= 1000 for b in batches)
