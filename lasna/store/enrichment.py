"""Stored enrichment (tables ``post_enrichment`` and ``interaction_enrichment``): the SQL side.

:mod:`lasna.enrich` decides *what* to compute; this module finds what is pending, reads the rows to
enrich, writes results in bulk and reads posts/interactions joined with their enrichment for scoring.

Consistency with concurrent collectors (several processes, several hosts):

* ``Store.save_batch`` calls :func:`invalidate` in the batch's own transaction: the enrichment of a post
  or interaction whose content changed is deleted, and so is the answer link of every interaction a new or
  changed post replies to (and of those a deleted post had answered). A missing row is pending, so
  ``lasna enrich`` always catches up, whatever died when. The new rows and those whose enrichment it
  deleted also go into the enrichment queue (``post_enrichment_queue``, ``interaction_enrichment_queue``),
  so the enrichment after a batch reads what the batch made pending without scanning any history; the
  queue entry of a row goes in the transaction that writes the row's enrichment.
* ``account_languages`` counts each account's enriched posts per detected language, long and short ones
  apart (the short ones take the account's majority language): every transaction that writes or deletes
  post enrichment adjusts it (:func:`count_languages`), so it always equals a count over the stored rows.
* :func:`write_chunk` writes inside a transaction that excludes batch writes of the same leaders (on
  PostgreSQL a per-leader advisory transaction lock, exclusive here and shared in ``save_batch``; on SQLite
  the single-writer lock, taken first), re-reads the source rows and drops results whose source changed
  since it was read, and computes answer links from the posts visible under that lock. Two enrichers on
  the same rows write the same values (idempotent upserts), so they never corrupt each other.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
import json
from typing import Any

import pandas as pd
from sqlalchemy import JSON, Boolean, bindparam, func, or_, select, text, type_coerce
from sqlalchemy.types import NullType
from sqlalchemy.engine import Connection, Engine

from lasna import frames
from lasna.store import bulk
from lasna.store import schema as t

#: pg_advisory_xact_lock(namespace, leader_id): batch writes take it shared, enrichment writes exclusive
LOCK_NAMESPACE = 0x1A5B

POST_FLAGS = ("emoji_only", "low_substance", "first_person_singular", "first_person_plural", "question", "crediting",
              "has_link", "results_marker", "is_reply", "reply_to_other", "self_thread", "is_root")
POST_VALUES = ("features_version", "lang_detected", "n_words", *POST_FLAGS, "post_type", "post_type_proba",
               "type_version", "enriched_at")
INTERACTION_VALUES = ("features_version", "emoji_only", "low_substance", "stance", "stance_proba", "stance_version",
                      "answered_by", "answered_at", "response_seconds", "link_version", "enriched_at")
#: source columns whose change makes a row's enrichment (or the facts of its week) stale
POST_CONTENT = ("text", "lang", "mentions", "links", "deleted", "replies_restricted", "quotes_disabled",
                "hidden_replies")
INTERACTION_CONTENT = ("text", "lang", "hidden", "deleted")

#: Posts with fewer words are *short* and take their account's majority language:
#: ``coaching.features.SHORT_WORDS`` (a test keeps the two equal; the store does not import the features)
LONG_MIN_WORDS = 3

_CHUNK_IN = 500  # ids per IN (...) list on SQLite
_TIME_COLUMNS = {c.name for table in (t.posts, t.interactions, t.post_enrichment, t.interaction_enrichment)
                 for c in table.c if isinstance(c.type, t.UTCDateTime)}
_BOOL_COLUMNS = {c.name for table in (t.posts, t.interactions, t.post_enrichment, t.interaction_enrichment)
                 for c in table.c if isinstance(c.type, Boolean)}


def _chunks(values: Sequence[Any], size: int = _CHUNK_IN) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


# ------------------------------------------------------------------ invalidation (inside save_batch)
def lock_leaders_shared(conn: Connection, leader_ids: Iterable[int]) -> None:
    """PostgreSQL: a batch write for these leaders waits for (and then excludes) their enrichment writes."""
    if conn.dialect.name == "postgresql":
        for leader_id in sorted(set(leader_ids)):
            conn.execute(text("SELECT pg_advisory_xact_lock_shared(:ns, :id)"), {"ns": LOCK_NAMESPACE, "id": leader_id})


def _delete_in(conn: Connection, table: str, column: str, ids: Iterable[str]) -> None:
    ids = list(dict.fromkeys(i for i in ids if i))
    if not ids:
        return
    d = bulk.dialect(conn)
    if d.name == "postgresql":
        conn.exec_driver_sql(f'DELETE FROM {table} WHERE "{column}" = ANY(%s)', (ids,))
        return
    for chunk in _chunks(ids):
        conn.exec_driver_sql(f'DELETE FROM {table} WHERE "{column}" IN ({d.marks(len(chunk))})', tuple(chunk))


def _select_in(conn: Connection, sql: str, ids: Sequence[str]) -> list[Any]:
    """Rows of ``sql`` (ending in ``WHERE <column>``) for the column in ``ids``, chunked on SQLite."""
    d = bulk.dialect(conn)
    if d.name == "postgresql":
        return list(conn.exec_driver_sql(f"{sql} = ANY(%s)", (list(ids),)))
    return [row for chunk in _chunks(list(ids)) for row in conn.exec_driver_sql(
        f"{sql} IN ({d.marks(len(chunk))})", tuple(chunk))]


def invalidate(
    conn: Connection,
    *,
    new_posts: Iterable[str] = (),
    changed_posts: Iterable[str] = (),
    new_interactions: Iterable[str] = (),
    changed_interactions: Iterable[str] = (),
    relink_interactions: Iterable[str] = (),
    deleted_posts: Iterable[str] = (),
) -> None:
    """Make the enrichment of these rows pending (delete it): posts/interactions whose content changed,
    interactions a new or changed post replies to, and those a deleted post had answered; queue them and
    the new rows for enrichment."""
    stale_posts = list(dict.fromkeys([*changed_posts, *deleted_posts]))
    unlinked = [r[0] for r in _select_in(conn, "SELECT interaction_id FROM interaction_enrichment WHERE answered_by",
                                         list(deleted_posts))] if deleted_posts else []
    stale_interactions = [*changed_interactions, *relink_interactions, *unlinked]
    count_languages(conn, stale_posts, -1)
    _delete_in(conn, "post_enrichment", "post_id", stale_posts)
    _delete_in(conn, "interaction_enrichment", "interaction_id", stale_interactions)
    enqueue(conn, "posts", [*new_posts, *stale_posts])
    enqueue(conn, "interactions", [*new_interactions, *stale_interactions])


#: table name -> (queue table, its key)
_QUEUES = {"posts": ("post_enrichment_queue", "post_id"), "interactions": ("interaction_enrichment_queue", "interaction_id")}


def enqueue(conn: Connection, table_name: str, ids: Iterable[str]) -> None:
    """Queue these stored posts or interactions for enrichment (under their own leader; ids not stored
    are left out, ids already queued stay)."""
    ids = list(dict.fromkeys(i for i in ids if i))
    if not ids:
        return
    queue, key = _QUEUES[table_name]
    d = bulk.dialect(conn)
    sql = f'INSERT INTO {queue} ("{key}", leader_id) SELECT id, leader_id FROM {table_name} WHERE id {{}} ON CONFLICT DO NOTHING'
    if d.name == "postgresql":
        conn.exec_driver_sql(sql.format("= ANY(%s)"), (ids,))
        return
    for chunk in _chunks(ids):
        conn.exec_driver_sql(sql.format(f"IN ({d.marks(len(chunk))})"), tuple(chunk))


def _dequeue(conn: Connection, table_name: str, ids: Sequence[str]) -> None:
    queue, key = _QUEUES[table_name]
    _delete_in(conn, queue, key, ids)


# ------------------------------------------------------------------ each account's languages
def _language_tally(posts_condition):
    """(leader_id, author_id, lang or "", short, n) of the enriched posts matching ``posts_condition``."""
    p, e = t.posts, t.post_enrichment
    lang = func.coalesce(e.c.lang_detected, "")
    short = e.c.n_words < LONG_MIN_WORDS
    return select(p.c.leader_id, p.c.author_id, lang, short, func.count()).select_from(
        p.join(e, e.c.post_id == p.c.id)).where(posts_condition).group_by(p.c.leader_id, p.c.author_id, lang, short)


def count_languages(conn: Connection, post_ids: Sequence[str] | None, sign: int, posts_condition=None) -> None:
    """Add (``sign`` +1) or take away (-1) the stored enrichment of these posts (or of the posts matching
    ``posts_condition``) in ``account_languages``: called right after writing and right before deleting
    post enrichment, in the same transaction."""
    rows: list[Any] = []
    if posts_condition is not None:
        rows = list(conn.execute(_language_tally(posts_condition)))
    elif post_ids:
        step = 5000 if conn.dialect.name == "postgresql" else _CHUNK_IN
        for chunk in _chunks(list(dict.fromkeys(post_ids)), step):
            rows += conn.execute(_language_tally(t.posts.c.id.in_(list(chunk)))).all()
    delta: dict[tuple[int, str, str, bool], int] = {}
    for leader_id, author, lang, short, n in rows:
        key = (int(leader_id), author, lang, bool(short))
        delta[key] = delta.get(key, 0) + sign * int(n)
    delta = {k: v for k, v in delta.items() if v}
    if not delta:
        return
    conn.exec_driver_sql(
        f"INSERT INTO account_languages (leader_id, author_id, lang, short, n) VALUES ({bulk.dialect(conn).marks(5)}) "
        "ON CONFLICT (leader_id, author_id, lang, short) DO UPDATE SET n = account_languages.n + excluded.n",
        [(*k, v) for k, v in sorted(delta.items())])  # one order: concurrent batches never deadlock
    a = t.account_languages.c
    conn.execute(t.account_languages.delete().where(a.leader_id.in_(sorted({k[0] for k in delta})), a.n == 0))


def account_languages(engine: Engine, authors: Sequence[tuple[int, str]]) -> pd.DataFrame:
    """leader_id, author_id, lang ("" = none), short, n of these (leader_id, author_id) accounts."""
    a = t.account_languages.c
    wanted = {(int(lid), author) for lid, author in authors}
    with engine.connect() as conn:
        rows = [r for r in conn.execute(select(a.leader_id, a.author_id, a.lang, a.short, a.n).where(
            a.leader_id.in_(sorted({lid for lid, _ in wanted})))) if (r[0], r[1]) in wanted]
    frame = pd.DataFrame(rows, columns=["leader_id", "author_id", "lang", "short", "n"])
    frame["short"] = frame["short"].astype(bool)
    return frame


# ------------------------------------------------------------------ what is pending
def _stale_posts(versions: Mapping[str, str]):
    e = t.post_enrichment
    return or_(e.c.post_id.is_(None), e.c.features_version != versions["features"],
               e.c.type_version != versions["post_type"])


def _stale_interactions(versions: Mapping[str, str]):
    e = t.interaction_enrichment
    return or_(e.c.interaction_id.is_(None), e.c.features_version != versions["features"],
               e.c.stance_version != versions["stance"], e.c.link_version != versions["link"])


def _posts_join():
    return t.posts.outerjoin(t.post_enrichment, t.post_enrichment.c.post_id == t.posts.c.id)


def _interactions_join():
    return t.interactions.outerjoin(t.interaction_enrichment,
                                    t.interaction_enrichment.c.interaction_id == t.interactions.c.id)


def _pending_where(q, table, leader_ids: Sequence[int] | None, queued: bool):
    """``q`` (over ``table`` joined with its enrichment) narrowed to the leaders' rows, or with ``queued``
    to the leaders' rows in the enrichment queue (found by the queue's leader index, not the history)."""
    if queued:
        queue = t.post_enrichment_queue if table is t.posts else t.interaction_enrichment_queue
        key = queue.c.post_id if table is t.posts else queue.c.interaction_id
        q = q.join(queue, key == table.c.id)
        return q if leader_ids is None else q.where(queue.c.leader_id.in_(list(leader_ids)))
    return q if leader_ids is None else q.where(table.c.leader_id.in_(list(leader_ids)))


def pending_counts(engine: Engine, versions: Mapping[str, str], leader_ids: Sequence[int] | None = None, *,
                   queued: bool = False) -> dict[int, tuple[int, int]]:
    """leader_id -> (pending posts, pending interactions); ``queued``: only those in the enrichment queue."""
    out: dict[int, list[int]] = {}
    with engine.connect() as conn:
        for k, (table, join, stale) in enumerate((
                (t.posts, _posts_join(), _stale_posts(versions)),
                (t.interactions, _interactions_join(), _stale_interactions(versions)))):
            q = _pending_where(select(table.c.leader_id, func.count()).select_from(join), table, leader_ids, queued)
            for leader_id, n in conn.execute(q.where(stale).group_by(table.c.leader_id)):
                out.setdefault(int(leader_id), [0, 0])[k] = int(n)
    return {k: (v[0], v[1]) for k, v in out.items()}


def _raw(column, label: str | None = None):
    """The column without SQLAlchemy's per-value result processing (times, JSON, booleans are converted
    per column in :func:`to_frame`, which is many times faster on hundreds of thousands of rows)."""
    if isinstance(column.type, (t.UTCDateTime, JSON, Boolean)):
        return type_coerce(column, NullType()).label(label or column.name)
    return column.label(label) if label else column


def frame_query(table, id_label: str, columns: Mapping[str, str]):
    """SELECT of ``table``'s ``columns`` (POST/INTERACTION_COLUMNS) read raw (:func:`to_frame` converts them)."""
    selected = [_raw(c) for c in table.c if c.name != "id" and c.name in columns]
    return select(table.c.id.label(id_label), t.leaders.c.name.label("leader"), *selected).join(
        t.leaders, t.leaders.c.id == table.c.leader_id)


