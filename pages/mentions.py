"""Mentions: the explorer. Full-text search, every filter, sort by reach, engagement or recency,
open the original."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from pages import _ui as ui
from storage import queries_rows as qr

cfg, store, f = ui.page("Mentions")
if not ui.empty_state(store, cfg):
    a, b, c, d, e = st.columns([4, 2, 2, 2, 1])
    search = a.text_input("Search text and titles", key="mx_search", placeholder="word or phrase, any case")
    sentiments = b.multiselect("Sentiment", ["negative", "neutral", "positive"], key="mx_sent")
    crit = c.selectbox("Criticism", ["all", "criticism only", "no criticism"], key="mx_crit")
    sort = d.selectbox("Sort by", list(qr.SORTS), key="mx_sort")
    limit = e.selectbox("Rows", [100, 500, 2000], key="mx_limit")
    own = st.toggle("Include the company's own posts", value=True, key="mx_own")
    mf = replace(f, search=search.strip(), sentiments=tuple(sentiments), include_own=own,
                 criticism={"all": None, "criticism only": True, "no criticism": False}[crit])
    total = qr.count(store, mf)
    rows = qr.mentions_page(store, mf, sort, int(limit))
    st.caption(f"{total:,} mentions match; showing {len(rows):,}, sorted by {sort}. "
               "Click “open ↗” to read a post where it was published.")
    ui.mention_table(rows, key="mx_table", height=620)
    ui.csv_download(store, mf, "mentions", key="mx_csv")
