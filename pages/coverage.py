"""Coverage: what each source collected, how far back, errors and rate-limit waits, and which
sources are disabled or missing credentials. Other pages link here from their gap notes."""

from __future__ import annotations

import os

import pandas as pd
import streamlit as st

from collectors import registry
from pages import _ui as ui
from storage import queries_coverage as qc

cfg, store, f = ui.page("Coverage")
st.caption("What was and was not seen: one row per collector, then every run. Charts elsewhere note gaps here.")

rows = []
for name, cls in sorted(registry.REGISTRY.items()):
    needed = list(getattr(cls, "credentials", ()) or ())
    missing = [v for v in needed if not os.environ.get(v)]  # presence only; values are never read or shown
    enabled = cfg.source(name).enabled
    state = "enabled" if enabled else "disabled"
    if enabled and missing:
        state = "missing credentials"
    rows.append({"source": name, "title": getattr(cls, "title", name), "state": state,
                 "on demand": name in registry.ON_DEMAND, "credentials": ", ".join(needed) or "none",
                 "missing": ", ".join(missing)})
sources = pd.DataFrame(rows)
st.subheader("Sources")
st.dataframe(sources, hide_index=True, key="cov_sources")

lines = qc.gaps(store, f)
if lines:
    st.warning("Gaps in " + ui.period_label(f) + ": " + "; ".join(lines), icon=":material/report:")
elif store.mention_count():
    st.success(f"No coverage gaps in {ui.period_label(f)} for the scheduled collectors that ran.",
               icon=":material/verified:")

per = qc.per_collector(store)
st.subheader("Per collector")
if per.empty:
    st.info("No runs recorded yet. Every `python -m collectors run` (and the demo) writes one ledger row per "
            "source run here.", icon=":material/inbox:")
else:
    st.dataframe(per, hide_index=True, key="cov_per")
    ui.frame_download(per, "coverage", key="cov_csv")
    st.subheader("Runs")
    runs = qc.runs(store)
    st.dataframe(runs, hide_index=True, key="cov_runs", column_config={
        "errors": st.column_config.TextColumn("errors", width="large"),
        "duration_s": st.column_config.NumberColumn("seconds", format="%.1f"),
    })
    ui.frame_download(runs, "runs", key="cov_runs_csv", label="Download the runs as CSV")
