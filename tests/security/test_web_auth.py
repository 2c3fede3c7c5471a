"""Issue #13 item 15 and issue #15 item 1 at the store level (SQLite and PostgreSQL): failed
logins shared by every dashboard process; session tokens that are signed, expire and are revoked
by sign-out, a password change and the user's removal."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lasna import users, websession
from lasna.store import Store, now_utc
from lasna.store import auth as auth_store

pytestmark = pytest.mark.security

PASSWORD = "a long enough password"


@pytest.fixture
def ada(store):
    return users.add_user(store, "ada", "admin", password=PASSWORD)


def test_failed_logins_are_shared_by_two_processes(store, db_url):
    """Two dashboard processes = two engines on one database: five failures in total lock the
    name for both (before: a counter in each process's memory allowed 5 per process)."""
    other = Store.open(db_url)
    try:
        window = timedelta(seconds=60)
        for i in range(5):
            auth_store.record_login_failure(store if i % 2 else other, "ada", window=window)
        assert auth_store.login_failures(store, "ada", window=window) == 5
        assert auth_store.login_failures(other, "ada", window=window) == 5
        assert auth_store.login_failures(store, "eero", window=window) == 0
        auth_store.clear_login_failures(other, "ada")
        assert auth_store.login_failures(store, "ada", window=window) == 0
    finally:
        other.close()


def test_failures_age_out_and_old_rows_are_deleted(store):
    window = timedelta(seconds=60)
    past = now_utc() - timedelta(minutes=5)
    for _ in range(5):
        auth_store.record_login_failure(store, "ada", window=window, now=past)
    assert auth_store.login_failures(store, "ada", window=window) == 0
    auth_store.record_login_failure(store, "someone", window=window)
    from sqlalchemy import func, select

    from lasna.store import schema as t

    with store.engine.connect() as conn:  # the typed names of five minutes ago are gone
        assert conn.execute(select(func.count()).select_from(t.login_failures)).scalar_one() == 1


def _cookie(store, user) -> str:
    started = websession.start(store, user.id)
    value, max_age = websession.finish_handoff(store, started.handoff_code)
    assert 0 < max_age <= websession.lifetime().total_seconds()
    return value


def test_a_cookie_names_its_user_until_signed_out(store, ada):
    value = _cookie(store, ada)
    row = websession.parse_cookie(store, value)
    assert row is not None and row.user_name == "ada"
    websession.end(store, row.id)
    assert websession.parse_cookie(store, value) is None
    assert websession.session_alive(store, row.id) is None


def test_the_handoff_code_works_once_and_only_briefly(store, ada):
    started = websession.start(store, ada.id)
    assert websession.finish_handoff(store, started.handoff_code) is not None
    assert websession.finish_handoff(store, started.handoff_code) is None  # replay
    late = websession.start(store, ada.id)
    later = now_utc() + timedelta(seconds=websession.HANDOFF_SECONDS + 1)
    assert websession.finish_handoff(store, late.handoff_code, now=later) is None
    assert websession.finish_handoff(store, "made-up") is None


def test_tampered_forged_and_expired_cookies_are_refused(store, ada):
    value = _cookie(store, ada)
    sid, secret, expiry, mac = value.split(".")
    assert websession.parse_cookie(store, f"{sid}.{secret}.{int(expiry) + 86400}.{mac}") is None  # longer life
    flip = lambda s: s[:-1] + ("A" if s[-1] != "A" else "B")  # noqa: E731 - a different last character
    assert websession.parse_cookie(store, f"{sid}.{flip(secret)}.{expiry}.{mac}") is None
    assert websession.parse_cookie(store, f"{sid}.{secret}.{expiry}.{flip(mac)}") is None
    assert websession.parse_cookie(store, "garbage") is None and websession.parse_cookie(store, "") is None
    # a valid signature over a secret that is not the stored one (key known, database not): refused
    forged = f"{sid}.{'B' * 43}.{expiry}"
    assert websession.parse_cookie(store, f"{forged}.{websession._mac(store, forged)}") is None
    assert websession.parse_cookie(store, value, now=now_utc() + websession.lifetime() + timedelta(seconds=1)) is None
    assert websession.parse_cookie(store, value) is not None


def test_a_password_change_ends_every_session(store, ada):
    first, second = _cookie(store, ada), _cookie(store, ada)
    users.set_password(store, "ada", "another long password")
    assert websession.parse_cookie(store, first) is None and websession.parse_cookie(store, second) is None
    assert auth_store.active_sessions(store, ada.id) == 0


def test_removing_the_user_ends_the_session(store, ada):
    value = _cookie(store, ada)
    users.remove_user(store, "ada")
    assert websession.parse_cookie(store, value) is None


def test_the_database_holds_no_usable_token(store, ada):
    value = _cookie(store, ada)
    from sqlalchemy import select

    from lasna.store import schema as t

    with store.engine.connect() as conn:
        stored = [str(v) for row in conn.execute(select(t.dashboard_sessions)) for v in row]
    secret = value.split(".")[1]
    assert not any(secret in v for v in stored)


def test_the_signing_key_is_shared_by_processes(store, db_url):
    other = Store.open(db_url)
    try:
        assert auth_store.auth_key(store) == auth_store.auth_key(other)
    finally:
        other.close()
