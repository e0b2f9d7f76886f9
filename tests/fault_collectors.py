"""A paged JSON API collector for fault tests, built on the real ``collectors.http`` retry code.

``JsonApiCollector`` asks ``GET <base_url>/items?page=N`` with a bearer token read from
``FAKE_API_TOKEN`` on every request (so a test can expire it mid-run) and expects
``{"items": [...], "next": N+1 | null}``. Requests go through ``http.Retrier`` with the
shared ``requests_fault`` classification; an answer that is not JSON (truncated, an HTML error
page) counts as a transient fault, 401 as ``AccessDenied``. The cursor is the next page.
Sleeps are recorded, never slept.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import datetime
from typing import Any, ClassVar

import requests

from collectors import http
from collectors.base import Batch
from collectors.records import parse_time
from earshot.config import Config, Source
from earshot.errors import AccessDenied

TOKEN_ENV = "FAKE_API_TOKEN"


class NotJSON(Exception):
    """The answer was 200 but not the JSON document asked for."""


def classify(exc: BaseException) -> http.Fault | None:
    if isinstance(exc, http.HTTPFault) and exc.response.status_code == 401:
        raise AccessDenied("fakeapi", "the token was rejected (401).", f"Renew {TOKEN_ENV}.", 401)
    if isinstance(exc, NotJSON):
        return http.Fault(None, {}, str(exc))  # a cut or mangled answer: try again
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return http.Fault(None, {}, f"connection broke mid-answer: {exc}")
    return http.requests_fault(exc)


class JsonApiCollector:
    name: ClassVar[str] = "fakeapi"
    title: ClassVar[str] = "Fake paged JSON API (tests)"
    credentials: ClassVar[tuple[str, ...]] = (TOKEN_ENV,)
    keep_unmatched: ClassVar[bool] = True
    policy: ClassVar[http.RatePolicy] = http.RatePolicy(
        reset_header="x-rate-limit-reset", reset_kind="epoch", max_attempts=4, budget_s=120, base_s=0.5,
        cap_s=4,
        # Long enough that an ordinary answer of the local fake API never times out on a loaded machine
        # (a spurious timeout is one more retry than a test counts); the "timeout" fault answers later.
        timeout_s=2.0,
    )

    def __init__(self, config: Config, settings: Source) -> None:
        self.base_url = str(getattr(settings, "base_url", ""))
        self.slept: list[float] = []
        self.retrier = http.Retrier(self.name, self.policy, sleep=self.slept.append, jitter=lambda: 0.0)
        self.session = http.session()

    def plan(self, state: dict[str, Any], since: datetime | None) -> list[str]:
        return [f"GET {self.base_url}/items?page={state.get('page', 1)}"]

    def _page(self, page: int) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {os.environ.get(TOKEN_ENV, '')}"}
        resp = http.get(self.session, f"{self.base_url}/items?page={page}", self.policy.timeout_s, headers=headers)
        try:
            return json.loads(resp.content)
        except ValueError as exc:
            raise NotJSON(f"answer is not JSON ({resp.headers.get('Content-Type')}): {exc}") from None

    def fetch(self, state: dict[str, Any], since: datetime | None) -> Iterator[Batch]:
        if state.get("done"):
            return
        page: int | None = int(state.get("page", 1))
        while page:
            doc = self.retrier.call(lambda p=page: self._page(p), classify)
            waits, waited = self.retrier.take_waits()
            nxt = doc.get("next")
            cursor = {"page": nxt} if nxt else {"page": page, "done": True}
            yield Batch(doc["items"], cursor, "items", waits, waited)
            page = nxt

    def to_mention(self, raw: Any) -> dict[str, Any] | None:
        return {
            "source": self.name, "id": str(raw["id"]), "text": raw["text"], "author": raw.get("author"),
            "created_at": parse_time(raw.get("created_at")),
        }


def pages(n_pages: int, per_page: int, prefix: str = "") -> dict[int, dict[str, Any]]:
    """The documents of a fake API with ``n_pages`` pages."""
    out = {}
    for p in range(1, n_pages + 1):
        items = [
            {"id": f"{prefix}{p}-{i}", "text": f"Hafenlicht post {p}-{i}", "author": f"user{i}",
             "created_at": "2026-11-20T10:00:00Z"}
            for i in range(per_page)
        ]
        out[p] = {"items": items, "next": p + 1 if p < n_pages else None}
    return out
