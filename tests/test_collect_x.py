"""X collector: tweepy.Client against replayed recordings (real and, where none exists, written by us)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from collectors import http
from collectors.runner import run_collector
from collectors.x import XCollector
from earshot.config import Source
from earshot.errors import AccessDenied, RateLimited
from earshot.log import mask
from storage.schema import MENTIONS, RUNS
from tests.replay import replay

W = "twitter/earshot/"


@pytest.fixture
def x(ctx, monkeypatch):
    monkeypatch.setenv("X_BEARER_TOKEN", "test-bearer-token-0000")
    col = XCollector(ctx.config, Source(enabled=True, lang=["de", "en"], own_replies=False))
    col.sleeps = []
    col.retrier = http.Retrier("x", col.policy, sleep=col.sleeps.append, clock=lambda: 1795426100.0, jitter=lambda: 0.0)
    col.urls = []  # what tweepy really sent
    col._client().session.hooks["response"].append(lambda r, *a, **k: col.urls.append(r.request.url))
    return col


def test_query_is_built_from_entity_terms(ctx):
    col = XCollector(ctx.config, Source(enabled=True, lang=["de"], own_replies=True))
    queries = col.queries()
    first = queries[0]
    assert '"Hafenlicht Energie"' in first and "@hafenlicht" in first
    assert '-"Hafenlicht Festival"' in first  # exclusions
    assert first.endswith(" -is:retweet lang:de") and first.startswith("((")  # OR group bound before the suffix
    assert "Hafenlicht*" not in first  # X has no wildcard
    assert queries[-1] == "from:hafenlicht OR from:hafenlicht_hilft"  # own accounts' replies
    assert all(len(q) <= 512 for q in queries)


def test_real_recording_first_page_maps_and_caps_pages(ctx, monkeypatch):
    monkeypatch.setenv("X_BEARER_TOKEN", "test-bearer-token-0000")
    col = XCollector(ctx.config, Source(enabled=True, max_pages=1, own_replies=False))
    with replay("twitter/tweepy/test_client_search_recent_tweets.yaml", match=("method", "path")):
        batches = list(col.fetch({}, None))
    assert len(batches) == 1 and len(batches[0].items) == 10
    q = col.queries()[0]
    assert batches[0].state == {"queries": {q: {"since_id": "1578516068309794817"}}}  # meta.newest_id
    assert any("stopped after 1 pages" in e for e in batches[0].errors)  # next_token left: said, not hidden
    row = col.to_mention(batches[0].items[0])
    assert row["id"] == "1578516068309794817" and row["text"] == "2022-10-07 22:42:12.637103 tweepy"
    assert row["author"] is None and row["created_at"] is None  # default fields only in this recording


def test_two_pages_with_expanded_users(x):
    with replay(W + "search_recent_users_two_pages.yaml") as cass:
        batches = list(x.fetch({}, None))
    assert cass.play_count == 2
    assert [len(b.items) for b in batches] == [3, 1]
    assert batches[0].state is None  # cursor moves only after the last page of the query
    assert batches[1].state["queries"][x.queries()[0]] == {"since_id": "1861790000000000003"}
    reply = x.to_mention(batches[0].items[1])
    assert reply["author"] == "hafenlicht_hilft" and reply["author_followers"] == 5210
    assert reply["parent_id"] == "1861770000000000001" and reply["conversation_id"] == "1861770000000000001"
    assert reply["created_at"] == datetime(2026, 11, 26, 9, 12, 40, tzinfo=UTC)
    assert reply["url"] == "https://x.com/hafenlicht_hilft/status/1861780000000000002"
    first = x.to_mention(batches[0].items[2])
    assert (first["likes"], first["replies"], first["reposts"], first["lang"]) == (5, 2, 1, "de")


def test_next_run_uses_since_id_and_zero_results_cost_one_request(x):
    state = {"queries": {x.queries()[0]: {"since_id": "1861790000000000003"}}}
    with replay(W + "search_recent_zero_results.yaml") as cass:
        batches = list(x.fetch(state, None))
    assert cass.play_count == 1 and x.retrier.requests == 1
    assert len(x.urls) == 1 and "since_id=1861790000000000003" in x.urls[0]
    assert batches[0].items == [] and batches[0].state is None  # nothing new: cursor untouched


def test_partial_errors_in_a_200_keep_the_data(x):
    with replay(W + "search_recent_partial_errors.yaml"):
        (batch,) = list(x.fetch({}, None))
    assert len(batch.items) == 1 and batch.items[0]["author"] is None
    assert "Could not find user" in batch.errors[0]
    assert x.to_mention(batch.items[0])["author"] is None


@pytest.mark.parametrize(
    ("cassette", "words"),
    [
        ("search_recent_401.yaml", ["X_BEARER_TOKEN", "401"]),
        ("search_recent_403_453.yaml", ["453", "Basic"]),
        ("search_recent_403_client_not_enrolled.yaml", ["client-not-enrolled", "Project"]),
    ],
)
def test_access_errors_become_one_clear_line(x, cassette, words):
    with replay(W + cassette), pytest.raises(AccessDenied) as err:
        list(x.fetch({}, None))
    text = str(err.value)
    assert "\n" not in text and all(w in text for w in words)
    assert "test-bearer-token" not in text


def test_missing_token_says_which_variable(ctx, monkeypatch):
    monkeypatch.delenv("X_BEARER_TOKEN", raising=False)
    with pytest.raises(AccessDenied, match="X_BEARER_TOKEN is not set") as err:
        list(XCollector(ctx.config, Source(enabled=True)).fetch({}, None))
    assert "***" not in mask(str(err.value))  # the hint survives the log masking intact


def test_429_waits_until_the_epoch_reset(x):
    with replay(W + "search_recent_429_then_ok.yaml"):
        batches = list(x.fetch({}, None))
    assert x.sleeps == [100.0]  # x-rate-limit-reset 1795426200 - clock 1795426100
    assert batches[0].rate_limit_waits == 1 and len(batches[0].items) == 1


def test_429_beyond_budget_raises_rate_limited(x):
    x.retrier.policy = http.RatePolicy("x-rate-limit-reset", "epoch", budget_s=10)
    with replay(W + "search_recent_429_then_ok.yaml"), pytest.raises(RateLimited) as err:
        list(x.fetch({}, None))
    assert err.value.reset_at == pytest.approx(1795426200.0)
    assert x.sleeps == []


def test_run_stores_matched_rows_with_own_account_flag(ctx, x):
    with replay(W + "search_recent_users_two_pages.yaml"):
        report = run_collector(ctx, x)
    assert report.status == "ok" and report.fetched == 4 and report.new == 4
    rows = {r["id"]: r for r in ctx.lake.read(MENTIONS).to_pylist()}
    assert rows["1861780000000000002"]["is_own"] is True  # reply by hafenlicht_hilft, no term needed
    assert rows["1861760000000000009"]["entities"] == ["Hafenlicht", "Stromwerk Nord"]
    assert ctx.state.load("x")["queries"][x.queries()[0]]["since_id"] == "1861790000000000003"
    ledger = ctx.lake.read(RUNS).to_pylist()[-1]
    assert ledger["collector"] == "x" and ledger["pages"] == 2


def test_since_older_than_seven_days_is_clamped_and_said(x):
    with replay(W + "search_recent_zero_results.yaml"):
        (batch,) = list(x.fetch({}, datetime(2020, 1, 1, tzinfo=UTC)))
    assert "start_time=" in x.urls[0] and "since_id" not in x.urls[0]
    assert "reaches 7 days back" in batch.errors[0]
