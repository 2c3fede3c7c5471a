"""Who is looking: single sign-on (``st.login``), a local login form, or the localhost demo.

Order of precedence:

1. ``[auth]`` in ``.streamlit/secrets.toml`` → OpenID Connect through ``st.login()``; the
   e-mail the identity provider reports is matched to a user row (``lasna users add --email``).
2. Users in the database → a login form against the local accounts (scrypt hashes).
3. No users, and the server is bound to a loopback address → the demo: no login, an admin
   view, a visible banner.
4. No users and bound to anything else → nothing is shown except how to create a user.

The bound address comes from ``LASNA_DASHBOARD_HOST`` (set by ``lasna dashboard``), else
Streamlit's ``server.address``; unset means "every interface", which is not loopback. The demo
also needs the request itself to name a loopback host: the websocket handshake's ``Host`` (and
``Origin``, when the browser sends one) must be ``localhost``, ``127.x.x.x`` or ``::1``, so a
DNS-rebinding page or a reverse proxy forwarding ``Host: lasna.example.fi`` never gets it.

A local login is a session in the store (:mod:`lasna.websession`): checked on every run (a
sign-out elsewhere, a password change or the user's removal ends it at the next click) and,
when the dashboard runs with its cookie endpoint (``dashboard/server.py``), kept in an
HttpOnly cookie so that a reload stays signed in. Failed logins are counted in the store, so
several dashboard processes share one lock.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import os
import re
import time
from datetime import timedelta
from urllib.parse import quote, unquote, urlsplit

import streamlit as st

from dashboard import data
from dashboard.i18n import t
from lasna import access, audit, settings, users, websession
from lasna.access import Viewer
from lasna.store import auth as auth_store

log = logging.getLogger(__name__)

LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
HOST_ENV = "LASNA_DASHBOARD_HOST"
SESSION_KEY = "_lasna_user"
SESSION_ID_KEY = "_lasna_session_id"
HANDOFF_KEY = "_lasna_handoff"
CLEAR_COOKIE_KEY = "_lasna_clear_cookie"
NEXT_KEY = "_lasna_next"
#: single sign-on leaves the app (identity provider, callback to "/"), so the requested page rides in a
#: short-lived cookie across the round trip; these keys mark it read and due to be cleared
NEXT_COOKIE = "lasna_next"
NEXT_COOKIE_SECONDS = 600
NEXT_READ_KEY = "_lasna_next_read"
NEXT_CLEAR_KEY = "_lasna_next_clear"
VIEWER_KEY = "_lasna_viewer"
#: set by dashboard/server.py: the HttpOnly cookie endpoints are being served
COOKIE_ENDPOINT_ENV = "LASNA_DASHBOARD_COOKIE_ENDPOINT"
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


def _host_name(netloc: str) -> str | None:
    """The host of a ``Host`` header or URL netloc without port (``[::1]:8501`` → ``::1``)."""
    try:
        parts = urlsplit("//" + netloc.strip())
        parts.port  # noqa: B018 - raises ValueError for a malformed port
        return (parts.hostname or "").lower() or None
    except ValueError:  # malformed port or brackets
        return None


def is_loopback_name(name: str | None) -> bool:
    """``localhost`` or a loopback IP literal (127.0.0.0/8, ::1) — not a name that merely resolves there."""
    if not name:
        return False
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def request_is_loopback(headers) -> bool:
    """The browser asked for a loopback host (``Host``) from a loopback page (``Origin``, if sent).
    ``headers`` are the websocket handshake's (``st.context.headers``). With no request at all
    (a bare script run, AppTest) there is no browser to trust or distrust: the bind decides."""
    if not headers:
        return True
    host = headers.get("Host")
    if not host or not is_loopback_name(_host_name(host)):
        return False
    forwarded = headers.get("X-Forwarded-Host") or headers.get("Forwarded")
    if forwarded:  # a proxy in front: the original request was for some other name
        return False
    origin = headers.get("Origin")
    if origin is not None:
        parts = urlsplit(origin)
        if parts.scheme not in ("http", "https") or not is_loopback_name((parts.hostname or "").lower()):
            return False
    return True


def demo_allowed() -> bool:
    """The login-free demo: bound to loopback AND asked for through a loopback name."""
    try:
        headers = dict(st.context.headers)
    except Exception:  # noqa: BLE001 - no client context outside a server
        headers = {}
    return is_loopback(bound_host()) and request_is_loopback(_Caseless(headers))


class _Caseless(dict):
    def __init__(self, items):
        super().__init__({str(k).lower(): v for k, v in dict(items).items()})

    def get(self, key, default=None):
        return super().get(key.lower(), default)


def oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # noqa: BLE001 - no secrets.toml at all
        return False


def _lock_window() -> timedelta:
    return timedelta(seconds=LOCKOUT_SECONDS)


def login_locked(store, name: str) -> bool:
    """Five failures for a name within a minute lock it for a minute, in every dashboard process."""
    return auth_store.login_failures(store, name, window=_lock_window()) >= MAX_FAILURES


def _stop_with(message: str, kind: str = "error") -> None:
    getattr(st, kind)(message)
    st.stop()


def cookie_endpoint() -> bool:
    return os.environ.get(COOKIE_ENDPOINT_ENV) == "1"


def _cookie_value() -> str | None:
    try:
        return st.context.cookies.get(websession.COOKIE_NAME)
    except Exception:  # noqa: BLE001 - no client context
        return None


def _session_user(store) -> str | None:
    """The signed-in user's name from this tab's session or the browser's session cookie."""
    session_id = st.session_state.get(SESSION_ID_KEY)
    if session_id:
        row = websession.session_alive(store, session_id)
        if row is None:  # signed out elsewhere, password changed, expired or user removed
            for key in (SESSION_KEY, SESSION_ID_KEY, HANDOFF_KEY):
                st.session_state.pop(key, None)
            return None
        st.session_state[SESSION_KEY] = row.user_name
        return row.user_name
    if st.session_state.get(SESSION_KEY):  # set directly by tests (AppTest) and the pre-cookie form
        return st.session_state[SESSION_KEY]
    if st.session_state.get(CLEAR_COOKIE_KEY):  # signed out in this tab: the old cookie is dead anyway
        return None
    row = websession.parse_cookie(store, _cookie_value())
    if row is None:
        return None
    st.session_state[SESSION_KEY], st.session_state[SESSION_ID_KEY] = row.user_name, row.id
    return row.user_name


