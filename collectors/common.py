"""Small helpers every collector of this package uses."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from lasna.store import Store
from lasna.types import Account


def foreign_ids(store: Store, account: Account, post_ids: Iterable[str], interaction_ids: Iterable[str] = ()) -> set[str]:
    """Ids in the batch that already belong to another account (see :meth:`Store.foreign_ids`)."""
    return store.foreign_ids(account, post_ids, interaction_ids)


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
