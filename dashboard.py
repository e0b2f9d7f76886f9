"""Earshot's dashboard: ``streamlit run dashboard.py``.

Thin on purpose: it lists the pages and runs the selected one. Each page starts with
``pages._ui.page()`` (demo on an empty lake, demo banner, shared sidebar filters); the query
logic lives in ``storage.queries*`` and is tested without Streamlit.
"""

from __future__ import annotations

import streamlit as st

PAGES = [
    st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
]

st.set_page_config(page_title="Earshot", page_icon=":material/hearing:", layout="wide")
st.navigation(PAGES).run()