def _post_to_endpoint(path: str, body: dict[str, str]) -> None:
    """A same-origin POST from the page (an invisible component): the response's Set-Cookie is
    HttpOnly, so the token itself never reaches JavaScript."""
    form = "&".join(f"{k}={v}" for k, v in body.items())
    st.iframe(
        "<!DOCTYPE html><html><body><script>fetch(" + json.dumps(path) + ", {method: 'POST', "
        "credentials: 'same-origin', headers: {'Content-Type': 'application/x-www-form-urlencoded'}, body: "
        + json.dumps(form) + "});</script></body></html>",
        height=1,
    )


def current_viewer(lang: str) -> Viewer:
    """The viewer for this run, or render the login (or refusal) and stop the script."""
    store = data.store()
    if oidc_configured():
        return _oidc_viewer(store, lang)
    if not users.has_users(store):
        if demo_allowed():
            return Viewer.local_demo()
        st.title(t("app.title", lang))
        if is_loopback(bound_host()):
            _stop_with(t("auth.demo_local_only", lang))
        _stop_with(t("auth.no_users", lang))
    name = _session_user(store)
    if name:
        try:
            viewer = Viewer.from_user(users.get_user(store, name))
        except users.NotFoundError:  # removed while logged in
            for key in (SESSION_KEY, SESSION_ID_KEY):
                st.session_state.pop(key, None)
        else:
            return viewer
    clear_until = st.session_state.get(CLEAR_COOKIE_KEY)
    if clear_until and cookie_endpoint() and time.monotonic() < clear_until:
        _post_to_endpoint(websession.LOGOUT_PATH, {})  # the session is already revoked; this drops the cookie
    _remember_requested_page()
    _login_form(store, lang)
    st.stop()
    raise AssertionError("unreachable")