def to_frame(result) -> pd.DataFrame:
    """Raw driver values → typed columns: times (SQLite text or naive datetimes) as UTC, JSON lists
    parsed (SQLite text; psycopg parses them already), 0/1 as booleans where the schema says so."""
    keys = list(result.keys())
    rows = result.fetchall()
    data = dict(zip(keys, map(list, zip(*rows)))) if rows else {k: [] for k in keys}
    frame = pd.DataFrame(data, columns=keys)
    for col in keys:
        name = col[2:] if col.startswith("e_") else col
        if name in _TIME_COLUMNS:
            frame[col] = pd.to_datetime(frame[col], utc=True, format="ISO8601")
        elif name in frames.LIST_COLUMNS:
            frame[col] = [[] if v is None or v == "[]" else json.loads(v) if isinstance(v, str) else v
                          for v in frame[col].tolist()]
        elif name in _BOOL_COLUMNS:
            values = frame[col]
            frame[col] = values.astype(bool) if values.notna().all() else values.map(
                lambda v: None if v is None or v != v else bool(v))
    return frame


def pending_posts(engine: Engine, versions: Mapping[str, str], leader_ids: Sequence[int], *,
                  queued: bool = False) -> pd.DataFrame:
    """The leaders' posts (deleted ones too) whose enrichment is missing or stale, as POST_COLUMNS
    (``queued``: only those in the enrichment queue)."""
    q = frame_query(t.posts, "post_id", frames.POST_COLUMNS).outerjoin(
        t.post_enrichment, t.post_enrichment.c.post_id == t.posts.c.id)
    q = _pending_where(q, t.posts, leader_ids, queued).where(_stale_posts(versions)).order_by(
        t.posts.c.created_at, t.posts.c.id)  # deterministic: an account's majority language breaks ties by order
    return _read(engine, q, frames.POST_COLUMNS)


