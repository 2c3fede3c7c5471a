"""Dashboard user rows (``users``, ``user_leaders``, ``user_cohorts``): the queries behind
:mod:`lasna.users`, which validates input, hashes passwords and builds :class:`lasna.users.User`.

Changes are audited in the same transaction (``user.add``, ``user.remove``, ``user.passwd``); a
password change also revokes every dashboard session of the user (``dashboard_sessions``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, func, select, update

from lasna.errors import InputError, NotFoundError
from lasna.store import Store, now_utc
from lasna.store import schema as t


@dataclass(frozen=True)
class UserRow:
    id: int
    name: str
    role: str
    email: str | None
    leader_id: int | None
    leader_ids: frozenset[int]
    cohort_ids: frozenset[int]
    has_password: bool


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


def insert_user(store: Store, *, name: str, role: str, email: str | None, password_hash: str | None,
                own_leader: str | None, leaders: Sequence[str], cohorts: Sequence[str],
                actor: str | None = None) -> int:
    """Insert a validated user (``own_leader``: an executive's leader; ``leaders``/``cohorts``: a
    consultant's assignments) in one transaction; returns the new id."""
    with store.engine.begin() as conn:
        if conn.execute(select(t.users.c.id).where(t.users.c.name == name)).first():
            raise InputError(f"a user named {name!r} already exists", hint="use `lasna users passwd` or remove it first")
        if email and conn.execute(select(t.users.c.id).where(t.users.c.email == email)).first():
            raise InputError(f"another user already has the e-mail {email}")
        own_id = _leader_id(conn, own_leader) if own_leader is not None else None
        leader_ids = [_leader_id(conn, leader) for leader in leaders]
        cohort_ids = [_cohort_id(conn, cohort) for cohort in cohorts]
        key = conn.execute(
            t.users.insert().values(name=name, email=email, role=role, leader_id=own_id,
                                    password_hash=password_hash, created_at=now_utc())
        ).inserted_primary_key
        assert key is not None
        user_id = key[0]
        for leader_id in dict.fromkeys(leader_ids):
            conn.execute(t.user_leaders.insert().values(user_id=user_id, leader_id=leader_id))
        for cohort_id in dict.fromkeys(cohort_ids):
            conn.execute(t.user_cohorts.insert().values(user_id=user_id, cohort_id=cohort_id))
        store._audit(conn, "user.add", "user", user_id, actor=actor)
    return user_id


def delete_user(store: Store, name: str, *, actor: str | None = None) -> None:
    """Delete a user (their sessions and assignments go with them: ON DELETE CASCADE)."""
    with store.engine.begin() as conn:
        user_id = conn.execute(select(t.users.c.id).where(t.users.c.name == name)).scalar()
        if user_id is None or conn.execute(delete(t.users).where(t.users.c.id == user_id)).rowcount == 0:
            raise NotFoundError(f"no user named {name!r}", hint="see `lasna users list`")
        store._audit(conn, "user.remove", "user", user_id, actor=actor)


def update_password(store: Store, name: str, password_hash: str, *, actor: str | None = None) -> None:
    """Store a new password hash and revoke every dashboard session of the user, in one transaction."""
    with store.engine.begin() as conn:
        user_id = conn.execute(select(t.users.c.id).where(t.users.c.name == name)).scalar()
        if user_id is None:
            raise NotFoundError(f"no user named {name!r}", hint="see `lasna users list`")
        conn.execute(update(t.users).where(t.users.c.id == user_id).values(password_hash=password_hash))
        store._audit(conn, "user.passwd", "user", user_id, actor=actor)
        conn.execute(
            update(t.dashboard_sessions)
            .where(t.dashboard_sessions.c.user_id == user_id, t.dashboard_sessions.c.revoked_at.is_(None))
            .values(revoked_at=now_utc(), handoff_hash=None, handoff_expires=None)
        )


def user_rows(store: Store, *, name: str | None = None, email: str | None = None) -> list[UserRow]:
    """Users ordered by name (all, or the one with ``name`` / ``email``), with their assignments."""
    query = select(t.users).order_by(t.users.c.name)
    if name is not None:
        query = query.where(t.users.c.name == name)
    if email is not None:
        query = query.where(t.users.c.email == email)
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
    return [UserRow(r.id, r.name, r.role, r.email, r.leader_id, frozenset(assigned.get(r.id, ())),
                    frozenset(groups.get(r.id, ())), bool(r.password_hash)) for r in rows]


def password_hash(store: Store, name: str) -> str | None:
    with store.engine.connect() as conn:
        return conn.execute(select(t.users.c.password_hash).where(t.users.c.name == name)).scalar()


def count_users(store: Store) -> int:
    with store.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(t.users)).scalar_one()


__all__ = ["UserRow", "count_users", "delete_user", "insert_user", "password_hash", "update_password", "user_rows"]
