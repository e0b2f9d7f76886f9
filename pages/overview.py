"""Overview: KPIs against the previous period, volume and sentiment over time with spikes,
top themes, and the filterable mention table with its CSV download."""

from __future__ import annotations

from dataclasses import replace

import altair as alt
import streamlit as st

from pages import _ui as ui
from storage import queries_metrics as qm
from storage import queries_rows as qr

cfg, store, f = ui.page("Overview")
st.caption(f"{cfg.company.name} · {ui.period_label(f)}")

if not ui.empty_state(store, cfg):
    c = ui.choices(store, cfg)
    now = qm.kpis(store, f, c.company, c.competitors)
    prev_f = f.previous()
    before = qm.kpis(store, prev_f, c.company, c.competitors) if prev_f else qm.Kpis()

    def delta(a: float | None, b: float | None, relative: bool) -> str | None:
        d = qm.change(a, b, relative) if prev_f else None
        if d is None:
            return None
        return f"{d:+.0%}" if relative else f"{d * 100:+.1f} pp"

    k = st.columns(6)
    k[0].metric("Mentions", f"{now.mentions:,}", delta(now.mentions, before.mentions, True),
                help="Posts by others in the period; change against the previous period of equal length.")
    k[1].metric("Share of criticism", ui.pct(now.criticism_share),
                delta(now.criticism_share, before.criticism_share, False), delta_color="inverse",
                help=f"{now.criticism:,} critical mentions among {now.tagged:,} analysed.")
    k[2].metric("Brand health", ui.pct(now.brand_health), delta(now.brand_health, before.brand_health, False),
                help="positive / (positive + negative) mentions.")
    k[3].metric("Share of voice", ui.pct(now.share_of_voice),
                delta(now.share_of_voice, before.share_of_voice, False),
                help="Mentions of the company's entities / mentions of the company's and competitors' entities.")
    k[4].metric("Criticism answered", ui.pct(now.criticism_answered),
                delta(now.criticism_answered, before.criticism_answered, False),
                help="Critical mentions with a later reply by one of the company's own accounts in the thread.")
    hours = now.median_first_response_h
    k[5].metric("Median first response", "–" if hours is None else f"{hours:.1f} h",
                None if hours is None or before.median_first_response_h is None
                else f"{hours - before.median_first_response_h:+.1f} h", delta_color="inverse",
                help="Median time from a critical mention to the first reply by an own account.")
    if now.criticism and now.criticism_answered is None:
        st.caption("Response figures appear in a few seconds, once the mention index is built; rerun then.")
    if now.tagged == 0:
        st.info("These mentions are not analysed yet: run `python -m analysis` to add sentiment, criticism "
                "and topics.", icon="ℹ️")

    left, right = st.columns([2, 1])
    with left:
        daily = qm.volume_by_day(store, f, "source")
        spikes = qm.spike_days(store, f, cfg.alerts)  # criticism by others, as the spike alerts count it
        st.vega_lite_chart(spec=ui.volume_chart(daily, spikes, "source", "Volume over time by source"),
                           width="stretch")
        st.caption(ui.spike_note(spikes, qm.alert_scope(f), cfg.alerts.bucket))
        ui.gap_note(store, f)
    with right:
        share = qm.sentiment_share(store, f)
        st.altair_chart(
            alt.Chart(share, title="Sentiment share").mark_arc(innerRadius=50).encode(
                theta="mentions:Q",
                color=alt.Color("sentiment:N", scale=ui.SENTIMENT_SCALE),
                tooltip=["sentiment:N", "mentions:Q", alt.Tooltip("share:Q", format=".0%")],
            ),
            width="stretch",
        )
        st.metric("Criticism", f"{now.criticism:,}", help="Critical mentions in the period.")

    left, right = st.columns([2, 1])
    with left:
        by_sent = qm.volume_by_day(store, f, "sentiment_label")
        st.vega_lite_chart(spec=ui.volume_chart(by_sent, spikes, "sentiment_label", "Sentiment over time"),
                           width="stretch")
        ui.gap_note(store, f)
    with right:
        st.subheader("Top themes")
        themes = qm.top_topics(store, f, 8)
        if themes.empty:
            st.caption("No topics tagged in this period.")
        else:
            st.dataframe(themes, hide_index=True, column_config={
                "criticism_share": st.column_config.ProgressColumn("criticism share", format="percent",
                                                                   min_value=0, max_value=1),
                "negative_share": st.column_config.ProgressColumn("negative share", format="percent",
                                                                  min_value=0, max_value=1),
            })

    st.subheader("Mentions")
    a, b, c2, d = st.columns([2, 2, 2, 3])
    sentiments = a.multiselect("Sentiment", ["negative", "neutral", "positive"], key="ov_sent")
    crit = b.selectbox("Criticism", ["all", "criticism only", "no criticism"], key="ov_crit")
    sort = c2.selectbox("Sort by", list(qr.SORTS), key="ov_sort")
    search = d.text_input("Search text", key="ov_search", placeholder="word or phrase")
    tf = replace(f, sentiments=tuple(sentiments), search=search.strip(),
                 criticism={"all": None, "criticism only": True, "no criticism": False}[crit])
    rows = qr.mentions_page(store, tf, sort, 200)
    total = qr.count(store, tf)
    st.caption(f"{total:,} mentions match; showing the first {len(rows):,}.")
    ui.mention_table(rows, key="ov_table")
    ui.csv_download(store, tf, "overview", key="ov_csv")
