"""Opportunity score (0-100) with reasons in words, and the suggested approach per conversation.

score = 100 x (weighted mean of signals in [0, 1]) x recency decay (x 0.5 when the suggested
approach is to stay out). The signals: criticism not yet replied to, an open question, no
company reply yet, author reach, engagement, velocity, topic ownership and risk; weights from
``engagement.weights``. Every signal only grows with its input, the decay is a positive factor,
and an open question never turns the approach into "stay out", so more reach or an open
question never lowers the score.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from analysis import conversations, response
from analysis.risk import Risk, assess
from analysis.routing import Route, guidelines, route
from earshot.config import Config, Engagement
from storage.lake import Lake

RISK_SIGNAL = {"low": 0.0, "medium": 0.5, "high": 1.0}
STAY_OUT_FACTOR = 0.5
APPROACHES = {
    "answer": "answer the question",
    "correct": "correct a factual error",
    "acknowledge_private": "acknowledge and take it to a private channel",
    "thank": "thank",
    "stay_out": "stay out",
}
# Cues that a post repeats a claim that may be wrong (German and English).
_CLAIM = re.compile(
    r"(?<!\w)(?:angeblich|gerücht|stimmt es|stimmt das|behaupte|falschmeldung|fake|lüge|"
    r"rumou?r|is it true|heard that|apparently|supposedly|misinformation|hoax|claims? that)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Scored:
    score: float  # 0-100
    reasons: list[str]  # in words, most important first


@dataclass(frozen=True)
class Approach:
    kind: str  # a key of APPROACHES
    label: str  # the words for it
    why: str  # why this approach, in words
    guideline: str  # the owning team's guidelines from the config


def _num(value: Any, default: float = 0.0) -> float:
    try:
        out = float(value)
    except (TypeError, ValueError):
        return default
    return default if math.isnan(out) else out


def _scale(value: float, reference: float) -> float:
    """0 at 0, 1 at ``reference`` and above, logarithmic in between (so 10 vs 100 matters as 1k vs 10k)."""
    return min(1.0, math.log1p(max(value, 0.0)) / math.log1p(reference))


def _short(n: float) -> str:
    return f"{n / 1000:.1f}k" if n >= 1000 else f"{n:.0f}"


def _hours(seconds: float) -> str:
    hours = seconds / 3600
    if hours < 1:
        return f"{max(seconds / 60, 1):.0f} min"
    return f"{hours:.0f} h" if hours < 48 else f"{hours / 24:.0f} days"


def _ts(value: Any) -> pd.Timestamp | None:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return None
    ts = pd.Timestamp(value)
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts


def signals(thread: Mapping[str, Any], settings: Engagement, owned: bool, risk_level: str) -> dict[str, float]:
    """Each signal of the score in [0, 1], keyed like ``engagement.weights``.

    Criticism counts the critical posts nobody from the company has replied to yet (``open_criticism``).
    """
    criticism = _num(thread.get("open_criticism", thread.get("criticism")))
    return {
        "criticism": 0.0 if criticism <= 0 else 0.6 + 0.4 * min(1.0, (criticism - 1) / 4),
        "open_question": 1.0 if thread.get("open_question") else 0.0,
        "unanswered": 0.0 if thread.get("answered") else 1.0,
        "reach": _scale(_num(thread.get("max_followers")), settings.reach_reference),
        "engagement": _scale(_num(thread.get("engagement")), settings.engagement_reference),
        "velocity": _scale(_num(thread.get("velocity")), settings.velocity_reference),
        "topic_owned": 1.0 if owned else 0.0,
        "risk": RISK_SIGNAL.get(risk_level, 0.0),
    }


def score(
    thread: Mapping[str, Any],
    settings: Engagement,
    owned: bool,
    risk_level: str,
    now: datetime | None = None,
    approach: str | None = None,
) -> Scored:
    """The opportunity score of one thread summary (see ``conversations.summarize``) and its reasons.

    A thread whose suggested ``approach`` is to stay out scores ``STAY_OUT_FACTOR`` of the rest, so
    that it sinks below threads where the company has something to do.
    """
    weights = settings.weights.model_dump()
    total = sum(weights.values()) or 1.0
    sig = signals(thread, settings, owned, risk_level)
    raw = sum(weights[k] * sig[k] for k in weights) / total
    now_ts = _ts(now or datetime.now(UTC))
    last = _ts(thread.get("last_at")) or now_ts
    idle_s = max((now_ts - last).total_seconds(), 0.0)
    decay = 0.5 ** (idle_s / 3600 / settings.half_life_hours)
    factor = STAY_OUT_FACTOR if approach == "stay_out" else 1.0
    return Scored(round(100 * raw * decay * factor, 1), _reasons(thread, sig, risk_level, idle_s, now_ts))


def _reasons(thread: Mapping[str, Any], sig: dict[str, float], risk_level: str, idle_s: float, now: Any) -> list[str]:
    topics = list(thread.get("topics") or [])
    about = f" about {topics[0]}" if topics else ""
    out = []
    answered = bool(thread.get("answered"))
    if sig["open_question"]:
        out.append(f"unanswered question{about}")
    topic = about if not sig["open_question"] else ""
    if sig["criticism"]:
        n = int(_num(thread.get("open_criticism", thread.get("criticism"))))
        posts = f"{n} critical post{'s' if n != 1 else ''}"
        out.append(f"{posts}{topic} since our last reply" if answered else f"{posts}{topic}, no reply from us yet")
    elif _num(thread.get("criticism")) > 0:
        out.append(f"criticism{topic} answered")
    elif not answered and not sig["open_question"]:
        out.append("no reply from us yet")
    followers = _num(thread.get("max_followers"))
    if sig["reach"] >= 0.25:
        out.append(f"{_short(followers)} followers")
    engagement = _num(thread.get("engagement"))
    if engagement >= 5:
        first = _ts(thread.get("first_at"))
        span = (now - first).total_seconds() if first is not None else 0
        out.append(f"{_short(engagement)} interactions in {_hours(max(span, 3600))}")
    if risk_level != "low":
        out.append(f"{risk_level} risk")
    if answered and _num(thread.get("first_response_s"), -1) >= 0:
        out.append(f"we replied after {_hours(_num(thread.get('first_response_s')))}")
    out.append(f"last post {_hours(idle_s)} ago")
    return out


def suggest_approach(thread: Mapping[str, Any], risk: Risk, team: str, config: Config) -> Approach:
    """How to join (or not), from the thread's state; the owning team's guidelines come along."""
    parts = (thread.get("title"), *(thread.get("texts") or [thread.get("text")]))
    text = "\n".join(t for t in parts if isinstance(t, str))
    critical = _num(thread.get("criticism")) > 0
    still_critical = _num(thread.get("open_criticism", thread.get("criticism"))) > 0
    if thread.get("answered") and not thread.get("open_question") and not still_critical:
        kind, why = "stay_out", "we already replied and nothing new is open"
    elif _CLAIM.search(text) and (critical or thread.get("open_question")):
        kind, why = "correct", "it repeats a claim that may be wrong"
    elif thread.get("open_question"):
        kind, why = "answer", "someone asked and nobody from the company has answered"
    elif critical:
        kind, why = "acknowledge_private", "criticism that may need personal details"
    elif _num(thread.get("praise")) > 0 or _num(thread.get("sentiment")) >= 0.3:
        kind, why = "thank", "positive feedback"
    else:
        kind, why = "stay_out", "nothing that needs the company"
    if risk.must_involve and kind != "stay_out":
        why = f"{risk.level} risk: involve {', '.join(risk.must_involve)} before anyone answers; {why}"
    return Approach(kind, APPROACHES[kind], why, guidelines(team, config))


def rank(threads: pd.DataFrame, config: Config, now: datetime | None = None) -> pd.DataFrame:
    """Threads active in the last ``engagement.window_days`` that others posted in, with score,
    reasons, team, risk and approach columns, best first."""
    now = now or datetime.now(UTC)
    extra = ["score", "reasons", "team", "owner_reason", "risk", "risk_reasons", "must_involve", "approach",
             "approach_label", "approach_why", "guideline"]  # fmt: skip
    if threads.empty:
        return pd.DataFrame(columns=[*threads.columns, *extra])
    settings = config.engagement
    cutoff = pd.Timestamp(now).tz_convert("UTC") - pd.Timedelta(days=settings.window_days)
    recent = pd.to_datetime(threads["last_at"], utc=True) >= cutoff
    live = threads[recent & (threads["size"] > threads["own_replies"])]
    rows = []
    for thread in live.to_dict("records"):
        owner: Route = route(thread["topics"], config)
        risk = assess(thread, settings.risk)
        approach = suggest_approach(thread, risk, owner.team, config)
        scored = score(thread, settings, owner.topic is not None, risk.level, now, approach.kind)
        rows.append({
            **thread, "score": scored.score, "reasons": scored.reasons, "team": owner.team,
            "owner_reason": owner.reason, "risk": risk.level, "risk_reasons": risk.reasons,
            "must_involve": risk.must_involve, "approach": approach.kind, "approach_label": approach.label,
            "approach_why": approach.why, "guideline": approach.guideline,
        })  # fmt: skip
    out = pd.DataFrame(rows, columns=[*threads.columns, *extra])
    return out.sort_values(["score", "last_at"], ascending=False, ignore_index=True)


def opportunities(lake: Lake, config: Config, now: datetime | None = None, store: Any = None) -> pd.DataFrame:
    """Load the window's mentions, group them into threads and rank them (the dashboard's queue).

    Repeat complainers are counted over the same window. With a ``storage.workflow.WorkflowStore``
    the queue also gets ``status`` (the team's decision, "answered" when an own account replied to a
    thread still new/assigned) and ``version`` (for ``decide(expected_version=...)``).
    """
    now = now or datetime.now(UTC)
    since = pd.Timestamp(now).tz_convert("UTC") - pd.Timedelta(days=config.engagement.window_days)
    posts = conversations.load_mentions(lake, since=since.to_pydatetime())
    queue = rank(conversations.summarize(posts, now=now), config, now)
    if store is not None:
        current = store.current()
        queue["status"] = response.effective_status(queue, current) if len(queue) else pd.Series(dtype=object)
        queue["version"] = [int((current.get(t) or {}).get("version", 0)) for t in queue["thread"]]
    return queue
