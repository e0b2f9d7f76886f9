"""Bluesky through atproto: ``app.bsky.feed.searchPosts`` after a login with an app password.

Unauthenticated search is often refused, so the collector logs in (one
``com.atproto.server.createSession`` per run) with a handle and an app password from the
environment. One query per search phrase (search matches all words of a query), sorted by
``latest``, 100 posts per page, paged with ``cursor``; ``since`` asks only for posts newer
than the cursor.

Raw item: one ``app.bsky.feed.defs#postView`` from ``posts[]`` as received (atproto's
``invoke_query`` returns the JSON untouched). Cursor per query: the newest ``indexedAt`` of
the last complete pass and the post URIs seen at that instant.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import datetime
from typing import Any, ClassVar

from atproto import Client, exceptions, models

from collectors import http
from collectors.base import BadItem, Batch
from collectors.common import (
    SourceSettings,
    count,
    credential,
    entity_phrases,
    from_iso,
    parse_settings,
    unquote,
)
from earshot.config import Config, Source
from earshot.errors import AccessDenied

HANDLE_ENV, PASSWORD_ENV = "BLUESKY_HANDLE", "BLUESKY_APP_PASSWORD"
HOW_TO_GET = (
    "In the Bluesky app: Settings > Privacy and security > App passwords > Add; export your handle as "
    f"{HANDLE_ENV} and the app password as {PASSWORD_ENV} (never your main password)."
)
NSID = "app.bsky.feed.searchPosts"


class BlueskySettings(SourceSettings):
    queries: list[str] = []  # search phrases; empty: the entities' terms
    lang: str = ""  # only posts in this language (e.g. de); empty: all
    service: str = "https://bsky.social"  # where to log in (your PDS or the entryway)
    max_pages: int = 10  # pages of 100 per query per run


class BlueskyCollector:
    """Bluesky post search; see the module docstring."""

    name: ClassVar[str] = "bluesky"
    title: ClassVar[str] = "Bluesky"
    credentials: ClassVar[tuple[str, ...]] = (HANDLE_ENV, PASSWORD_ENV)
    keep_unmatched: ClassVar[bool] = False
    endpoints: ClassVar[dict[str, str]] = {"login": "com.atproto.server.createSession", "search": NSID}
    # ratelimit-reset is the Unix time when the window resets (ratelimit-policy says e.g. 3000;w=300).
    policy: ClassVar[http.RatePolicy] = http.RatePolicy("ratelimit-reset", "epoch", budget_s=600)

    def __init__(self, config: Config, settings: Source) -> None:
        self.config = config
        self.settings = parse_settings(BlueskySettings, settings, self.name)
        self.retrier = http.Retrier(self.name, self.policy)
        self.client: Any = None

    def queries(self) -> list[str]:
        if self.settings.queries:
            return list(self.settings.queries)
        seen: dict[str, str] = {}
        for p in entity_phrases(self.config.all_entities):
            if p.startswith("@"):
                continue  # an @handle of another platform; Bluesky handles are domains
            q = unquote(p) if not p.startswith("#") else p  # Bluesky search understands #tags
            seen.setdefault(q.lower(), q)
        return list(seen.values())

    def plan(self, state: dict[str, Any], since: datetime | None) -> list[str]:
        cursors = state.get("queries", {})
        out = [f"POST {self.settings.service}/xrpc/{self.endpoints['login']} (as ${HANDLE_ENV})"]
        for q in self.queries():
            floor = since.isoformat() if since else cursors.get(q, {}).get("newest")
            cond = f", since={floor}" if floor else ""
            out.append(f"GET {NSID}?q={q}&sort=latest{cond} (up to {self.settings.max_pages} pages)")
        return out

    def _login(self) -> Any:
        if self.client is None:
            handle = credential(self.name, HANDLE_ENV, HOW_TO_GET)
            password = credential(self.name, PASSWORD_ENV, HOW_TO_GET)
            client = Client(base_url=self.settings.service)
            self.retrier.call(lambda: client.login(handle, password, fetch_bsky_profile=False), classify)
            self.client = client
        return self.client

    def fetch(self, state: dict[str, Any], since: datetime | None) -> Iterator[Batch]:
        client = self._login()
        current = copy.deepcopy(state)
        cursors = current.setdefault("queries", {})
        for q in self.queries():
            prev = cursors.get(q, {})
            floor = since.isoformat() if since else prev.get("newest")
            seen = set() if since else set(prev.get("uris", []))
            params: dict[str, Any] = {"q": q, "sort": "latest", "limit": 100}
            if floor:
                params["since"] = floor
            if self.settings.lang:
                params["lang"] = self.settings.lang
            top: tuple[str, set[str]] | None = None
            for page in range(self.settings.max_pages):
                body = self._search(client, params)
                waits, waited = self.retrier.take_waits()
                fresh = []
                for post in body.get("posts", []):
                    at, uri = post.get("indexedAt") or "", post.get("uri")
                    if uri in seen:
                        continue  # stored by the run that set the cursor
                    fresh.append(post)
                    if top is None or _later(at, top[0]):
                        top = (at, {uri})
                    elif at == top[0]:
                        top[1].add(uri)
                cursor = body.get("cursor")
                last = not cursor or not body.get("posts") or page + 1 == self.settings.max_pages
                errors = [f"bluesky: stopped after {self.settings.max_pages} pages for {q!r}"] if last and cursor and \
                    body.get("posts") else []
                new_state = None
                if last and top is not None and (not prev.get("newest") or not _later(prev["newest"], top[0])):
                    uris = top[1] | (seen if top[0] == prev.get("newest") else set())
                    cursors[q] = {"newest": top[0], "uris": sorted(uris)}
                    new_state = copy.deepcopy(current)
                yield Batch(fresh, new_state, q, waits, waited, errors)
                if last:
                    break
                params["cursor"] = cursor

    def _search(self, client: Any, params: dict[str, Any]) -> dict[str, Any]:
        model = models.AppBskyFeedSearchPosts.Params(**params)
        resp = self.retrier.call(lambda: client.invoke_query(NSID, params=model), classify)
        return resp.content if isinstance(resp.content, dict) else {}

    def to_mention(self, raw: Any) -> dict[str, Any] | None:
        if not isinstance(raw, dict) or not raw.get("uri") or not isinstance(raw.get("record"), dict):
            raise BadItem("expected an app.bsky.feed.defs#postView with uri and record")
        rec, author = raw["record"], raw.get("author") or {}
        created = rec.get("createdAt") or raw.get("indexedAt")
        if not created:
            raise BadItem(f"post {raw['uri']} has no createdAt")
        handle, rkey = author.get("handle"), raw["uri"].rsplit("/", 1)[-1]
        reply = rec.get("reply") or {}
        langs = rec.get("langs") or []
        return {
            "source": self.name,
            "id": raw["uri"],
            "url": f"https://bsky.app/profile/{handle or author.get('did')}/post/{rkey}",
            "created_at": from_iso(created),
            "author": handle,
            "author_id": author.get("did"),
            "text": rec.get("text") or "",
            "lang": langs[0].split("-")[0].lower() if langs else None,
            "parent_id": (reply.get("parent") or {}).get("uri"),
            "conversation_id": (reply.get("root") or {}).get("uri") or raw["uri"],
            "likes": count(raw.get("likeCount")),
            "replies": count(raw.get("replyCount")),
            "reposts": count(raw.get("repostCount")),
        }


def _later(a: str, b: str) -> bool:
    """Whether ISO time ``a`` is after ``b`` (compared as times, not strings)."""
    return (from_iso(a) or from_iso(b)) > from_iso(b) if a and b else bool(a)


def classify(exc: BaseException) -> http.Fault | None:
    """atproto's exceptions as a Fault; login and permission problems become ``AccessDenied``."""
    if isinstance(exc, exceptions.UnauthorizedError):
        status = exc.response.status_code if exc.response else 401
        raise AccessDenied("bluesky", f"Bluesky refused the login or the search ({exc}).", HOW_TO_GET, status)
    if isinstance(exc, exceptions.RequestErrorBase):
        resp = exc.response
        if resp is None:
            return http.Fault(None, {}, f"no answer ({type(exc).__name__}: {exc.__cause__ or exc})")
        return http.Fault(resp.status_code, dict(resp.headers or {}), str(exc))
    return None
