"""The one place for retries, back-off and rate-limit headers of every source.

Each client library raises its own exceptions. A collector turns them into a ``Fault``
(status, headers, what the platform said) with a small ``classify`` function; a ``Retrier``
then decides, the same way for every source, whether to wait and try again or to give up:

- 429: wait until the platform's reset time (each platform writes it differently, see
  ``reset_wait``), or ``Retry-After``, or an exponential back-off; give up with
  ``RateLimited`` once the run's wait budget would be exceeded.
- 5xx, timeouts, connection errors: exponential back-off with full jitter, a few attempts.
- 401/403 and other 4xx: never retried; the collector's classify raises ``AccessDenied``
  with what is missing, or the Retrier raises ``SourceError``.

Sleeping, the clock and the jitter are injectable so that tests never really sleep.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Literal, TypeVar

import requests

from earshot.errors import RateLimited, SourceError
from earshot.log import mask

T = TypeVar("T")
ResetKind = Literal["epoch", "delta", "iso"]
USER_AGENT = "Earshot/0.1 (self-hosted social listening; +https://github.com/earshot)"


@dataclass(frozen=True)
class RatePolicy:
    """How one platform announces limits and how patient we are with it."""

    reset_header: str = ""  # header that says when the window resets ("" = none)
    reset_kind: ResetKind = "epoch"  # how that header is written
    retry_server_errors: bool = True  # False where the client library already retries 5xx itself
    max_attempts: int = 4  # tries per request, the first included
    budget_s: float = 900.0  # total seconds one run may spend waiting before the source gives up
    base_s: float = 2.0  # first back-off step
    cap_s: float = 120.0  # longest single back-off step
    timeout_s: float = 30.0  # per-request timeout for clients that take one


@dataclass
class Fault:
    """What a failed request looked like, independent of the client library."""

    status: int | None  # HTTP status; None for timeouts and connection errors
    headers: Mapping[str, str] = field(default_factory=dict)
    detail: str = ""  # what the platform said, one line


def _header(headers: Mapping[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name.lower():
            return str(value)
    return None


def reset_wait(headers: Mapping[str, str], policy: RatePolicy, now: float) -> float | None:
    """Seconds until the platform says we may call again, or None when it does not say."""
    value = _header(headers, policy.reset_header) if policy.reset_header else None
    if value:
        try:
            if policy.reset_kind == "epoch":
                # X (x-rate-limit-reset) and Bluesky (ratelimit-reset): Unix time of the reset.
                return max(0.0, float(value) - now)
            if policy.reset_kind == "delta":
                # Reddit (x-ratelimit-reset): seconds from now until the window resets.
                return max(0.0, float(value))
            # Mastodon (x-ratelimit-reset): an ISO 8601 time such as 2026-08-01T14:00:00.070144Z.
            return max(0.0, datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp() - now)
        except ValueError:
            pass  # an unreadable header is no reason to fail: fall through to Retry-After / back-off
    retry_after = _header(headers, "retry-after")
    if retry_after:
        # Reddit sends Retry-After (seconds) with its HTML 429 page; RFC 9110 also allows an HTTP date.
        try:
            return max(0.0, float(retry_after))
        except ValueError:
            try:
                return max(0.0, parsedate_to_datetime(retry_after).timestamp() - now)
            except (TypeError, ValueError):
                return None
    return None


class Retrier:
    """Runs requests of one source under its ``RatePolicy``; counts the waits for the ledger."""

    def __init__(
        self,
        source: str,
        policy: RatePolicy,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.source, self.policy = source, policy
        self.sleep, self.clock, self.jitter = sleep, clock, jitter
        self.waits = 0  # waits since the last ``take_waits``
        self.waited = 0.0
        self.total_waited = 0.0  # whole run, against the budget
        self.requests = 0  # calls made, retries included

    def take_waits(self) -> tuple[int, float]:
        """Waits made since the last call (for the next ``Batch``), then reset the counters."""
        out = (self.waits, self.waited)
        self.waits, self.waited = 0, 0.0
        return out

    def _wait(self, seconds: float, fault: Fault) -> None:
        if self.total_waited + seconds > self.policy.budget_s:
            if fault.status == 429:
                raise RateLimited(self.source, self.clock() + seconds)
            raise SourceError(
                self.source, f"still failing after waiting {self.total_waited:.0f}s ({fault.detail or 'no answer'}).",
                "The run goes on with the other sources; this one resumes from its cursor next time.", fault.status,
            )
        self.sleep(seconds)
        self.waits += 1
        self.waited += seconds
        self.total_waited += seconds

    def backoff(self, attempt: int) -> float:
        """Exponential back-off with full jitter: uniform in [step/2, step], step = base * 2**attempt."""
        step = min(self.policy.cap_s, self.policy.base_s * (2**attempt))
        return step * (0.5 + self.jitter() / 2)

    def call(self, fn: Callable[[], T], classify: Callable[[BaseException], Fault | None]) -> T:
        """``fn()``, retried as the policy says. ``classify`` maps the client's exception to a Fault
        (or raises ``AccessDenied`` itself); exceptions it returns None for propagate unchanged."""
        attempt = 0
        while True:
            self.requests += 1
            try:
                return fn()
            except (SourceError, KeyboardInterrupt):
                raise
            except Exception as exc:
                fault = classify(exc)
                if fault is None:
                    raise
            attempt += 1
            status = fault.status
            if status == 429:
                # Rate limited: the platform's own reset time is the best guide; add a little jitter so
                # that several Earshot installs behind one address do not return in lockstep.
                wait = reset_wait(fault.headers, self.policy, self.clock())
                wait = (wait + self.jitter()) if wait is not None else self.backoff(attempt - 1)
                if attempt >= self.policy.max_attempts:
                    raise RateLimited(self.source, self.clock() + wait)
                self._wait(wait, fault)
                continue
            transient = status is None or status >= 500
            if transient and self.policy.retry_server_errors and attempt < self.policy.max_attempts:
                # Their side or the network: usually gone after a short pause.
                self._wait(self.backoff(attempt - 1), fault)
                continue
            what = f"HTTP {status}" if status else "no answer"
            hint = (
                "The platform is having trouble; the run goes on with the other sources and this one "
                "resumes from its cursor next time."
                if transient
                else "Check this source's settings in the config (names, URLs, instance)."
            )
            raise SourceError(self.source, mask(fault.detail or what)[:300], hint, status if status else None)


# -- requests-based sources (RSS, Hacker News) ---------------------------------------------------


class HTTPFault(Exception):
    """A non-2xx answer from ``get``; carries the response for ``requests_fault``."""

    def __init__(self, response: requests.Response) -> None:
        self.response = response
        super().__init__(f"HTTP {response.status_code}")


def session() -> requests.Session:
    """A requests session with Earshot's User-Agent."""
    s = requests.Session()
    s.headers["User-Agent"] = USER_AGENT
    return s


def get(s: requests.Session, url: str, timeout: float, ok: tuple[int, ...] = (200,), **kwargs) -> requests.Response:
    """GET ``url``; any status outside ``ok`` raises ``HTTPFault`` (which ``requests_fault`` classifies)."""
    resp = s.get(url, timeout=timeout, **kwargs)
    if resp.status_code not in ok:
        raise HTTPFault(resp)
    return resp


def requests_fault(exc: BaseException) -> Fault | None:
    """Classify requests' exceptions and ``HTTPFault``; None for anything else."""
    if isinstance(exc, HTTPFault):
        r = exc.response
        return Fault(r.status_code, dict(r.headers), f"HTTP {r.status_code} from {r.url}: {r.text[:120]!r}")
    if isinstance(exc, requests.Timeout):
        return Fault(None, {}, f"timed out: {exc}")
    if isinstance(exc, requests.ConnectionError):
        return Fault(None, {}, f"connection failed: {exc}")
    return None
