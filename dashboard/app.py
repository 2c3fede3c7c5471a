"""Läsnä dashboard entry point: `lasna dashboard` (or `streamlit run dashboard/app.py`)."""

from __future__ import annotations

import streamlit as st

from dashboard import data
from dashboard.i18n import LANGUAGES, t
from lasna import settings

st.set_page_config(page_title="Läsnä", page_icon=":material/spa:", layout="wide")

if "lang" not in st.session_state:
    requested = st.query_params.get("lang")
    st.session_state["lang"] = requested if requested in LANGUAGES else settings.get("language")
lang = st.sidebar.selectbox(
    t("lang.label", st.session_state["lang"]),
    list(LANGUAGES),
    format_func=LANGUAGES.get,
    key="lang",
)
st.query_params["lang"] = lang

leaders = data.leaders()
if not leaders.empty and leaders["demo"].any():
    st.sidebar.info(t("demo.banner", lang))

pages = [
    st.Page("views/presence.py", title=t("nav.presence", lang), icon=":material/explore:", default=True),
    st.Page("views/sparring.py", title=t("nav.sparring", lang), icon=":material/forum:", url_path="sparring"),
    st.Page("views/cohorts.py", title=t("nav.cohorts", lang), icon=":material/groups:", url_path="cohorts"),
    st.Page("views/health.py", title=t("nav.health", lang), icon=":material/monitor_heart:", url_path="health"),
]
st.navigation(pages).run()
