"""Audit events from the dashboard, through the store's audit log (``Store.audit``, migration
0009): reads and exports of a leader's data and logins, which no store method records by itself.
Changes (leaders, goals, sessions, users) are recorded by the store methods that make them, in
the same transaction; the dashboard gives them the viewer as actor (``dashboard.data._as``).

Recording never breaks the page: a failure is logged (without the event's details) and swallowed.

Actions the dashboard records here: ``login.ok``, ``login.failed`` (target: the user when the name
exists), ``logout``, ``data.view`` (a leader's sparring page, once per browser session),
``data.export`` (a report download), ``account.remove`` (target: the account's leader).
"""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)


def _row_id(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None  # never a name or content: the audit log holds row ids only


def record(store, actor: str | None, action: str, target_kind: str | None = None, target_id=None) -> bool:
    """Write one audit event through ``store.audit``; True when it was recorded."""
    writer = getattr(store, "audit", None)
    if not callable(writer) or not actor:
        return False
    try:
        writer(action, actor=actor, target_kind=target_kind, target_id=_row_id(target_id), via="dashboard")
        return True
    except Exception as exc:  # noqa: BLE001 - auditing must not break the page
        log.error("audit event %s could not be recorded: %s", action, type(exc).__name__)
        return False


def events(store, **filters):
    """Recent audit events (``Store.audit_events``, newest first), or None without an audit log."""
    reader = getattr(store, "audit_events", None)
    if not callable(reader):
        return None
    return reader(**filters)