def pending_interactions(engine: Engine, versions: Mapping[str, str], leader_ids: Sequence[int], *,
                         queued: bool = False) -> pd.DataFrame:
    q = frame_query(t.interactions, "interaction_id", frames.INTERACTION_COLUMNS).outerjoin(
        t.interaction_enrichment, t.interaction_enrichment.c.interaction_id == t.interactions.c.id)
    q = _pending_where(q, t.interactions, leader_ids, queued).where(_stale_interactions(versions)).order_by(
        t.interactions.c.created_at, t.interactions.c.id)
    return _read(engine, q, frames.INTERACTION_COLUMNS)


def _read(engine_or_conn, query, columns) -> pd.DataFrame:
    if isinstance(engine_or_conn, Engine):
        with engine_or_conn.connect() as conn:
            return _read(conn, query, columns)
    return frames.conform(to_frame(engine_or_conn.execute(query)), columns)


def short_posts_to_relabel(engine: Engine, majority: Mapping[tuple[int, str], str]) -> list[str]:
    """Ids of the (leader_id, author_id) accounts' enriched short posts whose stored language is not the
    account's majority."""
    p, e = t.posts, t.post_enrichment
    out: list[str] = []
    with engine.connect() as conn:
        for (leader_id, author), lang in majority.items():
            out += conn.execute(select(p.c.id).select_from(p.join(e, e.c.post_id == p.c.id)).where(
                p.c.leader_id == leader_id, p.c.author_id == author, e.c.n_words < LONG_MIN_WORDS,
                or_(e.c.lang_detected.is_(None), e.c.lang_detected != lang))).scalars().all()
    return out


