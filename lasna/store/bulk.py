"""The lean write path behind :meth:`lasna.store.Store.save_batch`.

Collectors write hundreds of thousands of rows per run, and SQLAlchemy's
executemany with dict rows and per-value type processors cost about 0.1 ms per
row. Here rows are plain tuples built once (times already naive UTC, lists
already JSON text) and each table gets one ``INSERT … ON CONFLICT (id) DO
UPDATE`` statement per dialect, run through ``exec_driver_sql``: sqlite3's
``executemany`` on SQLite, psycopg 3's pipelined ``executemany`` on PostgreSQL.
The values stored are exactly what the SQLAlchemy types in :mod:`.schema` store,
so reads through SQLAlchemy see no difference.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from operator import attrgetter
from typing import Any

from sqlalchemy.engine import Connection

from lasna.types import Account, Interaction, Post

#: Post columns a re-ingest may change (counts, edits, deletion, gates). Creation and
#: first-indexed times never move: they are what latency and consistency are measured from.
POST_MUTABLE = (
    "text",
    "lang",
    "url",
    "mentions",
    "links",
    "tags",
    "like_count",
    "reply_count",
    "repost_count",
    "quote_count",
    "replies_restricted",
    "quotes_disabled",
    "hidden_replies",
    "deleted",
)
INTERACTION_MUTABLE = ("author_handle", "author_name", "text", "lang", "url", "hidden", "deleted")

_NAIVE = "naive datetime {!r}: Läsnä stores only timezone-aware times"


def _naive_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError(_NAIVE.format(value))
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return value.replace(tzinfo=None)


def _sqlite_time(value: datetime | None) -> str | None:
    """SQLAlchemy's SQLite DATETIME storage format (naive UTC, microseconds always written)."""
    if value is None:
        return None
    if value.tzinfo is UTC:  # the common case: cut "+00:00" instead of converting
        return value.isoformat(" ", "microseconds")[:26]
    return _naive_utc(value).isoformat(" ", "microseconds")


def _pg_time(value: datetime | None) -> datetime | None:
    return None if value is None else _naive_utc(value)


def _json_list(values: Sequence[str]) -> str:
    return json.dumps(list(values)) if values else "[]"


@dataclass(frozen=True)
class Dialect:
    """What differs between the engines on the lean path."""

    name: str
    mark: str  # DB-API placeholder
    time: Callable[[datetime | None], Any]
    json_mark: str  # placeholder for a JSON column

    def marks(self, n: int) -> str:
        return ", ".join([self.mark] * n)


_DIALECTS = {
    "sqlite": Dialect("sqlite", "?", _sqlite_time, "?"),
    "postgresql": Dialect("postgresql", "%s", _pg_time, "%s::json"),
}


def dialect(conn: Connection) -> Dialect:
    return _DIALECTS[conn.dialect.name]


class _Shape:
    """How a frozen domain dataclass becomes one row tuple of its table."""

    def __init__(self, cls: type, table: str, mutable: tuple[str, ...], times: tuple[str, ...],
                 enums: tuple[str, ...], lists: tuple[str, ...] = ()) -> None:
        names = tuple(f.name for f in fields(cls) if f.name != "answered_by")
        self.table = table
        self.columns = names + ("account_id", "leader_id")
        self.mutable = mutable
        self._get = attrgetter(*names)
        self._times = tuple(names.index(n) for n in times)
        self._enums = tuple(names.index(n) for n in enums)
        self._lists = tuple(names.index(n) for n in lists)

    def rows(self, items: Iterable[Any], account: Account, d: Dialect) -> dict[str, list]:
        """id -> row, last item wins (one batch never touches a row twice)."""
        extra = [account.id, account.leader_id]
        time = d.time
        out: dict[str, list] = {}
        for item in items:
            row = list(self._get(item))
            for i in self._times:
                row[i] = time(row[i])
            for i in self._enums:
                row[i] = row[i].value
            for i in self._lists:
                row[i] = _json_list(row[i])
            row += extra
            out[row[0]] = row
        return out

    @functools.cache  # noqa: B019  (two instances for the life of the process)
    def upsert_sql(self, d: Dialect) -> str:
        marks = ", ".join(d.json_mark if self._is_list(c) else d.mark for c in self.columns)
        updates = ", ".join(f'"{c}" = excluded."{c}"' for c in self.mutable)
        columns = ", ".join(f'"{c}"' for c in self.columns)
        return f'INSERT INTO {self.table} ({columns}) VALUES ({marks}) ON CONFLICT ("id") DO UPDATE SET {updates}'

    def _is_list(self, column: str) -> bool:
        return column in self.columns and self.columns.index(column) in self._lists


