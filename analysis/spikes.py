"""Spikes of criticism, per topic and overall, against a baseline that works for low counts.

Critical posts (by others, not own accounts) are counted per day or hour. Each interval's count
is compared with the trailing ``baseline_buckets`` intervals (for hours: the same hour of the
previous days, so the daily rhythm is not a spike). The baseline is a negative binomial fitted by
moments (variance at an upper confidence bound, with a floor of overdispersion), or a Poisson with
a smoothed mean when the counts are that calm (so a brand with zero critical posts a day still has
a finite baseline). An interval is a spike when ``P(X >= count) < p_value``,
``count >= min_count`` and ``count >= MIN_RATIO x expected``. Earlier spikes are left out of
later baselines. Consecutive spike intervals form one episode whose key never changes while it
goes on; episodes of several topics that share most posts at the same time are one alert.
``scope_spikes`` is that series and rule for one scope; ``marked_days`` applies it to the
dashboard's filtered counts, so that its spike markers are the spikes the alerts count.
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd

from analysis import incomplete
from earshot.config import Alerts

MIN_RATIO = 1.5  # a spike is at least this many times the expected count
SAME_EVENT = 0.5  # an episode with at least this share of its posts in a bigger one at the same time is folded in
MIN_SENTIMENT_POSTS = 10  # fewer posts of a topic before its spike: the sentiment shift uses all posts
MIN_HISTORY = 3  # intervals of baseline needed before anything can be a spike
MAX_R = 30.0  # least overdispersion assumed: real counts always vary more than a Poisson
VARIANCE_QUANTILE = 0.25  # the variance's upper bound: chi-square quantile of the baseline

FREQ = {"day": ("D", 1), "hour": ("h", 24)}  # pandas frequency and season length (intervals)
STOPWORDS = set(
    "the and for that this with you your are was were have has had not but they them from what when will would "
    "just about again still there their been can't don't it's i'm really very all any our out get got more "
    "der die das und ist nicht ich mit den dem des ein eine einen einer auf für von sich auch noch wie was "
    "bei aber schon wieder mal mir mich mein meine kein keine nur wird sind seit oder wenn dann hier heute "
    "euch eure ihr ihre habe hat haben kann doch denn immer jetzt viel mehr gibt danke etwas sehr also "
    "because only even like than then into over some such these those which while".split()
)
_WORD = re.compile(r"[^\W\d_][\w'-]{3,}", re.UNICODE)


@functools.cache
def _chi2_low(n: int) -> float:
    """Lower ``VARIANCE_QUANTILE`` quantile of chi-square with n - 1 degrees of freedom (what
    ``scipy.stats.chi2.ppf`` computes, to about 1e-14 relative)."""
    return 2.0 * incomplete.gammaincinv((n - 1) / 2.0, VARIANCE_QUANTILE)


@dataclass(frozen=True)
class Spike:
    """One interval whose count is unusual for its baseline."""

    start: pd.Timestamp
    count: int
    expected: float
    p_value: float


def tail_p(count: int, history: np.ndarray) -> tuple[float, float]:
    """``(expected, P(X >= count))`` under the baseline fitted to ``history`` (counts).

    The variance is taken at the upper end of what the history allows (a chi-square bound at
    ``VARIANCE_QUANTILE``, since a few weeks of counts often underestimate it), and never below
    ``mean + mean^2 / MAX_R``.
    """
    n = len(history)
    mean = float(history.mean()) if n else 0.0
    if count <= 0:
        return mean, 1.0
    smoothed = max(mean, (float(history.sum()) + 0.5) / (n + 1))  # keeps a zero baseline finite
    var = float(history.var(ddof=1)) * (n - 1) / _chi2_low(n) if n > 1 else smoothed
    var = max(var, smoothed + smoothed * smoothed / MAX_R)
    if var <= smoothed * 1.01:
        return mean, incomplete.gammainc(count, smoothed)  # Poisson P(X >= count)
    r = smoothed * smoothed / (var - smoothed)  # negative binomial by moments: var = mean + mean^2 / r
    return mean, incomplete.betainc(count, r, smoothed / (r + smoothed))  # NB P(X >= count)


def detect_series(counts: pd.Series, settings: Alerts) -> list[Spike]:
    """Spikes in one regular count series (index = interval starts, oldest first)."""
    season = FREQ[settings.bucket][1]
    values = counts.to_numpy(dtype=float)
    usable = np.ones(len(values), dtype=bool)  # spikes are left out of later baselines
    out: list[Spike] = []
    for i, count in enumerate(values):
        past = [j for j in range(i - season, i - season * settings.baseline_buckets - 1, -season) if j >= 0]
        past = [j for j in past if usable[j]]
        history = values[past]
        if len(history) < MIN_HISTORY or count < settings.min_count:
            continue
        if count < MIN_RATIO * history.mean():
            continue
        expected, p = tail_p(int(count), history)
        if p < settings.p_value and count >= MIN_RATIO * max(expected, 1e-9):
            usable[i] = False
            out.append(Spike(counts.index[i], int(count), expected, p))
    return out


def _flag(values: pd.Series) -> pd.Series:
    return values.astype("boolean").fillna(False).astype(bool)


def critical_counts(rows: pd.DataFrame, index: pd.DatetimeIndex) -> pd.Series:
    """Critical posts by others per interval of ``index``: the series a spike alert watches.

    ``rows`` has columns ``bucket`` (the interval start), ``criticism`` and ``is_own``, one row per
    post, or per ``n`` posts when it has a column ``n`` (a rollup's groups). The company's own posts
    never count; an interval without rows counts 0.
    """
    keep = _flag(rows["criticism"]) & ~_flag(rows["is_own"])
    n = rows["n"] if "n" in rows else pd.Series(1, index=rows.index)
    return n[keep].groupby(rows.loc[keep, "bucket"]).sum().reindex(index, fill_value=0).astype("int64")


def scope_spikes(rows: pd.DataFrame, index: pd.DatetimeIndex, settings: Alerts) -> list[Spike]:
    """Spikes of one scope (overall, a topic, or the dashboard's filtered posts): ``detect_series`` on
    ``critical_counts(rows, index)``, ``index`` being every interval from the first post by others on."""
    return detect_series(critical_counts(rows, index), settings)


def marked_days(
    rows: pd.DataFrame, settings: Alerts, first: pd.Timestamp | None, until: pd.Timestamp | None,
    since: pd.Timestamp | None,
) -> pd.DataFrame:
    """The dashboard's spike markers: the days from ``since`` to ``until`` that hold a spike of ``scope_spikes``.

    ``rows`` are those of ``critical_counts`` with naive UTC ``bucket`` starts of ``settings.bucket``,
    from ``first`` (the first interval with a post by others, as ``find`` starts its series) up to the
    end of the day ``until``; the days before ``since`` are baseline, as they are for the alerts. With
    hourly alerts a day is marked when one of its hours is a spike. Returns columns day, critical
    (critical posts by others in the day's spike intervals), expected, p_value (the smallest),
    intervals (spike intervals that day), oldest first.
    """
    out = pd.DataFrame({
        "day": pd.Series(dtype="datetime64[ns]"), "critical": pd.Series(dtype="int64"),
        "expected": pd.Series(dtype="float64"), "p_value": pd.Series(dtype="float64"),
        "intervals": pd.Series(dtype="int64"),
    })  # fmt: skip
    if first is None or until is None or pd.isna(first):
        return out
    freq = FREQ[settings.bucket][0]
    last = (pd.Timestamp(until).normalize() + pd.Timedelta(days=1) - pd.Timedelta(1, unit=freq)).floor(freq)
    if pd.Timestamp(first) > last:
        return out
    index = pd.date_range(pd.Timestamp(first).floor(freq), last, freq=freq, unit="ns")
    rows = rows.assign(bucket=pd.to_datetime(rows["bucket"]).astype("datetime64[ns]"))
    found = [s for s in scope_spikes(rows, index, settings) if since is None or s.start >= pd.Timestamp(since)]
    if not found:
        return out
    per = pd.DataFrame({
        "day": [s.start.normalize() for s in found], "critical": [s.count for s in found],
        "expected": [s.expected for s in found], "p_value": [s.p_value for s in found],
    })  # fmt: skip
    days = per.groupby("day", sort=True).agg(
        critical=("critical", "sum"), expected=("expected", "sum"), p_value=("p_value", "min"),
        intervals=("critical", "size"),
    ).reset_index()  # fmt: skip
    return days.astype(out.dtypes.to_dict())


def episodes(spikes: list[Spike], step: pd.Timedelta) -> list[list[Spike]]:
    """Consecutive spike intervals grouped together, oldest first."""
    groups: list[list[Spike]] = []
    for s in spikes:
        if groups and s.start - groups[-1][-1].start <= step:
            groups[-1].append(s)
        else:
            groups.append([s])
    return groups


@dataclass
class SpikeAlert:
    """One spike episode of one scope, with what makes it unusual."""

    key: str  # stable id: the same episode always has the same key
    scope: str  # "overall" or the topic name
    start: pd.Timestamp
    end: pd.Timestamp  # start of the last spike interval
    bucket: str
    count: int  # critical posts in the episode
    expected: float  # what the baseline expected over the same intervals
    p_value: float  # smallest interval p-value
    top_terms: list[str] = field(default_factory=list)
    top_posts: list[dict[str, Any]] = field(default_factory=list)  # source, url, author, text, engagement
    sources: dict[str, int] = field(default_factory=dict)
    sentiment_before: float = float("nan")  # mean over the baseline intervals (the scope's posts, else all)
    sentiment_during: float = float("nan")
    authors: list[str] = field(default_factory=list)  # whose posts are quoted (for erasure)
    also: list[str] = field(default_factory=list)  # other topics whose spike is the same event

    @property
    def scopes(self) -> list[str]:
        return [self.scope, *self.also]

    @property
    def title(self) -> str:
        what = "criticism overall" if self.scope == "overall" else f"criticism about {self.scope}"
        what += f" (also {', '.join(self.also)})" if self.also else ""
        return f"Spike in {what}: {self.count} critical posts, about {self.expected:.0f} expected"

    def reasons(self) -> list[str]:
        """Why this is an alert, in words."""
        when = self.start.strftime("%Y-%m-%d %H:%M UTC" if self.bucket == "hour" else "%Y-%m-%d")
        out = [f"{self.count} critical posts since {when} (baseline about {self.expected:.1f}, p = {self.p_value:.1g})"]
        if self.top_terms:
            out.append("top terms: " + ", ".join(self.top_terms))
        if self.sources:
            out.append("sources: " + ", ".join(f"{s} {n}" for s, n in self.sources.items()))
        if not (math.isnan(self.sentiment_before) or math.isnan(self.sentiment_during)):
            out.append(f"sentiment {self.sentiment_before:+.2f} before, {self.sentiment_during:+.2f} now")
        return out

    def payload(self) -> dict[str, Any]:
        """JSON-ready form (stored in the alert ledger)."""
        return {
            "key": self.key, "scope": self.scope, "bucket": self.bucket, "start": self.start.isoformat(),
            "end": self.end.isoformat(), "count": self.count, "expected": round(self.expected, 2),
            "p_value": self.p_value, "title": self.title, "reasons": self.reasons(), "top_terms": self.top_terms,
            "top_posts": self.top_posts, "sources": self.sources, "scopes": self.scopes,
        }  # fmt: skip


def _terms(texts: pd.Series, baseline_texts: pd.Series, exclude: set[str], k: int = 5) -> list[str]:
    now = Counter(w for t in texts.dropna() for w in set(_WORD.findall(t.lower())))
    before = Counter(w for t in baseline_texts.dropna() for w in set(_WORD.findall(t.lower())))
    scale = max(len(texts), 1) / max(len(baseline_texts), 1)
    scored = [
        (n - before[w] * scale, w) for w, n in now.items() if n >= 2 and w not in STOPWORDS and w not in exclude
    ]
    return [w for s, w in sorted(scored, key=lambda x: (-x[0], x[1])) if s > 0][:k]


def find(
    posts: pd.DataFrame, settings: Alerts, now: datetime | None = None, exclude_terms: set[str] | None = None,
    recent_only: bool = True,
) -> list[SpikeAlert]:
    """Spike alerts in ``posts`` (columns of ``conversations.load_mentions``).

    Only episodes that touch the last ``lookback_hours`` are returned unless ``recent_only`` is
    False. Episodes at the same time that share most of their posts are one event: the bigger
    topic's alert names the others under ``also`` (an overall spike folds into a topic's).
    ``exclude_terms`` (lower-case; the company's own names) never count as top terms.
    """
    now_ts = pd.Timestamp(now or datetime.now(UTC)).tz_convert("UTC")
    freq, season = FREQ[settings.bucket]
    step = pd.Timedelta(1, unit=freq)
    if posts.empty:
        return []
    others = posts[~posts["is_own"] & (posts["created_at"] <= now_ts)].copy()  # a replay never sees the future
    if others.empty:
        return []
    others["bucket"] = others["created_at"].dt.floor(freq)
    last = now_ts.floor(freq)
    first = min(others["bucket"].min(), last)
    index = pd.date_range(first, last, freq=freq)
    scopes: dict[str, pd.Series] = {"overall": pd.Series(True, index=others.index)}
    for topic in sorted({t for ts in others["topics"] for t in ts}):
        scopes[topic] = others["topics"].map(lambda ts, t=topic: t in ts)
    found: dict[str, list[list[Spike]]] = {}
    for scope, mask in scopes.items():
        groups = episodes(scope_spikes(others[mask], index, settings), step)
        if recent_only:
            horizon = now_ts - pd.Timedelta(hours=settings.lookback_hours)
            groups = [g for g in groups if g[-1].start + step > horizon]
        if groups:
            found[scope] = groups
    # One event, one alert: an episode whose critical posts are mostly in a bigger one (a topic
    # before "overall") at the same time is folded into it as "also".
    candidates = []
    for scope, groups in found.items():
        for g in groups:
            in_time = (others["bucket"] >= g[0].start) & (others["bucket"] <= g[-1].start)
            ids = set(others.index[scopes[scope] & others["criticism"] & in_time])
            candidates.append((scope, g, ids))
    candidates.sort(key=lambda c: (c[0] == "overall", -len(c[2]), c[0]))
    kept: list[tuple[str, list[Spike], set, list[str]]] = []
    for scope, g, ids in candidates:
        home = next((k for k in kept if len(ids & k[2]) >= SAME_EVENT * max(len(ids), 1)), None)
        if home is not None:
            home[3].append(scope)
        else:
            kept.append((scope, g, ids, []))
    alerts = [
        _explain(scope, g, others, scopes[scope], settings, step, season, exclude_terms or set(), also)
        for scope, g, _, also in kept
    ]
    return sorted(alerts, key=lambda a: (a.start, a.scope))


def _explain(
    scope: str, group: list[Spike], others: pd.DataFrame, mask: pd.Series, settings: Alerts, step: pd.Timedelta,
    season: int, exclude: set[str], also: list[str],
) -> SpikeAlert:
    start, end = group[0].start, group[-1].start
    in_scope = others[mask]
    during = in_scope[(in_scope["bucket"] >= start) & (in_scope["bucket"] <= end)]
    base_start = start - step * season * settings.baseline_buckets
    before = in_scope[(in_scope["bucket"] >= base_start) & (in_scope["bucket"] < start)]
    crit_now, crit_before = during[during["criticism"]], before[before["criticism"]]
    if before["sentiment"].notna().sum() >= MIN_SENTIMENT_POSTS:
        base_sentiment = before["sentiment"]
    else:  # a topic hardly anybody talked about before: compare with everything said before
        base_sentiment = others[(others["bucket"] >= base_start) & (others["bucket"] < start)]["sentiment"]
    engagement = crit_now["likes"] + crit_now["replies"] + crit_now["reposts"]
    top = crit_now.assign(interactions=engagement).sort_values(["interactions", "created_at"], ascending=False).head(3)
    posts = [
        {
            "source": r.source, "url": r.url, "author": r.author, "engagement": int(r.interactions),
            "text": (r.text or "")[:280],
        }  # fmt: skip
        for r in top.itertuples()
    ]
    return SpikeAlert(
        key=f"spike:{scope}:{settings.bucket}:{start.isoformat()}",
        scope=scope, start=start, end=end, bucket=settings.bucket,
        count=sum(s.count for s in group), expected=sum(s.expected for s in group),
        p_value=min(s.p_value for s in group),
        top_terms=_terms(crit_now["text"], crit_before["text"], exclude),
        top_posts=posts,
        sources=dict(Counter(crit_now["source"]).most_common()),
        sentiment_before=float(base_sentiment.mean()) if base_sentiment.notna().any() else float("nan"),
        sentiment_during=float(during["sentiment"].mean()) if during["sentiment"].notna().any() else float("nan"),
        authors=sorted({p["author"] for p in posts if p["author"]}),
        also=[t for t in also if t != "overall"],
    )  # fmt: skip