def posts_by_id(engine: Engine, ids: Sequence[str]) -> pd.DataFrame:
    parts = [_read(engine, frame_query(t.posts, "post_id", frames.POST_COLUMNS).where(t.posts.c.id.in_(list(c))),
                   frames.POST_COLUMNS) for c in _chunks(list(ids))]
    return pd.concat(parts, ignore_index=True) if parts else frames.empty_posts()


def example_long_posts(engine: Engine, author_lang: Mapping[tuple[int, str], str]) -> pd.DataFrame:
    """One enriched post per (leader_id, author_id) account with at least ``LONG_MIN_WORDS`` words in the given
    language (context rows)."""
    p, e = t.posts, t.post_enrichment
    ids: list[str] = []
    with engine.connect() as conn:
        for (leader_id, author), lang in author_lang.items():
            found = conn.execute(select(p.c.id).select_from(p.join(e, e.c.post_id == p.c.id)).where(
                p.c.leader_id == leader_id, p.c.author_id == author, e.c.n_words >= LONG_MIN_WORDS,
                e.c.lang_detected == lang).order_by(p.c.id).limit(1)).scalar()
            if found is not None:
                ids.append(found)
    return posts_by_id(engine, ids)


# ------------------------------------------------------------------ writing one chunk
def _content_select(table, ids: Sequence[str]):
    cols = POST_CONTENT if table is t.posts else INTERACTION_CONTENT
    return select(table.c.id, *(_raw(table.c[c]) for c in cols)).where(table.c.id.in_(list(ids)))


