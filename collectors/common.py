"""Small helpers every collector of this package uses."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import select

from lasna.store import Store
from lasna.store import schema as t
from lasna.types import Account


def foreign_ids(store: Store, account: Account, post_ids: Iterable[str], interaction_ids: Iterable[str] = ()) -> set[str]:
    """Ids in the batch that already belong to *another* account.

    Post and interaction ids are global primary keys, so a hostile or buggy source
    that reuses someone else's id would otherwise overwrite their text on upsert.
    Collectors drop such rows (and say so) instead.
    """
    found: set[str] = set()
    with store.engine.connect() as conn:
        for table, ids in ((t.posts, list(post_ids)), (t.interactions, list(interaction_ids))):
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                found.update(
                    conn.execute(
                        select(table.c.id).where(table.c.id.in_(chunk), table.c.account_id != account.id)
                    ).scalars()
                )
    return found


def parse_time(value: object) -> datetime | None:
    """ISO-8601 text (with Z or offset) -> aware UTC datetime; None if it is not a sane time."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    parsed = parsed.astimezone(UTC)
    if not 1990 <= parsed.year <= 2100:
        return None
    return parsed
