"""Competitors: share of voice, sentiment and criticism themes side by side."""

from __future__ import annotations

import altair as alt
import streamlit as st

from pages import _ui as ui
from storage import queries_metrics as qm

cfg, store, f = ui.page("Competitors")
if not ui.empty_state(store, cfg):
    c = ui.choices(store, cfg)
    if not c.competitors:
        st.info("No competitors configured: add them under `competitors` in the config to compare.",
                icon=":material/groups:")
    entities = list(f.entities) or c.entities
    table = qm.by_entity(store, f, entities)
    left, right = st.columns(2)
    left.altair_chart(
        alt.Chart(table, title="Share of voice").mark_bar().encode(
            x=alt.X("share_of_voice:Q", axis=alt.Axis(format="%"), title="share of voice"),
            y=alt.Y("entity:N", sort="-x", title=None), tooltip=["entity", "mentions",
                                                                 alt.Tooltip("share_of_voice:Q", format=".0%")],
        ),
        width="stretch",
    )
    sent = table.melt(id_vars="entity", value_vars=["positive", "negative"], var_name="sentiment",
                      value_name="count")
    right.altair_chart(
        alt.Chart(sent, title="Positive and negative mentions").mark_bar().encode(
            x=alt.X("count:Q", stack="normalize", axis=alt.Axis(format="%"), title="share"),
            y=alt.Y("entity:N", title=None), color=alt.Color("sentiment:N", scale=ui.SENTIMENT_SCALE),
            tooltip=["entity", "sentiment", "count"],
        ),
        width="stretch",
    )
    ui.gap_note(store, f)
    shown = table[["entity", "mentions", "share_of_voice", "brand_health", "criticism", "criticism_share"]]
    st.dataframe(shown, hide_index=True, key="cp_table", column_config={
        "share_of_voice": st.column_config.NumberColumn("share of voice", format="percent"),
        "brand_health": st.column_config.NumberColumn("brand health", format="percent"),
        "criticism_share": st.column_config.NumberColumn("criticism share", format="percent"),
    })
    ui.frame_download(shown, "competitors", key="cp_csv")
    st.subheader("Criticism themes side by side")
    themes = qm.entity_topics(store, f, entities)
    if themes.empty:
        st.caption("No critical mentions with topics in this period.")
    else:
        wide = themes.pivot_table(index="topic", columns="entity", values="mentions", fill_value=0)
        wide = wide.reindex(columns=[e for e in entities if e in wide.columns])
        st.dataframe(wide.reset_index(), hide_index=True, key="cp_themes")
        st.altair_chart(
            alt.Chart(themes, title="Critical mentions per topic").mark_rect().encode(
                x=alt.X("entity:N", title=None, sort=entities), y=alt.Y("topic:N", title=None),
                color=alt.Color("mentions:Q", scale=alt.Scale(scheme="reds")), tooltip=["entity", "topic", "mentions"],
            ),
            width="stretch",
        )
