"""Audit events from the dashboard: a thin shim over the store's audit log.

``record(store, actor, action, target_kind, target_id)`` writes through ``Store.audit(...)``
(the audit log of migration 0009, secdata branch) when the store has it, and does nothing
otherwise, so the dashboard's call sites are in place before that lands. Recording never
breaks the page: a failure is logged (without the event's details) and swallowed.

Actions used by the dashboard: ``login``, ``logout``, ``view`` (a leader's sparring page),
``export`` (a report download; ``detail`` says the format), ``leader.add``, ``leader.remove``,
``account.remove``, ``goal.add``, ``session.record``.
"""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)


def record(store, actor: str | None, action: str, target_kind: str, target_id, *, detail: str | None = None) -> bool:
    """Write one audit event; True when the store recorded it."""
    writer = getattr(store, "audit", None)
    if not callable(writer):
        return False
    try:
        kwargs = {"detail": detail} if detail is not None else {}
        writer(actor=actor or "", action=action, target_kind=target_kind,
               target_id=None if target_id is None else str(target_id), **kwargs)
        return True
    except TypeError:  # an audit() without the detail keyword
        try:
            writer(actor=actor or "", action=action, target_kind=target_kind,
                   target_id=None if target_id is None else str(target_id))
            return True
        except Exception as exc:  # noqa: BLE001
            log.error("audit event %s could not be recorded: %s", action, type(exc).__name__)
            return False
    except Exception as exc:  # noqa: BLE001 - auditing must not break the page
        log.error("audit event %s could not be recorded: %s", action, type(exc).__name__)
        return False


def events(store, **filters):
    """Recent audit events (``Store.audit_events``), or None when the store has no audit log yet."""
    reader = getattr(store, "audit_events", None)
    if not callable(reader):
        return None
    return reader(**filters)
