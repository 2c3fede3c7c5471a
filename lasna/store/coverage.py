"""SQL behind the coverage ledger (:mod:`lasna.coverage`, ``coaching.coverage``): reply losses the
collectors report, the own posts whose coverage changed (``coverage_dirty``), and the coverage facts
per leader × account × ISO week (``leader_week_coverage``).

Functions take a connection; :class:`lasna.store.Store` exposes them as methods (:class:`CoverageMixin`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime

import pandas as pd
from sqlalchemy import case, delete, func, insert, or_, select, tuple_
from sqlalchemy.engine import Connection, Engine

from lasna.store import dialect
from lasna.store import schema as t
from lasna.store.facts import fingerprint, get_state, merged_ranges, put_state, seen_in

CHUNK = 500
STATE_KEY = "coverage"


def _chunks(values: Sequence, n: int = CHUNK):
    values = list(values)
    for i in range(0, len(values), n):
        yield values[i:i + n]


def _insert_ignore(conn: Connection, table):
    return dialect.insert(conn, table).on_conflict_do_nothing()


def mark_dirty(conn: Connection, leader_id: int, post_ids: Iterable[str | None]) -> None:
    """Remember that the coverage of these posts (if they are the leader's own) may have changed."""
    ids = sorted({i[:500] for i in post_ids if isinstance(i, str) and i})
    for part in _chunks(ids, 1000):
        conn.execute(_insert_ignore(conn, t.coverage_dirty), [{"post_id": i, "leader_id": leader_id} for i in part])


def save_losses(conn: Connection, leader_id: int, account_id: int, losses: Mapping[str, Mapping[str, int]],
                now: datetime) -> None:
    """Replace the reported losses of each post in ``losses`` (post id -> reason -> count): the reasons
    named replace the stored ones (a 0 clears one); reasons not named are left as they were (a thread
    fetch names the gap reasons, a quotes fetch ``detached``)."""
    if not losses:
        return
    posts = sorted(losses)
    c = t.reply_losses.c
    for post in posts:
        if losses[post]:
            conn.execute(delete(t.reply_losses).where(c.post_id == post[:500], c.account_id == account_id,
                                                      c.reason.in_(sorted(losses[post]))))
    rows = [{"post_id": p[:500], "reason": r, "n": int(n), "leader_id": leader_id, "account_id": account_id,
             "observed_at": now} for p in posts for r, n in sorted(losses[p].items()) if int(n) > 0]
    for part in _chunks(rows, 1000):
        conn.execute(insert(t.reply_losses), part)
    mark_dirty(conn, leader_id, posts)


def after_batch(conn: Connection, leader_id: int, *, posts: Sequence, interactions: Sequence,
                deleted_post_ids: Sequence[str], reply_listings: Mapping[str, Collection[str]] | None) -> None:
    """Mark the posts whose reply count or collected replies a stored batch may have changed."""
    ids: list[str | None] = []
    for p in posts:
        if not p.is_repost:
            ids += [p.id, p.reply_parent_id]
    ids += [i.parent_id for i in interactions]
    ids += list(deleted_post_ids) + list(reply_listings or {})
    mark_dirty(conn, leader_id, ids)


def threads_query(*where):
    """Per own post (not reposts, not deleted): what ``coaching.coverage.THREAD_COLUMNS`` lists."""
    from coaching.coverage import REPLY_KINDS

    p, i = t.posts, t.interactions
    q = t.posts.alias("own_reply")

    def n_incoming(*extra):
        return (select(func.count()).select_from(i)
                .where(i.c.parent_id == p.c.id, i.c.kind.in_(REPLY_KINDS), *extra).scalar_subquery())

    own = select(func.count()).select_from(q).where(q.c.reply_parent_id == p.c.id).scalar_subquery()
    return select(
        p.c.id.label("post_id"), p.c.leader_id, p.c.account_id, p.c.platform, p.c.created_at,
        p.c.indexed_at.label("seen_at"), p.c.reply_count, p.c.hidden_replies,
        n_incoming().label("replies_collected"), n_incoming(i.c.hidden.is_(True)).label("hidden_collected"),
        n_incoming(i.c.deleted.is_(True)).label("deleted_collected"), own.label("own_replies"),
    ).where(p.c.is_repost.is_(False), p.c.deleted.is_(False), *where)


def all_threads_query():
    """:func:`threads_query` for every own post at once: the counts from two grouped passes joined to the
    posts (one scan each, instead of four index probes per post)."""
    from coaching.coverage import REPLY_KINDS

    p, i = t.posts, t.interactions
    q = t.posts.alias("own_reply")
    incoming = select(i.c.parent_id.label("pid"), func.count().label("n"),
                      func.sum(case((i.c.hidden.is_(True), 1), else_=0)).label("hidden"),
                      func.sum(case((i.c.deleted.is_(True), 1), else_=0)).label("deleted")).where(
        i.c.kind.in_(REPLY_KINDS), i.c.parent_id.is_not(None)).group_by(i.c.parent_id).subquery("incoming")
    own = select(q.c.reply_parent_id.label("pid"), func.count().label("n")).where(
        q.c.reply_parent_id.is_not(None)).group_by(q.c.reply_parent_id).subquery("own")
    zero = lambda col: func.coalesce(col, 0)  # noqa: E731
    return select(
        p.c.id.label("post_id"), p.c.leader_id, p.c.account_id, p.c.platform, p.c.created_at,
        p.c.indexed_at.label("seen_at"), p.c.reply_count, p.c.hidden_replies,
        zero(incoming.c.n).label("replies_collected"), zero(incoming.c.hidden).label("hidden_collected"),
        zero(incoming.c.deleted).label("deleted_collected"), zero(own.c.n).label("own_replies"),
    ).select_from(p.outerjoin(incoming, incoming.c.pid == p.c.id).outerjoin(own, own.c.pid == p.c.id)).where(
        p.c.is_repost.is_(False), p.c.deleted.is_(False))


def thread_frame(conn: Connection, query) -> pd.DataFrame:
    from coaching.coverage import THREAD_COLUMNS

    result = conn.execute(query)
    keys = list(result.keys())
    rows = [tuple(r) for r in result.all()]  # plain tuples: pandas probes Row objects one by one
    frame = pd.DataFrame.from_records(rows, columns=keys).reindex(columns=list(THREAD_COLUMNS))
    if len(frame):
        frame["created_at"] = pd.to_datetime(frame["created_at"], utc=True)
        frame["seen_at"] = pd.to_datetime(frame["seen_at"], utc=True)
    return frame


def post_times(conn: Connection, post_ids: Iterable[str]) -> pd.DataFrame:
    """leader_id, created_at, seen_at of these posts in any state (a post deleted since still names the
    week whose coverage must be recomputed without it)."""
    p = t.posts.c
    rows: list = []
    for part in _chunks(sorted(set(post_ids))):
        rows += [tuple(r) for r in conn.execute(select(p.leader_id, p.created_at, p.indexed_at).where(p.id.in_(part)))]
    frame = pd.DataFrame.from_records(rows, columns=["leader_id", "created_at", "seen_at"])
    for col in ("created_at", "seen_at"):
        frame[col] = pd.to_datetime(frame[col], utc=True)
    return frame


def threads_in_ranges(conn: Connection, ranges: Sequence[tuple[int, datetime, datetime]]) -> pd.DataFrame:
    """Per-post coverage input of each leader's own posts seen (``indexed_at``, else ``created_at``)
    in [since, until) of each (leader_id, since, until) range."""
    p = t.posts.c
    parts = []
    for part in _chunks(merged_ranges(ranges), 100):  # index ranges, not the leaders' whole history
        parts.append(thread_frame(conn, threads_query(or_(*[seen_in(t.posts, *r) for r in part]))))
    parts = [f for f in parts if len(f)]
    return pd.concat(parts, ignore_index=True) if parts else thread_frame(conn, threads_query(p.id.is_(None)))


def losses(conn: Connection, post_ids: Iterable[str] | None = None) -> pd.DataFrame:
    """post_id, reason, n of the reported losses (of ``post_ids``, or all)."""
    c = t.reply_losses.c
    out: list = []
    if post_ids is None:
        out += conn.execute(select(c.post_id, c.reason, c.n)).all()
    else:
        for part in _chunks(sorted(set(post_ids))):
            out += conn.execute(select(c.post_id, c.reason, c.n).where(c.post_id.in_(part))).all()
    return pd.DataFrame(out, columns=["post_id", "reason", "n"])


def dirty(conn: Connection) -> list[str]:
    return list(conn.execute(select(t.coverage_dirty.c.post_id)).scalars())


def _records(rows: pd.DataFrame, now: datetime) -> list[dict]:
    recs = []
    for r in rows.to_dict("records"):
        rec = {k: (int(v) if k not in ("platform", "week_start") else v) for k, v in r.items()}
        rec["week_start"] = pd.Timestamp(r["week_start"]).date()
        rec["updated_at"] = now
        recs.append(rec)
    return recs


def replace_weeks(conn: Connection, keys: Iterable[tuple[int, date]], rows: pd.DataFrame,
                  consumed: Iterable[str]) -> None:
    """Delete the coverage facts of the (leader_id, week_start) ``keys``, insert ``rows`` and forget
    the ``consumed`` dirty marks."""
    c = t.leader_week_coverage.c
    for part in _chunks(sorted(set(keys)), 300):
        conn.execute(delete(t.leader_week_coverage).where(tuple_(c.leader_id, c.week_start).in_(part)))
    recs = _records(rows, datetime.now(UTC))
    for part in _chunks(recs, 1000):
        conn.execute(insert(t.leader_week_coverage), part)
    for part in _chunks(sorted(set(consumed))):
        conn.execute(delete(t.coverage_dirty).where(t.coverage_dirty.c.post_id.in_(part)))


def week_rows(conn: Connection, leader_ids: Sequence[int] | None, first: date | None, last: date | None) -> pd.DataFrame:
    c = t.leader_week_coverage.c
    cols = [col for col in t.leader_week_coverage.c if col.name != "updated_at"]
    q = select(*cols)
    if leader_ids is not None:
        q = q.where(c.leader_id.in_(sorted(set(int(i) for i in leader_ids))))
    if first is not None:
        q = q.where(c.week_start >= first)
    if last is not None:
        q = q.where(c.week_start <= last)
    result = conn.execute(q.order_by(c.leader_id, c.account_id, c.week_start))
    return pd.DataFrame(result.all(), columns=list(result.keys()))


class CoverageMixin:
    """The coverage ledger's store methods (mixed into :class:`lasna.store.Store`)."""

    engine: Engine

    def coverage_losses(self, post_ids: Iterable[str] | None = None) -> pd.DataFrame:
        with self.engine.connect() as conn:
            return losses(conn, post_ids)

    def coverage_dirty_posts(self) -> list[str]:
        with self.engine.connect() as conn:
            return dirty(conn)

    def coverage_post_times(self, post_ids: Iterable[str]) -> pd.DataFrame:
        with self.engine.connect() as conn:
            return post_times(conn, post_ids)

    def coverage_threads_in_ranges(self, ranges) -> pd.DataFrame:
        with self.engine.connect() as conn:
            return threads_in_ranges(conn, ranges)

    def coverage_all_threads(self) -> pd.DataFrame:
        with self.engine.connect() as conn:
            return thread_frame(conn, all_threads_query())

    def save_coverage_weeks(self, keys, rows: pd.DataFrame, consumed: Iterable[str], *, clear: bool = False,
                            version: str = "") -> None:
        """Replace the coverage facts of ``keys`` (every row when ``clear``) in one transaction and record
        the source fingerprint they were computed for."""
        with self.engine.begin() as conn:
            if clear:
                conn.execute(delete(t.leader_week_coverage))
            replace_weeks(conn, [] if clear else keys, rows, consumed)
            put_state(conn, STATE_KEY, f"{fingerprint(conn)}|{version}")

    def coverage_source(self) -> tuple[str, str | None]:
        """(the source tables' fingerprint now, the one the coverage facts were last written for)."""
        with self.engine.connect() as conn:
            return fingerprint(conn), get_state(conn, STATE_KEY)

    def coverage_weeks(self, leader_ids: Sequence[int] | None = None, first: date | None = None,
                       last: date | None = None) -> pd.DataFrame:
        """Stored coverage facts (``coaching.coverage.WEEK_COLUMNS``) of weeks ``first``..``last``."""
        with self.engine.connect() as conn:
            return week_rows(conn, leader_ids, first, last)