def fingerprints(conn_or_engine, table_name: str, ids: Sequence[str]) -> dict[str, tuple]:
    """id -> content tuple as read through SQLAlchemy (compared before and after computing)."""
    table = t.posts if table_name == "posts" else t.interactions
    if isinstance(conn_or_engine, Engine):
        with conn_or_engine.connect() as conn:
            return fingerprints(conn, table_name, ids)
    out: dict[str, tuple] = {}
    for chunk in _chunks(list(ids)):
        cols = POST_CONTENT if table is t.posts else INTERACTION_CONTENT
        out.update((r[0], _hashable(r[1:], cols)) for r in conn_or_engine.execute(_content_select(table, chunk)))
    return out


def fingerprint_frame(frame: pd.DataFrame, table_name: str) -> dict[str, tuple]:
    """The same content tuples as :func:`fingerprints`, from rows read as frames (POST/INTERACTION_COLUMNS)."""
    if frame is None or not len(frame):
        return {}
    key = "post_id" if table_name == "posts" else "interaction_id"
    cols = POST_CONTENT if table_name == "posts" else INTERACTION_CONTENT
    values = [frame[c].astype(object).tolist() for c in cols]
    return {i: _hashable(row, cols) for i, *row in zip(frame[key].tolist(), *values)}


def _hashable(values, cols) -> tuple:
    """One comparable form for values read raw (JSON text, 0/1) or typed (lists, booleans, numpy ints)."""
    out = []
    for v, c in zip(values, cols):
        if isinstance(v, float) and v != v:  # NaN: pandas' missing value in an object column
            v = None
        if v is None or isinstance(v, str) and c not in frames.LIST_COLUMNS:
            pass
        elif c in frames.LIST_COLUMNS:
            v = () if not v or v == "[]" else tuple(json.loads(v) if isinstance(v, str) else v)
        else:
            v = int(v)  # booleans and counts alike
        out.append(v)
    return tuple(out)


def answer_candidates(conn: Connection, interaction_ids: Sequence[str]) -> pd.DataFrame:
    """Live own replies (not reposts, not deleted) whose parent is one of ``interaction_ids``."""
    p = t.posts
    rows: list[Any] = []
    for chunk in _chunks(list(interaction_ids)):
        rows += conn.execute(
            select(p.c.id.label("post_id"), p.c.leader_id, p.c.reply_parent_id, p.c.indexed_at, p.c.created_at,
                   p.c.is_repost, p.c.deleted)
            .where(p.c.reply_parent_id.in_(list(chunk)), p.c.is_repost.is_(False), p.c.deleted.is_(False))
            .order_by(p.c.indexed_at, p.c.id)).all()
    frame = pd.DataFrame(rows, columns=["post_id", "leader_id", "reply_parent_id", "indexed_at", "created_at",
                                        "is_repost", "deleted"])
    for col in ("indexed_at", "created_at"):
        frame[col] = pd.to_datetime(frame[col], utc=True)
    frame["indexed_at"] = frame["indexed_at"].fillna(frame["created_at"])
    return frame.sort_values(["indexed_at", "post_id"], kind="stable").reset_index(drop=True)