POSTS = _Shape(Post, "posts", POST_MUTABLE, ("created_at", "indexed_at"), ("platform",),
               ("mentions", "links", "tags"))
INTERACTIONS = _Shape(Interaction, "interactions", INTERACTION_MUTABLE, ("created_at", "indexed_at"),
                      ("platform", "kind"))


def existing_ids(conn: Connection, table: str, ids: Sequence[str]) -> set[str]:
    """Which of ``ids`` already have a row in ``table``."""
    d = dialect(conn)
    found: set[str] = set()
    if d.name == "postgresql":
        found.update(r[0] for r in conn.exec_driver_sql(f'SELECT "id" FROM {table} WHERE "id" = ANY(%s)', (list(ids),)))
        return found
    for start in range(0, len(ids), 500):
        chunk = tuple(ids[start : start + 500])
        sql = f'SELECT "id" FROM {table} WHERE "id" IN ({d.marks(len(chunk))})'
        found.update(r[0] for r in conn.exec_driver_sql(sql, chunk))
    return found


#: Columns whose change makes a stored row's enrichment (``lasna.store.enrichment``) stale. Counts
#: (likes, replies, ...) change on every collection and feed no enrichment, so they are left out.
CONTENT = {
    "posts": ("text", "lang", "mentions", "links", "deleted", "replies_restricted", "quotes_disabled",
              "hidden_replies"),
    "interactions": ("text", "lang", "hidden", "deleted"),
}


def existing_content(conn: Connection, table: str, ids: Sequence[str]) -> dict[str, tuple]:
    """id -> stored :data:`CONTENT` values (as the lean path writes them: JSON as text) of the rows among ``ids``."""
    d = dialect(conn)
    cols = CONTENT[table]
    listed = ", ".join(f'"{c}"::text' if d.name == "postgresql" and c in ("mentions", "links", "tags") else f'"{c}"'
                       for c in cols)
    if d.name == "postgresql":
        rows = conn.exec_driver_sql(f'SELECT "id", {listed} FROM {table} WHERE "id" = ANY(%s)', (list(ids),))
        return {r[0]: tuple(r[1:]) for r in rows}
    found: dict[str, tuple] = {}
    for start in range(0, len(ids), 500):
        chunk = tuple(ids[start : start + 500])
        sql = f'SELECT "id", {listed} FROM {table} WHERE "id" IN ({d.marks(len(chunk))})'
        found.update((r[0], tuple(r[1:])) for r in conn.exec_driver_sql(sql, chunk))
    return found


def upsert(conn: Connection, shape: _Shape, items: Sequence[Any], account: Account) -> tuple[int, set[str], set[str]]:
    """Upsert ``items``; returns (rows that are new, ids that already existed, of those the ids whose
    :data:`CONTENT` changed)."""
    if not items:
        return 0, set(), set()
    d = dialect(conn)
    rows = shape.rows(items, account, d)
    stored = existing_content(conn, shape.table, list(rows))
    positions = [shape.columns.index(c) for c in CONTENT[shape.table]]
    changed = {i for i, old in stored.items()
               if any(_differs(rows[i][p], v) for p, v in zip(positions, old))}
    conn.exec_driver_sql(shape.upsert_sql(d), [tuple(r) for r in rows.values()])
    return len(rows) - len(stored), set(stored), changed


