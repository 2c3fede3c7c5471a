"""What a removal (retention, ``lasna erase``, ``leaders remove --forget``) changed in the rows behind the
weekly facts and the coverage ledger, recorded inside the removing transaction so that
:func:`lasna.pipeline.after_removal` can refresh only those (leader, week) pairs instead of rebuilding.

The store's removal methods fill a :class:`Removal` when given one: the posts and interactions they
delete or rewrite (their leader, times and link ids, before and after a rewrite), the (leader, account)
first-contact pairs of removed own replies, the forgotten leaders, and the facts' state before the
removal (an incremental refresh is only right when the facts were current before it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from lasna.store import coverage as _coverage
from lasna.store import schema as t
from lasna.store.facts import fingerprint, get_state

#: the columns recorded per row, as the facts frames name them (``lasna.frames``)
POST_LINKS = {"id": "post_id", "reply_parent_id": "reply_parent_id", "reply_root_id": "reply_root_id"}
INTER_LINKS = {"id": "interaction_id", "parent_id": "parent_id", "root_id": "root_id"}


@dataclass
class Removal:
    posts: list[dict] = field(default_factory=list)
    interactions: list[dict] = field(default_factory=list)
    contact_pairs: set[tuple[int, str]] = field(default_factory=set)
    forgotten: set[int] = field(default_factory=set)
    source_before: str | None = None  # the source fingerprint before the removal
    facts_state: str | None = None  # the facts' recorded state before it
    coverage_state: str | None = None

    def begin(self, conn: Connection) -> None:
        """Record the facts' state before anything is removed (call first in the transaction)."""
        if self.source_before is None:
            self.source_before = fingerprint(conn)
            self.facts_state = get_state(conn, "source")
            self.coverage_state = get_state(conn, _coverage.STATE_KEY)

    def record(self, conn: Connection, table, where) -> None:
        """Record the rows of ``table`` (posts or interactions) matching ``where``, before they go."""
        if table is t.posts:
            c = t.posts.c
            cols = [c.leader_id, c.created_at, c.indexed_at, c.id, c.reply_parent_id, c.reply_root_id,
                    c.reply_parent_author_id, c.author_id]
        else:
            c = t.interactions.c
            cols = [c.leader_id, c.created_at, c.indexed_at, c.id, c.parent_id, c.root_id]
        for row in conn.execute(select(*cols).where(where)).mappings():
            self.row(conn, table, dict(row))

    def row(self, conn: Connection, table, row: dict[str, Any]) -> None:
        """Record one row (a mapping of its columns) that is deleted or rewritten; marks the own posts
        whose coverage it may change (itself, the post it answers) for the coverage refresh."""
        if table is t.posts:
            links, out = POST_LINKS, self.posts
        elif table is t.interactions:
            links, out = INTER_LINKS, self.interactions
        else:
            return
        rec = {"leader_id": row["leader_id"], "created_at": row["created_at"], "indexed_at": row["indexed_at"]}
        rec.update({name: row.get(col) for col, name in links.items()})
        out.append(rec)
        if table is t.posts:
            author, parent_author = row.get("author_id"), row.get("reply_parent_author_id")
            if isinstance(parent_author, str) and parent_author != author:
                self.contact_pairs.add((int(row["leader_id"]), parent_author))
        parent = rec.get("reply_parent_id") if table is t.posts else rec.get("parent_id")
        own = rec.get("post_id")
        _coverage.mark_dirty(conn, int(row["leader_id"]), [parent, own])
