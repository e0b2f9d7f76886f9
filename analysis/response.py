"""Response tracking: did one of the company's own accounts reply in a thread, how fast, and did it help?

A reply by an own account (``is_own``) after someone else's post marks the thread answered,
automatically. The first-response time runs from the first post by someone else to the first own
reply after it. The outcome compares the mean sentiment of others' posts after that reply with the
mean before it.
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np
import pandas as pd

OUTCOME_DELTA = 0.1  # a mean sentiment change smaller than this counts as unchanged
AUTO_WHO = "earshot (automatic)"
AUTO_OVERRIDES = {None, "new", "assigned"}  # statuses an own reply moves to "answered"


def track(posts: pd.DataFrame) -> dict[str, Any]:
    """Response fields of one thread's posts (oldest first; columns is_own, created_at, intent, sentiment).

    Returns answered, first_response_at, first_response_s, sentiment_before, sentiment_after,
    outcome (improved | worse | unchanged | no reaction yet | "" when unanswered), open_question
    (someone else asked a question after the last own reply, or no own reply exists) and
    open_criticism (critical posts by others after the last own reply, or all of them), and
    open_text: the latest such open question, else the latest such critical post ("" if none).
    """
    posts = posts.sort_values("created_at", kind="stable")
    others = posts[~posts["is_own"]]
    out: dict[str, Any] = {
        "answered": False, "first_response_at": pd.NaT, "first_response_s": float("nan"),
        "sentiment_before": float("nan"), "sentiment_after": float("nan"), "outcome": "",
        "open_question": bool((others["intent"] == "question").any()),
        "open_criticism": int(others["criticism"].sum()),
    }  # fmt: skip
    out["open_text"] = _open_text(others)
    if others.empty:
        return out
    first_other = others["created_at"].iloc[0]
    replies = posts[posts["is_own"] & (posts["created_at"] >= first_other)]
    if replies.empty:
        return out
    reply_at = replies["created_at"].iloc[0]
    last_reply = replies["created_at"].iloc[-1]
    before = others[others["created_at"] <= reply_at]["sentiment"].dropna()
    after = others[others["created_at"] > reply_at]["sentiment"].dropna()
    out.update(
        answered=True,
        first_response_at=reply_at,
        first_response_s=(reply_at - first_other).total_seconds(),
        sentiment_before=float(before.mean()) if len(before) else float("nan"),
        sentiment_after=float(after.mean()) if len(after) else float("nan"),
        open_question=bool(((others["intent"] == "question") & (others["created_at"] > last_reply)).any()),
        open_criticism=int((others["criticism"] & (others["created_at"] > last_reply)).sum()),
    )
    out["open_text"] = _open_text(others[others["created_at"] > last_reply])
    if after.empty or before.empty:
        out["outcome"] = "no reaction yet"
    else:
        delta = out["sentiment_after"] - out["sentiment_before"]
        out["outcome"] = "improved" if delta >= OUTCOME_DELTA else "worse" if delta <= -OUTCOME_DELTA else "unchanged"
    return out


def _open_text(still_open: pd.DataFrame) -> str:
    for mask in (still_open["intent"] == "question", still_open["criticism"]):
        texts = still_open.loc[mask, "text"].dropna()
        if len(texts):
            return str(texts.iloc[-1])
    return ""


def track_all(posts: pd.DataFrame) -> pd.DataFrame:
    """``track`` for every thread at once (posts need a ``thread`` column); indexed by thread."""
    others = posts[~posts["is_own"]]
    first_other = others.groupby("thread")["created_at"].min()
    own = posts[posts["is_own"]]
    replies = own[own["created_at"] >= first_other.reindex(own["thread"]).set_axis(own.index)]
    reply_at = replies.groupby("thread")["created_at"].min()
    last_reply = replies.groupby("thread")["created_at"].max()
    out = pd.DataFrame(index=pd.Index(posts["thread"].unique(), name="thread"))
    out["answered"] = out.index.isin(reply_at.index)
    out["first_response_at"] = reply_at.reindex(out.index)
    out["first_response_s"] = (out["first_response_at"] - first_other.reindex(out.index)).dt.total_seconds()
    o = others.assign(
        reply_at=reply_at.reindex(others["thread"]).set_axis(others.index),
        last_reply=last_reply.reindex(others["thread"]).set_axis(others.index),
    )
    before = o[o["created_at"] <= o["reply_at"]].groupby("thread")["sentiment"].mean()
    after = o[o["created_at"] > o["reply_at"]].groupby("thread")["sentiment"].mean()
    out["sentiment_before"] = before.reindex(out.index).astype(float)
    out["sentiment_after"] = after.reindex(out.index).astype(float)
    still_open = o["last_reply"].isna() | (o["created_at"] > o["last_reply"])
    questions = o[still_open & (o["intent"] == "question")].groupby("thread").size()
    out["open_question"] = questions.reindex(out.index, fill_value=0) > 0
    out["open_criticism"] = o[still_open & o["criticism"]].groupby("thread").size().reindex(out.index, fill_value=0)
    open_posts = o[still_open & o["text"].notna()]
    last_question = open_posts[open_posts["intent"] == "question"].groupby("thread")["text"].last()
    last_critical = open_posts[open_posts["criticism"]].groupby("thread")["text"].last()
    out["open_text"] = last_question.reindex(out.index).fillna(last_critical.reindex(out.index)).fillna("")
    delta = out["sentiment_after"] - out["sentiment_before"]
    out["outcome"] = np.select(
        [~out["answered"], delta.isna(), delta >= OUTCOME_DELTA, delta <= -OUTCOME_DELTA],
        ["", "no reaction yet", "improved", "worse"],
        "unchanged",
    )
    return out


class _Store(Protocol):
    def current(self, thread: str | None = None) -> dict[str, dict[str, Any]]: ...
    def decide(self, thread: str, who: str, **fields: Any) -> dict[str, Any]: ...


def effective_status(threads: pd.DataFrame, current: dict[str, dict[str, Any]]) -> pd.Series:
    """Status per thread: the team's decision, moved to "answered" when an own reply exists
    and the decision is still new/assigned (or none was recorded)."""
    out = []
    for key, answered in zip(threads["thread"], threads["answered"], strict=True):
        status = (current.get(key) or {}).get("status")
        out.append("answered" if answered and status in AUTO_OVERRIDES else status or "new")
    return pd.Series(out, index=threads.index, dtype=object)


def apply(store: _Store, threads: pd.DataFrame) -> int:
    """Record "answered" in the workflow store for threads with an own reply that are still
    new/assigned; returns how many decisions were written. Safe to run repeatedly."""
    current = store.current()
    written = 0
    for row in threads[threads["answered"]].itertuples():
        status = (current.get(row.thread) or {}).get("status")
        if status not in AUTO_OVERRIDES:
            continue
        when = pd.Timestamp(row.first_response_at).isoformat()
        store.decide(row.thread, AUTO_WHO, status="answered", rationale=f"reply by an own account at {when}")
        written += 1
    return written
