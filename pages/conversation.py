"""Join the conversation: the ranked queue of threads with reasons, approach, owner and risk;
record a decision, correct a tag, open the original.

The queue comes from ``analysis.opportunity.opportunities`` and decisions go to
``storage.workflow.WorkflowStore`` (both from the engagement work); post text is shown only
through ``st.dataframe`` and ``st.text``.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import pandas as pd
import streamlit as st

from analysis import opportunity, response
from earshot.config import Config
from earshot.errors import EarshotError, WorkflowConflict
from pages import _ui as ui
from storage import queries_rows
from storage.queries import Filters, Store
from storage.queries_rows import safe_url
from storage.workflow import CORRECTION_VALUES, STATUSES, WorkflowStore

STATUS_LABELS = {
    "new": "new", "assigned": "assign", "answered": "answered", "not_answering": "not answering (give a rationale)",
    "escalated": "escalate", "resolved": "resolved",
}  # fmt: skip
OPEN = {"new", "assigned", "escalated"}


@st.cache_resource(show_spinner=False)
def _ranker() -> dict[str, Any]:
    """One background ranking per process, redone when the lake's files change."""
    return {"fingerprint": None, "future": None, "pool": ThreadPoolExecutor(1, thread_name_prefix="earshot-rank")}


def ranked_queue(store: Store) -> tuple[pd.DataFrame | None, str | None]:
    """The engagement ranking if it is ready (else None), and an error line if it failed."""
    state = _ranker()
    if state["fingerprint"] != store._fingerprint or state["future"] is None:
        ctx = ui.context()
        state["future"] = state["pool"].submit(opportunity.opportunities, ctx.lake, ctx.config)
        state["fingerprint"] = store._fingerprint
    future: Future = state["future"]
    if not future.done():
        return None, None
    try:
        return future.result(), None
    except Exception as exc:  # their bug must not take the page down: fall back to the simple queue
        return None, f"{type(exc).__name__}: {exc}"


def simple(store: Store, f: Filters, cfg: Config) -> pd.DataFrame:
    """The fallback queue from ``storage.queries_rows.simple_queue`` in the ranking's columns."""
    rows = queries_rows.simple_queue(store, f, 200)
    owners = {t.name: t.team for t in cfg.topics}
    team = [next((owners[t] for t in list(ts if ts is not None else []) if t in owners), cfg.fallback_team)
            for ts in rows["topics"]]
    return pd.DataFrame({
        "thread": [f"{s}:{i}" for s, i in zip(rows["source"], rows["id"], strict=True)], "source": rows["source"],
        "root_id": rows["id"], "score": rows["score"], "risk": "–", "team": team, "approach_label": "–",
        "approach_why": "", "guideline": "", "risk_reasons": "", "reasons": rows["reasons"],
        "last_at": rows["created_at"], "size": 1, "title": rows["title"], "text": rows["text"], "url": rows["url"],
        "entity": rows["entity"], "topics": rows["topics"],
    })  # fmt: skip


def _joined(value: object) -> str:
    if isinstance(value, list | tuple | pd.Series) or hasattr(value, "tolist"):
        return "; ".join(str(v) for v in list(value))
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


