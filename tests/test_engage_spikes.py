"""Spike detection on simulated series with known spikes, and spike alerts that say why."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd
import pytest

from analysis import conversations, spikes
from earshot.config import Alerts
from storage import queries_metrics as qm
from storage.queries import Filters, Store
from tests.test_engage_conversations import NOW, build_lake, frame, post


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


# The dashboard's spike markers (storage.queries_metrics.spike_days -> analysis.spikes.marked_days): the
# series the alerts watch (criticism by others), not the volume the chart shows.

TOTAL, CRITICAL = [22, 20, 23, 19, 21, 24, 20], [2, 1, 3, 2, 1, 2, 3]  # a usual week: posts, critical posts


def _day_posts(d: int, total: int, critical: int, *, own_critical: int = 0, topic: str | None = None,
               hour: int = 0) -> list[dict]:
    """``total`` posts by others ``d`` days before NOW (``critical`` of them critical), at ``hour`` o'clock
    UTC and a few minutes after, plus ``own_critical`` critical posts by an own account."""
    at = 12 - hour  # NOW is 12:00 UTC
    rows = [post(f"d{d}-{k}", "Hafenlicht", hours_ago=24 * d + at - k / 600, author=f"u{k}",
                 criticism=k < critical, topics=(topic,) if topic and k < critical else (),
                 sentiment=-0.5 if k < critical else 0.2) for k in range(total)]
    rows += [post(f"own{d}-{k}", "Wir kümmern uns", hours_ago=24 * d + at - k / 600, own=True, author="hafenlicht",
                  criticism=True) for k in range(own_critical)]
    return rows


def _lake(tmp_path, special: dict[int, dict]) -> tuple:
    rows = []
    for d in range(40, -1, -1):
        kw = special.get(d, {})
        rows += _day_posts(d, kw.pop("total", TOTAL[d % 7]), kw.pop("critical", CRITICAL[d % 7]), **kw)
    lake = build_lake(tmp_path / "data", rows)
    return lake, Store(tmp_path / "data")


def _day(d: int) -> pd.Timestamp:
    return pd.Timestamp(NOW).tz_convert(None).normalize() - pd.Timedelta(days=d)


def _alert_days(lake, settings: Alerts, scope: str | None = None) -> set[pd.Timestamp]:
    """Days of the spike intervals the alert model flags over the whole lake (``scope``: that alert only)."""
    end = pd.Timestamp(NOW).normalize() + pd.Timedelta(hours=23, minutes=59)
    found = spikes.find(conversations.load_mentions(lake), settings, end.to_pydatetime(), recent_only=False)
    return {d.tz_convert(None) for a in found if scope in (None, a.scope)
            for d in pd.date_range(a.start.floor("D"), a.end.floor("D"), freq="D")}


def test_markers_count_criticism_by_others_not_the_volume_shown(tmp_path) -> None:
    # day 10: volume ten times usual, criticism as usual; day 5: usual volume, criticism six times usual;
    # day 3: a flood of critical posts by an own account (never counted by the alerts)
    lake, store = _lake(tmp_path, {10: {"total": 220}, 5: {"total": 21, "critical": 12}, 3: {"own_critical": 30}})
    settings = Alerts()
    period = Filters(since=_day(30).date(), until=_day(0).date())
    volume = qm.volume_by_day(store, period).groupby("day")["mentions"].sum()
    volume_spikes = {s.start for s in spikes.detect_series(volume.asfreq("D", fill_value=0), settings)}
    assert _day(10) in volume_spikes and _day(5) not in volume_spikes  # what the old markers flagged

    marked = qm.spike_days(store, period, settings)
    assert list(marked.columns) == ["day", "critical", "expected", "p_value", "intervals"]
    assert list(marked["day"]) == [_day(5)]
    assert marked["critical"].tolist() == [12] and marked["expected"].iloc[0] < 3
    assert (marked["p_value"] < settings.p_value).all()
    assert set(marked["day"]) == _alert_days(lake, settings)  # the day the alert model flags is the day marked
    # the days before the period are its baseline, as for the alerts: a one-day period still has its marker
    one_day = qm.spike_days(store, Filters(since=_day(5).date(), until=_day(5).date()), settings)
    pd.testing.assert_frame_equal(one_day, marked)
    assert qm.spike_days(store, Filters(since=_day(4).date(), until=_day(0).date()), settings).empty
    assert qm.alert_scope(period) == "overall"


def test_a_topic_filter_marks_that_topics_alert_and_other_filters_say_no_alert_watches(tmp_path) -> None:
    # day 6: a handful of critical posts about the outage, which nobody criticised before; overall
    # criticism is noisy enough (the usual week, doubled) that the same day is no overall spike
    special = {d: {"total": 2 * TOTAL[d % 7], "critical": 2 * CRITICAL[d % 7]} for d in range(41)}
    special[6] = {"total": 30, "critical": 8, "topic": "outage"}
    lake, store = _lake(tmp_path, special)
    settings = Alerts()
    period = Filters(since=_day(30).date(), until=_day(0).date())
    assert qm.spike_days(store, period, settings).empty
    outage = Filters(since=period.since, until=period.until, topics=("outage",))
    marked = qm.spike_days(store, outage, settings)
    assert list(marked["day"]) == [_day(6)] and set(marked["day"]) == _alert_days(lake, settings, "outage")
    assert qm.alert_scope(outage) == "outage"
    for other in (Filters(sources=("x",)), Filters(entities=("Hafenlicht",)), Filters(langs=("de",)),
                  Filters(topics=("outage", "billing"))):
        assert qm.alert_scope(other) is None


def test_hourly_alerts_mark_the_day_of_a_spike_hour(tmp_path) -> None:
    # every day the same: all posts just after midnight UTC; on day 4 they come at 03:00, an hour usually quiet
    special = {4: {"total": 21, "critical": 7, "hour": 3}}
    lake, store = _lake(tmp_path, special)
    settings = Alerts(bucket="hour")
    marked = qm.spike_days(store, Filters(since=_day(30).date(), until=_day(0).date()), settings)
    assert list(marked["day"]) == [_day(4)] and set(marked["day"]) == _alert_days(lake, settings)
    assert marked["intervals"].tolist() == [1] and marked["critical"].tolist() == [7]
    daily = qm.spike_days(store, Filters(since=_day(30).date(), until=_day(0).date()), Alerts())
    assert daily.empty  # counted per day, seven critical posts are no spike


def test_no_posts_by_others_no_markers(tmp_path) -> None:
    empty = qm.spike_days(Store(tmp_path / "none"), Filters(), Alerts())
    assert empty.empty and list(empty.columns) == ["day", "critical", "expected", "p_value", "intervals"]


def test_the_variance_bound_is_scipys_chi_square_quantile() -> None:
    from scipy import stats

    from analysis.spikes import VARIANCE_QUANTILE, _chi2_low

    for n in (2, 3, 5, 8, 28, 29, 100, 1000):
        assert _chi2_low(n) == pytest.approx(float(stats.chi2.ppf(VARIANCE_QUANTILE, n - 1)), rel=1e-12)


def test_the_hourly_series_starts_at_the_first_hour_with_a_post_by_others(tmp_path) -> None:
    # the first day: an own post at 02:xx, the first post by others at 05:xx; the series starts at 05:00
    start = pd.Timestamp(NOW).tz_convert(None).normalize() - pd.Timedelta(days=3)
    back = (pd.Timestamp(NOW).tz_convert(None) - start).total_seconds() / 3600  # hours from NOW back to that day
    rows = [post("own", "Wir kümmern uns", hours_ago=back - 2.5, own=True, author="hafenlicht", criticism=True)]
    rows += [post(f"o{k}", "Hafenlicht", hours_ago=back - 5.25 - 24 * k, author=f"u{k}") for k in range(3)]
    store = Store(build_lake(tmp_path / "data", rows).data_dir)
    assert qm._first_other(store, "hour") == start + pd.Timedelta(hours=5)
    assert pd.Timestamp(qm._first_other(store, "day")) == start
    plain = store.one(f"SELECT min({qm.HOUR}) FROM facts WHERE NOT coalesce(is_own, false)")[0]
    assert qm._first_other(store, "hour") == plain
    assert pd.isna(qm._first_other(Store(tmp_path / "none"), "hour"))
