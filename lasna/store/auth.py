"""Dashboard authentication state in the store (migration ``0010_auth``), shared by every
dashboard process: sessions that survive a reload, failed logins, the session-signing key.

Only hashes of secrets are stored (SHA-256 of the cookie secret and of the one-time handoff
code); the logic that builds and checks tokens lives in :mod:`lasna.websession`.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, func, select, update
from sqlalchemy.exc import IntegrityError

from lasna.store import Store, now_utc
from lasna.store import schema as t


# ---------------------------------------------------------------- failed logins
def record_login_failure(store: Store, name: str, *, window: timedelta, now: datetime | None = None) -> int:
    """Record a failed login for ``name`` and return the failures within ``window`` (this one
    included). Rows older than the window are deleted on the way (a typed name is kept minutes)."""
    now = now or now_utc()
    with store.engine.begin() as conn:
        conn.execute(delete(t.login_failures).where(t.login_failures.c.at < now - window))
        conn.execute(t.login_failures.insert().values(name=name[:200], at=now))
        return conn.execute(
            select(func.count()).select_from(t.login_failures)
            .where(t.login_failures.c.name == name[:200], t.login_failures.c.at >= now - window)
        ).scalar_one()


def login_failures(store: Store, name: str, *, window: timedelta, now: datetime | None = None) -> int:
    now = now or now_utc()
    with store.engine.connect() as conn:
        return conn.execute(
            select(func.count()).select_from(t.login_failures)
            .where(t.login_failures.c.name == name[:200], t.login_failures.c.at >= now - window)
        ).scalar_one()


def clear_login_failures(store: Store, name: str) -> None:
    with store.engine.begin() as conn:
        conn.execute(delete(t.login_failures).where(t.login_failures.c.name == name[:200]))


# ---------------------------------------------------------------- server keys
def auth_key(store: Store, name: str = "session_hmac") -> str:
    """A random server key, created on first use and then shared by every process."""
    with store.engine.connect() as conn:
        found = conn.execute(select(t.auth_keys.c.secret).where(t.auth_keys.c.name == name)).scalar_one_or_none()
    if found:
        return found
    try:
        with store.engine.begin() as conn:
            conn.execute(t.auth_keys.insert().values(name=name, secret=secrets.token_urlsafe(48), created_at=now_utc()))
    except IntegrityError:  # another process created it first: use theirs
        pass
    with store.engine.connect() as conn:
        return conn.execute(select(t.auth_keys.c.secret).where(t.auth_keys.c.name == name)).scalar_one()


# ---------------------------------------------------------------- sessions
@dataclass(frozen=True)
class SessionRow:
    id: str
    user_id: int
    user_name: str
    token_hash: str | None
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None


def create_session(store: Store, *, session_id: str, user_id: int, expires_at: datetime,
                   handoff_hash: str, handoff_expires: datetime) -> None:
    now = now_utc()
    with store.engine.begin() as conn:
        # expired and revoked sessions are not kept beyond a day
        conn.execute(delete(t.dashboard_sessions).where(t.dashboard_sessions.c.expires_at < now - timedelta(days=1)))
        conn.execute(delete(t.dashboard_sessions).where(
            t.dashboard_sessions.c.revoked_at < now - timedelta(days=1)))
        conn.execute(t.dashboard_sessions.insert().values(
            id=session_id, user_id=user_id, token_hash=None, handoff_hash=handoff_hash,
            handoff_expires=handoff_expires, created_at=now, expires_at=expires_at, revoked_at=None))


def claim_handoff(store: Store, handoff_hash: str, token_hash: str, *, now: datetime | None = None) -> SessionRow | None:
    """Exchange a one-time handoff code (by hash) for the cookie's token hash, atomically: the
    code works once, before its deadline, for a session that is neither revoked nor expired."""
    now = now or now_utc()
    s = t.dashboard_sessions
    with store.engine.begin() as conn:
        row = conn.execute(select(s.c.id).where(s.c.handoff_hash == handoff_hash)).first()
        if row is None:
            return None
        done = conn.execute(
            update(s)
            .where(s.c.id == row.id, s.c.handoff_hash == handoff_hash, s.c.handoff_expires > now,
                   s.c.revoked_at.is_(None), s.c.expires_at > now)
            .values(token_hash=token_hash, handoff_hash=None, handoff_expires=None)
        ).rowcount
        if done != 1:
            conn.execute(update(s).where(s.c.id == row.id).values(handoff_hash=None, handoff_expires=None))
            return None
    return session(store, row.id)


def session(store: Store, session_id: str) -> SessionRow | None:
    s, u = t.dashboard_sessions, t.users
    with store.engine.connect() as conn:
        row = conn.execute(
            select(s.c.id, s.c.user_id, u.c.name, s.c.token_hash, s.c.created_at, s.c.expires_at, s.c.revoked_at)
            .join(u, u.c.id == s.c.user_id)
            .where(s.c.id == session_id)
        ).first()
    return SessionRow(*row) if row else None


def revoke_session(store: Store, session_id: str) -> None:
    s = t.dashboard_sessions
    with store.engine.begin() as conn:
        conn.execute(update(s).where(s.c.id == session_id, s.c.revoked_at.is_(None))
                     .values(revoked_at=now_utc(), handoff_hash=None, handoff_expires=None))


def revoke_user_sessions(store: Store, user_id: int) -> int:
    """End every session of a user (sign-out everywhere, password change, removal)."""
    s = t.dashboard_sessions
    with store.engine.begin() as conn:
        return conn.execute(update(s).where(and_(s.c.user_id == user_id, s.c.revoked_at.is_(None)))
                            .values(revoked_at=now_utc(), handoff_hash=None, handoff_expires=None)).rowcount


def active_sessions(store: Store, user_id: int) -> int:
    s = t.dashboard_sessions
    with store.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(s).where(
            s.c.user_id == user_id, s.c.revoked_at.is_(None), s.c.expires_at > now_utc())).scalar_one()


__all__ = ["SessionRow", "active_sessions", "auth_key", "claim_handoff", "clear_login_failures", "create_session",
           "login_failures", "record_login_failure", "revoke_session", "revoke_user_sessions", "session"]