cfg, store, f = ui.page("Join the conversation")
if not ui.empty_state(store, cfg, "conversations"):
    workflow = WorkflowStore(store.data_dir)
    ranked, failure = ranked_queue(store)
    if ranked is None:
        queue = simple(store, f, cfg)
        if failure:
            st.warning(f"The full ranking failed ({failure}); showing a simple ranking instead.")
        else:
            st.info("The full ranking (risk, owner, approach) is being computed in the background; meanwhile "
                    "criticism and questions without an answer are ranked by a simple score. Reload in a moment.",
                    icon=":material/hourglass_top:")
    else:
        queue = ranked.copy()
    current = workflow.current()
    if "answered" in queue.columns:  # the full ranking knows own replies: answered threads show as answered
        queue["status"] = response.effective_status(queue, current).to_numpy()
    else:
        queue["status"] = [current.get(t, {}).get("status", "new") for t in queue["thread"]]
    queue["version"] = [current.get(t, {}).get("version", 0) for t in queue["thread"]]
    if f.sources:
        queue = queue[queue["source"].isin(f.sources)]
    if f.entities:
        queue = queue[queue["entity"].isin(f.entities)]
    if f.topics:
        queue = queue[[bool(set(f.topics) & set(list(t if t is not None else []))) for t in queue["topics"]]]
    a, b, c = st.columns([2, 2, 3])
    show = a.selectbox("Show", ["open", "all", "decided"], key="cv_show")
    risk = b.multiselect("Risk", ["high", "medium", "low"], key="cv_risk")
    team = c.multiselect("Team", sorted({t for t in queue["team"].dropna()}), key="cv_team")
    if show == "open":
        queue = queue[queue["status"].isin(OPEN)]
    elif show == "decided":
        queue = queue[~queue["status"].isin(OPEN)]
    if risk:
        queue = queue[queue["risk"].isin(risk)]
    if team:
        queue = queue[queue["team"].isin(team)]
    queue = queue.reset_index(drop=True)
    st.caption(f"{len(queue):,} conversations from the last {cfg.engagement.window_days} days, best first. "
               "The score weighs criticism, open questions, reach, engagement, velocity and risk.")
    if queue.empty:
        st.info("Nothing waiting in this selection. Widen the filters or show all conversations.",
                icon=":material/task_alt:")
    else:
        view = pd.DataFrame({
            "rank": range(1, len(queue) + 1), "score": queue["score"], "risk": queue["risk"],
            "status": queue["status"], "team": queue["team"], "approach": queue["approach_label"],
            "reasons": queue["reasons"].map(_joined), "source": queue["source"], "last_at": queue["last_at"],
            "posts": queue["size"], "title": queue["title"], "text": queue["text"],
            "url": queue["url"].map(safe_url),
        })  # fmt: skip
        ui.mention_table(view, key="cv_table", height=360)
        ui.frame_download(view, "queue", key="cv_csv", label="Download the queue as CSV")

        st.subheader("Decide")
        pick = st.selectbox(
            "Conversation", range(len(queue)), key="cv_pick",
            format_func=lambda i: f"#{i + 1} · {queue['source'][i]} · score {queue['score'][i]:.0f} · "
                                  f"{queue['risk'][i]} risk · {queue['status'][i]}",
        )
        row = queue.iloc[int(pick or 0)]
        left, right = st.columns([3, 2])
        with left:
            st.caption("The post (shown as plain text)")
            st.text(_joined(row.get("title")) + ("\n\n" if _joined(row.get("title")) else "") + _joined(row["text"]))
            st.caption(f"Why: {_joined(row['reasons'])}")
            st.caption(f"Approach: {row['approach_label']} — {_joined(row['approach_why'])}")
            if _joined(row.get("guideline")):
                st.caption(f"Guideline of {row['team']}: {_joined(row['guideline'])}")
            if _joined(row.get("risk_reasons")):
                st.caption(f"Risk ({row['risk']}): {_joined(row['risk_reasons'])}")
            url = safe_url(row["url"])
            if url:
                st.link_button("Open the original", url)
        with right, st.form("cv_decide"):
            who = st.text_input("Your name", key="cv_who", value=st.session_state.get("keep_cv_who", ""))
            status = st.selectbox("Decision", [s for s in STATUSES if s != "new"], key="cv_status",
                                  format_func=lambda s: STATUS_LABELS.get(s, s))
            teams = [t.name for t in cfg.teams]
            owner = st.selectbox("Team", teams, index=teams.index(row["team"]) if row["team"] in teams else 0,
                                 key="cv_owner")
            assignee = st.text_input("Assignee (optional)", key="cv_assignee")
            rationale = st.text_area("Rationale", key="cv_rationale",
                                     help="Required when not answering; kept in the decision history.")
            if st.form_submit_button("Record decision"):
                st.session_state["keep_cv_who"] = who
                if not who.strip():
                    st.error("Enter your name: every decision records who made it.")
                elif status == "not_answering" and not rationale.strip():
                    st.error("Not answering needs a rationale: say why, so the team can review it later.")
                else:
                    try:
                        workflow.decide(row["thread"], who.strip(), status=status, team=owner,
                                        assignee=assignee.strip() or None, rationale=rationale.strip() or None,
                                        expected_version=int(row["version"]))
                        st.success(f"Recorded: {STATUS_LABELS.get(status, status)} by {who.strip()}.")
                    except WorkflowConflict as exc:
                        st.warning(str(exc))
                    except EarshotError as exc:
                        st.error(str(exc))

        with st.expander("Correct a tag of this post"):
            field = st.selectbox("Tag", list(CORRECTION_VALUES), key="cv_field")
            allowed = CORRECTION_VALUES[field] or [t.name for t in cfg.topics]
            value = st.selectbox("Correct value", list(allowed), key="cv_value")
            if st.button("Save correction", key="cv_correct"):
                who = str(st.session_state.get("keep_cv_who") or st.session_state.get("cv_who") or "").strip()
                if not who:
                    st.error("Enter your name in the decision form first.")
                else:
                    try:
                        workflow.correct(row["source"], str(row["root_id"]), field, value, who)
                        st.success("Correction saved; the next `python -m analysis` applies it.")
                    except EarshotError as exc:
                        st.error(str(exc))
        history = workflow.history(row["thread"])
        if history:
            st.caption("Decision history")
            st.dataframe(pd.DataFrame(history)[["at", "who", "status", "team", "assignee", "rationale"]],
                         hide_index=True, key="cv_history")
