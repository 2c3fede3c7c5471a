"""The notification outbox and per-user preferences (the only SQL of ``lasna.notify``).

Delivery protocol (see docs/NOTIFY.md): a message is *composed* into ``notify_outbox`` under a unique
``key`` (inserting twice is a no-op), then *claimed* (``state = 'sending'``, one more attempt, the claimer
recorded in ``claimed_by``) in its own committed transaction, then handed to the SMTP server, and marked
``sent`` right after the server accepted it. Claims are compare-and-set on (state, attempts), so two runs
never send one message.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import Connection, delete, func, select, update

from lasna.store import Store, now_utc
from lasna.store import dialect
from lasna.store import schema as t

PREFERENCE_FIELDS = ("digest", "digest_weekday", "alerts", "threshold_hours", "lang", "quiet_start", "quiet_end")
DUE_STATES = ("pending", "failed", "sending")


_insert = dialect.insert


# ---------------------------------------------------------------------- preferences
def preferences(store: Store) -> dict[int, dict[str, Any]]:
    """Stored preferences by user id (users without a row are absent: they get the defaults)."""
    with store.engine.connect() as conn:
        rows = conn.execute(select(t.notify_preferences)).mappings().all()
    return {r["user_id"]: {f: r[f] for f in PREFERENCE_FIELDS} for r in rows}


def save_preferences(store: Store, user_id: int, values: dict[str, Any]) -> None:
    """Upsert one user's complete preferences (``values``: every field of PREFERENCE_FIELDS)."""
    row = {f: values[f] for f in PREFERENCE_FIELDS}
    with store.engine.begin() as conn:
        stmt = _insert(conn, t.notify_preferences).values(user_id=user_id, updated_at=now_utc(), **row)
        stmt = stmt.on_conflict_do_update(index_elements=[t.notify_preferences.c.user_id],
                                          set_={**row, "updated_at": stmt.excluded.updated_at})
        conn.execute(stmt)


# ---------------------------------------------------------------------- outbox: compose
def existing_keys(store: Store, keys: Iterable[str]) -> set[str]:
    keys = list(dict.fromkeys(keys))
    found: set[str] = set()
    with store.engine.connect() as conn:
        for start in range(0, len(keys), 1000):
            found |= set(conn.execute(select(t.notify_outbox.c.key).where(
                t.notify_outbox.c.key.in_(keys[start:start + 1000]))).scalars())
    return found


def add_message(store: Store, message: dict[str, Any], leader_ids: Sequence[int], *,
                now: datetime | None = None) -> bool:
    """Put a composed message in the outbox (state pending). False when its key is already there
    (nothing is changed then: a message is composed once)."""
    now = now or now_utc()
    values = {**message, "state": "pending", "attempts": 0, "next_attempt_at": now, "created_at": now}
    with store.engine.begin() as conn:
        stmt = _insert(conn, t.notify_outbox).values(**values).on_conflict_do_nothing(
            index_elements=[t.notify_outbox.c.key]).returning(t.notify_outbox.c.id)
        outbox_id = conn.execute(stmt).scalar()
        if outbox_id is None:  # the key was there already
            return False
        known = set(conn.execute(select(t.leaders.c.id).where(t.leaders.c.id.in_(list(leader_ids)))).scalars())
        for leader_id in sorted(known):
            conn.execute(t.notify_outbox_leaders.insert().values(outbox_id=outbox_id, leader_id=leader_id))
    return True


# ---------------------------------------------------------------------- outbox: deliver
def due_messages(store: Store, now: datetime, *, kind: str | None = None,
                 user_ids: Sequence[int] | None = None) -> list[dict[str, Any]]:
    """Messages to (re)try now: pending, failed whose backoff has passed, and 'sending' claims whose
    lease has run out (``next_attempt_at`` is the lease end while sending). Oldest first."""
    o = t.notify_outbox
    query = select(o).where(o.c.state.in_(DUE_STATES), o.c.next_attempt_at <= now).order_by(o.c.id)
    if kind is not None:
        query = query.where(o.c.kind == kind)
    if user_ids is not None:
        query = query.where(o.c.user_id.in_(list(user_ids)))
    with store.engine.connect() as conn:
        return [dict(r) for r in conn.execute(query).mappings().all()]


def stale_claims(store: Store, *, kind: str | None = None) -> list[dict[str, Any]]:
    """Messages in state 'sending' (claimed by a run that may have died), whatever their lease."""
    o = t.notify_outbox
    query = select(o.c.id, o.c.attempts, o.c.claimed_by, o.c.next_attempt_at).where(o.c.state == "sending")
    if kind is not None:
        query = query.where(o.c.kind == kind)
    with store.engine.connect() as conn:
        return [dict(r) for r in conn.execute(query).mappings().all()]