def _upsert_sql(d: bulk.Dialect, table: str, key: str, columns: Sequence[str]) -> str:
    cols = ", ".join(f'"{c}"' for c in (key, *columns))
    updates = ", ".join(f'"{c}" = excluded."{c}"' for c in columns)
    return f'INSERT INTO {table} ({cols}) VALUES ({d.marks(len(columns) + 1)}) ON CONFLICT ("{key}") DO UPDATE SET {updates}'


def _rows(frame: pd.DataFrame, key: str, columns: Sequence[str], d: bulk.Dialect) -> list[tuple]:
    """Plain tuples (no per-value type processors), converted per column: None for missing, times as the
    lean write path stores them (naive UTC), Python scalars."""
    cols = [frame[key].astype(object).tolist()]
    for c in columns:
        s = frame[c]
        if pd.api.types.is_datetime64_any_dtype(s) or (s.dtype == object and len(s) and isinstance(
                s.dropna().iloc[0] if s.notna().any() else None, datetime)):
            utc = pd.to_datetime(s, utc=True).dt.tz_convert(None)
            if d.name == "sqlite":
                text_ = utc.dt.strftime("%Y-%m-%d %H:%M:%S.%f")
                values = text_.astype(object).where(utc.notna(), None).tolist()
            else:
                values = [None if v is pd.NaT else v for v in utc.dt.to_pydatetime().tolist()]
        elif s.dtype == bool or s.dtype.kind in "iu":
            values = s.tolist()
        elif s.dtype.kind == "f":
            values = s.astype(object).where(s.notna(), None).tolist()
        else:
            values = s.astype(object).where(s.notna(), None).tolist()
        cols.append(values)
    return list(zip(*cols))


def write_chunk(
    engine: Engine,
    leader_ids: Sequence[int],
    posts: pd.DataFrame,
    post_seen: Mapping[str, tuple],
    interactions: pd.DataFrame,
    interaction_seen: Mapping[str, tuple],
    link: Callable[[pd.DataFrame, pd.DataFrame], pd.DataFrame],
) -> tuple[list[str], list[str]]:
    """Write one chunk's results in one transaction; returns the post and interaction ids written.

    ``posts``: post_id + :data:`POST_VALUES`; ``interactions``: interaction_id + the values except the
    answer-link columns, which ``link(interactions, candidates)`` fills here, under the lock, from the posts
    visible now. Rows whose source content differs from ``*_seen`` (changed meanwhile) are left pending.
    """
    with engine.begin() as conn:
        d = bulk.dialect(conn)
        if d.name == "postgresql":
            for leader_id in sorted(set(int(i) for i in leader_ids)):
                conn.execute(text("SELECT pg_advisory_xact_lock(:ns, :id)"), {"ns": LOCK_NAMESPACE, "id": leader_id})
        else:  # take SQLite's write lock before reading, so what we verify is what we write against
            conn.exec_driver_sql("DELETE FROM post_enrichment WHERE 0")
        if len(posts):
            now = fingerprints(conn, "posts", posts["post_id"].tolist())
            posts = posts[[now.get(i) == post_seen.get(i) for i in posts["post_id"]]]
            if len(posts):
                ids = posts["post_id"].tolist()
                count_languages(conn, ids, -1)  # what the rows held before (a stale version, a relabel)
                conn.exec_driver_sql(_upsert_sql(d, "post_enrichment", "post_id", POST_VALUES),
                                     _rows(posts, "post_id", POST_VALUES, d))
                count_languages(conn, ids, +1)
                _dequeue(conn, "posts", ids)
        if len(interactions):
            now = fingerprints(conn, "interactions", interactions["interaction_id"].tolist())
            interactions = interactions[[now.get(i) == interaction_seen.get(i)
                                         for i in interactions["interaction_id"]]]
            if len(interactions):
                linked = link(interactions, answer_candidates(conn, interactions["interaction_id"].tolist()))
                conn.exec_driver_sql(_upsert_sql(d, "interaction_enrichment", "interaction_id", INTERACTION_VALUES),
                                     _rows(linked, "interaction_id", INTERACTION_VALUES, d))
                _dequeue(conn, "interactions", interactions["interaction_id"].tolist())
    return list(posts["post_id"]) if len(posts) else [], \
        list(interactions["interaction_id"]) if len(interactions) else []


# ------------------------------------------------------------------ reading for scoring
_POST_READ = ("lang_detected", "n_words", *POST_FLAGS, "post_type", "post_type_proba", "features_version",
              "type_version")