def _differs(new: Any, old: Any) -> bool:
    if isinstance(new, bool) or isinstance(old, bool):
        return bool(new) != bool(old)
    return new != old


#: what a row deleted at the source keeps: ids, times, counts and flags (what metrics need); its
#: text, link, handle, name and mention lists go at once (not after the retention period)
_BLANKED = {
    "posts": '"text" = \'\', "url" = NULL, "mentions" = {j}, "links" = {j}, "tags" = {j}',
    "interactions": '"text" = \'\', "url" = NULL, "author_handle" = NULL, "author_name" = NULL',
}
_PREDICTIONS = {"posts": ("post_predictions", "post_id"), "interactions": ("interaction_predictions", "interaction_id")}


def mark_deleted(conn: Connection, table: str, account: Account, ids: Iterable[str]) -> None:
    """Mark rows deleted at the source and drop their content and cached predictions at once."""
    params = [(True, account.id, i) for i in dict.fromkeys(ids)]
    if params:
        d = dialect(conn)
        m = d.mark
        blank = _BLANKED[table].format(j="'[]'" + ("::json" if d.name == "postgresql" else ""))
        conn.exec_driver_sql(
            f'UPDATE {table} SET "deleted" = {m}, {blank} WHERE "account_id" = {m} AND "id" = {m}', params
        )
        cache, key = _PREDICTIONS[table]
        conn.exec_driver_sql(
            f'DELETE FROM {cache} WHERE "{key}" IN (SELECT "id" FROM {table} WHERE "account_id" = {m} AND "id" = {m})',
            [p[1:] for p in params],
        )


def mark_vanished(conn: Connection, account: Account, kind: str, listed: Mapping[str, Collection[str]]) -> list[str]:
    """Mark deleted this account's ``kind`` interactions under each listed parent that its listing lacks.

    ``listed`` maps a parent post to *every* interaction of that kind still under it
    at the source; only parents listed completely may be passed. Returns the ids marked.
    """
    if not listed:
        return []
    m = dialect(conn).mark
    parents = list(listed)
    still = {parent: set(ids) for parent, ids in listed.items()}
    gone: list[str] = []
    for start in range(0, len(parents), 500):
        chunk = parents[start : start + 500]
        sql = (f'SELECT "id", "parent_id" FROM interactions WHERE "account_id" = {m} AND "kind" = {m} '
               f'AND "deleted" = {m} AND "parent_id" IN ({", ".join([m] * len(chunk))})')
        for uri, parent in conn.exec_driver_sql(sql, (account.id, kind, False, *chunk)):
            if uri not in still[parent]:
                gone.append(uri)
    mark_deleted(conn, "interactions", account, gone)
    return gone


def set_checked(conn: Connection, column: str, checked: Mapping[str, int]) -> None:
    """Remember the count a post's replies/quotes were last fetched at (``thread_checked_replies``, ``quotes_checked``)."""
    if checked:
        m = dialect(conn).mark
        conn.exec_driver_sql(f'UPDATE posts SET "{column}" = {m} WHERE "id" = {m}',
                             [(count, uri) for uri, count in checked.items()])


def put_state(conn: Connection, account_id: int, state: Mapping[str, str | None], now: datetime) -> None:
    d = dialect(conn)
    when = d.time(now)
    conn.exec_driver_sql(
        f'INSERT INTO collection_state ("account_id", "key", "value", "updated_at") VALUES ({d.marks(4)}) '
        'ON CONFLICT ("account_id", "key") DO UPDATE SET "value" = excluded."value", "updated_at" = excluded."updated_at"',
        [(account_id, k, v, when) for k, v in state.items()],
    )
