"""Dashboard users: local accounts with roles, stored in the database.

Passwords are hashed with scrypt (``hashlib.scrypt``, memory-hard, from the standard
library) under a random 16-byte salt; the parameters are stored in the hash string,
so they can be raised later without breaking existing hashes.

Roles:

* ``admin`` sees and manages everything;
* ``consultant`` sees the leaders assigned to them, directly or through a cohort;
* ``executive`` sees their own leader, and cohort data as the cohort's visibility allows.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, func, select, update

from lasna.errors import InputError, NotFoundError
from lasna.store import Store, now_utc
from lasna.store import schema as t
from lasna.types import Role

__all__ = ["Role", "User", "hash_password", "verify_password", "add_user", "remove_user", "set_password",
           "get_user", "user_by_email", "list_users", "authenticate", "has_users"]

_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1
MIN_PASSWORD_LENGTH = 10


@dataclass(frozen=True)
class User:
    id: int
    name: str
    role: Role
    email: str | None = None
    leader_id: int | None = None
    leader_ids: frozenset[int] = frozenset()  # a consultant's directly assigned leaders
    cohort_ids: frozenset[int] = frozenset()  # a consultant's assigned cohorts
    has_password: bool = False


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def hash_password(password: str) -> str:
    """``scrypt$N$r$p$salt$hash`` (base64)."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P, dklen=32)
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str | None) -> bool:
    if not stored:
        return False
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(
            password.encode("utf-8"), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p),
            dklen=len(expected), maxmem=128 * 1024 * 1024,
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InputError(f"the password must be at least {MIN_PASSWORD_LENGTH} characters")


# a hash of a random password: verifying against it costs the same as a real check,
# so a login for an unknown name takes as long as one for a known name
_DUMMY_HASH = hash_password(secrets.token_hex(16))


def _leader_id(conn, name: str) -> int:
    row = conn.execute(select(t.leaders.c.id).where(t.leaders.c.name == name)).first()
    if row is None:
        raise NotFoundError(f"no leader named {name!r}", hint="see `lasna leaders list`")
    return row.id


def _cohort_id(conn, name: str) -> int:
    row = conn.execute(select(t.cohorts.c.id).where(t.cohorts.c.name == name)).first()
    if row is None:
        raise NotFoundError(f"no cohort named {name!r}", hint="cohorts are created with `lasna leaders add --cohort`")
    return row.id


def add_user(
    store: Store,
    name: str,
    role: Role | str,
    *,
    password: str | None = None,
    email: str | None = None,
    leaders: Sequence[str] = (),
    cohorts: Sequence[str] = (),
    actor: str | None = None,
) -> User:
    """Create a user. An executive needs exactly one leader; a consultant gets any number of
    leaders and cohorts; an admin gets none (they see everything)."""
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise InputError("a user needs a name of 1 to 200 characters")
    try:
        role = Role(role)
    except ValueError:
        raise InputError(f"unknown role {role!r}", hint="use admin, consultant or executive") from None
    if role is Role.EXECUTIVE and len(leaders) != 1:
        raise InputError("an executive needs exactly one --leader (their own)")
    if role is Role.EXECUTIVE and cohorts:
        raise InputError("an executive's cohorts are their leader's cohorts; drop --cohort")
    if role is Role.ADMIN and (leaders or cohorts):
        raise InputError("an admin sees every leader; drop --leader/--cohort")
    if password is None and not email:
        raise InputError("a user needs a password or an --email for single sign-on")
    if password is not None:
        check_password_strength(password)
    email = email.strip().lower() if email else None
    with store.engine.begin() as conn:
        if conn.execute(select(t.users.c.id).where(t.users.c.name == name)).first():
            raise InputError(f"a user named {name!r} already exists", hint="use `lasna users passwd` or remove it first")
        if email and conn.execute(select(t.users.c.id).where(t.users.c.email == email)).first():
            raise InputError(f"another user already has the e-mail {email}")
        leader_ids = [_leader_id(conn, leader) for leader in leaders]
        cohort_ids = [_cohort_id(conn, cohort) for cohort in cohorts]
        user_id = conn.execute(
            t.users.insert().values(
                name=name,
                email=email,
                role=str(role),
                leader_id=leader_ids[0] if role is Role.EXECUTIVE else None,
                password_hash=hash_password(password) if password is not None else None,
                created_at=now_utc(),
            )
        ).inserted_primary_key[0]
        if role is Role.CONSULTANT:
            for leader_id in dict.fromkeys(leader_ids):
                conn.execute(t.user_leaders.insert().values(user_id=user_id, leader_id=leader_id))
            for cohort_id in dict.fromkeys(cohort_ids):
                conn.execute(t.user_cohorts.insert().values(user_id=user_id, cohort_id=cohort_id))
        store._audit(conn, "user.add", "user", user_id, actor=actor)
    return get_user(store, name)