def release_claim(store: Store, outbox_id: int, attempts: int, now: datetime) -> bool:
    """Make an abandoned 'sending' claim due now (its claimer is known to be dead)."""
    o = t.notify_outbox
    with store.engine.begin() as conn:
        return bool(conn.execute(update(o).where(o.c.id == outbox_id, o.c.state == "sending",
                                                 o.c.attempts == attempts).values(next_attempt_at=now)).rowcount)


def claim(store: Store, message: dict[str, Any], claimer: str, lease_until: datetime) -> bool:
    """Compare-and-set: take ``message`` for sending if nobody touched it since it was read.
    Committed before any byte goes to the SMTP server."""
    o = t.notify_outbox
    with store.engine.begin() as conn:
        done = conn.execute(
            update(o).where(o.c.id == message["id"], o.c.state == message["state"],
                            o.c.attempts == message["attempts"])
            .values(state="sending", attempts=message["attempts"] + 1, claimed_by=claimer,
                    next_attempt_at=lease_until)
        ).rowcount
    return bool(done)


def mark_sent(store: Store, outbox_id: int, attempts: int, at: datetime) -> None:
    o = t.notify_outbox
    with store.engine.begin() as conn:
        conn.execute(update(o).where(o.c.id == outbox_id, o.c.attempts == attempts)
                     .values(state="sent", sent_at=at, last_error=None, claimed_by=None))


def mark_failed(store: Store, outbox_id: int, attempts: int, error: str, next_attempt_at: datetime,
                *, dead: bool = False) -> None:
    o = t.notify_outbox
    with store.engine.begin() as conn:
        conn.execute(update(o).where(o.c.id == outbox_id, o.c.attempts == attempts)
                     .values(state="dead" if dead else "failed", last_error=error[:2000],
                             next_attempt_at=next_attempt_at, claimed_by=None))


def cancel(store: Store, outbox_ids: Sequence[int], reason: str) -> int:
    """Unsent messages that no longer apply (an alert whose conversation was answered meanwhile)."""
    if not outbox_ids:
        return 0
    o = t.notify_outbox
    with store.engine.begin() as conn:
        return conn.execute(update(o).where(o.c.id.in_(list(outbox_ids)), o.c.state.in_(("pending", "failed")))
                            .values(state="cancelled", last_error=reason)).rowcount


def messages(store: Store, *, user_ids: Sequence[int] | None = None, kind: str | None = None,
             keys: Sequence[str] | None = None) -> pd.DataFrame:
    """Outbox rows without the bodies (for status output and the health page), newest first."""
    o = t.notify_outbox
    cols = [c for c in o.c if c.name not in ("body_text", "body_html")]
    query = select(*cols, t.users.c.name.label("user")).join(t.users, t.users.c.id == o.c.user_id).order_by(o.c.id.desc())
    if user_ids is not None:
        query = query.where(o.c.user_id.in_(list(user_ids)))
    if kind is not None:
        query = query.where(o.c.kind == kind)
    if keys is not None:
        query = query.where(o.c.key.in_(list(keys)))
    with store.engine.connect() as conn:
        result = conn.execute(query)
        return pd.DataFrame(result.all(), columns=list(result.keys()))


def message_body(store: Store, key: str) -> dict[str, Any] | None:
    with store.engine.connect() as conn:
        row = conn.execute(select(t.notify_outbox).where(t.notify_outbox.c.key == key)).mappings().first()
    return dict(row) if row else None


def counts_by_state(store: Store) -> dict[str, int]:
    o = t.notify_outbox
    with store.engine.connect() as conn:
        return {s: n for s, n in conn.execute(select(o.c.state, func.count()).group_by(o.c.state))}


# ---------------------------------------------------------------------- erasure and retention
def forget_leader(conn: Connection, leader_id: int) -> int:
    """Delete every outbox message that holds this leader's data (called inside ``Store.forget_leader``)."""
    doomed = select(t.notify_outbox_leaders.c.outbox_id).where(t.notify_outbox_leaders.c.leader_id == leader_id)
    ids = list(conn.execute(doomed).scalars())
    if not ids:
        return 0
    conn.execute(delete(t.notify_outbox_leaders).where(t.notify_outbox_leaders.c.outbox_id.in_(ids)))
    return conn.execute(delete(t.notify_outbox).where(t.notify_outbox.c.id.in_(ids))).rowcount


def apply_retention(conn: Connection, cutoff: datetime) -> int:
    """Delete outbox messages created before ``cutoff`` (called inside ``Store.apply_retention``)."""
    o = t.notify_outbox
    ids = list(conn.execute(select(o.c.id).where(o.c.created_at < cutoff)).scalars())
    if not ids:
        return 0
    conn.execute(delete(t.notify_outbox_leaders).where(t.notify_outbox_leaders.c.outbox_id.in_(ids)))
    return conn.execute(delete(o).where(o.c.id.in_(ids))).rowcount


__all__ = ["preferences", "save_preferences", "existing_keys", "add_message", "due_messages", "claim",
           "mark_sent", "mark_failed", "cancel", "messages", "message_body", "counts_by_state", "forget_leader",
           "apply_retention", "stale_claims", "release_claim"]