def handoff() -> None:
    """After a login: post the one-time code to the cookie endpoint from the page. Rendered on
    every run until the code expires (an unchanged iframe is not re-run). app.py calls it after
    any switch to a deep-linked page (a switch would discard the iframe before it runs). After a
    single sign-on it also clears the used deep-link cookie."""
    clear_until = st.session_state.get(NEXT_CLEAR_KEY)
    if clear_until:
        if time.monotonic() > clear_until:
            st.session_state.pop(NEXT_CLEAR_KEY, None)
        else:
            with st.sidebar:
                _set_cookie_from_page(f"{NEXT_COOKIE}=; Path=/; Max-Age=0; SameSite=Lax")
    pending = st.session_state.get(HANDOFF_KEY)
    if not pending or not cookie_endpoint():
        return
    code, until = pending
    if time.monotonic() > until:
        st.session_state.pop(HANDOFF_KEY, None)
        return
    with st.sidebar:
        _post_to_endpoint(websession.HANDOFF_PATH, {"code": code})


def _remember_requested_page() -> None:
    """Where the browser was going (``/sparring?leader=…``), to go there after the login."""
    if NEXT_KEY in st.session_state:
        return
    try:
        url = st.context.url or ""
    except Exception:  # noqa: BLE001
        url = ""
    path = urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1] if url else ""
    st.session_state[NEXT_KEY] = (path, {k: st.query_params.get(k) for k in st.query_params if k != "lang"})


def take_requested_page() -> tuple[str, dict[str, str]] | None:
    """The page (url path) and query the user asked for before logging in, once."""
    return st.session_state.pop(NEXT_KEY, None)


def sso_email(claims) -> str | None:
    """The e-mail to match from the identity provider's claims: only ``email``, and only when the
    provider says ``email_verified`` is true. No fallback to ``preferred_username`` (a name the
    user may be able to choose). The ``sso_allow_unverified_email`` setting accepts an unverified
    address, with a warning in the log on every such sign-in."""
    email = claims.get("email")
    if not isinstance(email, str) or "@" not in email:
        return None
    verified = claims.get("email_verified")
    if verified is True or (isinstance(verified, str) and verified.lower() == "true"):
        return email
    if settings.get("sso_allow_unverified_email"):
        log.warning("single sign-on: accepting an e-mail address the identity provider did not verify "
                    "(sso_allow_unverified_email is on)")
        return email
    log.warning("single sign-on refused: the identity provider did not verify the e-mail address")
    return None


def _next_cookie_value(path: str, query: dict[str, str | None]) -> str:
    """The requested page as a cookie value (URL-encoded JSON)."""
    return quote(json.dumps({"path": path, "query": {k: v for k, v in query.items() if v is not None}},
                            separators=(",", ":")), safe="")


def parse_next_cookie(value: str | None) -> tuple[str, dict[str, str]] | None:
    """A page name and its query from the ``lasna_next`` cookie, or None for anything else: only a
    page-like path (lower-case letters and "-") and a few short string parameters pass; app.py then
    goes only to a page this viewer has, and every page checks its ``leader`` parameter itself. An empty
    path is the default page (the cookie then carries only the language)."""
    if not isinstance(value, str) or not value or len(value) > 2000:
        return None
    try:
        raw = json.loads(unquote(value))
    except ValueError:
        return None
    if not isinstance(raw, dict):
        return None
    path, query = raw.get("path"), raw.get("query") or {}
    if not isinstance(path, str) or not re.fullmatch(r"([a-z][a-z-]{0,39})?", path) or not isinstance(query, dict):
        return None
    clean = {k: v for k, v in query.items()
             if isinstance(k, str) and isinstance(v, str) and re.fullmatch(r"[a-z_]{1,20}", k) and len(v) <= 300}
    if len(clean) != len(query) or len(clean) > 5:
        return None
    return path, clean


def _set_cookie_from_page(cookie: str) -> None:
    """Write a (non-HttpOnly, harmless) cookie from a same-origin component: Streamlit's Python API
    reads cookies but cannot set them."""
    st.iframe("<!DOCTYPE html><html><body><script>document.cookie = " + json.dumps(cookie)
              + ";</script></body></html>", height=1)


