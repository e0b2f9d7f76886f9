"""Topics and themes: configured topics with their trend, criticism share and owning team;
drill down to the posts of one topic."""

from __future__ import annotations

from dataclasses import replace

import altair as alt
import streamlit as st

from analysis import themes
from pages import _ui as ui
from storage import queries_metrics as qm
from storage import queries_rows as qr

cfg, store, f = ui.page("Topics and themes")
if not ui.empty_state(store, cfg):
    owners = {t.name: t.team for t in cfg.topics}
    table = qm.top_topics(store, f, limit=100)
    prev = f.previous()
    before = qm.top_topics(store, prev, limit=100).set_index("topic")["mentions"] if prev else None
    if table.empty:
        st.info("No topics in this period yet: topics are tagged by `python -m analysis` from the keywords under "
                "`topics` in the config.", icon=":material/label_off:")
    else:
        table["team"] = table["topic"].map(lambda t: owners.get(t, cfg.fallback_team or "–"))
        if before is not None:
            table["change"] = [
                qm.change(n, before.get(t), True) for t, n in zip(table["topic"], table["mentions"], strict=True)
            ]
        st.dataframe(table, hide_index=True, key="tp_table", column_config={
            "criticism_share": st.column_config.ProgressColumn("criticism share", format="percent", min_value=0,
                                                               max_value=1),
            "negative_share": st.column_config.ProgressColumn("negative share", format="percent", min_value=0,
                                                              max_value=1),
            "change": st.column_config.NumberColumn("vs previous period", format="percent"),
        })
        ui.frame_download(table, "topics", key="tp_csv")
        trend = qm.topic_trend(store, f, list(table["topic"][:8]))
        st.altair_chart(
            alt.Chart(trend, title="Weekly mentions per topic").mark_line(point=True).encode(
                x=alt.X("week:T", title=None), y=alt.Y("mentions:Q"), color="topic:N",
                tooltip=["week:T", "topic:N", "mentions:Q"],
            ),
            width="stretch",
        )
        ui.gap_note(store, f)

        st.subheader("Posts of one topic")
        topic = st.selectbox("Topic", list(table["topic"]), key="tp_topic")
        only_crit = st.toggle("Criticism only", key="tp_crit")
        tf = replace(f, topics=(topic,), criticism=True if only_crit else None)
        rows = qr.mentions_page(store, tf, "engagement", 200)
        st.caption(f"{qr.count(store, tf):,} mentions; the 200 with most engagement:")
        ui.mention_table(rows, key="tp_rows")
        ui.csv_download(store, tf, f"topic-{topic}", key="tp_rows_csv")

    st.subheader("Discovered themes")
    found = themes.load(store.data_dir)
    if not found:
        st.caption("No themes discovered yet: `python -m analysis` groups recent criticism into themes after "
                   "each run that tagged something.")
    else:
        st.caption("What recent criticism is about beyond the configured topics (phrase clusters, labels from "
                   "the posts' own words).")
        st.dataframe([{"theme": t.label, "posts": t.size} for t in found], hide_index=True, key="tp_themes")
        pick = st.selectbox("Theme", range(len(found)), key="tp_theme", format_func=lambda i: f"theme {i + 1}")
        ui.mention_table(qr.by_keys(store, list(found[int(pick or 0)].examples)), key="tp_theme_rows")
