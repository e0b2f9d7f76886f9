"""Hacker News through the Algolia HN Search API (``search_by_date``): stories and comments.

One query per search phrase (Algolia requires every word of a query, it has no OR), newest
first, 100 hits per page, paged with ``page`` up to ``nbPages``; only hits newer than the
cursor are asked for (``numericFilters=created_at_i>=...``), so a run with nothing new costs
one request per query. No key is needed; the API allows about 10,000 requests per hour per IP.

Raw item: one hit of ``hits[]`` as received. Cursor per query: the newest ``created_at_i``
of the last complete pass and the objectIDs seen at that second.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import datetime
from typing import Any, ClassVar

from collectors import http
from collectors.base import BadItem, Batch
from collectors.common import SourceSettings, count, entity_phrases, from_epoch, html_to_text, parse_settings, unquote
from earshot.config import Config, Source

API = "https://hn.algolia.com/api/v1"
ITEM_URL = "https://news.ycombinator.com/item?id={}"


class HackerNewsSettings(SourceSettings):
    queries: list[str] = []  # search phrases; empty: the entities' terms
    tags: str = "(story,comment)"  # Algolia tag filter: stories and comments
    max_pages: int = 10  # pages of 100 per query per run
    api_url: str = API  # the API's base URL (change only for a mirror)
    timeout_s: float = 30.0


class HackerNewsCollector:
    """Hacker News search by date; see the module docstring."""

    name: ClassVar[str] = "hackernews"
    title: ClassVar[str] = "Hacker News"
    credentials: ClassVar[tuple[str, ...]] = ()  # the Algolia HN API is open
    keep_unmatched: ClassVar[bool] = False
    endpoint: ClassVar[str] = "GET {api}/search_by_date"
    # Algolia announces no reset header; 429 and 5xx are retried with back-off (or Retry-After).
    policy: ClassVar[http.RatePolicy] = http.RatePolicy(budget_s=300)

    def __init__(self, config: Config, settings: Source) -> None:
        self.config = config
        self.settings = parse_settings(HackerNewsSettings, settings, self.name)
        self.retrier = http.Retrier(self.name, self.policy)
        self.session = http.session()

    def queries(self) -> list[str]:
        if self.settings.queries:
            return list(self.settings.queries)
        seen: dict[str, str] = {}
        for p in entity_phrases(self.config.all_entities):
            q = unquote(p).lstrip("@#")
            seen.setdefault(q.lower(), q)
        return list(seen.values())

    def plan(self, state: dict[str, Any], since: datetime | None) -> list[str]:
        cursors = state.get("queries", {})
        url = self.endpoint.format(api=self.settings.api_url)
        out = []
        for q in self.queries():
            floor = int(since.timestamp()) if since else cursors.get(q, {}).get("newest")
            cond = f", created_at_i>={floor}" if floor else ""
            out.append(f"{url}?query={q}&tags={self.settings.tags}{cond} (up to {self.settings.max_pages} pages)")
        return out

    def fetch(self, state: dict[str, Any], since: datetime | None) -> Iterator[Batch]:
        current = copy.deepcopy(state)
        cursors = current.setdefault("queries", {})
        url = f"{self.settings.api_url.rstrip('/')}/search_by_date"
        for q in self.queries():
            prev = cursors.get(q, {})
            floor = int(since.timestamp()) if since else prev.get("newest")
            seen = set() if since else set(prev.get("ids", []))
            params: dict[str, Any] = {"query": q, "tags": self.settings.tags, "hitsPerPage": 100}
            if floor:
                params["numericFilters"] = f"created_at_i>={floor}"
            top: tuple[int, set[str]] | None = None
            for page in range(self.settings.max_pages):
                params["page"] = page
                data = self.retrier.call(lambda p=dict(params): self._get(url, p), http.requests_fault).json()
                waits, waited = self.retrier.take_waits()
                fresh = []
                for hit in data.get("hits", []):
                    ts, oid = int(hit.get("created_at_i") or 0), str(hit.get("objectID"))
                    if floor and ts == floor and oid in seen:
                        continue  # stored by the run that set the cursor
                    fresh.append(hit)
                    if top is None or ts > top[0]:
                        top = (ts, {oid})
                    elif ts == top[0]:
                        top[1].add(oid)
                last = page + 1 >= int(data.get("nbPages") or 0) or page + 1 == self.settings.max_pages
                errors = []
                if last and page + 1 < int(data.get("nbPages") or 0):
                    errors.append(f"hackernews: stopped after {self.settings.max_pages} pages for {q!r}")
                new_state = None
                if last and top is not None and top[0] >= int(prev.get("newest") or 0):
                    ids = top[1] | (seen if top[0] == prev.get("newest") else set())
                    cursors[q] = {"newest": top[0], "ids": sorted(ids)}
                    new_state = copy.deepcopy(current)
                yield Batch(fresh, new_state, q, waits, waited, errors)
                if last:
                    break

    def _get(self, url: str, params: dict[str, Any]) -> Any:
        return http.get(self.session, url, self.settings.timeout_s, params=params)

    def to_mention(self, raw: Any) -> dict[str, Any] | None:
        if not isinstance(raw, dict) or not raw.get("objectID") or raw.get("created_at_i") is None:
            raise BadItem("expected an Algolia HN hit with objectID and created_at_i")
        tags = raw.get("_tags") or []
        oid = str(raw["objectID"])
        row: dict[str, Any] = {
            "source": self.name,
            "id": oid,
            "url": ITEM_URL.format(oid),
            "created_at": from_epoch(raw["created_at_i"]),
            "author": raw.get("author"),
            "author_id": raw.get("author"),
            "likes": count(raw.get("points")),
        }
        if "comment" in tags or raw.get("comment_text") is not None:
            text = html_to_text(raw.get("comment_text"))
            if not text:
                return None  # a deleted comment
            parent = raw.get("parent_id")
            row.update(title=None, text=text, parent_id=str(parent) if parent is not None else None,
                       conversation_id=str(raw["story_id"]) if raw.get("story_id") is not None else None)
            return row
        title = raw.get("title") or raw.get("story_title")
        text = html_to_text(raw.get("story_text")) or raw.get("url") or ""
        if not title and not text:
            raise BadItem(f"story {oid} has neither title nor text")
        row.update(title=title, text=text, replies=count(raw.get("num_comments")), conversation_id=oid)
        return row
