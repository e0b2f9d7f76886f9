"""Reddit collector: praw (read-only) against replayed praw/prawcore recordings."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import pytest

from collectors import http
from collectors.reddit import RedditCollector
from collectors.runner import run_collector
from earshot.config import Entity, Source
from earshot.errors import AccessDenied, RateLimited, SourceError
from storage.schema import MENTIONS
from tests.replay import FIXTURES, replay

ANY = ("method",)  # replay a recorded answer for whichever endpoint the collector calls


@pytest.fixture(autouse=True)
def no_real_sleep(monkeypatch):
    """prawcore sleeps between its own retries and to pace requests; tests never really sleep."""
    slept: list[float] = []
    monkeypatch.setattr(time, "sleep", slept.append)
    return slept


def make(ctx, monkeypatch, kinds=("search",), **settings):
    monkeypatch.setenv("REDDIT_CLIENT_ID", "test-client-id")
    monkeypatch.setenv("REDDIT_CLIENT_SECRET", "test-client-secret-000")
    col = RedditCollector(ctx.config, Source(enabled=True, **settings))
    col.sleeps = []
    col.retrier = http.Retrier("reddit", col.policy, sleep=col.sleeps.append, clock=lambda: 1e9, jitter=lambda: 0.0)
    every = col.queries()
    col.queries = lambda: [q for q in every if q[0].split()[0] in kinds]
    return col


def test_search_r_all_maps_submissions(ctx, monkeypatch):
    col = make(ctx, monkeypatch)
    with replay("reddit/praw/TestSubreddit.test_search.json") as cass:
        batches = list(col.fetch({}, None))
    assert cass.play_count == 2  # token + one search page (after is null)
    (batch,) = batches
    assert len(batch.items) == 6 and all(i["kind"] == "t3" for i in batch.items)
    key = col.queries()[0][0]
    assert key.startswith("search r/all: Hafenlicht OR")
    newest = max(i["data"]["created_utc"] for i in batch.items)
    assert batch.state["queries"][key]["newest"] == newest
    row = col.to_mention(batch.items[0])
    assert row["id"].startswith("t3_") and row["title"] and row["url"].startswith("https://www.reddit.com/r/")
    assert row["created_at"].tzinfo is UTC and row["replies"] is not None and row["likes"] is not None


def test_new_listing_pages_and_caps(ctx, monkeypatch):
    col = make(ctx, monkeypatch, kinds=("new",), subreddits=["askreddit"], max_pages=1)
    with replay("reddit/praw/TestSubredditListings.test_new.json"):
        (batch,) = list(col.fetch({}, None))
    assert len(batch.items) == 100 and batch.state is not None
    assert "stopped after 1 pages" in batch.errors[0]


def test_comment_listing_two_pages_then_nothing_new_costs_one_request(ctx, monkeypatch):
    col = make(ctx, monkeypatch, kinds=("comments",), subreddits=["earshot_test"])  # <TEST_SUBREDDIT>
    with replay("reddit/praw/TestSubredditStreams.test_comments__with_continue_after_id.json") as cass:
        batches = list(col.fetch({}, None))
    assert cass.play_count == 3 and [len(b.items) for b in batches] == [100, 95]
    assert batches[0].state is None and batches[1].state is not None  # cursor after the last page only
    row = col.to_mention(batches[0].items[0])
    assert row["id"].startswith("t1_") and row["parent_id"] and row["conversation_id"].startswith("t3_")
    assert row["title"] is None and row["text"]
    col.retrier.requests = 0
    with replay("reddit/praw/TestSubredditStreams.test_comments__with_continue_after_id.json"):
        again = list(col.fetch(batches[1].state, None))
    assert col.retrier.requests == 1 and again[0].items == [] and again[0].state is None


def test_deleted_author_and_deleted_comment(ctx, monkeypatch):
    col = make(ctx, monkeypatch)
    cass = json.loads((FIXTURES / "reddit/praw/TestComment.test_refresh__deleted_comment.json").read_text())
    listing = json.loads(cass["interactions"][1]["response"]["body"]["string"])
    (child,) = listing["data"]["children"]
    assert child["data"]["author"] == "[deleted]"
    assert col.to_mention(child) is None  # the comment body is gone too: nothing to keep
    child["data"]["body"] = "still here"
    assert col.to_mention(child)["author"] is None


def test_quarantined_subreddit_is_reported_and_the_next_query_goes_on(ctx, monkeypatch):
    col = make(ctx, monkeypatch, kinds=("new", "comments"), subreddits=["ferguson"], max_pages=1)
    with replay("reddit/praw/TestSubredditQuarantine.test_opt_in.json", match=ANY):
        batches = list(col.fetch({}, None))
    assert batches[0].items == [] and "private, banned or quarantined" in batches[0].errors[0]
    rows = [col.to_mention(i) for i in batches[1].items]
    deleted = [r for r in rows if r["author"] is None]
    assert len(deleted) == 12 and all(r["text"] or r["title"] for r in deleted)  # posts of deleted accounts kept


def test_html_429_with_retry_after(ctx, monkeypatch):
    col = make(ctx, monkeypatch)
    path = "reddit/prawcore/TestSession.test_request__too__many_requests__with_retry_headers.json"
    with replay(path, match=ANY, repeat=True), pytest.raises(RateLimited) as err:
        list(col.fetch({}, None))
    assert col.sleeps == [4.0, 4.0, 4.0]  # retry-after: 4, then give up after max_attempts
    assert err.value.source == "reddit" and err.value.reset_at == pytest.approx(1e9 + 4)


def test_json_429_without_retry_headers_backs_off(ctx, monkeypatch):
    col = make(ctx, monkeypatch)
    path = "reddit/prawcore/TestSession.test_request__too__many_requests__without_retry_headers.json"
    with replay(path, match=ANY, repeat=True), pytest.raises(RateLimited):
        list(col.fetch({}, None))
    assert col.sleeps == [1.0, 2.0, 4.0]  # exponential back-off (jitter pinned to its low end)


def test_empty_503_is_retried_by_prawcore_then_fails_the_source(ctx, monkeypatch, no_real_sleep):
    col = make(ctx, monkeypatch, kinds=("search", "new"), subreddits=["a"])
    with replay("reddit/prawcore/TestSession.test_request__service_unavailable.json", match=ANY) as cass:
        with pytest.raises(SourceError) as err:
            list(col.fetch({}, None))
    assert err.value.status == 503 and cass.play_count == 4  # token + prawcore's 3 tries; no extra retries by us
    assert col.sleeps == [] and len(no_real_sleep) >= 2


def test_invalid_credentials_are_one_clear_line(ctx, monkeypatch):
    col = make(ctx, monkeypatch)
    with replay("reddit/prawcore/TestSession.test_request__with_invalid_access_token.json", match=ANY, repeat=True):
        with pytest.raises(AccessDenied) as err:
            list(col.fetch({}, None))
    text = str(err.value)
    assert "REDDIT_CLIENT_ID" in text and "401" in text and "test-client-secret" not in text


def test_run_keeps_matching_submissions(ctx, monkeypatch):
    ctx.config = ctx.config.model_copy(update={"entities": [Entity(name="PRAW", terms=["praw"])], "competitors": []})
    col = make(ctx, monkeypatch)
    with replay("reddit/praw/TestSubreddit.test_search.json"):
        report = run_collector(ctx, col, since=datetime(2015, 1, 1, tzinfo=UTC))
    # --since stops paging at the first older item: one of the six results is from before 2015
    assert report.status == "ok" and report.fetched == 5 and 0 < report.new <= 5
    assert report.unmatched == 5 - report.new
    assert all(r["entity"] == "PRAW" for r in ctx.lake.read(MENTIONS).to_pylist())
