"""Raw payloads of every platform, from real and recorded answers: scrubbing leaves no author
name or id in clear, and re-mapping a scrubbed payload gives the same pseudonym as ingest did."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from collectors import http
from collectors.bluesky import BlueskyCollector
from collectors.hackernews import HackerNewsCollector
from collectors.mastodon import MastodonCollector
from collectors.reddit import RedditCollector
from collectors.rss import RssCollector, parse_feed
from collectors.x import XCollector
from earshot import privacy
from earshot.config import Source
from tests.replay import FIXTURES, replay

P = privacy.Pseudonymiser("raw-sources-test-key-0123456789")


def _fetch(col: Any) -> list[Any]:
    col.retrier = http.Retrier(col.name, col.policy, sleep=lambda s: None, jitter=lambda: 0.0)
    return [item for batch in col.fetch({}, None) for item in batch.items]


def x_items(ctx, monkeypatch) -> tuple[Any, list]:
    monkeypatch.setenv("X_BEARER_TOKEN", "test-bearer-token-0000")
    col = XCollector(ctx.config, Source(enabled=True, own_replies=False))
    with replay("twitter/earshot/search_recent_users_two_pages.yaml"):
        return col, _fetch(col)


def reddit_items(ctx, monkeypatch) -> tuple[Any, list]:
    monkeypatch.setenv("REDDIT_CLIENT_ID", "test-client-id")
    monkeypatch.setenv("REDDIT_CLIENT_SECRET", "test-client-secret-000")
    monkeypatch.setattr("time.sleep", lambda s: None)
    col = RedditCollector(ctx.config, Source(enabled=True))
    every = col.queries()
    col.queries = lambda: [q for q in every if q[0].startswith("search")]
    with replay("reddit/praw/TestSubreddit.test_search.json"):
        return col, _fetch(col)


def mastodon_items(ctx, monkeypatch) -> tuple[Any, list]:
    col = MastodonCollector(ctx.config, Source(enabled=True, instances=[{"url": "http://localhost:3000",
                                                                           "hashtags": ["hoot"]}]))
    with replay("mastodon/Mastodon.py/test_hashtag_tl.yaml", repeat=True):
        return col, _fetch(col)


def bluesky_items(ctx, monkeypatch) -> tuple[Any, list]:
    doc = json.loads((FIXTURES / "bluesky/earshot/searchPosts_page1.json").read_text(encoding="utf-8"))
    return BlueskyCollector(ctx.config, Source(enabled=True)), doc["posts"]


def hn_items(ctx, monkeypatch) -> tuple[Any, list]:
    doc = json.loads((FIXTURES / "hackernews/earshot/search_by_date_page0.json").read_text(encoding="utf-8"))
    return HackerNewsCollector(ctx.config, Source(enabled=True)), doc["hits"]


def rss_items(ctx, monkeypatch) -> tuple[Any, list]:
    items: list = []
    for path in sorted(p for p in (FIXTURES / "rss").rglob("*") if p.is_file() and p.suffix in (".xml", ".rss",
                                                                                                ".atom")):
        items += parse_feed(path.read_bytes(), f"https://feeds.example/{path.name}")[0]
    return RssCollector(ctx.config, Source(enabled=True, feeds=[])), items


SOURCES = {"x": x_items, "reddit": reddit_items, "mastodon": mastodon_items, "bluesky": bluesky_items,
           "hackernews": hn_items, "rss": rss_items}


def leaves(value: Any) -> list[str]:
    out, stack = [], [value]
    while stack:
        v = stack.pop()
        if isinstance(v, dict):
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)
        elif isinstance(v, str):
            out.append(v)
    return out


@pytest.mark.parametrize("source", list(SOURCES))
def test_scrubbed_raw_holds_no_author_in_clear_and_remaps_to_the_same_pseudonym(
    ctx, monkeypatch, source: str, tmp_path: Path,
) -> None:
    col, items = SOURCES[source](ctx, monkeypatch)
    own = privacy.handles(h for hs in ctx.config.own_accounts.values() for h in hs)
    checked = 0
    for item in items:
        try:
            row = col.to_mention(item)
        except Exception:  # noqa: BLE001 - unmappable items are the runner's business, not this test's
            continue
        if not row:
            continue
        ids = privacy.handles(v for v in (row.get("author"), row.get("author_id")) if isinstance(v, str))
        if not ids:
            continue
        (scrubbed,) = privacy.prepare_raw([item], col.to_mention, "pseudonymised", P, own)
        is_own = bool(ids & own)
        if not is_own:
            left = {privacy.normalise(s) for s in leaves(scrubbed)} & ids
            assert not left, f"{source}: {left} left in clear in {json.dumps(scrubbed)[:400]}"
        again = {**col.to_mention(scrubbed), **(privacy.stored_authors(scrubbed) or {})}  # as the runner does
        want = (row["author"], row.get("author_id")) if is_own else (P(row["author"]), P(row.get("author_id")))
        assert (again["author"], again.get("author_id")) == want, f"{source}: remap gives {again['author']!r}"
        assert again["text"] == row["text"] and again["id"] == row["id"]
        checked += 1
    assert checked, f"{source}: no item with an author in the recordings"


@pytest.mark.parametrize("source", list(SOURCES))
def test_an_author_in_an_unexpected_place_is_still_scrubbed(ctx, monkeypatch, source: str) -> None:
    """Scrubbing may not rely on where a platform puts its authors today: a recorded payload with the
    author's name and id added where no collector looks, under keys that name no person, in another
    spelling, and a person object of a shape no platform sends, is stored without any of them in clear."""
    col, items = SOURCES[source](ctx, monkeypatch)
    own = privacy.handles(h for hs in ctx.config.own_accounts.values() for h in hs)
    for item in items:
        try:
            row = col.to_mention(item)
        except Exception:  # noqa: BLE001 - unmappable items are the runner's business
            continue
        names = [v for v in ((row or {}).get("author"), (row or {}).get("author_id")) if isinstance(v, str) and v]
        if names and not privacy.handles(names) & own:
            break
    else:
        pytest.fail(f"{source}: no item with an author in the recordings")
    odd = json.loads(json.dumps(item))
    odd["x_earshot_test"] = {
        "note": f"  @{names[0].upper()} ",  # the handle, spelled otherwise, under a neutral key
        "refs": [*names, {"value": names[-1]}],  # the id in a list and in a nested object
        "thread": [{"profile": {"nick": "stranger_0815", "bio": "not a known key"}}],  # a person object
    }
    (scrubbed,) = privacy.prepare_raw([odd], col.to_mention, "pseudonymised", P, own)
    secret = privacy.handles(names) | {"stranger_0815", "not a known key"}
    left = {privacy.normalise(s) for s in leaves(scrubbed)} & secret
    assert not left, f"{source}: {left} left in clear in {json.dumps(scrubbed['x_earshot_test'])}"
    extra = scrubbed["x_earshot_test"]
    assert extra["note"] == P(names[0]) and extra["refs"][0] == P(names[0])  # the same pseudonym as the lake's
    assert extra["thread"][0]["profile"]["nick"] == P("stranger_0815")
    (plain,) = privacy.prepare_raw([item], col.to_mention, "pseudonymised", P, own)
    assert {k: v for k, v in scrubbed.items() if k != "x_earshot_test"} == plain  # the rest as without it