_INTERACTION_READ = ("emoji_only", "low_substance", "stance", "stance_proba", "answered_by", "answered_at",
                     "response_seconds", "features_version", "stance_version", "link_version")


def _enriched(table, id_label, columns, etable, ekey, read_cols, leader_ids, since, until, include_deleted):
    selected = [c for c in table.c if c.name != "id" and c.name in columns]
    q = select(table.c.id.label(id_label), t.leaders.c.name.label("leader"), *(_raw(c) for c in selected),
               *(_raw(etable.c[c], f"e_{c}" if c in columns else c) for c in read_cols)).select_from(
        table.join(t.leaders, t.leaders.c.id == table.c.leader_id).outerjoin(etable, etable.c[ekey] == table.c.id))
    if leader_ids is not None:
        q = q.where(table.c.leader_id.in_(list(leader_ids)))
    if since is not None:
        q = q.where(table.c.created_at >= since)
    if until is not None:
        q = q.where(table.c.created_at < until)
    if not include_deleted:
        q = q.where(table.c.deleted.is_(False))
    return q


def enriched_posts(engine: Engine, leader_ids=None, *, since=None, until=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(posts as POST_COLUMNS, their enrichment row-aligned: post_id + the stored columns; NaN where missing)."""
    q = _enriched(t.posts, "post_id", frames.POST_COLUMNS, t.post_enrichment, "post_id", _POST_READ, leader_ids,
                  since, until, False)
    return _split(engine, q, frames.POST_COLUMNS, "post_id", _POST_READ)


def enriched_interactions(engine: Engine, leader_ids=None, *, since=None, until=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    q = _enriched(t.interactions, "interaction_id", frames.INTERACTION_COLUMNS, t.interaction_enrichment,
                  "interaction_id", _INTERACTION_READ, leader_ids, since, until, False)
    return _split(engine, q, frames.INTERACTION_COLUMNS, "interaction_id", _INTERACTION_READ)


def _split(engine, q, columns, key, read_cols) -> tuple[pd.DataFrame, pd.DataFrame]:
    with engine.connect() as conn:
        raw = to_frame(conn.execute(q))
    extra = raw[[c for c in raw.columns if c in read_cols or c.startswith("e_")]].rename(
        columns=lambda c: c[2:] if c.startswith("e_") else c)
    base = frames.conform(raw.drop(columns=[c for c in raw.columns if c in read_cols or c.startswith("e_")]),
                          columns)
    extra = extra.reset_index(drop=True)
    extra.insert(0, key, base[key].to_numpy())
    return base, extra


def by_ids(engine: Engine, post_ids: Sequence[str], interaction_ids: Sequence[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The stored enrichment of these posts and interactions (rows only where stored): post_id +
    stored post columns, interaction_id + stored interaction columns."""
    out = []
    for etable, key, ids, cols in ((t.post_enrichment, "post_id", post_ids, _POST_READ),
                                   (t.interaction_enrichment, "interaction_id", interaction_ids, _INTERACTION_READ)):
        parts = []
        query = select(etable.c[key], *(_raw(etable.c[c]) for c in cols)).where(
            etable.c[key].in_(bindparam("ids", expanding=True)))  # one statement, compiled once
        with engine.connect() as conn:
            for chunk in _chunks(list(dict.fromkeys(ids)), 5000 if engine.dialect.name == "postgresql" else 2000):
                parts.append(to_frame(conn.execute(query, {"ids": list(chunk)})))
        out.append(pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=[key, *cols]))
    return out[0], out[1]


def delete_for(conn: Connection, posts_condition, interactions_condition) -> int:
    """Delete the enrichment (and queue entries) of the posts and interactions matching the conditions
    (erasure, retention, forgetting a leader, removing an account), before those rows go."""
    count_languages(conn, None, -1, posts_condition)
    for queue, key, source, condition in (
            (t.post_enrichment_queue, "post_id", t.posts, posts_condition),
            (t.interaction_enrichment_queue, "interaction_id", t.interactions, interactions_condition)):
        conn.execute(queue.delete().where(queue.c[key].in_(select(source.c.id).where(condition))))
    n = 0
    for etable, key, source, condition in (
            (t.post_enrichment, "post_id", t.posts, posts_condition),
            (t.interaction_enrichment, "interaction_id", t.interactions, interactions_condition)):
        n += conn.execute(etable.delete().where(etable.c[key].in_(select(source.c.id).where(condition)))).rowcount
    return n



