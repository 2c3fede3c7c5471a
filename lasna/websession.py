"""Dashboard sign-ins that survive a reload: signed, expiring, revocable session tokens.

Flow (see docs/DASHBOARD.md, "Staying signed in"):

1. The login form (a Streamlit widget, over the websocket) checks the password and calls
   :func:`start`: a session row is stored with a random one-time *handoff code* (its hash),
   valid for :data:`HANDOFF_SECONDS`.
2. The page posts that code, same-origin, to ``/_lasna/session`` (``dashboard/server.py``);
   :func:`finish_handoff` creates the real token and the endpoint sets it as an
   ``HttpOnly; SameSite=Strict`` cookie. The token never exists in the page's JavaScript.
3. On a reload the browser sends the cookie with the websocket handshake;
   :func:`user_for_cookie` checks the signature (HMAC-SHA256 with a server key kept in the
   store), the expiry, the stored hash, revocation and that the user still exists.

Cookie value: ``<session id>.<secret>.<expiry epoch>.<hmac>``. The store keeps only
SHA-256 of the secret, so a copy of the database does not let anyone sign in.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from lasna import settings
from lasna.store import Store, now_utc
from lasna.store import auth as auth_store

COOKIE_NAME = "lasna_session"
HANDOFF_SECONDS = 60
HANDOFF_PATH = "/_lasna/session"
LOGOUT_PATH = "/_lasna/logout"


def _sha(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def _mac(store: Store, payload: str) -> str:
    key = auth_store.auth_key(store).encode("utf-8")
    digest = hmac.new(key, payload.encode("utf-8"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def lifetime() -> timedelta:
    return timedelta(hours=int(settings.get("dashboard_session_hours")))


@dataclass(frozen=True)
class Started:
    session_id: str
    handoff_code: str


def start(store: Store, user_id: int, *, now: datetime | None = None) -> Started:
    """A new session for ``user_id`` (after the password was checked) with its handoff code."""
    now = now or now_utc()
    session_id = secrets.token_urlsafe(16)
    code = secrets.token_urlsafe(32)
    auth_store.create_session(store, session_id=session_id, user_id=user_id, expires_at=now + lifetime(),
                              handoff_hash=_sha(code), handoff_expires=now + timedelta(seconds=HANDOFF_SECONDS))
    return Started(session_id, code)


def finish_handoff(store: Store, code: str, *, now: datetime | None = None) -> tuple[str, int] | None:
    """(cookie value, max-age seconds) for a valid, unused handoff code; None otherwise."""
    if not code or len(code) > 100:
        return None
    now = now or now_utc()
    secret = secrets.token_urlsafe(32)
    row = auth_store.claim_handoff(store, _sha(code), _sha(secret), now=now)
    if row is None:
        return None
    expiry = int(row.expires_at.timestamp())
    payload = f"{row.id}.{secret}.{expiry}"
    return f"{payload}.{_mac(store, payload)}", max(0, expiry - int(now.timestamp()))


def parse_cookie(store: Store, value: str | None, *, now: datetime | None = None) -> auth_store.SessionRow | None:
    """The live session a cookie value stands for, or None (bad signature, expired, revoked,
    unknown, or its user removed)."""
    if not value or len(value) > 400:
        return None
    parts = value.split(".")
    if len(parts) != 4:
        return None
    session_id, secret, expiry, mac = parts
    if not hmac.compare_digest(_mac(store, f"{session_id}.{secret}.{expiry}"), mac):
        return None
    now = now or now_utc()
    try:
        if datetime.fromtimestamp(int(expiry), UTC) <= now:
            return None
    except (ValueError, OverflowError):
        return None
    row = auth_store.session(store, session_id)
    if row is None or row.token_hash is None or not hmac.compare_digest(row.token_hash, _sha(secret)):
        return None
    if row.revoked_at is not None or row.expires_at <= now:
        return None
    return row


def session_alive(store: Store, session_id: str | None, *, now: datetime | None = None) -> auth_store.SessionRow | None:
    """The session row while it is neither revoked nor expired (checked on every page run, so a
    sign-out elsewhere or a password change ends this tab's session at its next click)."""
    if not session_id:
        return None
    row = auth_store.session(store, session_id)
    now = now or now_utc()
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        return None
    return row


def end(store: Store, session_id: str | None) -> None:
    if session_id:
        auth_store.revoke_session(store, session_id)


def session_id_of(value: str | None) -> str | None:
    """The session id part of a cookie value (for revoking it at sign-out; not trusted for access)."""
    if not value:
        return None
    return value.split(".", 1)[0] or None


__all__ = ["COOKIE_NAME", "HANDOFF_PATH", "LOGOUT_PATH", "Started", "end", "finish_handoff", "lifetime",
           "parse_cookie", "session_alive", "session_id_of", "start"]
