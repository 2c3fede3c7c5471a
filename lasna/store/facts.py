"""SQL behind the facts (:mod:`lasna.facts`): week rows, first contacts, and the rows a week's facts
need (its own rows plus every row linked to them by a reply, root, thread or parent id).

Functions take an engine or connection; :class:`lasna.store.Store` exposes them as methods.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from sqlalchemy import and_, bindparam, delete, event, func, insert, or_, select, tuple_, type_coerce
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.types import NullType

from lasna import frames
from lasna.store import enrichment
from lasna.store import schema as t

if TYPE_CHECKING:
    from sqlalchemy.sql.elements import BindParameter

CHUNK = 500
LINK_CHUNK = 2000  # ids per linked-row lookup: three IN lists of this many (SQLite allows 32,766 parameters)
FACTS_LOCK_KEY = 0x4C41534E41  # "LASNA": the advisory lock of fact refreshes on PostgreSQL


def _chunks(values: Sequence, n: int = CHUNK):
    values = list(values)
    for i in range(0, len(values), n):
        yield values[i:i + n]


def _seen_at(table):
    return func.coalesce(table.c.indexed_at, table.c.created_at)


def _raw(expr, label: str):
    """``expr`` without SQLAlchemy's per-value result processing (converted per column by the caller)."""
    return type_coerce(expr, NullType()).label(label)


def _columns_frame(result) -> pd.DataFrame:
    """A result as a frame built column by column (not from Row objects one attribute at a time)."""
    keys = list(result.keys())
    rows = result.fetchall()
    columns = list(zip(*rows)) if rows else [() for _ in keys]
    return pd.DataFrame({k: list(v) for k, v in zip(keys, columns)}, columns=keys)


def _frame(conn: Connection, table, id_label: str, columns: dict, where, values: dict | None = None) -> pd.DataFrame:
    """Rows of ``table`` matching ``where`` (with parameter ``values``) as ``columns``, read raw and
    converted per column (the lean reader of :mod:`lasna.store.enrichment`; :func:`_concat` conforms them)."""
    return enrichment.to_frame(conn.execute(enrichment.frame_query(table, id_label, columns).where(where), values))


def merged_ranges(ranges: Iterable[tuple[int, datetime, datetime]]) -> list[tuple[int, datetime, datetime]]:
    """The ranges with adjacent or overlapping ones of the same leader joined (consecutive weeks)."""
    out: list[tuple[int, datetime, datetime]] = []
    for lid, a, b in sorted(ranges):
        if out and out[-1][0] == lid and a <= out[-1][2]:
            out[-1] = (lid, out[-1][1], max(b, out[-1][2]))
        else:
            out.append((lid, a, b))
    return out


def seen_in(table, lid: int, a: datetime, b: datetime):
    """The leader's rows seen in [a, b) (``indexed_at``, else ``created_at``), as two ranges of the
    (leader_id, indexed_at) and (leader_id, created_at) indexes (COALESCE would read the whole history)."""
    c = table.c
    return or_(and_(c.leader_id == lid, c.indexed_at >= a, c.indexed_at < b),
               and_(c.leader_id == lid, c.indexed_at.is_(None), c.created_at >= a, c.created_at < b))


