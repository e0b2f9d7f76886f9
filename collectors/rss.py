"""RSS and Atom feeds: news search feeds, Google Alerts, blogs, WordPress comment feeds.

Each feed is fetched with a conditional GET (``If-None-Match`` / ``If-Modified-Since`` from the
last answer), so an unchanged feed costs one request and yields nothing. The bytes go to
feedparser together with the HTTP headers (their charset wins over the XML declaration, as
the standards say). A feed that cannot be parsed is reported and skipped; the others go on.

Raw item: ``{"feed_url", "feed_title", "feed_lang", "entry"}`` where ``entry`` is feedparser's
entry with its parsed times as ISO strings. Cursor per feed: ETag, Last-Modified and the keys
(id or link, plus updated time) of the entries the feed showed last time.
"""

from __future__ import annotations

import calendar
import copy
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlparse

import feedparser

from collectors import http
from collectors.base import BadItem, Batch
from collectors.common import SourceSettings, html_to_text, parse_settings
from collectors.records import stable_id
from earshot.config import Config, Source
from earshot.errors import RateLimited, SourceError

MAX_SEEN = 1000  # entry keys remembered per feed (a feed shows its newest few dozen)


class RssSettings(SourceSettings):
    feeds: list[str] = []  # feed URLs
    timeout_s: float = 30.0  # per request


def _plain(value: Any) -> Any:
    """feedparser's dicts and struct_times as JSON-friendly values."""
    if isinstance(value, time.struct_time):
        return datetime.fromtimestamp(calendar.timegm(value), UTC).isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


def entry_key(entry: dict[str, Any]) -> str:
    """What identifies one version of an entry: its id (or link, or title) and updated time."""
    ident = entry.get("id") or entry.get("link") or entry.get("title") or ""
    return f"{ident}\x1f{entry.get('updated') or entry.get('published') or ''}"


def parse_feed(data: bytes, url: str, headers: dict[str, str] | None = None) -> tuple[list[dict[str, Any]], str]:
    """Raw items of one feed document, and a problem description ("" if it parsed cleanly).

    A document that yields no entries and is malformed (``bozo``) is a problem; one that is
    malformed but still yields entries (broken encodings, unclosed CDATA) keeps its entries
    and is not reported.
    """
    hdrs = {k.lower(): v for k, v in (headers or {}).items()}
    hdrs.setdefault("content-location", url)
    parsed = feedparser.parse(data, response_headers=hdrs, sanitize_html=True)
    problem = ""
    if parsed.bozo and not parsed.entries:
        # Most real feeds are a little malformed; only one that yields nothing is worth a report.
        problem = f"{url}: malformed feed ({type(parsed.bozo_exception).__name__}: {parsed.bozo_exception})"[:300]
    elif not parsed.entries and not parsed.feed:
        problem = f"{url}: not an RSS or Atom feed"
    feed = parsed.feed
    items = [
        {"feed_url": url, "feed_title": feed.get("title"), "feed_lang": feed.get("language"), "entry": _plain(e)}
        for e in parsed.entries
    ]
    return items, problem


def _unwrap(link: str | None) -> str | None:
    """Google Alerts links point at google.com/url?...&url=<article>: keep the article."""
    if not link or "google." not in link:
        return link or None
    parts = urlparse(link)
    if parts.netloc.endswith("google.com") and parts.path == "/url":
        real = parse_qs(parts.query).get("url") or parse_qs(parts.query).get("q")
        if real:
            return real[0]
    return link


