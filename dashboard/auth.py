"""Who is looking: single sign-on (``st.login``), a local login form, or the localhost demo.

Order of precedence:

1. ``[auth]`` in ``.streamlit/secrets.toml`` → OpenID Connect through ``st.login()``; the
   e-mail the identity provider reports is matched to a user row (``lasna users add --email``).
2. Users in the database → a login form against the local accounts (scrypt hashes).
3. No users, and the server is bound to a loopback address → the demo: no login, an admin
   view, a visible banner.
4. No users and bound to anything else → nothing is shown except how to create a user.

The bound address comes from ``LASNA_DASHBOARD_HOST`` (set by ``lasna dashboard``), else
Streamlit's ``server.address``; unset means "every interface", which is not loopback.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

import streamlit as st

from dashboard import data
from dashboard.i18n import t
from lasna import users
from lasna import access
from lasna.access import Viewer

LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
HOST_ENV = "LASNA_DASHBOARD_HOST"
SESSION_KEY = "_lasna_user"
VIEWER_KEY = "_lasna_viewer"
MAX_FAILURES = 5
LOCKOUT_SECONDS = 60


def bound_host() -> str:
    host = os.environ.get(HOST_ENV)
    if host is None:
        try:
            host = st.get_option("server.address") or ""
        except Exception:  # noqa: BLE001 - option missing outside a server
            host = ""
    return host.strip()


def is_loopback(host: str) -> bool:
    return host.lower() in LOOPBACK or host.startswith("127.")


def oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # noqa: BLE001 - no secrets.toml at all
        return False


@dataclass
class _Failures:
    """Failed logins per name (process-wide), to slow down password guessing."""

    counts: dict[str, list[float]] = field(default_factory=dict)

    def locked(self, name: str) -> bool:
        recent = [s for s in self.counts.get(name, []) if time.monotonic() - s < LOCKOUT_SECONDS]
        self.counts[name] = recent
        return len(recent) >= MAX_FAILURES

    def fail(self, name: str) -> None:
        self.counts.setdefault(name, []).append(time.monotonic())

    def clear(self, name: str) -> None:
        self.counts.pop(name, None)


@st.cache_resource
def _failures() -> _Failures:
    return _Failures()


def _stop_with(message: str, kind: str = "error") -> None:
    getattr(st, kind)(message)
    st.stop()


def current_viewer(lang: str) -> Viewer:
    """The viewer for this run, or render the login (or refusal) and stop the script."""
    store = data.store()
    if oidc_configured():
        return _oidc_viewer(store, lang)
    if not users.has_users(store):
        if is_loopback(bound_host()):
            return Viewer.local_demo()
        st.title(t("app.title", lang))
        _stop_with(t("auth.no_users", lang))
    name = st.session_state.get(SESSION_KEY)
    if name:
        try:
            return Viewer.from_user(users.get_user(store, name))
        except users.NotFoundError:  # removed while logged in
            del st.session_state[SESSION_KEY]
    _login_form(store, lang)
    st.stop()
    raise AssertionError("unreachable")


def _oidc_viewer(store, lang: str) -> Viewer:
    if not st.user.get("is_logged_in"):
        st.title(t("app.title", lang))
        st.write(t("auth.sso_intro", lang))
        if st.button(t("auth.sso_button", lang), type="primary"):
            st.login()
        st.stop()
    # Entra ID puts the sign-in address in preferred_username when no mail attribute is set
    email = st.user.get("email") or st.user.get("preferred_username")
    user = users.user_by_email(store, email if email and "@" in email else None)
    if user is None:
        st.title(t("app.title", lang))
        st.error(t("auth.sso_unknown", lang))
        if st.button(t("auth.logout", lang)):
            st.logout()
        st.stop()
    return Viewer.from_user(user)


def _login_form(store, lang: str) -> None:
    st.title(t("app.title", lang))
    st.caption(t("app.tagline", lang))
    with st.form("login"):
        st.subheader(t("auth.login_title", lang))
        name = st.text_input(t("auth.username", lang), key="login_name")
        password = st.text_input(t("auth.password", lang), type="password", key="login_password")
        submitted = st.form_submit_button(t("auth.login_button", lang), type="primary")
    if not submitted:
        return
    failures = _failures()
    name = (name or "").strip()
    if failures.locked(name):
        st.error(t("auth.locked", lang))
        return
    user = users.authenticate(store, name, password or "")
    if user is None:
        failures.fail(name)
        st.error(t("auth.failed", lang))
        return
    failures.clear(name)
    st.session_state[SESSION_KEY] = user.name
    st.rerun()


def logout() -> None:
    st.session_state.pop(SESSION_KEY, None)
    if oidc_configured():
        st.logout()
    st.rerun()


def page(name: str) -> tuple[Viewer, str]:
    """For a page: the viewer set by app.py (checked against the page) and the UI language."""
    viewer = st.session_state.get(VIEWER_KEY)
    lang = st.session_state.get("lang", "fi")
    if viewer is None:
        st.stop()
    if name not in access.allowed_pages(viewer):
        st.error(t("access.page_denied", lang))
        st.stop()
    return viewer, lang
