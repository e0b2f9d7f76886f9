"""RSS/Atom collector: every real feed in the fixtures maps or fails cleanly; conditional GET."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from collectors import http
from collectors.base import BadItem
from collectors.rss import RssCollector, parse_feed
from collectors.runner import run_collector
from earshot.config import Entity, Source
from storage.schema import MENTIONS
from tests.fakeapi import Answer, FakeAPI

FIX = Path(__file__).parent / "fixtures"
FEEDS = sorted(
    p for p in [*FIX.glob("rss/**/*"), *FIX.glob("hackernews/feedjira/*.xml")]
    if p.is_file() and not p.name.startswith(("LICENSE", "_"))
)


@pytest.fixture
def rss(ctx):
    return RssCollector(ctx.config, Source(enabled=True, feeds=[]))


def _map_all(col, items):
    rows, bad = [], []
    for it in items:
        try:
            rows.append(col.to_mention(it))
        except BadItem as exc:
            bad.append(str(exc))
    return rows, bad


@pytest.mark.parametrize("path", FEEDS, ids=lambda p: str(p.relative_to(FIX)))
def test_every_real_feed_maps_or_fails_cleanly(rss, path):
    items, problem = parse_feed(path.read_bytes(), f"https://feeds.example/{path.name}")
    rows, bad = _map_all(rss, items)
    assert items or problem, "a feed without entries must say why"
    assert len(rows) + len(bad) == len(items)
    for row in rows:
        assert row["source"] == "rss" and row["id"] and (row["text"] or row["title"])
        assert row["created_at"] is None or row["created_at"].tzinfo is not None
        assert "<" not in (row["title"] or "")  # HTML stripped


def test_latin1_feeds_decode_correctly(rss):
    items, _ = parse_feed((FIX / "rss/rss-parser/encoding.rss").read_bytes(), "https://jn.example/rss")
    rows, _ = _map_all(rss, items)
    assert "Lisboa quer passes sociais com acesso a táxis e bicicletas" in [r["title"] for r in rows]
    assert rows[0]["lang"] == "pt"
    items, _ = parse_feed((FIX / "rss/rss-parser/uolNoticias.rss").read_bytes(), "https://uol.example/rss")
    assert any("campeã" in r["title"] for r in _map_all(rss, items)[0])  # Latin-1 bytes, no declaration


def test_http_charset_overrides_the_xml_declaration(rss):
    data = (FIX / "rss/feedparser/tests/encoding/http_text_xml_charset_overrides_encoding_2.xml").read_bytes()
    items, problem = parse_feed(data, "https://x.example/feed", {"Content-Type": "text/xml; charset=windows-1252"})
    assert not problem
    assert rss.to_mention(items[0])["text"] == "This is a \xa3\u201ctest.\u201d"


def test_google_alerts_links_are_unwrapped_and_titles_stripped(rss):
    data = (FIX / "rss/feedjira/google_alerts_atom.xml").read_bytes()
    items, _ = parse_feed(data, "https://www.google.com/alerts/feeds/1/2")
    rows = {r["url"]: r for r in _map_all(rss, items)[0]}
    assert not any("google.com/url" in u for u in rows)
    row = rows["https://mspoweruser.com/latest-research-shows-microsoft-teams-is-stomping-slack/"]
    assert row["title"] == "Latest research shows Microsoft Teams is stomping Slack"
    assert row["created_at"] == datetime(2019, 7, 9, 23, 59, 57, tzinfo=UTC)


def test_wordpress_comment_counts_and_incomplete_entries(rss):
    items, _ = parse_feed((FIX / "rss/feedjira/TechCrunch.xml").read_bytes(), "https://techcrunch.example/feed")
    rows, _ = _map_all(rss, items)
    assert all(r["replies"] is not None for r in rows) and "Matt Burns" in {r["author"] for r in rows}
    items, _ = parse_feed((FIX / "rss/rss-parser/incomplete-fields.atom").read_bytes(), "https://x.example/atom")
    with pytest.raises(BadItem, match="neither title nor text"):
        rss.to_mention(items[0])
    items, _ = parse_feed((FIX / "rss/feedparser/tests/illformed/chardet/windows1255.xml").read_bytes(), "https://x/1")
    row = rss.to_mention(items[0])  # no id, link or title: an id derived from the content
    assert row["id"].startswith("h") and row["id"] == rss.to_mention(items[0])["id"]


def _slack_ctx(ctx):
    ctx.config = ctx.config.model_copy(update={"entities": [Entity(name="Slack", terms=["Slack"])], "competitors": []})
    return ctx


def test_conditional_get_second_run_costs_one_request_and_writes_nothing(ctx):
    body = (FIX / "rss/feedjira/google_alerts_atom.xml").read_bytes()
    ctx = _slack_ctx(ctx)
    with FakeAPI() as api:
        api.route(
            "GET", "/alerts",
            Answer(200, body, {"ETag": '"v1"', "Last-Modified": "Wed, 10 Jul 2019 00:00:00 GMT"}),
            lambda seen: Answer(304) if seen.headers.get("If-None-Match") == '"v1"' else Answer(200, body),
        )
        col = RssCollector(ctx.config, Source(enabled=True, feeds=[api.url + "/alerts"]))
        first = run_collector(ctx, col)
        files = ctx.lake.files(MENTIONS)
        second = run_collector(ctx, RssCollector(ctx.config, Source(enabled=True, feeds=[api.url + "/alerts"])))
    assert first.status == "ok" and first.new == 20 and first.fetched == 20
    assert second.fetched == 0 and second.new == 0 and second.status == "ok"
    assert len(api.requests_to("/alerts")) == 2
    assert api.seen[1].headers["If-Modified-Since"] == "Wed, 10 Jul 2019 00:00:00 GMT"
    assert ctx.lake.files(MENTIONS) == files  # nothing new: no parquet file written


def test_unchanged_feed_without_etag_yields_only_unseen_entries(ctx):
    body = (FIX / "rss/feedjira/google_alerts_atom.xml").read_bytes()
    with FakeAPI() as api:
        api.route("GET", "/a", Answer(200, body, {"Content-Type": "application/atom+xml"}))
        col = RssCollector(ctx.config, Source(enabled=True, feeds=[api.url + "/a"]))
        (b1,) = list(col.fetch({}, None))
        (b2,) = list(col.fetch(b1.state, None))
    assert len(b1.items) == 20 and b2.items == []


def test_dead_or_broken_feeds_do_not_stop_the_others(ctx):
    good = (FIX / "rss/rss-parser/heise.atom").read_bytes()
    with FakeAPI() as api:
        api.route("GET", "/gone", Answer(404, "not here"))
        api.route("GET", "/html", Answer(200, "<html><body>Login</body></html>", {"Content-Type": "text/html"}))
        api.route("GET", "/flaky", Answer(503), Answer(200, good, {"Content-Type": "application/atom+xml"}))
        col = RssCollector(ctx.config, Source(enabled=True, feeds=[api.url + p for p in ("/gone", "/html", "/flaky")]))
        sleeps: list[float] = []
        col.retrier = http.Retrier("rss", col.policy, sleep=sleeps.append, jitter=lambda: 0.0)
        batches = list(col.fetch({}, None))
    assert [len(b.items) for b in batches] == [0, 0, 15]
    assert "HTTP 404" in batches[0].errors[0] and batches[0].state is None
    assert "not an RSS or Atom feed" in batches[1].errors[0] or "malformed" in batches[1].errors[0]
    assert sleeps == [1.0]  # one back-off (base 2s, jitter 0 -> half) before the 503 was retried
    assert batches[2].rate_limit_waits == 1


def test_since_backfill_ignores_the_conditional_headers(ctx):
    body = (FIX / "rss/rss-parser/heise.atom").read_bytes()
    with FakeAPI() as api:
        api.route("GET", "/f", Answer(200, body, {"ETag": '"x"'}))
        col = RssCollector(ctx.config, Source(enabled=True, feeds=[api.url + "/f"]))
        state = {"feeds": {api.url + "/f": {"etag": '"x"', "seen": []}}}
        (b,) = list(col.fetch(state, datetime(2016, 1, 28, tzinfo=UTC)))
    assert "If-None-Match" not in api.seen[0].headers
    assert b.items and all(col.to_mention(i)["created_at"] >= datetime(2016, 1, 28, tzinfo=UTC) for i in b.items)
    assert col.plan(state, None) == [f"conditional GET {api.url}/f"]