def _remember_for_sso() -> None:
    """On the sign-in screen: keep a deep link (``/sparring?leader=…``, ``/cohorts``) and the UI language
    in a cookie that survives the trip to the identity provider and back (Streamlit's callback lands
    on "/")."""
    _remember_requested_page()
    path, query = st.session_state.get(NEXT_KEY) or ("", {})
    lang = st.session_state.get("lang")  # the language chosen on the sign-in screen comes back too
    _set_cookie_from_page(f"{NEXT_COOKIE}={_next_cookie_value(path, {**query, 'lang': lang})}; Path=/; "
                          f"Max-Age={NEXT_COOKIE_SECONDS}; SameSite=Lax")


def sso_requested_lang() -> str | None:
    """The UI language of the sign-in screen a single sign-on started from (app.py, before the first
    run's language is settled), or None."""
    found = parse_next_cookie(_next_cookie())
    return found[1].get("lang") if found else None


def _next_cookie() -> str | None:
    try:
        value = st.context.cookies.get(NEXT_COOKIE)
    except Exception:  # noqa: BLE001 - no client context
        return None
    return value if isinstance(value, str) else None


def _restore_after_sso() -> None:
    """Once per session after a single sign-on: the page asked for before it, from the cookie."""
    if st.session_state.get(NEXT_READ_KEY):
        return
    st.session_state[NEXT_READ_KEY] = True
    value = _next_cookie()
    if value is None:
        return
    st.session_state[NEXT_CLEAR_KEY] = time.monotonic() + 30  # used once: clear it (see handoff())
    found = parse_next_cookie(value)
    if found is not None and NEXT_KEY not in st.session_state:
        st.session_state[NEXT_KEY] = found


def _oidc_viewer(store, lang: str) -> Viewer:
    if not st.user.get("is_logged_in"):
        st.title(t("app.title", lang))
        st.write(t("auth.sso_intro", lang))
        _remember_for_sso()
        if st.button(t("auth.sso_button", lang), type="primary"):
            st.login()
        st.stop()
    email = sso_email(st.user)
    if email is None:
        st.title(t("app.title", lang))
        st.error(t("auth.sso_unverified", lang))
        if st.button(t("auth.logout", lang)):
            st.logout()
        st.stop()
    user = users.user_by_email(store, email)
    if user is None:
        st.title(t("app.title", lang))
        st.error(t("auth.sso_unknown", lang))
        if st.button(t("auth.logout", lang)):
            st.logout()
        st.stop()
    _restore_after_sso()
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
    name = (name or "").strip()
    if login_locked(store, name):
        st.error(t("auth.locked", lang))
        return
    user = users.authenticate(store, name, password or "")
    if user is None:
        auth_store.record_login_failure(store, name, window=_lock_window())
        st.error(t("auth.failed", lang))
        return
    auth_store.clear_login_failures(store, name)
    started = websession.start(store, user.id)
    st.session_state[SESSION_KEY] = user.name
    st.session_state[SESSION_ID_KEY] = started.session_id
    st.session_state[HANDOFF_KEY] = (started.handoff_code, time.monotonic() + websession.HANDOFF_SECONDS - 5)
    st.session_state.pop(CLEAR_COOKIE_KEY, None)
    audit.record(store, user.name, "login.ok", "user", user.id)
    st.rerun()


def logout() -> None:
    store = data.store()
    if st.session_state.get(SESSION_KEY):
        audit.record(store, st.session_state[SESSION_KEY], "logout", "user", None)
    websession.end(store, st.session_state.get(SESSION_ID_KEY))
    row = websession.parse_cookie(store, _cookie_value())
    if row is not None:  # the session this browser's cookie holds, if it is another one
        websession.end(store, row.id)
    for key in (SESSION_KEY, SESSION_ID_KEY, HANDOFF_KEY, NEXT_KEY):
        st.session_state.pop(key, None)
    st.session_state[CLEAR_COOKIE_KEY] = time.monotonic() + 30
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
