"""The shared retry/rate-limit policy (collectors/http.py) and query/text helpers (collectors/common.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st

from collectors import http
from collectors.common import entity_phrases, html_to_text, or_queries, term_phrases, x_queries
from collectors.matching import Matcher
from earshot.config import Entity
from earshot.errors import RateLimited, SourceError

NOW = 1_800_000_000.0


@pytest.mark.parametrize(
    ("policy", "headers", "wait"),
    [
        (http.RatePolicy("x-rate-limit-reset", "epoch"), {"x-rate-limit-reset": str(int(NOW) + 90)}, 90.0),  # X
        (http.RatePolicy("ratelimit-reset", "epoch"), {"RateLimit-Reset": str(int(NOW) - 5)}, 0.0),  # Bluesky, past
        (http.RatePolicy("x-ratelimit-reset", "delta"), {"X-Ratelimit-Reset": "244"}, 244.0),  # Reddit
        (http.RatePolicy("x-ratelimit-reset", "iso"), {"x-ratelimit-reset": "2027-01-15T08:00:30.5Z"}, 30.5),  # Masto
        (http.RatePolicy("x-ratelimit-reset", "delta"), {"retry-after": "4"}, 4.0),  # Reddit's HTML 429
        (http.RatePolicy(), {"Retry-After": "Fri, 15 Jan 2027 08:01:00 GMT"}, 60.0),  # an HTTP date
        (http.RatePolicy("x-rate-limit-reset", "epoch"), {"x-rate-limit-reset": "soon"}, None),  # unreadable
        (http.RatePolicy("x-rate-limit-reset", "epoch"), {}, None),
    ],
)
def test_reset_wait_reads_each_platforms_header(policy, headers, wait):
    now = datetime(2027, 1, 15, 8, 0, tzinfo=UTC).timestamp() if policy.reset_kind == "iso" or not policy.reset_header \
        else NOW
    assert http.reset_wait(headers, policy, now) == (pytest.approx(wait) if wait is not None else None)


class Flaky:
    """Fails with the given faults, then returns "ok"."""

    def __init__(self, *faults: http.Fault) -> None:
        self.faults = list(faults)
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        if self.faults:
            raise _Boom(self.faults.pop(0))
        return "ok"


class _Boom(Exception):
    def __init__(self, fault: http.Fault) -> None:
        self.fault = fault


def retrier(policy: http.RatePolicy, sleeps: list[float]) -> http.Retrier:
    return http.Retrier("test", policy, sleep=sleeps.append, clock=lambda: NOW, jitter=lambda: 0.5)


def classify(exc: BaseException) -> http.Fault | None:
    return exc.fault if isinstance(exc, _Boom) else None


def test_5xx_and_timeouts_back_off_exponentially_with_jitter_then_succeed():
    sleeps: list[float] = []
    r = retrier(http.RatePolicy(base_s=2, max_attempts=4), sleeps)
    fn = Flaky(http.Fault(503), http.Fault(None), http.Fault(502))
    assert r.call(fn, classify) == "ok" and fn.calls == 4
    assert sleeps == [1.5, 3.0, 6.0]  # step * (0.5 + jitter/2) with steps 2, 4, 8
    assert r.take_waits() == (3, 10.5) and r.take_waits() == (0, 0.0)


def test_server_errors_give_up_after_max_attempts_with_a_source_error():
    sleeps: list[float] = []
    r = retrier(http.RatePolicy(max_attempts=2), sleeps)
    with pytest.raises(SourceError) as err:
        r.call(Flaky(http.Fault(500, detail="boom"), http.Fault(500, detail="boom")), classify)
    assert err.value.status == 500 and "other sources" in str(err.value) and len(sleeps) == 1


def test_no_retry_where_the_client_already_retries():
    sleeps: list[float] = []
    with pytest.raises(SourceError):
        retrier(http.RatePolicy(retry_server_errors=False), sleeps).call(Flaky(http.Fault(503)), classify)
    assert sleeps == []


def test_4xx_is_not_retried_and_unknown_exceptions_propagate():
    sleeps: list[float] = []
    r = retrier(http.RatePolicy(), sleeps)
    with pytest.raises(SourceError, match="settings"):
        r.call(Flaky(http.Fault(404)), classify)
    with pytest.raises(ZeroDivisionError):
        r.call(lambda: 1 / 0, classify)
    assert sleeps == []


def test_429_honours_the_reset_header_and_the_wait_budget():
    sleeps: list[float] = []
    policy = http.RatePolicy("x-rate-limit-reset", "epoch", budget_s=100)
    r = retrier(policy, sleeps)
    limited = http.Fault(429, {"x-rate-limit-reset": str(int(NOW) + 60)})
    assert r.call(Flaky(limited), classify) == "ok" and sleeps == [60.5]
    with pytest.raises(RateLimited) as err:  # 60.5 more would exceed the 100 s budget
        r.call(Flaky(limited), classify)
    assert err.value.reset_at == pytest.approx(NOW + 60.5) and sleeps == [60.5]


def test_requests_faults_are_classified():
    resp = requests.Response()
    resp.status_code, resp.url, resp._content = 503, "https://feeds.example/x?token=abc", b"down"
    assert http.requests_fault(http.HTTPFault(resp)).status == 503
    assert http.requests_fault(requests.Timeout("slow")).status is None
    assert http.requests_fault(requests.ConnectionError("refused")).status is None
    assert http.requests_fault(ValueError()) is None


def test_term_phrases_and_queries():
    assert term_phrases('Hafenlicht* OR "Hafenlicht Energie"') == ["Hafenlicht", '"Hafenlicht Energie"']
    assert term_phrases("Strom AND Preis NOT Festival") == ["Strom Preis"]
    assert term_phrases("(A OR B) AND C") == ["A", "B", "C"]  # nested OR: never narrower than the term
    ents = [Entity(name="A", terms=['"Hafenlicht Energie"', "Hafenlicht*"], exclude=['"Hafenlicht Festival"']),
            Entity(name="B", terms=["LichtBox"], aliases=["#LichtBox"])]
    assert entity_phrases(ents) == ['"Hafenlicht Energie"', "Hafenlicht", "LichtBox", "#LichtBox"]
    (q,) = x_queries(ents, exclude_retweets=True, langs=["de", "en"])
    assert q == ('(((\"Hafenlicht Energie\" OR Hafenlicht) -\"Hafenlicht Festival\") OR (LichtBox OR #LichtBox))'
                 " -is:retweet (lang:de OR lang:en)")
    assert or_queries(["aaaa", "bbbb", "cccc"], max_len=12) == ["aaaa OR bbbb", "cccc"]


def test_html_to_text():
    assert html_to_text("<p>Hallo &amp; <b>Tschüss</b></p><p>zwei</p>") == "Hallo & Tschüss\nzwei"
    assert html_to_text("plain   text") == "plain text" and html_to_text(None) == ""


ALPHABET = st.sampled_from(["Hafenlicht", "hafenlichts", "İstanbul", "ıstanbul", "ISTANBUL", "Kiel", "KIEL", " ", "-",
                            "LichtBox", "ſtrom", "Strom", "x", "@hafenlicht", "_", "ΟΔΟΣ", "\u0307", "."])


@settings(max_examples=300, deadline=None)
@given(st.lists(ALPHABET, max_size=8).map("".join))
def test_matcher_shortcuts_never_change_a_result(text):
    """The literal pre-check is only a shortcut: the result equals plain IGNORECASE regex matching."""
    ents = [Entity(name="H", terms=["Hafenlicht*", "@hafenlicht"]), Entity(name="T", terms=["istanbul", "Kiel*"]),
            Entity(name="S", terms=["strom"])]
    m = Matcher(ents)
    expected = []
    for ent in m.entities:
        hits = {p for p, rx in ent.atoms.items() if rx.search(text)}
        if any(node.pattern in hits if hasattr(node, "pattern") else False for _, node in ent.terms):
            expected.append(ent.name)
    assert m.match(text)[0] == expected
