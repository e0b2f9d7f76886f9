"""Transparency report: aggregated, pseudonymised "what we heard and what we did" for a period,
downloadable as one standalone HTML file that can be published."""

from __future__ import annotations

import streamlit as st

from analysis import export
from pages import _ui as ui
from storage import queries_report
from storage.workflow import WorkflowStore

cfg, store, f = ui.page("Transparency report")
if not ui.empty_state(store, cfg):
    c = ui.choices(store, cfg)
    history = WorkflowStore(store.data_dir).history()
    report = queries_report.transparency(store, f, cfg.company.name, c.company, c.competitors, history,
                                         demo=cfg.company.demo or store.has_demo())
    st.caption(f"{cfg.company.name} · {ui.period_label(f)} · aggregates only: no post text, no author, "
               "no team member names.")
    k, b = report.now, report.before
    cols = st.columns(5)
    cols[0].metric("Mentions heard", f"{k.mentions:,}", None if not b else f"{k.mentions - b.mentions:+,}")
    cols[1].metric("Critical mentions", f"{k.criticism:,}", None if not b else f"{k.criticism - b.criticism:+,}",
                   delta_color="inverse")
    cols[2].metric("Share of criticism", ui.pct(k.criticism_share))
    cols[3].metric("Criticism answered", ui.pct(k.criticism_answered))
    hours = k.median_first_response_h
    cols[4].metric("Median first answer", "–" if hours is None else f"{hours:.1f} h")
    st.subheader("Themes and what changed")
    st.dataframe(report.themes, hide_index=True, key="tr_themes", column_config={
        "criticism_share": st.column_config.NumberColumn("criticism share", format="percent"),
        "before": st.column_config.NumberColumn("previous period"),
    })
    st.subheader("What we did")
    if report.decisions:
        st.dataframe([{"decision": s.replace("_", " "), "conversations": n} for s, n in report.decisions.items()],
                     hide_index=True, key="tr_decisions")
    else:
        st.caption("No decisions recorded in this period (Join the conversation records them).")
    for line in report.gaps:
        st.caption("⚠️ Not seen: " + line)
    st.download_button("Download the report as HTML", data=export.transparency_html(report).encode("utf-8"),
                       file_name=f"earshot-transparency-{f.since or 'all'}-{f.until or 'time'}.html",
                       mime="text/html", key="tr_html", on_click="ignore")