def remove_user(store: Store, name: str, *, actor: str | None = None) -> None:
    with store.engine.begin() as conn:
        user_id = conn.execute(select(t.users.c.id).where(t.users.c.name == name)).scalar()
        if user_id is None or conn.execute(delete(t.users).where(t.users.c.id == user_id)).rowcount == 0:
            raise NotFoundError(f"no user named {name!r}", hint="see `lasna users list`")
        store._audit(conn, "user.remove", "user", user_id, actor=actor)


def set_password(store: Store, name: str, password: str, *, actor: str | None = None) -> None:
    """Set a new password and end every dashboard session of the user (a stolen session must not
    outlive the password change)."""
    check_password_strength(password)
    with store.engine.begin() as conn:
        user_id = conn.execute(select(t.users.c.id).where(t.users.c.name == name)).scalar()
        done = conn.execute(
            update(t.users).where(t.users.c.name == name).values(password_hash=hash_password(password))
        ).rowcount
        if done:
            store._audit(conn, "user.passwd", "user", user_id, actor=actor)
            conn.execute(
                update(t.dashboard_sessions)
                .where(t.dashboard_sessions.c.user_id == select(t.users.c.id).where(t.users.c.name == name)
                       .scalar_subquery(), t.dashboard_sessions.c.revoked_at.is_(None))
                .values(revoked_at=now_utc(), handoff_hash=None, handoff_expires=None)
            )
    if not done:
        raise NotFoundError(f"no user named {name!r}", hint="see `lasna users list`")


def _users(store: Store, condition=None) -> list[User]:
    query = select(t.users).order_by(t.users.c.name)
    if condition is not None:
        query = query.where(condition)
    with store.engine.connect() as conn:
        rows = conn.execute(query).all()
        if not rows:
            return []
        ids = [r.id for r in rows]
        assigned: dict[int, set[int]] = {}
        for user_id, leader_id in conn.execute(
            select(t.user_leaders.c.user_id, t.user_leaders.c.leader_id).where(t.user_leaders.c.user_id.in_(ids))
        ):
            assigned.setdefault(user_id, set()).add(leader_id)
        groups: dict[int, set[int]] = {}
        for user_id, cohort_id in conn.execute(
            select(t.user_cohorts.c.user_id, t.user_cohorts.c.cohort_id).where(t.user_cohorts.c.user_id.in_(ids))
        ):
            groups.setdefault(user_id, set()).add(cohort_id)
    return [
        User(
            id=r.id,
            name=r.name,
            role=Role(r.role),
            email=r.email,
            leader_id=r.leader_id,
            leader_ids=frozenset(assigned.get(r.id, ())),
            cohort_ids=frozenset(groups.get(r.id, ())),
            has_password=bool(r.password_hash),
        )
        for r in rows
    ]


def list_users(store: Store) -> list[User]:
    return _users(store)


def get_user(store: Store, name: str) -> User:
    found = _users(store, t.users.c.name == name)
    if not found:
        raise NotFoundError(f"no user named {name!r}", hint="see `lasna users list`")
    return found[0]


def user_by_email(store: Store, email: str | None) -> User | None:
    if not email:
        return None
    found = _users(store, t.users.c.email == email.strip().lower())
    return found[0] if found else None


def authenticate(store: Store, name: str, password: str) -> User | None:
    """The user if ``password`` is theirs, else None (same cost either way)."""
    with store.engine.connect() as conn:
        row = conn.execute(select(t.users.c.password_hash).where(t.users.c.name == (name or "").strip())).first()
    if row is None or not row.password_hash:
        verify_password(password or "", _DUMMY_HASH)
        return None
    if not verify_password(password or "", row.password_hash):
        return None
    return get_user(store, name.strip())


def has_users(store: Store) -> bool:
    with store.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(t.users)).scalar_one() > 0
