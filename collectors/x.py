"""X (Twitter) through tweepy's API v2 ``Client``: recent search built from the entities' terms.

Queries: the entities' terms OR-joined (quoted phrases, exclusions, ``-is:retweet``,
``lang:``), split to fit the access level's query length; plus, when own accounts are
configured, ``from:`` queries so that the company's replies are collected too (kept as
``is_own``). Results come newest first, 100 per page, with the author expanded
(``includes.users``) and public metrics for tweets and users.

Raw item: ``{"tweet": <tweet object>, "author": <its user object from includes.users>}``.
Cursor per query: ``since_id`` = the newest id of the last complete pass. It advances only
after the last page of a query, so an interrupted run fetches the pages again (the lake
drops the duplicates) and never skips any. ``--since`` uses ``start_time`` instead (recent
search reaches about 7 days back).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import tweepy

from collectors import http
from collectors.base import BadItem, Batch
from collectors.common import SourceSettings, count, credential, from_iso, parse_settings, x_queries
from earshot.config import Config, Source
from earshot.errors import AccessDenied, SourceError

TOKEN_ENV = "X_BEARER_TOKEN"
HOW_TO_GET = (
    "Create an app in a Project at https://developer.x.com/en/portal/dashboard, copy its app-only access "
    f"token (the portal's Bearer-Token) and export it as {TOKEN_ENV}. Recent search needs the Basic access "
    "level or higher."
)
TWEET_FIELDS = [
    "created_at", "lang", "public_metrics", "conversation_id", "in_reply_to_user_id", "referenced_tweets", "author_id",
]
USER_FIELDS = ["username", "name", "public_metrics", "verified"]
RECENT_WINDOW = timedelta(days=7)  # what recent search covers


class XSettings(SourceSettings):
    exclude_retweets: bool = True  # add -is:retweet
    lang: list[str] = []  # restrict to these languages (lang:xx); empty: all languages
    own_replies: bool = True  # also search from: the own accounts, for response tracking
    max_query_length: int = 512  # 512 on Basic, 4096 on Pro
    max_pages: int = 10  # pages of 100 per query per run (cost guard)
    queries: list[str] = []  # extra hand-written queries, used as given


class XCollector:
    """X recent search; see the module docstring."""

    name: ClassVar[str] = "x"
    title: ClassVar[str] = "X (Twitter)"
    credentials: ClassVar[tuple[str, ...]] = (TOKEN_ENV,)
    keep_unmatched: ClassVar[bool] = False
    endpoint: ClassVar[str] = "GET https://api.x.com/2/tweets/search/recent"
    # x-rate-limit-reset is the Unix time when the 15-minute window resets.
    policy: ClassVar[http.RatePolicy] = http.RatePolicy("x-rate-limit-reset", "epoch", budget_s=960)

    def __init__(self, config: Config, settings: Source) -> None:
        self.config = config
        self.settings = parse_settings(XSettings, settings, self.name)
        self.retrier = http.Retrier(self.name, self.policy)
        self.client: Any = None  # built on first fetch (needs the token); tests may set it

    def queries(self) -> list[str]:
        """The search queries of one run."""
        s = self.settings
        out = x_queries(self.config.all_entities, s.exclude_retweets, s.lang, s.max_query_length)
        own = self.config.own_accounts.get(self.name, [])
        if s.own_replies and own:
            out.append(" OR ".join(f"from:{h.lstrip('@')}" for h in own))
        return out + list(s.queries)

    def plan(self, state: dict[str, Any], since: datetime | None) -> list[str]:
        cursors = state.get("queries", {})
        lines = []
        for q in self.queries():
            start = f"start_time={self._start(since).isoformat()}" if since else (
                f"since_id={cursors[q]['since_id']}" if q in cursors else "last 7 days"
            )
            lines.append(f"{self.endpoint}?query={q} ({start}, up to {self.settings.max_pages} pages of 100)")
        return lines

    @staticmethod
    def _start(since: datetime) -> datetime:
        # Recent search refuses a start_time older than 7 days; ask for what it can give.
        earliest = datetime.now(UTC) - RECENT_WINDOW + timedelta(minutes=1)
        return max(since, earliest)

    def _client(self) -> Any:
        if self.client is None:
            token = credential(self.name, TOKEN_ENV, HOW_TO_GET)
            self.client = tweepy.Client(bearer_token=token, return_type=dict, wait_on_rate_limit=False)
        return self.client

    def fetch(self, state: dict[str, Any], since: datetime | None) -> Iterator[Batch]:
        client = self._client()
        current = copy.deepcopy(state)
        cursors = current.setdefault("queries", {})
        for q in self.queries():
            params: dict[str, Any] = {
                "max_results": 100, "expansions": ["author_id"], "tweet_fields": TWEET_FIELDS,
                "user_fields": USER_FIELDS,
            }
            gap: list[str] = []
            if since:
                params["start_time"] = self._start(since)
                if params["start_time"] - since > timedelta(hours=1):
                    gap.append(f"x: recent search reaches 7 days back; {q!r} covered from "
                               f"{params['start_time']:%Y-%m-%d %H:%M}, not {since:%Y-%m-%d}")
            elif q in cursors:
                params["since_id"] = cursors[q]["since_id"]
            newest: str | None = None
            for page in range(self.settings.max_pages):
                try:
                    page_data = self._search(client, q, params)
                except SourceError as exc:
                    if exc.status != 400 or "since_id" not in params or page:
                        raise
                    # The cursor is older than the 7 days recent search covers: take what it still has.
                    params.pop("since_id")
                    params["start_time"] = self._start(datetime.now(UTC) - RECENT_WINDOW)
                    gap.append(f"x: cursor for {q!r} is older than 7 days; some posts in between were not seen")
                    page_data = self._search(client, q, params)
                waits, waited = self.retrier.take_waits()
                meta = page_data.get("meta", {})
                newest = newest or meta.get("newest_id")
                users = {u["id"]: u for u in page_data.get("includes", {}).get("users", [])}
                items = [{"tweet": t, "author": users.get(t.get("author_id"))} for t in page_data.get("data", [])]
                # A 200 may carry errors[] (e.g. a deleted author): keep the data, report the rest.
                errors = gap + [f"x: {e.get('title', 'error')}: {e.get('detail', '')}"[:300]
                                for e in page_data.get("errors", [])]
                gap = []
                token = meta.get("next_token")
                last = not token or page + 1 == self.settings.max_pages
                if token and last:
                    errors.append(f"x: stopped after {self.settings.max_pages} pages for {q!r}; raise max_pages "
                                  "to fetch older results of this window")
                new_state = None
                if last and newest:
                    prev = cursors.get(q, {}).get("since_id")
                    best = max(int(newest), int(prev)) if prev else int(newest)
                    cursors[q] = {"since_id": str(best)}
                    new_state = copy.deepcopy(current)
                yield Batch(items, new_state, q, waits, waited, errors)
                if last:
                    break
                params["next_token"] = token

    def _search(self, client: Any, query: str, params: dict[str, Any]) -> dict[str, Any]:
        return self.retrier.call(lambda: client.search_recent_tweets(query, **params), classify)

    def to_mention(self, raw: Any) -> dict[str, Any] | None:
        if not isinstance(raw, dict) or not isinstance(raw.get("tweet"), dict):
            raise BadItem("expected {'tweet': ..., 'author': ...}")
        t = raw["tweet"]
        if not t.get("id") or t.get("text") is None:
            raise BadItem("tweet without id or text")
        user = raw.get("author") or {}
        metrics = t.get("public_metrics") or {}
        handle = user.get("username")
        parent = next((r.get("id") for r in t.get("referenced_tweets") or [] if r.get("type") == "replied_to"), None)
        return {
            "source": self.name,
            "id": str(t["id"]),
            "url": f"https://x.com/{handle or 'i/web'}/status/{t['id']}",
            "created_at": from_iso(t.get("created_at")),
            "author": handle,
            "author_id": t.get("author_id"),
            "author_followers": count((user.get("public_metrics") or {}).get("followers_count")),
            "text": t["text"],
            "lang": t.get("lang") if t.get("lang") not in (None, "und", "zxx", "qme", "qht") else None,
            "parent_id": parent,
            "conversation_id": t.get("conversation_id"),
            "likes": count(metrics.get("like_count")),
            "replies": count(metrics.get("reply_count")),
            "reposts": count(metrics.get("retweet_count")),
        }


def classify(exc: BaseException) -> http.Fault | None:
    """tweepy's exceptions as a Fault; access problems become one ``AccessDenied`` line."""
    if isinstance(exc, tweepy.errors.HTTPException):
        resp = exc.response
        status = resp.status_code
        try:
            body = resp.json()
        except ValueError:
            body = {}
        if status == 401:
            raise AccessDenied(
                "x", f"the API rejected the token in {TOKEN_ENV} (401 Unauthorized).",
                "Regenerate the app's access token in the developer portal and export it again.", 401,
            )
        if status == 403:
            reason = body.get("reason") if isinstance(body, dict) else None
            if 453 in exc.api_codes:
                raise AccessDenied(
                    "x", "this app's access level does not include recent search (error 453: 'subset of endpoints').",
                    "The Free tier cannot search; subscribe the Project to Basic or higher at "
                    "https://developer.x.com/en/portal/products.", 403,
                )
            if reason == "client-not-enrolled":
                raise AccessDenied(
                    "x", "the app behind this token is not attached to a Project (client-not-enrolled).",
                    "In the developer portal, add the app to a Project with v2 access, then regenerate the token.", 403,
                )
            raise AccessDenied("x", f"forbidden (403): {'; '.join(exc.api_messages)[:200]}", HOW_TO_GET, 403)
        detail = "; ".join(exc.api_messages)[:200] or f"HTTP {status}"
        return http.Fault(status, dict(resp.headers), detail)
    return http.requests_fault(exc)
