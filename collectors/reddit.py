"""Reddit through praw (read-only, app credentials): search, new submissions, new comments.

Queries of one run:
- ``search``: the entities' terms OR-joined, searched in r/all (or only in the configured
  subreddits), sorted by new;
- ``new`` and ``comments``: the newest submissions and comments of each configured subreddit
  (Reddit's search does not cover comments; local matching keeps only the relevant ones).

praw's ``Reddit.request`` returns Reddit's JSON untouched, so the raw item is one listing
child as received: ``{"kind": "t3" | "t1", "data": {...}}``. Listings come newest first and
are paged with ``after`` until the cursor is reached. Cursor per query: the newest
``created_utc`` of the last complete pass and the fullnames seen at that second; it advances
only after the last page, so an interrupted run repeats pages and never skips any.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import datetime
from typing import Any, ClassVar

import praw
import prawcore

from collectors import http
from collectors.base import BadItem, Batch
from collectors.common import (
    SourceSettings,
    count,
    credential,
    entity_phrases,
    from_epoch,
    or_queries,
    parse_settings,
)
from earshot.config import Config, Source
from earshot.errors import AccessDenied, RateLimited, SourceError

ID_ENV, SECRET_ENV = "REDDIT_CLIENT_ID", "REDDIT_CLIENT_SECRET"
HOW_TO_GET = (
    "Create a 'script' app at https://www.reddit.com/prefs/apps and export its client id as "
    f"{ID_ENV} and its secret as {SECRET_ENV} (read-only use needs no Reddit password)."
)
# Reddit's API paths, in one place (praw adds raw_json=1 and the OAuth host).
ENDPOINTS = {
    "search": "r/{scope}/search/",  # submissions matching q; restrict_sr keeps it inside the subreddits
    "new": "r/{scope}/new/",  # newest submissions of a subreddit
    "comments": "r/{scope}/comments/",  # newest comments of a subreddit
}
DELETED = {"[deleted]", "[removed]"}


class RedditSettings(SourceSettings):
    subreddits: list[str] = []  # limit search to these and read their new posts and comments; empty: search r/all
    user_agent: str = "python:earshot:0.1 (self-hosted social listening)"  # Reddit wants a descriptive one
    max_pages: int = 10  # pages of 100 per query per run
    max_query_length: int = 512  # Reddit ignores longer search queries


class RedditCollector:
    """Reddit search and subreddit listings; see the module docstring."""

    name: ClassVar[str] = "reddit"
    title: ClassVar[str] = "Reddit"
    credentials: ClassVar[tuple[str, ...]] = (ID_ENV, SECRET_ENV)
    keep_unmatched: ClassVar[bool] = False
    # x-ratelimit-reset is seconds from now; the HTML 429 page carries Retry-After instead.
    # prawcore already retries 5xx and connection errors (3 tries), so we do not add our own.
    policy: ClassVar[http.RatePolicy] = http.RatePolicy(
        "x-ratelimit-reset", "delta", retry_server_errors=False, budget_s=660
    )

    def __init__(self, config: Config, settings: Source) -> None:
        self.config = config
        self.settings = parse_settings(RedditSettings, settings, self.name)
        self.retrier = http.Retrier(self.name, self.policy)
        self.reddit: Any = None  # built on first fetch (needs credentials)

    def queries(self) -> list[tuple[str, str, dict[str, Any]]]:
        """(key, path, params) of every request chain of one run."""
        subs = [s.removeprefix("r/") for s in self.settings.subreddits]
        scope = "+".join(subs) if subs else "all"
        out = []
        phrases = entity_phrases(self.config.all_entities, aliases=False)
        for q in or_queries(phrases, self.settings.max_query_length):
            params = {"q": q, "sort": "new", "t": "all", "restrict_sr": bool(subs), "limit": 100}
            out.append((f"search r/{scope}: {q}", ENDPOINTS["search"].format(scope=scope), params))
        for sub in subs:
            out.append((f"new r/{sub}", ENDPOINTS["new"].format(scope=sub), {"limit": 100}))
            out.append((f"comments r/{sub}", ENDPOINTS["comments"].format(scope=sub), {"limit": 100}))
        return out

    def plan(self, state: dict[str, Any], since: datetime | None) -> list[str]:
        cursors = state.get("queries", {})
        lines = []
        for key, path, params in self.queries():
            stop = f"back to {since.isoformat()}" if since else (
                f"newer than {from_epoch(cursors[key]['newest']).isoformat()}" if key in cursors else "first run"
            )
            pages = self.settings.max_pages
            lines.append(f"GET https://oauth.reddit.com/{path} {params} ({stop}, up to {pages} pages)")
        return lines

    def _client(self) -> Any:
        if self.reddit is None:
            self.reddit = praw.Reddit(
                client_id=credential(self.name, ID_ENV, HOW_TO_GET),
                client_secret=credential(self.name, SECRET_ENV, HOW_TO_GET),
                user_agent=self.settings.user_agent,
                check_for_updates=False,
                check_for_async=False,
            )
            self.reddit.read_only = True
        return self.reddit

    def fetch(self, state: dict[str, Any], since: datetime | None) -> Iterator[Batch]:
        reddit = self._client()
        current = copy.deepcopy(state)
        cursors = current.setdefault("queries", {})
        for key, path, params in self.queries():
            prev = cursors.get(key, {})
            floor = since.timestamp() if since else prev.get("newest", 0.0)
            seen_at_floor = set() if since else set(prev.get("ids", []))
            top: tuple[float, set[str]] | None = None
            params = dict(params)
            for page in range(self.settings.max_pages):
                try:
                    listing = self._get(reddit, path, params)
                except RateLimited:
                    raise
                except SourceError as exc:
                    if exc.status in (None, 401) or exc.status >= 500:
                        raise  # bad credentials or Reddit down: every other query would fail the same way
                    yield Batch([], None, key, *self.retrier.take_waits(), [str(exc)])  # e.g. a private subreddit
                    break
                waits, waited = self.retrier.take_waits()
                children = (listing or {}).get("data", {}).get("children", [])
                fresh, reached = [], False
                for child in children:
                    ts = float(child.get("data", {}).get("created_utc") or 0)
                    name = child.get("data", {}).get("name")
                    if ts < floor or (ts == floor and name in seen_at_floor):
                        reached = True  # everything from here on was stored by an earlier run
                        continue
                    fresh.append(child)
                    if top is None or ts > top[0]:
                        top = (ts, {name})
                    elif ts == top[0]:
                        top[1].add(name)
                after = (listing or {}).get("data", {}).get("after")
                last = reached or not after or page + 1 == self.settings.max_pages
                errors = []
                if last and not reached and after:
                    errors.append(f"reddit: stopped after {self.settings.max_pages} pages for {key!r}")
                new_state = None
                if last and top is not None and top[0] >= prev.get("newest", 0.0):
                    cursors[key] = {"newest": top[0], "ids": sorted(top[1])}
                    new_state = copy.deepcopy(current)
                yield Batch(fresh, new_state, key, waits, waited, errors)
                if last:
                    break
                params["after"] = after

    def _get(self, reddit: Any, path: str, params: dict[str, Any]) -> Any:
        return self.retrier.call(lambda: reddit.request(method="GET", path=path, params=params), classify)

    def to_mention(self, raw: Any) -> dict[str, Any] | None:
        if not isinstance(raw, dict) or raw.get("kind") not in ("t1", "t3") or not isinstance(raw.get("data"), dict):
            raise BadItem("expected a Reddit listing child of kind t1 (comment) or t3 (submission)")
        d = raw["data"]
        if not d.get("name") or d.get("created_utc") is None:
            raise BadItem("listing child without name or created_utc")
        author = d.get("author")
        row: dict[str, Any] = {
            "source": self.name,
            "id": d["name"],
            "url": f"https://www.reddit.com{d['permalink']}" if d.get("permalink") else None,
            "created_at": from_epoch(d["created_utc"]),
            "author": None if author in DELETED else author,  # deleted accounts keep their posts, lose the name
            "author_id": d.get("author_fullname"),
            "likes": count(d.get("score")),
        }
        if raw["kind"] == "t3":
            row.update(title=d.get("title"), text=d.get("selftext") or d.get("url") or "",
                       replies=count(d.get("num_comments")), conversation_id=d["name"],
                       reposts=count(d.get("num_crossposts")))
            return row
        body = d.get("body")
        if body is None or body in DELETED:
            return None  # the comment itself is gone: nothing to keep
        row.update(title=None, text=body, parent_id=d.get("parent_id"), conversation_id=d.get("link_id"))
        return row


def classify(exc: BaseException) -> http.Fault | None:
    """prawcore's exceptions as a Fault; bad credentials become one ``AccessDenied`` line."""
    if isinstance(exc, prawcore.exceptions.OAuthException):
        raise AccessDenied("reddit", f"Reddit refused the app credentials ({exc}).", HOW_TO_GET, 401)
    if isinstance(exc, prawcore.exceptions.ResponseException):
        resp = exc.response
        status = resp.status_code
        if status == 401:
            raise AccessDenied(
                "reddit", f"Reddit rejected the app credentials in {ID_ENV}/{SECRET_ENV} (401).", HOW_TO_GET, 401
            )
        if status == 403:
            raise AccessDenied(
                "reddit", f"forbidden (403) for {resp.url.split('?')[0]}: the subreddit is private, banned or "
                "quarantined, or the app lacks the read scope.", "Remove it from sources.reddit.subreddits.", 403,
            )
        if isinstance(exc, prawcore.exceptions.Redirect):
            return http.Fault(404, {}, f"no such subreddit ({exc.path})")
        return http.Fault(status, dict(resp.headers), f"HTTP {status} for {resp.url.split('?')[0]}")
    if isinstance(exc, prawcore.exceptions.RequestException):
        return http.Fault(None, {}, f"no answer from Reddit ({exc.original_exception!r})")
    return None
