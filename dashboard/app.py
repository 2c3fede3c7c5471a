"""Läsnä dashboard entry point: `lasna dashboard` (or `streamlit run dashboard/app.py`)."""

from __future__ import annotations

import time

_started, _started_cpu = time.perf_counter(), time.thread_time()

import streamlit as st  # noqa: E402

from dashboard import auth, data  # noqa: E402
from dashboard.i18n import LANGUAGES, md_escape, t  # noqa: E402
from lasna import access, settings  # noqa: E402
from lasna.errors import AccessDenied  # noqa: E402

st.set_page_config(page_title="Läsnä", page_icon=":material/spa:", layout="wide")

if "lang" not in st.session_state:
    requested = st.query_params.get("lang") or auth.sso_requested_lang()  # back from single sign-on
    st.session_state["lang"] = requested if requested in LANGUAGES else settings.get("language")
lang = st.sidebar.selectbox(
    t("lang.label", st.session_state["lang"]),
    list(LANGUAGES),
    format_func=LANGUAGES.get,
    key="lang",
)
st.query_params["lang"] = lang

viewer = auth.current_viewer(lang)  # renders the login and stops when nobody is logged in
st.session_state[auth.VIEWER_KEY] = viewer

if viewer.demo:
    st.warning(t("demo.local_banner", lang), icon=":material/lock_open:")
else:
    st.sidebar.caption(t("auth.signed_in_as", lang).format(name=md_escape(viewer.name), role=t(f"role.{viewer.role}", lang)))
    if st.sidebar.button(t("auth.logout", lang), key="logout"):
        auth.logout()
from dashboard import notify_box  # noqa: E402
notify_box.sidebar(viewer, lang)  # *My notifications*: the signed-in user's e-mail preferences
leaders_all = data.directory()[0]
if not leaders_all.empty and leaders_all["demo"].any():
    st.sidebar.info(t("demo.banner", lang))

PAGES = {
    "presence": dict(page="views/presence.py", icon=":material/explore:", url_path="presence"),
    "sparring": dict(page="views/sparring.py", icon=":material/forum:", url_path="sparring"),
    "cohorts": dict(page="views/cohorts.py", icon=":material/groups:", url_path="cohorts"),
    "health": dict(page="views/health.py", icon=":material/monitor_heart:", url_path="health"),
    "audit": dict(page="views/audit.py", icon=":material/policy:", url_path="audit"),
}
allowed = access.allowed_pages(viewer)
pages = []
for key in allowed:
    title = t(f"nav.{key}", lang)
    if key != allowed[0]:
        pages.append(st.Page(title=title, **PAGES[key]))
        continue
    # The default page is served at "/"; its own name (e.g. /presence) stays a working link too,
    # through a hidden page that switches to it (otherwise Streamlit shows "Page not found").
    home = st.Page(title=title, default=True, **{**PAGES[key], "url_path": f"{key}-home"})
    pages += [home, st.Page(lambda home=home: st.switch_page(home), title=title, url_path=key, visibility="hidden")]
navigation = st.navigation(pages)
requested = auth.take_requested_page()  # a deep link opened before the login: go there now
if requested:
    path, query = requested
    target = next((p for p in pages if p.url_path == path and p.url_path != navigation.url_path), None)
    if target is not None:
        st.switch_page(target, query_params={"lang": lang, **{k: v for k, v in query.items() if v is not None}})
auth.handoff()  # after a login: the page sets the HttpOnly session cookie (see dashboard/endpoints.py)
try:
    navigation.run()
except AccessDenied:  # the data layer refused: say so, never show a traceback with details
    st.error(t("access.denied", lang))
# server-side time of this run, wall and this script thread's CPU (read by benchmarks/e2e.py; never shown)
st.session_state["_lasna_render_seconds"] = time.perf_counter() - _started
st.session_state["_lasna_render_cpu"] = time.thread_time() - _started_cpu