#: pg_try_advisory_lock(namespace, leader_id): which process enriches which leader right now
CLAIM_NAMESPACE = 0x1A5C
_CLAIM_ENGINES: dict[str, Engine] = {}


class EnrichmentMixin:
    """The stored enrichment's store methods (mixed into :class:`lasna.store.Store`): :mod:`lasna.enrich`
    decides what to compute and calls these for every read and write."""

    engine: Engine

    def enrichment_pending(self, versions: Mapping[str, str], leader_ids: Sequence[int] | None = None, *,
                           queued: bool = False) -> dict[int, tuple[int, int]]:
        """leader_id -> (posts, interactions) whose enrichment is missing or stale for ``versions``
        (``queued``: only those a batch queued, read without scanning the leaders' history)."""
        return pending_counts(self.engine, versions, leader_ids, queued=queued)

    def enrichment_pending_rows(self, versions: Mapping[str, str], leader_ids: Sequence[int], *,
                                queued: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The posts and interactions of ``leader_ids`` to enrich (missing or stale; ``queued``: queued)."""
        return (pending_posts(self.engine, versions, leader_ids, queued=queued),
                pending_interactions(self.engine, versions, leader_ids, queued=queued))

    def write_enrichment(self, leader_ids: Sequence[int], posts: pd.DataFrame, post_seen: Mapping[str, tuple],
                         interactions: pd.DataFrame, interaction_seen: Mapping[str, tuple],
                         link: Callable[[pd.DataFrame, pd.DataFrame], pd.DataFrame]) -> tuple[list[str], list[str]]:
        """:func:`write_chunk`: one chunk's results in one transaction; the ids written."""
        return write_chunk(self.engine, leader_ids, posts, post_seen, interactions, interaction_seen, link)

    def enrichment_account_languages(self, authors: Sequence[tuple[int, str]]) -> pd.DataFrame:
        """:func:`account_languages`: the stored language counts of these (leader_id, author_id) accounts."""
        return account_languages(self.engine, authors)

    def enrichment_short_posts_to_relabel(self, majority: Mapping[tuple[int, str], str]) -> list[str]:
        return short_posts_to_relabel(self.engine, majority)

    def enrichment_posts_by_id(self, ids: Sequence[str]) -> pd.DataFrame:
        return posts_by_id(self.engine, ids)

    def enrichment_example_long_posts(self, author_lang: Mapping[tuple[int, str], str]) -> pd.DataFrame:
        return example_long_posts(self.engine, author_lang)

    def enriched_rows(self, leader_ids=None, *, since=None, until=None):
        """(posts, their enrichment, interactions, their enrichment), row-aligned (:func:`enriched_posts`)."""
        posts, pe = enriched_posts(self.engine, leader_ids, since=since, until=until)
        inter, ie = enriched_interactions(self.engine, leader_ids, since=since, until=until)
        return posts, pe, inter, ie

    def enrichment_by_ids(self, post_ids: Sequence[str],
                          interaction_ids: Sequence[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
        return by_ids(self.engine, post_ids, interaction_ids)

    @contextlib.contextmanager
    def enrichment_claim(self, leader_ids: Sequence[int]) -> Iterator[list[int]]:
        """PostgreSQL: the leaders no other enricher is working on, held until the block ends (a session
        advisory lock the server drops if the process dies). SQLite: all of them. Claims hold a connection
        while a chunk is computed, so they use an engine of their own without a pool (many collector
        threads enriching at once must not starve the store's pool)."""
        ids = [int(i) for i in leader_ids]
        if self.engine.dialect.name != "postgresql":
            yield ids
            return
        from sqlalchemy import create_engine
        from sqlalchemy.pool import NullPool

        key = self.engine.url.render_as_string(hide_password=False)
        if key not in _CLAIM_ENGINES:
            _CLAIM_ENGINES[key] = create_engine(self.engine.url, poolclass=NullPool)
        with _CLAIM_ENGINES[key].connect() as conn:
            mine = [i for i in ids if conn.execute(
                text("SELECT pg_try_advisory_lock(:ns, :id)"), {"ns": CLAIM_NAMESPACE, "id": i}).scalar_one()]
            conn.commit()
            try:
                yield mine
            finally:
                for i in mine:
                    conn.execute(text("SELECT pg_advisory_unlock(:ns, :id)"), {"ns": CLAIM_NAMESPACE, "id": i})
                conn.commit()
