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

from lasna.errors import InputError, NotFoundError
from lasna.store import Store
from lasna.store import users as user_store
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
    user_store.insert_user(
        store, name=name, role=str(role), email=email,
        password_hash=hash_password(password) if password is not None else None,
        own_leader=leaders[0] if role is Role.EXECUTIVE else None,
        leaders=leaders if role is Role.CONSULTANT else (), cohorts=cohorts if role is Role.CONSULTANT else (),
        actor=actor,
    )
    return get_user(store, name)


def remove_user(store: Store, name: str, *, actor: str | None = None) -> None:
    user_store.delete_user(store, name, actor=actor)


def set_password(store: Store, name: str, password: str, *, actor: str | None = None) -> None:
    """Set a new password and end every dashboard session of the user (a stolen session must not
    outlive the password change)."""
    check_password_strength(password)
    user_store.update_password(store, name, hash_password(password), actor=actor)


def _user(row: user_store.UserRow) -> User:
    return User(id=row.id, name=row.name, role=Role(row.role), email=row.email, leader_id=row.leader_id,
                leader_ids=row.leader_ids, cohort_ids=row.cohort_ids, has_password=row.has_password)


def _users(store: Store, *, name: str | None = None, email: str | None = None) -> list[User]:
    return [_user(r) for r in user_store.user_rows(store, name=name, email=email)]


def list_users(store: Store) -> list[User]:
    return _users(store)


def get_user(store: Store, name: str) -> User:
    found = _users(store, name=name)
    if not found:
        raise NotFoundError(f"no user named {name!r}", hint="see `lasna users list`")
    return found[0]


def user_by_email(store: Store, email: str | None) -> User | None:
    if not email:
        return None
    found = _users(store, email=email.strip().lower())
    return found[0] if found else None


def authenticate(store: Store, name: str, password: str) -> User | None:
    """The user if ``password`` is theirs, else None (same cost either way)."""
    stored = user_store.password_hash(store, (name or "").strip())
    if not stored:
        verify_password(password or "", _DUMMY_HASH)
        return None
    if not verify_password(password or "", stored):
        return None
    return get_user(store, name.strip())


def has_users(store: Store) -> bool:
    return user_store.count_users(store) > 0
