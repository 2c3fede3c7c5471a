"""The audit log: who changed or looked at what, and when — never the content itself.

Rows are written in the same transaction as the change they record (``record``), so an
audit row exists exactly when the change does. ``target_id`` is a numeric row id (a leader,
cohort, user, goal or sparring session) or empty; an erasure of a third party records only
that one happened, never whom it was about.
"""

from __future__ import annotations

import getpass
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.engine import Connection

from lasna.errors import InputError
from lasna.store import schema as t

#: The actions Läsnä itself records (callers may add their own with the same shape).
ACTIONS = (
    "leader.add", "leader.update", "leader.remove", "leader.forget", "roster.import",
    "cohort.set", "user.add", "user.passwd", "user.remove",
    "goal.add", "goal.delete", "session.add", "session.update", "session.delete",
    "erase.author", "retention.apply", "audit.prune",
    "data.view", "data.export", "login.ok", "login.failed",
)
TARGET_KINDS = ("leader", "cohort", "user", "goal", "session", "author", "report", "all")
VIA = ("cli", "dashboard", "library")
_ACTION = re.compile(r"^[a-z][a-z_]*(\.[a-z_]+){0,3}$")
_ACTOR = re.compile(r"^[^\x00-\x1f\x7f]{1,200}$")
ERASED_ACTOR = "erased-user"


@dataclass(frozen=True)
class AuditEvent:
    id: int
    at: datetime
    actor: str
    action: str
    target_kind: str | None
    target_id: str | None
    via: str
    #: the target's current name (leader, cohort, user) when it still exists; None otherwise
    target_label: str | None = None

    def as_json(self) -> dict:
        return {
            "id": self.id, "at": self.at.isoformat(), "actor": self.actor, "action": self.action,
            "target_kind": self.target_kind, "target_id": self.target_id, "target_label": self.target_label,
            "via": self.via,
        }


def cli_actor() -> str:
    """``cli:<operating-system user>`` (``cli`` when the user cannot be determined)."""
    try:
        return f"cli:{getpass.getuser()}"[:200]
    except Exception:  # noqa: BLE001 - getuser raises several kinds when no user is known
        return "cli"


def values(
    action: str, *, actor: str, target_kind: str | None, target_id: int | None, via: str, at: datetime
) -> dict:
    """Validate one audit row; raises InputError (a programming error at the call site, mostly)."""
    if not isinstance(action, str) or not _ACTION.match(action):
        raise InputError(f"malformed audit action {str(action)[:60]!r}")
    if not isinstance(actor, str) or not _ACTOR.match(actor):
        raise InputError("an audit record needs an actor (a login name or cli:<user>)")
    if target_kind is not None and target_kind not in TARGET_KINDS:
        raise InputError(f"unknown audit target kind {target_kind!r}")
    if target_id is not None and (isinstance(target_id, bool) or not isinstance(target_id, int)):
        raise InputError("an audit target id is a numeric row id (never a name or content)")
    if via not in VIA:
        raise InputError(f"unknown audit channel {via!r}")
    return {
        "at": at, "actor": actor, "action": action, "target_kind": target_kind,
        "target_id": None if target_id is None else str(target_id), "via": via,
    }


def record(conn: Connection, action: str, **kwargs) -> None:
    conn.execute(t.audit_log.insert().values(**values(action, **kwargs)))


def events(
    conn: Connection,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    actor: str | None = None,
    action: str | None = None,
    target_kind: str | None = None,
    target_id: int | None = None,
    limit: int | None = 1000,
) -> list[AuditEvent]:
    query = select(t.audit_log).order_by(t.audit_log.c.at.desc(), t.audit_log.c.id.desc())
    if since is not None:
        query = query.where(t.audit_log.c.at >= since)
    if until is not None:
        query = query.where(t.audit_log.c.at < until)
    if actor is not None:
        query = query.where(t.audit_log.c.actor == actor)
    if action is not None:
        query = query.where(
            (t.audit_log.c.action == action) | t.audit_log.c.action.like(action.rstrip(".") + ".%")
        )
    if target_kind is not None:
        query = query.where(t.audit_log.c.target_kind == target_kind)
    if target_id is not None:
        query = query.where(t.audit_log.c.target_id == str(target_id))
    if limit is not None:
        query = query.limit(limit)
    rows = conn.execute(query).all()
    labels = {
        "leader": dict(conn.execute(select(t.leaders.c.id, t.leaders.c.name)).all()),
        "cohort": dict(conn.execute(select(t.cohorts.c.id, t.cohorts.c.name)).all()),
        "user": dict(conn.execute(select(t.users.c.id, t.users.c.name)).all()),
    }
    out = []
    for r in rows:
        label = None
        if r.target_kind in labels and r.target_id and r.target_id.isdigit():
            label = labels[r.target_kind].get(int(r.target_id))
        out.append(AuditEvent(r.id, r.at, r.actor, r.action, r.target_kind, r.target_id, r.via, label))
    return out


def prune(conn: Connection, cutoff: datetime) -> int:
    return conn.execute(delete(t.audit_log).where(t.audit_log.c.at < cutoff)).rowcount
