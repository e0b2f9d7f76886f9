"""Mastodon collector: Mastodon.py against replayed Mastodon.py recordings and a local fake instance."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import yaml

from collectors import http
from collectors.mastodon import MastodonCollector
from earshot.config import Source
from earshot.errors import AccessDenied
from tests.fakeapi import Answer, FakeAPI
from tests.replay import FIXTURES, replay

LOCAL = "http://localhost:3000"  # the instance Mastodon.py's recordings were made against


def make(ctx, instances, **settings):
    col = MastodonCollector(ctx.config, Source(enabled=True, instances=instances, **settings))
    col.sleeps, col.urls = [], []
    col.retrier = http.Retrier("mastodon", col.policy, sleep=col.sleeps.append,
                               clock=lambda: datetime(2030, 1, 1, tzinfo=UTC).timestamp(), jitter=lambda: 0.0)
    build = col._client

    def client(inst):
        c = build(inst)
        c.session.hooks["response"].append(lambda r, *a, **k: col.urls.append(r.request.url))
        return c

    col._client = client
    return col


def _recorded_status(name: str, n: int = 0) -> dict:
    cass = yaml.safe_load((FIXTURES / "mastodon/Mastodon.py" / name).read_text())
    return json.loads(cass["interactions"][n]["response"]["body"]["string"])


def test_hashtag_timeline_follows_the_link_header(ctx):
    col = make(ctx, [{"url": LOCAL, "hashtags": ["hoot"]}])
    with replay("mastodon/Mastodon.py/test_hashtag_tl.yaml", repeat=True):
        batches = list(col.fetch({}, None))
    pages = [u for u in col.urls if "/timelines/" in u]  # (Mastodon.py first reads /api/v2/instance once)
    assert "max_id=117020593741189701" in pages[1]  # page 2 asked for what rel="next" named
    assert [len(b.items) for b in batches] == [1, 0]  # the replayed page 2 brings nothing older: stop
    key = f"{LOCAL} hashtag hoot"
    assert batches[-1].state == {"timelines": {key: {"since_id": "117020593741189701"}}}
    row = col.to_mention(batches[0].items[0])
    assert row["author"] == "mastodonpy_test_2@localhost:3000" and row["lang"] == "ja"
    assert row["created_at"] == datetime(2026, 8, 1, 13, 55, 55, 867000, tzinfo=UTC)
    assert "<" not in row["text"] and row["text"]


def test_next_run_sends_since_id(ctx):
    col = make(ctx, [{"url": LOCAL, "hashtags": ["hoot"]}])
    state = {"timelines": {f"{LOCAL} hashtag hoot": {"since_id": "117020593741189701"}}}
    with replay("mastodon/Mastodon.py/test_hashtag_tl.yaml"):
        (batch,) = list(col.fetch(state, None))
    pages = [u for u in col.urls if "/timelines/" in u]
    assert "since_id=117020593741189701" in pages[0] and len(pages) == 1  # nothing new: one request
    assert batch.items == [] and batch.state is None  # the recorded post is not newer than the cursor


def test_production_status_maps(ctx):
    col = make(ctx, [])
    status = _recorded_status("test_entity_status.yaml", 1)
    row = col.to_mention({"instance": "https://mastodon.social", "status": status})
    assert row["id"] == status["uri"] and row["url"] == status["url"]
    assert row["author"] == "halcy@mastodon.social" and row["lang"] == "de"
    assert row["likes"] == status["favourites_count"] and row["reposts"] == status["reblogs_count"]
    assert row["created_at"].tzinfo is not None and "<p>" not in row["text"]
    assert col.to_mention({"instance": "x", "status": {**status, "reblog": status}}) is None  # boosts skipped


def test_404_is_reported_and_other_timelines_go_on(ctx):
    col = make(ctx, [{"url": LOCAL, "hashtags": ["gone", "hoot"]}])
    with replay("mastodon/Mastodon.py/test_timeline_link_fails.yaml", match=(), only_status=404, repeat=True):
        batches = list(col.fetch({}, None))
    assert batches[0].items == [] and "HTTP 404: " in batches[0].errors[0] and "not found" in batches[0].errors[0]
    assert len(batches) == 2 and batches[1].errors  # the replay only has 404s; each timeline reports its own


def test_422_with_a_localized_message(ctx):
    col = make(ctx, [{"url": LOCAL, "hashtags": ["hoot"]}])
    with replay("mastodon/Mastodon.py/test_lang_for_errors.yaml", match=(), repeat=True):
        (batch,) = list(col.fetch({}, None))
    assert "HTTP 422" in batch.errors[0] and "500" in batch.errors[0]


def test_search_needs_a_token_and_costs_one_request_per_phrase(ctx, monkeypatch):
    monkeypatch.delenv("MASTODON_ACCESS_TOKEN", raising=False)
    col = make(ctx, [{"url": LOCAL, "hashtags": [], "search": True}])
    col.timelines = lambda: [t for t in MastodonCollector.timelines(col) if t[1] == "search"][:1]
    with pytest.raises(AccessDenied, match="MASTODON_ACCESS_TOKEN"):
        list(col.fetch({}, None))
    monkeypatch.setenv("MASTODON_ACCESS_TOKEN", "test-mastodon-token")
    with replay("mastodon/Mastodon.py/test_search.yaml", match=("method", "path"), repeat=True):
        (batch,) = list(col.fetch({}, None))
    assert batch.items == [] and len(col.urls) == 1 and "type=statuses" in col.urls[0]


def test_429_waits_for_the_iso_reset_time(ctx):
    status = _recorded_status("test_entity_status.yaml")
    with FakeAPI() as api:
        api.route(
            "GET", "/api/v1/timelines/tag/LichtBox",
            Answer(429, {"error": "Too many requests"}, {"X-RateLimit-Reset": "2030-01-01T00:00:30.000000Z"}),
            Answer(200, [status]),
        )
        col = make(ctx, [{"url": api.url, "hashtags": ["LichtBox"]}])
        (batch,) = list(col.fetch({}, None))
    assert col.sleeps == [30.0] and batch.rate_limit_waits == 1 and len(batch.items) == 1


def test_default_hashtags_come_from_entity_aliases(ctx):
    col = MastodonCollector(ctx.config, Source(enabled=True, instances=[{"url": "https://social.example"}]))
    assert [t[2] for t in col.timelines()] == ["hafenlicht", "LichtBox"]
    assert col.plan({}, None)[0].startswith("GET https://social.example/api/v1/timelines/tag/hafenlicht")
