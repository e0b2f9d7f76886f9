"""Earshot's dashboard: ``streamlit run dashboard.py``.

Thin on purpose: it lists the pages, asks for a login when ``dashboard.auth`` says so
(``earshot.auth``), and runs the selected page. Each page starts with
``pages._ui.page()`` (demo on an empty lake, demo banner, shared sidebar filters); the query
logic lives in ``storage.queries*`` and is tested without Streamlit.
"""

from __future__ import annotations

import streamlit as st

from earshot.auth import require_login
from pages import _ui as ui

PAGES = [
    st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
    st.Page("pages/conversation.py", title="Join the conversation", icon=":material/forum:"),
    st.Page("pages/topics.py", title="Topics and themes", icon=":material/label:"),
    st.Page("pages/mentions.py", title="Mentions", icon=":material/search:"),
    st.Page("pages/competitors.py", title="Competitors", icon=":material/compare_arrows:"),
    st.Page("pages/coverage.py", title="Coverage", icon=":material/satellite_alt:"),
    st.Page("pages/transparency.py", title="Transparency report", icon=":material/public:"),
]

st.set_page_config(page_title="Earshot", page_icon=":material/hearing:", layout="wide")
require_login(ui.config())  # dashboard.auth: none | password | oidc; stops here until the visitor is let in
st.navigation(PAGES).run()
ui.warm()  # on a large lake, build the in-memory fact table once the first page is out
