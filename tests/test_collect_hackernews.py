"""Hacker News collector: requests against the Algolia API shape (recordings written by us), served locally."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from collectors import http
from collectors.base import BadItem
from collectors.hackernews import HackerNewsCollector
from collectors.runner import run_collector
from earshot.config import Source
from earshot.errors import RateLimited
from storage.schema import MENTIONS, RUNS
from tests.fakeapi import Answer, FakeAPI
from tests.replay import FIXTURES

HN = FIXTURES / "hackernews/earshot"


def body(name: str) -> dict:
    return json.loads((HN / name).read_text(encoding="utf-8"))


def by_page(seen):
    return Answer(200, body(f"search_by_date_page{seen.query['page'][0]}.json"))


def make(ctx, api, **settings):
    col = HackerNewsCollector(ctx.config, Source(enabled=True, api_url=api.url + "/api/v1", queries=["Hafenlicht"],
                                                 **settings))
    col.sleeps = []
    col.retrier = http.Retrier("hackernews", col.policy, sleep=col.sleeps.append, clock=lambda: 0.0, jitter=lambda: 0.0)
    return col


def test_pages_then_nothing_new_costs_one_request(ctx):
    with FakeAPI() as api:
        api.route("GET", "/api/v1/search_by_date", by_page)
        col = make(ctx, api)
        batches = list(col.fetch({}, None))
        assert [len(b.items) for b in batches] == [2, 1] and batches[0].state is None
        state = batches[-1].state
        assert state == {"queries": {"Hafenlicht": {"newest": 1795680347, "ids": ["46110230"]}}}
        first = api.seen[0].query
        assert first["query"] == ["Hafenlicht"] and first["tags"] == ["(story,comment)"]
        assert "numericFilters" not in first
        api.route("GET", "/api/v1/search_by_date", Answer(200, body("search_by_date_empty.json")))
        again = list(col.fetch(state, None))
    assert len(api.seen) == 3 and api.seen[2].query["numericFilters"] == ["created_at_i>=1795680347"]
    assert again[0].items == [] and again[0].state is None


def test_hits_map_to_mentions(ctx):
    col = HackerNewsCollector(ctx.config, Source(enabled=True))
    comment, story = body("search_by_date_page0.json")["hits"]
    c = col.to_mention(comment)
    assert c["id"] == "46110230" and c["parent_id"] == "46110011" and c["conversation_id"] == "46110011"
    assert c["text"].startswith("Nice. I had a LichtBox") and "<" not in c["text"] and c["title"] is None
    assert c["url"] == "https://news.ycombinator.com/item?id=46110230"
    s = col.to_mention(story)
    assert s["title"] == "Hafenlicht open-sources its smart-meter gateway firmware"
    assert (s["likes"], s["replies"]) == (142, 57)
    assert s["created_at"] == datetime(2026, 11, 26, 7, 30, 11, tzinfo=UTC)
    ask = col.to_mention(body("search_by_date_page1.json")["hits"][0])
    assert '"Wärmepumpe"' in ask["text"]  # HTML entities decoded
    assert col.to_mention({**comment, "comment_text": None}) is None
    with pytest.raises(BadItem):
        col.to_mention({"objectID": "1"})


def test_default_queries_are_plain_phrases(ctx):
    col = HackerNewsCollector(ctx.config, Source(enabled=True))
    assert col.queries()[:3] == ["Hafenlicht", "Hafenlicht Energie", "LichtBox"]  # @/# stripped, no quotes


def test_429_then_retry_after(ctx):
    with FakeAPI() as api:
        api.route("GET", "/api/v1/search_by_date", Answer(429, "slow down", {"Retry-After": "7"}), by_page)
        col = make(ctx, api, max_pages=1)
        (batch,) = list(col.fetch({}, None))
    assert col.sleeps == [7.0] and batch.rate_limit_waits == 1 and len(batch.items) == 2
    assert "stopped after 1 pages" in batch.errors[0]


def test_persistent_429_gives_up_with_rate_limited(ctx):
    with FakeAPI() as api:
        api.route("GET", "/api/v1/search_by_date", Answer(429, "slow down"))
        col = make(ctx, api)
        with pytest.raises(RateLimited):
            list(col.fetch({}, None))
    assert col.sleeps == [1.0, 2.0, 4.0] and len(api.seen) == 4


def test_run_end_to_end_with_since(ctx):
    with FakeAPI() as api:
        api.route("GET", "/api/v1/search_by_date", by_page)
        col = make(ctx, api)
        col.settings.queries = ["Hafenlicht", "LichtBox"]
        report = run_collector(ctx, col, since=datetime(2026, 11, 1, tzinfo=UTC))
    since = int(datetime(2026, 11, 1, tzinfo=UTC).timestamp())
    assert api.seen[0].query["numericFilters"] == [f"created_at_i>={since}"]
    assert report.status == "ok" and report.new == 3 and report.duplicates == 3  # both queries found the same hits
    assert ctx.lake.read(RUNS).to_pylist()[-1]["query"] == "Hafenlicht | LichtBox"  # the ledger names every query
    rows = {r["id"]: r for r in ctx.lake.read(MENTIONS).to_pylist()}
    assert rows["46050001"]["entities"] == ["Hafenlicht", "Stromwerk Nord"]
