"""Erasing a person from every table: a third party on request, or a forgotten leader.

What an erasure does, in one transaction:

1. deletes every interaction (reply, mention, comment, quote) the person wrote, in every
   leader's threads, with its cached predictions;
2. replaces every remaining mention of the person's ids, handles, e-mail and full name in
   any other row of any table (a leader's reply pointing at their post, a mention list, the
   text of an answer, a run's error message) with a pseudonym that is the same for the same
   value within this erasure — so thread structure and distinct-author counts survive, but
   nothing points back to the person; rows whose primary key holds one of them are deleted;
3. remembers a SHA-256 of each id and handle in ``erased_authors`` so collectors never store
   the person again (:func:`suppressed`).

The pass in step 2 walks ``schema.metadata.sorted_tables``: a table added later is covered
without changes here. Identity tables (leaders, cohorts, accounts, users) and the audit log
are left to their own rules.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import JSON, String, Text, and_, delete, false, insert, or_, select, update
from sqlalchemy import cast as sa_cast
from sqlalchemy import func
from sqlalchemy.engine import Connection

from lasna.store import enrichment
from lasna.store import schema as t
from lasna.store.removal import Removal

#: tables the generic pass never rewrites (identity tables follow their own rules)
SKIP_TABLES = {"leaders", "cohorts", "accounts", "users", "audit_log", "erased_authors", "alembic_version"}
MIN_NEEDLE = 4  # shorter strings would match too much unrelated text


def id_hash(value: str) -> str:
    return hashlib.sha256(value.strip().lower().encode("utf-8", "surrogatepass")).hexdigest()


def handle_variants(handle: str) -> set[str]:
    bare = handle.strip().lstrip("@").lower()
    return {bare, "@" + bare} if bare else set()


def is_full_name(name: str | None) -> bool:
    """A display name is searched for in other people's text only when it is distinctive
    (two words or more, or a long single word): "Matti" alone would hit unrelated posts."""
    if not name:
        return False
    name = name.strip()
    return (" " in name and len(name) >= 5) or len(name) >= 8


def identities(conn: Connection, given: str) -> tuple[set[str], set[str], set[str]]:
    """(author ids, handles, names) stored for the author ``given`` (a stable id or a handle)."""
    given = given.strip()
    variants = handle_variants(given) | {given}
    lowered = {v.lower() for v in variants}
    i = t.interactions
    rows = conn.execute(
        select(i.c.author_id, i.c.author_handle, i.c.author_name)
        .where(or_(i.c.author_id.in_(variants), func.lower(i.c.author_handle).in_(lowered)))
        .distinct()
    ).all()
    ids = {r.author_id for r in rows}
    handles: set[str] = set()
    names: set[str] = set()
    for r in rows:
        if r.author_handle:
            handles |= handle_variants(r.author_handle)
        if r.author_name:
            names.add(r.author_name.strip())
    parent_authors = conn.execute(
        select(t.posts.c.reply_parent_author_id).where(t.posts.c.reply_parent_author_id.in_(variants)).distinct()
    ).scalars().all()
    ids |= set(parent_authors)
    if not given.startswith("@") and (":" in given or "/" in given):
        ids.add(given)  # a stable id (DID, account URI) given directly: erase and suppress it
    elif given:
        handles |= handle_variants(given)
    # a handle's own variants may appear as ids (JSONL imports use free-form author ids)
    return ids, handles, names


def erase(
    conn: Connection,
    *,
    ids: Iterable[str],
    handles: Iterable[str] = (),
    names: Iterable[str] = (),
    emails: Iterable[str] = (),
    extra_needles: Iterable[str] = (),
    suppress: bool = True,
    removal: Removal | None = None,
) -> dict[str, int]:
    """Delete everything by the person and pseudonymise everything about them (see module doc).
    ``removal`` records the posts and interactions deleted or rewritten (:mod:`lasna.store.removal`)."""
    ids = {x for x in ids if x}
    handles = {h.lower() for h in handles if h}
    counts: dict[str, int] = {}
    i = t.interactions
    authored = or_(i.c.author_id.in_(ids), func.lower(i.c.author_handle).in_(handles)) if (ids or handles) else None
    item_ids: list[str] = []
    if authored is not None:
        item_ids = list(conn.execute(select(i.c.id).where(authored)).scalars())
        if removal is not None:
            removal.record(conn, i, authored)
            if ids:
                removal.record(conn, t.posts, t.posts.c.author_id.in_(ids))
        # their enrichment, queue entries and language counts (lasna.store.enrichment) go first
        enrichment.delete_for(conn, t.posts.c.author_id.in_(ids) if ids else false(), authored)
        doomed = select(i.c.id).where(authored)
        counts["interaction_predictions"] = conn.execute(
            delete(t.interaction_predictions).where(t.interaction_predictions.c.interaction_id.in_(doomed))
        ).rowcount
        counts["interactions"] = conn.execute(delete(i).where(authored)).rowcount
        if ids:
            doomed_posts = select(t.posts.c.id).where(t.posts.c.author_id.in_(ids))
            counts["post_predictions"] = conn.execute(
                delete(t.post_predictions).where(t.post_predictions.c.post_id.in_(doomed_posts))
            ).rowcount
            counts["posts"] = conn.execute(delete(t.posts).where(t.posts.c.author_id.in_(ids))).rowcount
    needles = set(ids) | set(item_ids) | {h.lstrip("@") for h in handles} | {e.lower() for e in emails if e}
    needles |= {n for n in names if is_full_name(n)}
    needles |= {n for n in extra_needles if n}
    needles = {n for n in needles if len(n) >= MIN_NEEDLE}
    counts["pseudonymised"] = pseudonymise(conn, needles, removal)
    if suppress:
        hashes = {id_hash(x) for x in ids} | {id_hash(h.lstrip("@")) for h in handles}
        known = set(conn.execute(select(t.erased_authors.c.id_hash).where(t.erased_authors.c.id_hash.in_(hashes))).scalars())
        from lasna.store import now_utc

        fresh = [{"id_hash": h, "erased_at": now_utc()} for h in sorted(hashes - known)]
        if fresh:
            conn.execute(insert(t.erased_authors), fresh)
    return counts


def pseudonymise(conn: Connection, needles: set[str], removal: Removal | None = None) -> int:
    """Replace every needle in every text/JSON column of every (non-identity) table; delete rows
    whose primary key contains one. Returns the number of rows changed or deleted. ``removal``
    records the posts and interactions deleted or rewritten (a rewritten one before and after)."""
    if not needles:
        return 0
    salt = secrets.token_hex(8)
    ordered = sorted(needles, key=len, reverse=True)  # longest first: an id before the handle inside it
    # whole tokens only: "…/post/c7" must not hit "…/post/c70"
    pattern = _pattern(ordered)
    # in free text a plain word ("someone", a JSONL author id) counts only as an @mention:
    # "someone said" stays, "@someone" goes
    words = [n for n in ordered if _PLAIN_WORD.match(n) and not is_full_name(n)]
    prose = _pattern([n for n in ordered if n not in words], mention_only=words)
    # the SQL prefilter needs only needles no shorter needle is part of: every at:// URI of the
    # person's posts contains their DID, so the DID alone finds those rows (the regex then
    # replaces the longest match); this keeps an erasure to a few scans per table
    lowered = sorted({n.lower() for n in ordered}, key=len)
    prefilter: list[str] = []
    for n in lowered:
        if not any(m in n for m in prefilter):
            prefilter.append(n)
    mapping: dict[str, str] = {}

    def alias(match: re.Match) -> str:
        key = match.group(0).lower()
        if key not in mapping:
            mapping[key] = "erased:" + hashlib.sha256((salt + key).encode("utf-8", "surrogatepass")).hexdigest()[:12]
        return mapping[key]

    def rewrite(value: Any, pat: re.Pattern = pattern) -> Any:
        if isinstance(value, str):
            return pat.sub(alias, value)
        if isinstance(value, list):
            return [rewrite(v, pat) for v in value]
        if isinstance(value, dict):
            return {rewrite(k, pat): rewrite(v, pat) for k, v in value.items()}
        return value

    changed = 0
    for table in reversed(t.metadata.sorted_tables):  # children first, so a deleted parent has no children
        if table.name in SKIP_TABLES:
            continue
        columns = [c for c in table.c if isinstance(c.type, (String, Text, JSON)) or _is_text(c)]
        if not columns:
            continue
        pk = list(table.primary_key.columns)
        conditions = []
        for c in columns:
            target = sa_cast(c, Text) if isinstance(c.type, JSON) else c
            for n in prefilter:
                conditions.append(target.ilike(f"%{_escape_like(n)}%", escape="\\"))
        for start in range(0, len(conditions), 200):
            rows = conn.execute(select(table).where(or_(*conditions[start : start + 200]))).mappings().all()
            for row in rows:
                key = and_(*(col == row[col.name] for col in pk))
                if any(isinstance(row[c.name], str) and pattern.search(row[c.name]) for c in pk):
                    if removal is not None:
                        removal.row(conn, table, dict(row))
                    changed += conn.execute(delete(table).where(key)).rowcount
                    continue
                new = {c.name: rewrite(row[c.name], prose if c.name in FREE_TEXT else pattern)
                       for c in columns if c not in pk}
                new = {k: v for k, v in new.items() if v != row[k]}
                if new:
                    if removal is not None:
                        removal.row(conn, table, dict(row))
                        removal.row(conn, table, {**row, **new})
                    changed += conn.execute(update(table).where(key).values(**new)).rowcount
    return changed


_PLAIN_WORD = re.compile(r"^\w+$")
#: columns of prose, where a plain-word needle must be an @mention to count
FREE_TEXT = {"text", "notes", "description", "actions", "error"}


def _pattern(needles: Sequence[str], mention_only: Sequence[str] = ()) -> re.Pattern:
    parts = [re.escape(n) for n in needles] + [r"(?<=@)" + re.escape(n) for n in mention_only]
    if not parts:
        return re.compile(r"(?!x)x")  # matches nothing
    return re.compile(r"(?<![\w\-])(?:" + "|".join(parts) + r")(?![\w\-])", re.IGNORECASE)


def _is_text(column) -> bool:
    try:
        return column.type.python_type is str
    except (NotImplementedError, AttributeError):
        return False


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def suppressed(conn: Connection, interactions: Sequence[Any]) -> set[str]:
    """Ids of the interactions (about to be stored) whose author was erased on request."""
    if not interactions:
        return set()
    if conn.execute(select(t.erased_authors.c.id_hash).limit(1)).first() is None:
        return set()
    by_hash: dict[str, set[str]] = {}
    for item in interactions:
        for key in (item.author_id, (item.author_handle or "").lstrip("@")):
            if key:
                by_hash.setdefault(id_hash(key), set()).add(item.id)
    hits: set[str] = set()
    hashes = list(by_hash)
    for start in range(0, len(hashes), 500):
        for h in conn.execute(
            select(t.erased_authors.c.id_hash).where(t.erased_authors.c.id_hash.in_(hashes[start : start + 500]))
        ).scalars():
            hits |= by_hash[h]
    return hits


def lift(conn: Connection, values: Iterable[str]) -> None:
    """Stop suppressing these ids/handles (a forgotten leader is added again: consent anew)."""
    hashes = [id_hash(v.lstrip("@")) for v in values if v] + [id_hash(v) for v in values if v]
    if hashes:
        conn.execute(delete(t.erased_authors).where(t.erased_authors.c.id_hash.in_(hashes)))


def json_safe(value: Mapping[str, int]) -> str:
    return json.dumps(dict(value))
