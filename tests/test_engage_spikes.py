"""Spike detection on simulated series with known spikes, and spike alerts that say why."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd
import pytest

from analysis import spikes
from earshot.config import EXAMPLE_CONFIG, Alerts, load_config
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


# The dashboard's spike markers (analysis.spikes.daily_spikes): the alerts' rule on the shown daily volume.


def _daily_frame(values: list[int], skip: tuple[int, ...] = ()) -> pd.DataFrame:
    """The Overview's ``volume_by_day`` shape: day, source, mentions; a day in ``skip`` has no rows."""
    days = pd.date_range("2026-01-01", periods=len(values), freq="D")
    rows = [(d, s, n) for i, (d, v) in enumerate(zip(days, values, strict=True)) if i not in skip
            for s, n in (("x", v // 2), ("reddit", v - v // 2))]
    return pd.DataFrame(rows, columns=["day", "source", "mentions"])


def test_dashboard_spike_days_are_the_days_detect_series_flags() -> None:
    settings = load_config(EXAMPLE_CONFIG).alerts
    rng = np.random.default_rng(11)
    values = [int(v) for v in rng.negative_binomial(8, 8 / (8 + 40), size=60)]
    values[20], values[45], values[46] = 220, 180, 150
    values[30] = 0  # a day without mentions has no rows in the rollup, but counts as 0
    frame = _daily_frame(values, skip=(30,))
    series = pd.Series(values, index=pd.date_range("2026-01-01", periods=60, freq="D"))
    flagged = spikes.detect_series(series, settings)
    marked = spikes.daily_spikes(frame, settings)
    assert list(marked.columns) == ["day", "mentions", "expected", "p_value"]
    assert list(marked["day"]) == [s.start for s in flagged]
    assert {series.index[i] for i in (20, 45, 46)} <= set(marked["day"])
    assert list(marked["mentions"]) == [s.count for s in flagged]
    assert list(marked["expected"]) == [s.expected for s in flagged]
    assert list(marked["p_value"]) == [s.p_value for s in flagged]
    assert (marked["p_value"] < settings.p_value).all()
    # hourly alerts: the daily chart still uses the same baseline length, p-value and minimum count, per day
    hourly = spikes.daily_spikes(frame, settings.model_copy(update={"bucket": "hour"}))
    pd.testing.assert_frame_equal(hourly, marked)


def test_dashboard_flat_series_has_no_spike_days() -> None:
    assert spikes.daily_spikes(_daily_frame([20] * 60), load_config(EXAMPLE_CONFIG).alerts).empty
    marked = spikes.daily_spikes(_daily_frame([20] * 12 + [200] + [20] * 17), Alerts())
    assert list(marked["day"]) == [pd.Timestamp("2026-01-13")]  # one outlier: that day only


def test_dashboard_short_period_has_no_spike_days() -> None:
    settings = load_config(EXAMPLE_CONFIG).alerts
    empty = spikes.daily_spikes(_daily_frame([]), settings)
    assert empty.empty and list(empty.columns) == ["day", "mentions", "expected", "p_value"]
    for n in (1, 2, 3):  # fewer days than the baseline needs before the last one
        assert spikes.daily_spikes(_daily_frame([5] * (n - 1) + [500]), settings).empty
    assert len(spikes.daily_spikes(_daily_frame([5, 5, 5, 500]), settings)) == 1  # from the 4th day on
