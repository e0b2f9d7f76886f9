"""Bluesky collector: atproto's Client against a local fake PDS serving recordings written from the lexicons."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from collectors import http
from collectors.bluesky import BlueskyCollector
from collectors.runner import run_collector
from earshot.config import Source
from earshot.errors import AccessDenied, RateLimited
from storage.schema import MENTIONS
from tests.fakeapi import Answer, FakeAPI
from tests.replay import FIXTURES

BS = FIXTURES / "bluesky/earshot"
LOGIN = "/xrpc/com.atproto.server.createSession"
SEARCH = "/xrpc/app.bsky.feed.searchPosts"


def body(name: str) -> dict:
    return json.loads((BS / name).read_text(encoding="utf-8"))


def pages(seen):
    name = "searchPosts_page2.json" if seen.query.get("cursor") == ["2"] else "searchPosts_page1.json"
    return Answer(200, body(name))


@pytest.fixture
def creds(monkeypatch):
    monkeypatch.setenv("BLUESKY_HANDLE", "earshot-test.bsky.social")
    monkeypatch.setenv("BLUESKY_APP_PASSWORD", "abcd-efgh-ijkl-mnop")


def make(ctx, api, **settings):
    col = BlueskyCollector(ctx.config, Source(enabled=True, service=api.url, queries=["Hafenlicht"], **settings))
    col.sleeps = []
    col.retrier = http.Retrier("bluesky", col.policy, sleep=col.sleeps.append, clock=lambda: 1795600000.0,
                               jitter=lambda: 0.0)
    return col


def test_login_then_search_pages_then_nothing_new(ctx, creds):
    with FakeAPI() as api:
        api.route("POST", LOGIN, Answer(200, body("createSession.json")))
        api.route("GET", SEARCH, pages)
        col = make(ctx, api)
        batches = list(col.fetch({}, None))
        login = json.loads(api.seen[0].body)
        assert login == {"identifier": "earshot-test.bsky.social", "password": "abcd-efgh-ijkl-mnop"}
        search = api.requests_to(SEARCH)
        assert search[0].query["q"] == ["Hafenlicht"] and search[0].query["sort"] == ["latest"]
        assert search[0].headers["Authorization"].startswith("Bearer ")
        assert [len(b.items) for b in batches] == [2, 1] and batches[0].state is None
        state = batches[-1].state["queries"]["Hafenlicht"]
        assert state["newest"] == "2026-11-26T09:20:02.771Z" and len(state["uris"]) == 1
        api.route("GET", SEARCH, Answer(200, body("searchPosts_empty.json")))
        again = list(col.fetch(batches[-1].state, None))
    assert api.requests_to(SEARCH)[-1].query["since"] == ["2026-11-26T09:20:02.771Z"]
    assert len(api.requests_to(SEARCH)) == 3 and again[0].items == [] and again[0].state is None


def test_post_views_map(ctx):
    col = BlueskyCollector(ctx.config, Source(enabled=True))
    reply = col.to_mention(body("searchPosts_page1.json")["posts"][0])
    assert reply["author"] == "hafenlicht.example" and reply["author_id"] == "did:plc:hafenlicht0000000000000000"
    assert reply["parent_id"] == reply["conversation_id"] == "at://did:plc:kundehh00000000000000000/app.bsky.feed.post/3lbxq2kqh3k2a"
    assert reply["url"] == "https://bsky.app/profile/hafenlicht.example/post/3lbxqa7yz5s2c" and reply["lang"] == "de"
    assert reply["created_at"] == datetime(2026, 11, 26, 9, 20, 1, 512000, tzinfo=UTC)
    real = json.loads((FIXTURES / "bluesky/atproto/thread_view_post_with_embed_media.json").read_text())
    real = real["thread"]["post"]
    row = col.to_mention(real)  # the real postView shape, as searchPosts returns it
    assert row["id"] == real["uri"] and row["lang"] == "en" and row["likes"] == 0 and row["text"] == ""


def test_wrong_app_password_is_one_clear_line(ctx, creds):
    with FakeAPI() as api:
        api.route("POST", LOGIN, Answer(401, body("error_auth_required.json")))
        with pytest.raises(AccessDenied) as err:
            list(make(ctx, api).fetch({}, None))
    text = str(err.value)
    assert "BLUESKY_APP_PASSWORD" in text and "Invalid identifier or password" in text and "abcd-efgh" not in text


def test_missing_credentials(ctx, monkeypatch):
    monkeypatch.delenv("BLUESKY_HANDLE", raising=False)
    with pytest.raises(AccessDenied, match="BLUESKY_HANDLE is not set"):
        list(BlueskyCollector(ctx.config, Source(enabled=True)).fetch({}, None))


def test_rate_limit_waits_for_the_epoch_reset_then_gives_up(ctx, creds):
    limited = Answer(429, body("error_rate_limit.json"), {"ratelimit-reset": "1795600020", "ratelimit-remaining": "0"})
    with FakeAPI() as api:
        api.route("POST", LOGIN, Answer(200, body("createSession.json")))
        api.route("GET", SEARCH, limited, pages)
        col = make(ctx, api, max_pages=1)
        (batch,) = list(col.fetch({}, None))
        assert col.sleeps == [20.0] and batch.rate_limit_waits == 1
        api.route("GET", SEARCH, limited)
        col.retrier.policy = http.RatePolicy("ratelimit-reset", "epoch", budget_s=30)
        with pytest.raises(RateLimited):
            list(col.fetch({}, None))


def test_run_marks_own_account_and_matches(ctx, creds):
    with FakeAPI() as api:
        api.route("POST", LOGIN, Answer(200, body("createSession.json")))
        api.route("GET", SEARCH, pages)
        report = run_collector(ctx, make(ctx, api))
    assert report.status == "ok" and report.new == 3
    rows = {r["id"].rsplit("/", 1)[-1]: r for r in ctx.lake.read(MENTIONS).to_pylist()}
    assert rows["3lbxqa7yz5s2c"]["is_own"] is True and rows["3lbxqa7yz5s2c"]["author"] == "hafenlicht.example"
    assert rows["3lbwz7rq2fs2x"]["entities"] == ["Hafenlicht", "Stromwerk Nord", "GrünFluss"]
