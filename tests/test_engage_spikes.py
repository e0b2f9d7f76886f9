"""Spike detection on simulated series with known spikes, and spike alerts that say why."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd
import pytest

from analysis import spikes
from earshot.config import Alerts
from tests.test_engage_conversations import NOW, frame, post


def _series(values: list[int] | np.ndarray, freq: str = "D") -> pd.Series:
    return pd.Series(values, index=pd.date_range("2026-01-01", periods=len(values), freq=freq, tz="UTC"))


def _score(level: float, r: float, spike_add: int, mult: float, seed: int, n_series: int = 40) -> tuple[float, float]:
    rng = np.random.default_rng(seed)
    tp = fp = fn = 0
    for _ in range(n_series):
        counts = rng.negative_binomial(r, r / (r + level), size=90)
        truth = {60, 80}
        for i in truth:
            counts[i] += spike_add + int(level * (mult - 1))  # the usual noise plus a known excess
        found = {s.start for s in spikes.detect_series(_series(counts), Alerts())}
        idx = {_series(counts).index[i] for i in truth}
        found = {f for f in found if f >= _series(counts).index[28]}
        tp, fp, fn = tp + len(found & idx), fp + len(found - idx), fn + len(idx - found)
    return tp / max(tp + fp, 1), tp / (tp + fn)


@pytest.mark.parametrize(("level", "r", "add", "mult"), [
    (0.3, 2.0, 8, 1.0),     # a tiny brand: a handful of critical posts a month
    (2.0, 3.0, 16, 1.0),    # a small brand
    (300.0, 15.0, 0, 3.0),  # a large brand: the same rule must not fire on its daily noise
])  # fmt: skip
def test_known_spikes_are_found_without_many_false_alerts(level: float, r: float, add: int, mult: float) -> None:
    precision, recall = _score(level, r, add, mult, seed=3)
    assert precision >= 0.9 and recall >= 0.8, (precision, recall)


def test_zero_baseline_needs_min_count() -> None:
    quiet = [0] * 30
    assert spikes.detect_series(_series([*quiet, 4]), Alerts()) == []  # below min_count 5
    found = spikes.detect_series(_series([*quiet, 6]), Alerts())
    assert [(s.count, s.expected) for s in found] == [(6, 0.0)] and found[0].p_value < 1e-4


def test_a_spike_does_not_raise_the_baseline_for_the_next_day() -> None:
    values = [1, 2, 1, 0, 2, 1, 1] * 4 + [20, 19]
    assert [s.count for s in spikes.detect_series(_series(values), Alerts())] == [20, 19]


def test_hourly_compares_the_same_hour_of_earlier_days() -> None:
    day = [0] * 8 + [6] * 10 + [0] * 6  # busy office hours every day
    values = day * 10
    values[-10] = 30  # one hour far above its usual
    found = spikes.detect_series(_series(values, "h"), Alerts(bucket="hour"))
    assert [s.count for s in found] == [30]


def outage_posts() -> list[dict]:
    rows = []
    rng = np.random.default_rng(5)
    for day in range(40, 1, -1):  # background: a little criticism about billing and pricing
        for k in range(int(rng.poisson(1.5))):
            rows.append(post(f"b{day}-{k}", "Rechnung zu hoch, Abschlag falsch", hours_ago=24 * day + k,
                             source="reddit", author=f"u{k}", criticism=True, topics=("billing",),
                             sentiment=-0.3))
    for k in range(18):  # the outage: today, many sources, very negative
        rows.append(post(f"o{k}", f"Stromausfall seit Stunden, Hafenlicht App zeigt nur Fehler #{k}",
                         hours_ago=0.1 + k * 0.3, source=["x", "mastodon", "bluesky"][k % 3], author=f"o{k}",
                         likes=k, criticism=True, topics=("outage",), sentiment=-0.8))
    rows.append(post("own", "Wir arbeiten an der Störung", own=True, author="hafenlicht", hours_ago=0.5,
                     criticism=True, topics=("outage",)))
    return rows


def test_outage_raises_one_alert_that_says_why() -> None:
    found = spikes.find(frame(outage_posts()), Alerts(), NOW, exclude_terms={"hafenlicht"})
    assert len(found) == 1  # the overall spike is the same event: folded into the topic alert
    a = found[0]
    assert a.scope == "outage" and a.count == 18 and a.expected < 1
    assert a.key == f"spike:outage:day:{pd.Timestamp(NOW).floor('D').isoformat()}"
    assert "stromausfall" in a.top_terms and "hafenlicht" not in a.top_terms
    assert a.sources == {"x": 6, "mastodon": 6, "bluesky": 6}
    assert [p["engagement"] for p in a.top_posts] == [17, 16, 15]
    assert a.sentiment_during < a.sentiment_before
    reasons = a.reasons()
    assert reasons[0].startswith("18 critical posts since") and reasons[1].startswith("top terms: ")
    assert a.title == "Spike in criticism about outage: 18 critical posts, about 0 expected"


def test_old_spikes_are_not_alerted_again_by_default() -> None:
    later = NOW + timedelta(days=5)
    assert spikes.find(frame(outage_posts()), Alerts(), later) == []
    history = spikes.find(frame(outage_posts()), Alerts(), later, recent_only=False)
    assert [a.scope for a in history] == ["outage"]


def test_no_posts_no_alerts() -> None:
    assert spikes.find(frame([]), Alerts(), NOW) == []


def test_posts_after_now_are_not_seen() -> None:
    before_outage = NOW - timedelta(hours=6)
    assert spikes.find(frame(outage_posts()), Alerts(), before_outage) == []
