"""Mastodon through Mastodon.py: hashtag timelines and, where the instance allows, search.

For every configured instance: the hashtag timeline of each hashtag (the instance's
``hashtags``, else the hashtags named among the entities' aliases), newest first, paged with
the ``Link`` header; and, with ``search: true`` and an access token, status search for each
entity phrase (most instances only search posts that opted in to search).

Raw item: ``{"instance": <base URL>, "status": <Status as JSON>}`` (Mastodon.py's own JSON
form of the entity, dates as ISO strings). Cursor per (instance, hashtag or phrase): the
newest status id of the last complete pass (``since_id`` / ``min_id``); it advances only
after the last page of that timeline.
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Iterator
from datetime import datetime
from typing import Any, ClassVar

import mastodon as mastodon_py
import requests

from collectors import http
from collectors.base import BadItem, Batch
from collectors.common import (
    SourceSettings,
    count,
    entity_phrases,
    from_iso,
    hashtags,
    html_to_text,
    parse_settings,
    unquote,
)
from earshot.config import Config, Source
from earshot.errors import AccessDenied, RateLimited, SourceError

TOKEN_ENV = "MASTODON_ACCESS_TOKEN"
HOW_TO_GET = (
    "On your instance: Preferences > Development > New application (scope read:statuses), copy "
    f"'Your access token' and export it as {TOKEN_ENV} (or the variable named in the instance's token_env)."
)
PAGE = 40  # the most Mastodon returns per page


class Instance(SourceSettings):
    enabled: bool = True
    url: str  # base URL, e.g. https://mastodon.social
    hashtags: list[str] = []  # without '#'; empty: the hashtags among the entities' aliases
    search: bool = False  # also search statuses for each entity phrase (needs a token)
    token_env: str = TOKEN_ENV  # environment variable with this instance's access token (optional)


class MastodonSettings(SourceSettings):
    instances: list[Instance] = []
    max_pages: int = 5  # pages of 40 per timeline per run
    timeout_s: float = 30.0


class MastodonCollector:
    """Mastodon hashtag timelines and search; see the module docstring."""

    name: ClassVar[str] = "mastodon"
    title: ClassVar[str] = "Mastodon"
    credentials: ClassVar[tuple[str, ...]] = (TOKEN_ENV,)  # optional: hashtag timelines are public
    keep_unmatched: ClassVar[bool] = False
    endpoints: ClassVar[dict[str, str]] = {
        "hashtag": "GET {instance}/api/v1/timelines/tag/{tag}",
        "search": "GET {instance}/api/v2/search?type=statuses",
    }
    # Mastodon's x-ratelimit-reset is an ISO 8601 time (300 requests per 5 minutes per account/IP).
    policy: ClassVar[http.RatePolicy] = http.RatePolicy("x-ratelimit-reset", "iso", budget_s=600)

    def __init__(self, config: Config, settings: Source) -> None:
        self.config = config
        self.settings = parse_settings(MastodonSettings, settings, self.name)
        self.retrier = http.Retrier(self.name, self.policy)
        self.last_headers: dict[str, str] = {}  # of the latest answer, for the rate-limit reset
        self.last_error = ""

    def timelines(self) -> list[tuple[Instance, str, str]]:
        """(instance, kind, tag or phrase) of one run."""
        out = []
        default_tags = hashtags(self.config.all_entities)
        for inst in self.settings.instances:
            if not inst.enabled:
                continue
            out += [(inst, "hashtag", t.lstrip("#")) for t in (inst.hashtags or default_tags)]
            if inst.search:
                out += [(inst, "search", unquote(p)) for p in entity_phrases(self.config.all_entities, aliases=False)]
        return out

    @staticmethod
    def key(inst: Instance, kind: str, what: str) -> str:
        return f"{inst.url.rstrip('/')} {kind} {what}"

    def plan(self, state: dict[str, Any], since: datetime | None) -> list[str]:
        cursors = state.get("timelines", {})
        lines = []
        for inst, kind, what in self.timelines():
            url = self.endpoints[kind].format(instance=inst.url.rstrip("/"), tag=what)
            cur = cursors.get(self.key(inst, kind, what), {}).get("since_id")
            extra = f" q={what}" if kind == "search" else ""
            start = f"since_id={cur}" if cur else "newest"
            lines.append(f"{url}{extra} ({start}, up to {self.settings.max_pages} pages)")
        return lines or ["no instances configured (sources.mastodon.instances)"]

    def _client(self, inst: Instance) -> Any:
        sess = requests.Session()
        sess.headers["User-Agent"] = http.USER_AGENT
        sess.hooks["response"].append(self._remember_headers)
        return mastodon_py.Mastodon(
            api_base_url=inst.url, access_token=os.environ.get(inst.token_env) or None, ratelimit_method="throw",
            version_check_mode="none", request_timeout=self.settings.timeout_s, session=sess,
        )

    def _remember_headers(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        self.last_headers = dict(response.headers)
        self.last_error = "" if response.ok else response.text[:300]  # Mastodon.py may drop the message

    def fetch(self, state: dict[str, Any], since: datetime | None) -> Iterator[Batch]:
        current = copy.deepcopy(state)
        cursors = current.setdefault("timelines", {})
        clients: dict[str, Any] = {}
        for inst, kind, what in self.timelines():
            client = clients.setdefault(inst.url, self._client(inst))
            key = self.key(inst, kind, what)
            floor = None if since else cursors.get(key, {}).get("since_id")
            newest: int | None = None
            oldest: int | None = None
            page: Any = None
            for n in range(self.settings.max_pages):
                try:
                    page = self._page(client, inst, kind, what, floor, page)
                except RateLimited:
                    raise
                except SourceError as exc:
                    if exc.status is None or exc.status >= 500:
                        raise  # the instance is down: its other timelines would fail the same way
                    yield Batch([], None, key, *self.retrier.take_waits(), [str(exc)])  # 404, 422: this one only
                    break
                waits, waited = self.retrier.take_waits()
                statuses = [_plain(s) for s in (page or [])]
                # A page must hold older posts than the one before; a server ignoring max_id must not loop.
                fresh = [s for s in statuses if not _older(s, floor, since) and int(s["id"]) < (oldest or 1 << 80)]
                if statuses:
                    oldest = min(int(s["id"]) for s in statuses)
                if fresh:
                    top = max(int(s["id"]) for s in fresh)
                    newest = max(newest or top, top)
                progress = bool(fresh) and len(fresh) == len(statuses)
                last = not progress or not getattr(page, "_pagination_next", None) or n + 1 == self.settings.max_pages
                new_state = None
                if last and newest is not None:
                    prev = cursors.get(key, {}).get("since_id")
                    cursors[key] = {"since_id": str(max(newest, int(prev)) if prev else newest)}
                    new_state = copy.deepcopy(current)
                yield Batch([{"instance": inst.url, "status": s} for s in fresh], new_state, key, waits, waited)
                if last:
                    break

    def _page(self, client: Any, inst: Instance, kind: str, what: str, floor: str | None, prev: Any) -> Any:
        if prev is not None:  # the Link header's rel="next" (max_id), as Mastodon.py parsed it
            return self.retrier.call(lambda: client.fetch_next(prev), self.classify)
        if kind == "hashtag":
            return self.retrier.call(
                lambda: client.timeline_hashtag(what, since_id=floor, limit=PAGE), self.classify
            )
        if not (client.access_token):
            raise AccessDenied(self.name, f"searching {inst.url} needs an access token in {inst.token_env}.",
                               HOW_TO_GET)
        result = self.retrier.call(
            # exclude_unreviewed only concerns hashtags; False also skips a version probe that recurses
            # in Mastodon.py 2.3 when version checks are off.
            lambda: client.search_v2(what, result_type="statuses", min_id=floor, limit=PAGE, resolve=False,
                                     exclude_unreviewed=False),
            self.classify,
        )
        return result.get("statuses", [])

    def classify(self, exc: BaseException) -> http.Fault | None:
        """Mastodon.py's exceptions as a Fault; the headers come from the session hook."""
        errors = mastodon_py.errors
        if isinstance(exc, errors.MastodonRatelimitError):
            return http.Fault(429, self.last_headers, str(exc))
        if isinstance(exc, errors.MastodonUnauthorizedError):
            raise AccessDenied(self.name, "the instance rejected the access token (401).", HOW_TO_GET, 401)
        if isinstance(exc, errors.MastodonAPIError):
            status = exc.args[1] if len(exc.args) > 1 and isinstance(exc.args[1], int) else None
            detail = exc.args[3] if len(exc.args) > 3 and exc.args[3] else (self.last_error or str(exc))
            return http.Fault(status, self.last_headers, str(detail))
        if isinstance(exc, errors.MastodonNetworkError):
            return http.Fault(None, {}, f"no answer ({exc})")
        return None

    def to_mention(self, raw: Any) -> dict[str, Any] | None:
        if not isinstance(raw, dict) or not isinstance(raw.get("status"), dict):
            raise BadItem("expected {'instance': ..., 'status': {...}}")
        s = raw["status"]
        if s.get("reblog"):
            return None  # a boost repeats someone else's post; the original is collected on its own
        if not s.get("id") or s.get("created_at") is None:
            raise BadItem("status without id or created_at")
        acct = s.get("account") or {}
        handle = acct.get("acct") or ""
        if handle and "@" not in handle:  # local accounts are shown without their domain
            handle = f"{handle}@{raw.get('instance', '').split('://')[-1].rstrip('/')}"
        text = html_to_text(s.get("content"))
        if s.get("spoiler_text"):
            text = f"{s['spoiler_text']}\n{text}"
        return {
            "source": self.name,
            "id": s.get("uri") or s["id"],  # the URI is the same on every instance that saw the post
            "url": s.get("url") or s.get("uri"),
            "created_at": from_iso(s["created_at"]),
            "author": handle or None,
            "author_id": acct.get("url") or acct.get("id"),
            "author_followers": count(acct.get("followers_count")),
            "text": text,
            "lang": s.get("language"),
            "parent_id": s.get("in_reply_to_id"),
            "likes": count(s.get("favourites_count")),
            "replies": count(s.get("replies_count")),
            "reposts": count(s.get("reblogs_count")),
        }


def _plain(status: Any) -> dict[str, Any]:
    """A Mastodon.py entity as the JSON it came from (dates as ISO strings)."""
    if hasattr(status, "to_json"):
        return json.loads(status.to_json(pretty=False))["_mastopy_data"]
    return json.loads(json.dumps(status, default=str))


def _older(status: dict[str, Any], floor: str | None, since: datetime | None) -> bool:
    if floor is not None and int(status["id"]) <= int(floor):
        return True
    return since is not None and (from_iso(status.get("created_at")) or since) < since