def rows_in_ranges(conn: Connection, ranges: Iterable[tuple[int, datetime, datetime]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Posts and interactions (deleted ones included) of each (leader_id, since, until) range,
    by server-seen time (``indexed_at``, else ``created_at``) in [since, until)."""
    posts: list[pd.DataFrame] = []
    inter: list[pd.DataFrame] = []
    for part in _chunks(merged_ranges(ranges), 100):
        for table, id_label, columns, out in ((t.posts, "post_id", frames.POST_COLUMNS, posts),
                                              (t.interactions, "interaction_id", frames.INTERACTION_COLUMNS, inter)):
            out.append(_frame(conn, table, id_label, columns, or_(*[seen_in(table, *r) for r in part])))
    return _concat(posts, frames.POST_COLUMNS), _concat(inter, frames.INTERACTION_COLUMNS)


def linked_rows(conn: Connection, leader_ids: Sequence[int], ids: Iterable[str], have: Iterable[str] = (), *,
                seen_only: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rows of ``leader_ids`` linked to any of ``ids`` (as their own id, reply parent or root), and
    interactions of any leader whose id is in ``ids`` (a reply to another commenter's reply). Rows whose
    id is in ``have`` (read already) are not looked up by their own id. ``seen_only``: only their ids,
    leader and times (which weeks they lie in)."""
    post_cols, inter_cols = frames.POST_COLUMNS, frames.INTERACTION_COLUMNS
    if seen_only:
        post_cols, inter_cols = ({k: v for k, v in cols.items() if k in (key, "leader_id", "created_at", "indexed_at")}
                                 for cols, key in ((post_cols, "post_id"), (inter_cols, "interaction_id")))
    ids = sorted({i for i in ids if isinstance(i, str) and i})
    have = set(have)
    posts, inter = [], []
    lids = set(int(i) for i in leader_ids)
    p, i = t.posts.c, t.interactions.c
    # looked up by the id columns only (each has an index: the planner takes a multi-index OR); the
    # leader filter is applied to the few rows found, so the cost follows the linked rows, not the
    # leaders' whole history (a leader_id condition in SQL makes SQLite scan every row of the leaders).
    # One statement shape for every chunk (expanding parameters): compiled once.
    own: BindParameter[list[str]] = bindparam("own", expanding=True)
    linked: BindParameter[list[str]] = bindparam("linked", expanding=True)
    post_q = or_(p.id.in_(own), p.reply_parent_id.in_(linked), p.reply_root_id.in_(linked))
    inter_q = or_(i.id.in_(own), i.parent_id.in_(linked), i.root_id.in_(linked))
    for part in _chunks(ids, LINK_CHUNK):
        values = {"own": [v for v in part if v not in have] or [""], "linked": part}
        found = _frame(conn, t.posts, "post_id", post_cols, post_q, values)
        posts.append(found[found["leader_id"].isin(lids)])
        found = _frame(conn, t.interactions, "interaction_id", inter_cols, inter_q, values)
        keep = found["interaction_id"].isin(set(part)) | found["leader_id"].isin(lids)
        inter.append(found[keep])
    return _concat(posts, post_cols), _concat(inter, inter_cols)


def _concat(parts: list[pd.DataFrame], columns: dict) -> pd.DataFrame:
    parts = [p for p in parts if len(p)]
    if not parts:
        return frames.conform(pd.DataFrame(columns=list(columns)), columns)
    key = "post_id" if "post_id" in parts[0] else "interaction_id"
    return frames.conform(pd.concat(parts, ignore_index=True).drop_duplicates(key), columns)


def own_authors(conn: Connection, leader_ids: Sequence[int]) -> pd.DataFrame:
    """leader_id, author_id: the leaders' own accounts as seen on their stored posts."""
    q = select(t.posts.c.leader_id, t.posts.c.author_id).where(
        t.posts.c.leader_id.in_(sorted(set(int(i) for i in leader_ids))), t.posts.c.deleted.is_(False)).distinct()
    return pd.DataFrame(conn.execute(q).all(), columns=["leader_id", "author_id"])


def existing_interaction_ids(conn: Connection, ids: Iterable[str]) -> set[str]:
    """Which of ``ids`` are stored (not deleted) incoming messages."""
    out: set[str] = set()
    for part in _chunks(sorted({i for i in ids if isinstance(i, str)})):
        out |= set(conn.execute(select(t.interactions.c.id).where(
            t.interactions.c.id.in_(part), t.interactions.c.deleted.is_(False))).scalars())
    return out


def contact_minima(conn: Connection, pairs: Iterable[tuple[int, str]]) -> pd.DataFrame:
    """leader_id, acc_name, first_t (ns): first own non-repost reply of the leader to the account (the
    parent's author is someone else), over the whole stored history, for these (leader_id, account) pairs."""
    p = t.posts.c
    seen = _seen_at(t.posts)
    by_leader: dict[int, set[str]] = {}
    for lid, a in pairs:
        if isinstance(a, str):
            by_leader.setdefault(int(lid), set()).add(a)
    rows: list = []
    for lid, accounts in sorted(by_leader.items()):  # per leader: seeks in the (account, leader) index
        for part in _chunks(sorted(accounts)):
            rows += conn.execute(select(p.leader_id, p.reply_parent_author_id, func.min(seen)).where(
                p.leader_id == lid, p.reply_parent_author_id.in_(part), p.reply_parent_id.is_not(None),
                p.is_repost.is_(False), p.deleted.is_(False), p.reply_parent_author_id != p.author_id,
            ).group_by(p.leader_id, p.reply_parent_author_id)).all()
    frame = pd.DataFrame(rows, columns=["leader_id", "acc_name", "first_t"])
    if len(frame):
        frame["first_t"] = pd.to_datetime(frame["first_t"], utc=True).dt.as_unit("ns").astype("int64")
    return frame


def replace_contacts(conn: Connection, pairs: Iterable[tuple[int, str]], minima: pd.DataFrame) -> None:
    """Set the first contacts of these (leader_id, account) pairs to ``minima`` (pairs without one are removed)."""
    by_leader: dict[int, set[str]] = {}
    for lid, a in pairs:
        if isinstance(a, str):
            by_leader.setdefault(int(lid), set()).add(a)
    c = t.leader_contacts.c
    for lid, accounts in sorted(by_leader.items()):  # per leader: seeks in the primary key
        for part in _chunks(sorted(accounts)):
            conn.execute(delete(t.leader_contacts).where(c.leader_id == lid, c.account.in_(part)))
    if len(minima):
        conn.execute(insert(t.leader_contacts), [
            {"leader_id": int(lid), "account": a, "first_t": int(f)}
            for lid, a, f in zip(minima["leader_id"], minima["acc_name"], minima["first_t"])])


def replace_all_contacts(conn: Connection, minima: pd.DataFrame) -> None:
    conn.execute(delete(t.leader_contacts))
    if len(minima):
        conn.execute(insert(t.leader_contacts), [
            {"leader_id": int(lid), "account": a, "first_t": int(f)}
            for lid, a, f in zip(minima["leader_id"], minima["acc_name"], minima["first_t"])])


def contacts(conn: Connection, leader_ids: Sequence[int] | None, since_ns: int, until_ns: int,
             any_of: Sequence[int] | None = None) -> tuple[pd.DataFrame, bool]:
    """First contacts in (since, until] of ``leader_ids``, and whether any of ``any_of`` (default: the
    same leaders) has one at or before ``until``."""
    c = t.leader_contacts.c
    q = select(c.leader_id, c.account, c.first_t).where(c.first_t > since_ns, c.first_t <= until_ns)
    anyq = select(c.leader_id).where(c.first_t <= until_ns).limit(1)
    if leader_ids is not None:
        q = q.where(c.leader_id.in_(list(leader_ids)))
    any_of = leader_ids if any_of is None else any_of
    if any_of is not None:
        anyq = anyq.where(c.leader_id.in_(list(any_of)))
    rows = conn.execute(q).all()
    columns = list(zip(*rows)) if rows else [(), (), ()]
    frame = pd.DataFrame({"leader_id": np.array(columns[0], np.int64), "acc_name": np.array(columns[1], object),
                          "first_t": np.array(columns[2], np.int64)})
    if len(frame) and (any_of is None or not set(frame["leader_id"].tolist()).isdisjoint(int(i) for i in any_of)):
        return frame, True  # one of them has a first contact in the window: no need to ask
    return frame, conn.execute(anyq).first() is not None


def save_weeks(conn: Connection, rows: list[dict], keys: Iterable[tuple[int, date]]) -> None:
    """Delete the (leader_id, week_start) ``keys`` and insert ``rows`` (the new facts of those weeks)."""
    keys = sorted(set(keys))
    c = t.leader_week_facts.c
    for part in _chunks(keys, 300):
        conn.execute(delete(t.leader_week_facts).where(tuple_(c.leader_id, c.week_start).in_(part)))
    for part in _chunks(rows, 1000):
        conn.execute(insert(t.leader_week_facts), part)


def fingerprint(conn: Connection) -> str:
    """Row counts of the source tables (changes when rows are added or removed)."""
    n_p = conn.execute(select(func.count()).select_from(t.posts)).scalar_one()
    n_i = conn.execute(select(func.count()).select_from(t.interactions)).scalar_one()
    return f"{n_p}|{n_i}"


def get_state(conn: Connection, key: str) -> str | None:
    return conn.execute(select(t.facts_state.c.value).where(t.facts_state.c.key == key)).scalar_one_or_none()


def put_state(conn: Connection, key: str, value: str) -> None:
    conn.execute(delete(t.facts_state).where(t.facts_state.c.key == key))
    conn.execute(insert(t.facts_state), [{"key": key, "value": value}])


def clear_weeks(conn: Connection) -> None:
    conn.execute(delete(t.leader_week_facts))


def week_rows(conn: Connection, leader_ids: Sequence[int] | None, first: date, last: date, *,
              with_ids: Sequence[int] = ()) -> list:
    """Fact rows of weeks ``first``..``last``; the ``ids`` column only for ``with_ids`` leaders."""
    c = t.leader_week_facts.c
    with_ids = sorted(set(int(i) for i in with_ids))
    ids_col = (func.coalesce(c.ids, "") if not with_ids else
               t.leader_week_facts.c.ids)
    cols = [c.leader_id, c.week_start, c.posts, c.interactions, c.mentions]
    q = select(*cols).where(c.week_start >= first, c.week_start <= last)
    if leader_ids is not None:
        q = q.where(c.leader_id.in_(sorted(set(int(i) for i in leader_ids))))
    rows = conn.execute(q).all()
    ids = {}
    if with_ids:
        qi = select(c.leader_id, c.week_start, ids_col).where(c.week_start >= first, c.week_start <= last,
                                                             c.leader_id.in_(with_ids))
        ids = {(r[0], r[1]): r[2] for r in conn.execute(qi).all()}
    return [(r[0], r[1], r[2], r[3], r[4], ids.get((r[0], r[1]))) for r in rows]


def first_post_times(conn: Connection, leader_ids: Sequence[int] | None, until_ns: int) -> pd.Series:
    c = t.leader_week_facts.c
    q = select(c.leader_id, func.min(c.first_t)).where(c.first_t <= until_ns).group_by(c.leader_id)
    if leader_ids is not None:
        q = q.where(c.leader_id.in_(sorted(set(int(i) for i in leader_ids))))
    rows = conn.execute(q).all()
    return pd.Series([int(r[1]) for r in rows], index=pd.Index([int(r[0]) for r in rows], dtype="int64"),
                     dtype="int64")


def fact_weeks(conn: Connection) -> pd.DataFrame:
    c = t.leader_week_facts.c
    return pd.DataFrame(conn.execute(select(c.leader_id, c.week_start, c.version, c.n_posts,
                                            c.n_interactions)).all(),
                        columns=["leader_id", "week_start", "version", "n_posts", "n_interactions"])


FINGERPRINT_REUSE_S = 2.0
"""How long a reader reuses the source tables' row counts it has just read. Counting posts and interactions
takes ~0.1 s at 1 M posts, and one command or page asks whether the facts and the coverage ledger are
current several times. A commit through this store forgets them at once; a decision to rebuild counts again
(``fresh``), so another process's write is at worst seen this much later, never rebuilt for."""


class FactsMixin:
    """The facts' store methods (mixed into :class:`lasna.store.Store`)."""

    engine: Engine
    _fingerprint: tuple[str, float] | None = None

    def _forget_fingerprint_on_commit(self) -> None:
        """Called once by the Store: any commit through this engine may have added or removed rows."""
        def forget(_conn) -> None:
            self._fingerprint = None

        event.listen(self.engine, "commit", forget)

    def source_fingerprint(self, *, fresh: bool = False) -> str:
        """The source tables' row counts (:func:`fingerprint`), reused for :data:`FINGERPRINT_REUSE_S`
        unless ``fresh``."""
        memo, now = self._fingerprint, time.monotonic()
        if not fresh and memo is not None and now - memo[1] < FINGERPRINT_REUSE_S:
            return memo[0]
        with self.engine.connect() as conn:
            value = fingerprint(conn)
        self._fingerprint = (value, now)
        return value

    def fact_rows_in_ranges(self, ranges) -> tuple[pd.DataFrame, pd.DataFrame]:
        with self.engine.connect() as conn:
            return rows_in_ranges(conn, ranges)

    def fact_linked_rows(self, leader_ids, ids, have=(), *, seen_only: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
        with self.engine.connect() as conn:
            return linked_rows(conn, leader_ids, ids, have, seen_only=seen_only)

    def fact_own_authors(self, leader_ids) -> pd.DataFrame:
        with self.engine.connect() as conn:
            return own_authors(conn, leader_ids)

    def fact_known_interactions(self, ids) -> set[str]:
        with self.engine.connect() as conn:
            return existing_interaction_ids(conn, ids)

    def fact_contact_minima(self, pairs) -> pd.DataFrame:
        with self.engine.connect() as conn:
            return contact_minima(conn, pairs)

    @contextlib.contextmanager
    def facts_lock(self):
        """Serialise fact refreshes across processes and hosts: a refresh reads rows and writes the
        weeks computed from them, so two collectors refreshing the same week must not interleave.
        PostgreSQL: a session advisory lock held for the refresh; SQLite: one writer at a time anyway."""
        if self.engine.dialect.name != "postgresql":
            yield
            return
        with self.engine.connect() as conn:
            conn.exec_driver_sql(f"SELECT pg_advisory_lock({FACTS_LOCK_KEY})")
            conn.commit()
            try:
                yield
            finally:
                conn.exec_driver_sql(f"SELECT pg_advisory_unlock({FACTS_LOCK_KEY})")
                conn.commit()

    def facts_source(self, *, fresh: bool = False) -> tuple[str, str | None]:
        """(the source tables' fingerprint now — see :meth:`source_fingerprint` —, the one the facts were last
        written for)."""
        now = self.source_fingerprint(fresh=fresh)
        with self.engine.connect() as conn:
            return now, get_state(conn, "source")

    def save_facts(self, rows: list[dict], keys, *, contacts: tuple | None = None,
                   all_contacts: pd.DataFrame | None = None, clear: bool = False, version: str = "") -> None:
        """Replace the facts of the weeks ``keys`` by ``rows`` and the first contacts, in one transaction.
        ``contacts`` = (pairs, minima) replaces those (leader_id, account) pairs; ``all_contacts`` every pair;
        ``clear`` drops every week row first (a full rebuild)."""
        with self.engine.begin() as conn:
            if clear:
                clear_weeks(conn)
            save_weeks(conn, rows, [] if clear else keys)
            if all_contacts is not None:
                replace_all_contacts(conn, all_contacts)
            elif contacts is not None:
                replace_contacts(conn, *contacts)
            put_state(conn, "source", f"{fingerprint(conn)}|{version}")

    def fact_week_rows(self, leader_ids, first: date, last: date, *, with_ids=()) -> list:
        with self.engine.connect() as conn:
            return week_rows(conn, leader_ids, first, last, with_ids=with_ids)

    def fact_first_posts(self, leader_ids, until_ns: int) -> pd.Series:
        with self.engine.connect() as conn:
            return first_post_times(conn, leader_ids, until_ns)

    def fact_contacts(self, leader_ids, since_ns: int, until_ns: int, *, any_of=None) -> tuple[pd.DataFrame, bool]:
        with self.engine.connect() as conn:
            return contacts(conn, leader_ids, since_ns, until_ns, any_of)

    def fact_week_count(self) -> int:
        """How many (leader, week) fact rows are stored."""
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(t.leader_week_facts)).scalar_one())

    def fact_weeks(self) -> pd.DataFrame:
        with self.engine.connect() as conn:
            return fact_weeks(conn)

    # --- reads the dashboard used to write in SQL itself
    def data_version(self) -> str:
        """Changes when a collection run finishes or leaders, accounts, cohort memberships or cohort
        visibility change (the dashboard's cache key)."""
        q = select(
            select(func.max(t.collection_runs.c.finished_at)).scalar_subquery(),
            select(func.count()).select_from(t.leaders).where(t.leaders.c.active.is_(True)).scalar_subquery(),
            select(func.max(t.leaders.c.id)).scalar_subquery(),
            select(func.count()).select_from(t.accounts).scalar_subquery(),
            select(func.count()).select_from(t.leader_cohorts).scalar_subquery(),
        )
        with self.engine.connect() as conn:
            counts = "|".join(str(v) for v in conn.execute(q).one())
            visibility = ",".join(f"{i}:{v}" for i, v in conn.execute(
                select(t.cohorts.c.id, t.cohorts.c.visibility).order_by(t.cohorts.c.id)))
        return f"{counts}|{visibility}"

    def accounts_health(self) -> pd.DataFrame:
        """One row per active leader's account: stored posts, newest post, last successful run and the
        last run's error (the health page)."""
        a, p, L, ra = t.accounts, t.posts, t.leaders, t.collection_run_accounts
        post_stats = (select(p.c.account_id, func.count().label("posts"), func.max(p.c.created_at).label("last_post"))
                      .group_by(p.c.account_id).subquery())
        ok_runs = (select(ra.c.account_id, func.max(ra.c.finished_at).label("last_ok"))
                   .where(ra.c.error.is_(None)).group_by(ra.c.account_id).subquery())
        last_run = select(ra.c.account_id, func.max(ra.c.id).label("last_id")).group_by(ra.c.account_id).subquery()
        q = (select(a.c.id.label("account_id"), a.c.leader_id, L.c.name.label("leader"), a.c.platform,
                    a.c.handle.label("account"), func.coalesce(post_stats.c.posts, 0).label("posts"),
                    post_stats.c.last_post, ok_runs.c.last_ok, ra.c.error.label("last_error"))
             .join(L, L.c.id == a.c.leader_id)
             .outerjoin(post_stats, post_stats.c.account_id == a.c.id)
             .outerjoin(ok_runs, ok_runs.c.account_id == a.c.id)
             .outerjoin(last_run, last_run.c.account_id == a.c.id)
             .outerjoin(ra, and_(ra.c.id == last_run.c.last_id))
             .where(L.c.active.is_(True))
             .order_by(L.c.name, a.c.platform))
        with self.engine.connect() as conn:
            res = conn.execute(q)
            frame = pd.DataFrame(res.all(), columns=list(res.keys()))
        for col in ("last_post", "last_ok"):
            frame[col] = pd.to_datetime(frame[col], utc=True)
        return frame

    def member_data_start(self, leader_ids) -> pd.DataFrame:
        """Per leader: ``first_post`` (earliest stored, not deleted, post) and ``first_collected`` (earliest
        successful collection of one of their accounts), for :func:`coaching.cohorts.data_start`."""
        p, ra = t.posts, t.collection_run_accounts
        ids = sorted({int(i) for i in leader_ids})
        out = pd.DataFrame({"first_post": pd.Series(dtype="datetime64[ns, UTC]"),
                            "first_collected": pd.Series(dtype="datetime64[ns, UTC]")},
                           index=pd.Index(ids, dtype="int64", name="leader_id"))
        if not ids:
            return out
        # each leader's oldest post by the (leader_id, created_at) index, stopping at the first one not
        # deleted (a MIN over a GROUP BY reads every post of every member: 100 leaders' histories)
        first = (select(p.c.created_at).where(p.c.leader_id == t.leaders.c.id, p.c.deleted.is_(False),
                                              p.c.created_at.is_not(None))
                 .order_by(p.c.created_at).limit(1).scalar_subquery())
        with self.engine.connect() as conn:
            posts = conn.execute(select(t.leaders.c.id, first).where(t.leaders.c.id.in_(ids))).all()
            runs = conn.execute(select(ra.c.leader_id, func.min(ra.c.finished_at))
                                .where(ra.c.leader_id.in_(ids), ra.c.error.is_(None))
                                .group_by(ra.c.leader_id)).all()
        for col, rows in (("first_post", posts), ("first_collected", runs)):
            found = {int(lid): when for lid, when in rows if when is not None}
            if found:  # one column at a time (naive times are UTC); not a .loc write per leader
                when = pd.to_datetime(pd.Series(list(found.values()), dtype=object), utc=True)
                out[col] = pd.Series(when.to_numpy(), index=list(found)).reindex(out.index).astype(out[col].dtype)
        return out

    def assign_leader_to_user(self, user_name: str, leader_id: int) -> None:
        """Assign a leader to a (consultant) user by name."""
        with self.engine.begin() as conn:
            user_id = conn.execute(select(t.users.c.id).where(t.users.c.name == user_name)).scalar_one()
            conn.execute(t.user_leaders.insert().values(user_id=user_id, leader_id=leader_id))

    def activity_posts(self, leader_ids, since: datetime) -> pd.DataFrame:
        """Light columns of many leaders' posts since ``since``. Times and flags are read raw and converted
        per column (not per value: a cohort's half year is tens of thousands of rows)."""
        p, L = t.posts, t.leaders
        pq = (select(p.c.id.label("post_id"), p.c.leader_id, L.c.name.label("leader"), p.c.author_id,
                     _raw(p.c.created_at, "created_at"), _raw(_seen_at(p), "indexed_at"), p.c.reply_parent_id,
                     p.c.reply_parent_author_id, _raw(p.c.is_repost, "is_repost"))
              .join(L, L.c.id == p.c.leader_id)
              .where(p.c.leader_id.in_(list(leader_ids)), p.c.created_at >= since, p.c.deleted.is_(False)))
        with self.engine.connect() as conn:
            posts_ = _columns_frame(conn.execute(pq))
        _times(posts_)
        posts_["is_repost"] = posts_["is_repost"].astype(bool)
        return posts_

    def activity_interactions(self, leader_ids, since: datetime) -> pd.DataFrame:
        """Light columns of many leaders' interactions since ``since``, with the text ("merits an answer"
        reads it)."""
        i, L = t.interactions, t.leaders
        iq = (select(i.c.id.label("interaction_id"), i.c.leader_id, L.c.name.label("leader"), i.c.kind,
                     i.c.author_id, _raw(i.c.created_at, "created_at"), _raw(_seen_at(i), "indexed_at"),
                     i.c.parent_id, _raw(i.c.hidden, "hidden"), i.c.text)
              .join(L, L.c.id == i.c.leader_id)
              .where(i.c.leader_id.in_(list(leader_ids)), i.c.created_at >= since, i.c.deleted.is_(False)))
        with self.engine.connect() as conn:
            inter = _columns_frame(conn.execute(iq))
        _times(inter)
        inter["hidden"] = inter["hidden"].astype(bool)
        return inter


def _times(frame: pd.DataFrame) -> None:
    for col in ("created_at", "indexed_at"):  # SQLite: text; PostgreSQL: naive datetimes (UTC)
        frame[col] = pd.to_datetime(frame[col], utc=True, format="ISO8601")


__all__ = ["FactsMixin", "contact_minima", "contacts", "existing_interaction_ids", "fact_weeks",
           "first_post_times", "linked_rows", "own_authors", "replace_all_contacts", "replace_contacts",
           "rows_in_ranges", "save_weeks", "week_rows"]