class RssCollector:
    """Any number of RSS/Atom feeds; see the module docstring."""

    name: ClassVar[str] = "rss"
    title: ClassVar[str] = "RSS and Atom feeds"
    credentials: ClassVar[tuple[str, ...]] = ()  # public feeds need none
    keep_unmatched: ClassVar[bool] = False
    # Feeds announce no rate limits; 5xx and timeouts are retried with back-off.
    policy: ClassVar[http.RatePolicy] = http.RatePolicy(max_attempts=3, budget_s=120)

    def __init__(self, config: Config, settings: Source) -> None:
        self.config = config
        self.settings = parse_settings(RssSettings, settings, self.name)
        self.retrier = http.Retrier(self.name, self.policy)
        self.session = http.session()

    def plan(self, state: dict[str, Any], since: datetime | None) -> list[str]:
        feeds = state.get("feeds", {})
        out = []
        for url in self.settings.feeds:
            f = feeds.get(url, {})
            cond = "conditional GET" if (f.get("etag") or f.get("modified")) and not since else "GET"
            out.append(f"{cond} {url}")
        return out or ["no feeds configured (sources.rss.feeds)"]

    def fetch(self, state: dict[str, Any], since: datetime | None) -> Iterator[Batch]:
        current = copy.deepcopy(state)
        feeds = current.setdefault("feeds", {})
        for url in self.settings.feeds:
            prev = feeds.get(url, {})
            headers = {}
            if not since:  # a backfill asks for the whole feed again
                if prev.get("etag"):
                    headers["If-None-Match"] = prev["etag"]
                if prev.get("modified"):
                    headers["If-Modified-Since"] = prev["modified"]
            try:
                resp = self.retrier.call(lambda u=url, h=headers: self._get(u, h), http.requests_fault)
            except RateLimited:
                raise  # the budget is spent: stop this source, keep what we have
            except SourceError as exc:  # one dead feed must not stop the others
                waits, waited = self.retrier.take_waits()
                yield Batch([], None, url, waits, waited, [str(exc)])
                continue
            waits, waited = self.retrier.take_waits()
            if resp.status_code == 304:  # unchanged since last time: nothing to parse
                yield Batch([], None, url, waits, waited)
                continue
            items, problem = parse_feed(resp.content, url, dict(resp.headers))
            seen = set(prev.get("seen", [])) if not since else set()
            fresh = [it for it in items if entry_key(it["entry"]) not in seen]
            if since:
                fresh = [it for it in fresh if _entry_time(it["entry"]) is None or _entry_time(it["entry"]) >= since]
            feeds[url] = {
                "etag": resp.headers.get("ETag"),
                "modified": resp.headers.get("Last-Modified"),
                "seen": [entry_key(it["entry"]) for it in items][:MAX_SEEN],
            }
            errors = [problem] if problem else []
            # A feed that parsed to nothing keeps its old cursor: the next run tries it again.
            new_state = copy.deepcopy(current) if items or not problem else None
            yield Batch(fresh, new_state, url, waits, waited, errors)

    def _get(self, url: str, headers: dict[str, str]):
        return http.get(self.session, url, self.settings.timeout_s, ok=(200, 304), headers=headers)

    def to_mention(self, raw: Any) -> dict[str, Any] | None:
        if not isinstance(raw, dict) or not isinstance(raw.get("entry"), dict):
            raise BadItem("expected a feed entry")
        e = raw["entry"]
        title = html_to_text(e.get("title")) or None
        content = e.get("content") or []
        body = content[0].get("value") if content and isinstance(content[0], dict) else None
        text = html_to_text(body or e.get("summary"))
        if not title and not text:
            raise BadItem(f"entry in {raw.get('feed_url')} has neither title nor text")
        link = _unwrap(e.get("feedburner_origlink") or e.get("link"))  # FeedBurner wraps the article link
        # Entries without id or link (it happens) get one derived from feed, title and text.
        ident = e.get("id") or link or stable_id(self.name, raw.get("feed_url"), None, f"{title}\x1f{text}")
        lang = (content[0].get("language") if content and isinstance(content[0], dict) else None) or raw.get(
            "feed_lang"
        )
        return {
            "source": self.name,
            "id": str(ident),
            "url": link,
            "created_at": _entry_time(e),
            "author": e.get("author") or None,
            "title": title,
            "text": text or title,
            "lang": (lang or "").split("-")[0].lower() or None,
            "replies": _int(e.get("slash_comments") if e.get("slash_comments") is not None else e.get("thr_total")),
        }


def _entry_time(entry: dict[str, Any]) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        if entry.get(key):
            return datetime.fromisoformat(entry[key])
    return None


def _int(value: Any) -> int | None:
    if value is None:
        return None
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None
