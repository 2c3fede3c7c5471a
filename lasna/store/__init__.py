"""The store: one small repository API over SQLAlchemy Core, on SQLite or PostgreSQL.

Every write that collectors make goes through :meth:`Store.save_batch`, which
upserts posts and interactions keyed by their stable ids *and* advances the
account's collection state in the same transaction: state never runs ahead of
the data it covers, and ingesting a batch twice equals ingesting it once.
"""

from __future__ import annotations

import socket
import uuid
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Engine, bindparam, create_engine, delete, event, func, or_, select, update
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError

from lasna import frames, settings
from lasna.errors import ConfigError, InputError, NotFoundError, StoreError
from lasna.store import audit as audit_log
from lasna.store import bulk, dialect, enrichment, erasure, migrate
from lasna.store import coverage as coverage_sql
from lasna.store.coverage import CoverageMixin
from lasna.store.enrichment import EnrichmentMixin
from lasna.store.facts import FactsMixin
from lasna.store.removal import Removal
from lasna.store import schema as t
from lasna.types import (
    Account,
    AccountOutcome,
    Cohort,
    Goal,
    Interaction,
    Leader,
    Platform,
    Post,
    SessionNote,
    TipFeedback,
    Visibility,
)

__all__ = ["Store", "BatchResult", "HorizonPost", "now_utc", "AuditEvent"]

AuditEvent = audit_log.AuditEvent

@dataclass(frozen=True)
class HorizonPost:
    id: str
    created_at: datetime
    is_repost: bool
    reply_count: int
    #: reply / quote count when the thread / quotes were last fetched (None: never)
    thread_checked_replies: int | None
    quote_count: int
    quotes_checked: int | None

    @property
    def thread_changed(self) -> bool:
        return not self.is_repost and self.reply_count != (self.thread_checked_replies or 0)

    @property
    def quotes_changed(self) -> bool:
        return not self.is_repost and self.quote_count != (self.quotes_checked or 0)


_HORIZON = (
    select(*(t.posts.c[f.name] for f in fields(HorizonPost)))
    .where(
        t.posts.c.account_id == bindparam("account"),
        t.posts.c.created_at >= bindparam("since"),
        t.posts.c.deleted.is_(False),
    )
    .order_by(t.posts.c.created_at.desc())
)


#: cached model predictions: which table, keyed by which id column
_PREDICTIONS = {
    "posts": (t.post_predictions, "post_id"),
    "interactions": (t.interaction_predictions, "interaction_id"),
}


def now_utc() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class BatchResult:
    new_posts: int
    new_interactions: int
    #: ids of the batch's posts that were already stored before it (collectors stop paging on them)
    known_post_ids: frozenset[str] = frozenset()
    #: interactions marked deleted because a complete listing no longer held them
    vanished_interaction_ids: tuple[str, ...] = ()


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def create_store_engine(url: str) -> Engine:
    """An engine for ``url``; for SQLite files the folder is created and WAL switched on."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):  # ValueError: e.g. a port that is not a number
        raise ConfigError(f"LASNA_DATABASE_URL is not a database URL: {settings.mask_text(url)!r}") from None
    kwargs: dict[str, Any] = {}
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"timeout": 30}
    elif parsed.get_backend_name() == "postgresql":
        kwargs["pool_pre_ping"] = True
    else:
        raise ConfigError(
            f"unsupported database {parsed.get_backend_name()!r}",
            hint="use sqlite:///path/to/file.db or postgresql+psycopg://user@host/db",
        )
    try:
        engine = create_engine(url, **kwargs)
    except (NoSuchModuleError, ModuleNotFoundError) as exc:
        raise ConfigError(
            f"the database driver for {url.split(':', 1)[0]} is not installed",
            hint="pip install 'lasna[postgres]'",
        ) from exc
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


_insert = dialect.insert


class Store(FactsMixin, CoverageMixin, EnrichmentMixin):
    """Repository API. Open with :meth:`Store.open`; it migrates the schema on first use."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        #: who the audit log names for changes made through this store when a call gives no
        #: ``actor`` (the CLI sets ``cli:<os user>``; the dashboard passes its login per call)
        self.actor = "library"
        self.via = "library"
        self._forget_fingerprint_on_commit()

    # ------------------------------------------------------------------ lifecycle
    @classmethod
    def open(cls, url: str | None = None, *, upgrade: bool = True) -> Store:
        url = url or settings.get("database_url")
        store = cls(create_store_engine(url))
        if upgrade:
            store.upgrade()
        return store

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    def upgrade(self) -> None:
        """Bring the schema to the newest revision (a no-op when already there)."""
        if migrate.at_head(self.engine):  # the common case, without importing Alembic
            return
        from alembic.util.exc import CommandError

        try:
            if migrate.current_revision(self.engine) != migrate.head_revision():
                migrate.upgrade(self.engine)
        except OperationalError as exc:
            raise StoreError(f"cannot open the database at {self.url}: {exc.orig}") from exc
        except CommandError as exc:  # e.g. a database stamped by a newer or unreleased Läsnä
            raise StoreError(
                f"the database at {self.url} has a schema this Läsnä does not know ({exc})",
                hint="upgrade Läsnä, or point LASNA_DATABASE_URL at another database",
            ) from exc

    def revision(self) -> str | None:
        return migrate.current_revision(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    # ------------------------------------------------------------------ audit log
    def _audit(
        self, conn: Connection, action: str, target_kind: str | None = None, target_id: int | None = None,
        *, actor: str | None = None, via: str | None = None,
    ) -> None:
        audit_log.record(
            conn, action, actor=self.actor if actor is None else actor, target_kind=target_kind,
            target_id=target_id, via=via or self.via, at=now_utc(),
        )

    def audit(
        self, action: str, *, actor: str, target_kind: str | None = None, target_id: int | None = None,
        via: str = "dashboard",
    ) -> None:
        """Record that ``actor`` did ``action`` (e.g. ``data.view``, ``data.export``) to a target.

        ``target_id`` is a numeric row id (leader, cohort, user, goal, session) or None — never a
        name, a handle or any content. Changes made through this store's own methods are
        recorded by those methods, in the same transaction.
        """
        with self.engine.begin() as conn:
            self._audit(conn, action, target_kind, target_id, actor=actor, via=via)

    def audit_events(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        actor: str | None = None,
        action: str | None = None,
        target_kind: str | None = None,
        target_id: int | None = None,
        limit: int | None = 1000,
    ) -> list[AuditEvent]:
        """Audit records newest first (``action="leader"`` matches every ``leader.*``); each carries
        the target's current name in ``target_label`` while the target still exists."""
        with self.engine.connect() as conn:
            return audit_log.events(
                conn, since=since, until=until, actor=actor, action=action, target_kind=target_kind,
                target_id=target_id, limit=limit,
            )

    def prune_audit(self, days: int | None = None, *, now: datetime | None = None) -> int:
        """Delete audit records older than ``days`` (default: the ``audit_retention_days`` setting)."""
        days = _positive_days(days if days is not None else settings.get("audit_retention_days"), "audit retention")
        with self.engine.begin() as conn:
            n = audit_log.prune(conn, (now or now_utc()) - timedelta(days=days))
            if n:
                self._audit(conn, "audit.prune")
        return n

    # ------------------------------------------------------------------ leaders
    def add_leader(
        self, name: str, *, language: str = "fi", cohorts: Sequence[str] = (), demo: bool = False
    ) -> Leader:
        with self.engine.begin() as conn:
            return self._add_leader(conn, name, language=language, cohorts=cohorts, demo=demo)

    def save_leaders(self, specs: Sequence[Any], *, cohorts: Mapping[str, Visibility] | None = None,
                     update_existing: bool = False, demo: bool = False, actor: str | None = None,
                     roster: bool = False) -> None:
        """Create (or with ``update_existing``, extend) leaders and their accounts, and set ``cohorts``'
        visibility, in ONE transaction: if any leader fails (e.g. an account that belongs to another
        leader), nothing is written. ``specs``: :class:`lasna.registry.LeaderSpec` (name, language, cohorts,
        accounts with platform, handle, stable_id, url). ``roster``: audited as a roster import, and an
        error names the leader it stopped at."""
        with self.engine.begin() as conn:
            for name, visibility in (cohorts or {}).items():
                cohort_id = self._ensure_cohort(conn, name, visibility)
                self._audit(conn, "cohort.set", "cohort", cohort_id, actor=actor)
            for spec in specs:
                try:
                    self._save_leader(conn, spec, update_existing=update_existing, demo=demo, actor=actor)
                except InputError as exc:
                    if not roster:
                        raise
                    raise InputError(f"leader {spec.name!r}: {exc.message}; nothing was imported",
                                     hint=exc.hint) from None
            if roster:
                self._audit(conn, "roster.import", actor=actor)

    def _save_leader(self, conn: Connection, spec: Any, *, update_existing: bool, demo: bool,
                     actor: str | None) -> None:
        existing = self._leader_id(conn, spec.name)
        if existing is not None and not update_existing:
            raise InputError(f"a leader named {spec.name!r} already exists", hint="choose another name")
        if existing is not None:
            leader_id = existing
            self._update_leader(conn, leader_id, language=spec.language, cohorts=spec.cohorts)
            self._audit(conn, "leader.update", "leader", leader_id, actor=actor)
        else:
            leader_id = _stored_id(self._add_leader(conn, spec.name, language=spec.language, cohorts=spec.cohorts,
                                                    demo=demo).id)
            self._audit(conn, "leader.add", "leader", leader_id, actor=actor)
        for account in spec.accounts:
            self._add_account(conn, leader_id, account.platform, account.handle, stable_id=account.stable_id,
                              url=account.url)

    def _add_leader(
        self, conn: Connection, name: str, *, language: str, cohorts: Sequence[str], demo: bool
    ) -> Leader:
        existing = conn.execute(select(t.leaders.c.id).where(t.leaders.c.name == name)).first()
        if existing is not None:
            raise InputError(f"a leader named {name!r} already exists", hint="choose another name")
        leader_id = _new_id(conn.execute(
            t.leaders.insert().values(
                name=name, language=language, demo=demo, active=True, created_at=now_utc()
            )
        ))
        for cohort in cohorts:
            self._join_cohort(conn, leader_id, cohort)
        return Leader(name=name, language=language, id=leader_id, cohorts=tuple(cohorts), demo=demo)

    @staticmethod
    def _leader_id(conn: Connection, name: str) -> int | None:
        return conn.execute(select(t.leaders.c.id).where(t.leaders.c.name == name)).scalar()

    def _join_cohort(self, conn: Connection, leader_id: int, cohort: str) -> None:
        cohort_id = self._ensure_cohort(conn, cohort)
        exists = conn.execute(
            select(t.leader_cohorts.c.leader_id).where(
                t.leader_cohorts.c.leader_id == leader_id, t.leader_cohorts.c.cohort_id == cohort_id
            )
        ).first()
        if exists is None:
            conn.execute(t.leader_cohorts.insert().values(leader_id=leader_id, cohort_id=cohort_id))

    def _ensure_cohort(self, conn: Connection, name: str, visibility: Visibility | None = None) -> int:
        row = conn.execute(select(t.cohorts.c.id).where(t.cohorts.c.name == name)).first()
        if row is not None:
            if visibility is not None:
                conn.execute(update(t.cohorts).where(t.cohorts.c.id == row.id).values(visibility=str(visibility)))
            return row.id
        return _new_id(conn.execute(
            t.cohorts.insert().values(name=name, visibility=str(visibility or Visibility.AGGREGATES))
        ))

    def set_cohort(self, name: str, visibility: Visibility, *, actor: str | None = None) -> Cohort:
        with self.engine.begin() as conn:
            before = conn.execute(select(t.cohorts.c.visibility).where(t.cohorts.c.name == name)).scalar()
            cohort_id = self._ensure_cohort(conn, name, visibility)
            if before != str(visibility):  # created or changed (loading the demo again is not a change)
                self._audit(conn, "cohort.set", "cohort", cohort_id, actor=actor)
        return Cohort(name=name, visibility=visibility, id=cohort_id)

    def cohorts(self) -> list[Cohort]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.cohorts).order_by(t.cohorts.c.name)).all()
        return [Cohort(name=r.name, visibility=Visibility(r.visibility), id=r.id) for r in rows]

    def leaders(self, *, include_inactive: bool = False) -> list[Leader]:
        return self._leaders(None if include_inactive else t.leaders.c.active.is_(True))

    def _leaders(self, where) -> list[Leader]:
        query = select(t.leaders.c.id, t.leaders.c.name, t.leaders.c.language, t.leaders.c.demo) \
            .order_by(t.leaders.c.name)
        memberships = select(t.leader_cohorts.c.leader_id, t.cohorts.c.name) \
            .join(t.cohorts, t.cohorts.c.id == t.leader_cohorts.c.cohort_id).order_by(t.cohorts.c.name)
        if where is not None:
            query = query.where(where)
            memberships = memberships.where(t.leader_cohorts.c.leader_id.in_(
                select(t.leaders.c.id).where(where).scalar_subquery()))
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
            members = conn.execute(memberships).all()
        by_leader: dict[int, list[str]] = {}
        for leader_id, cohort in members:
            by_leader.setdefault(leader_id, []).append(cohort)
        return [
            Leader(name=r.name, language=r.language, id=r.id, cohorts=tuple(by_leader.get(r.id, ())), demo=r.demo)
            for r in rows
        ]

    def leader(self, name: str) -> Leader:
        found = self._leaders(t.leaders.c.name == name)
        if found:
            return found[0]
        raise NotFoundError(f"no leader named {name!r}", hint="see `lasna leaders list`")

    def leader_by_id(self, leader_id: int) -> Leader:
        found = self._leaders(t.leaders.c.id == int(leader_id))
        if found:
            return found[0]
        raise NotFoundError(f"no leader with id {leader_id}")

    def _update_leader(
        self, conn: Connection, leader_id: int, *, language: str | None = None, cohorts: Sequence[str] = ()
    ) -> None:
        values: dict[str, Any] = {"active": True}
        if language:
            values["language"] = language
        conn.execute(update(t.leaders).where(t.leaders.c.id == leader_id).values(**values))
        for cohort in cohorts:
            self._join_cohort(conn, leader_id, cohort)

    def deactivate_leader(self, leader_id: int, *, actor: str | None = None) -> None:
        """Stop collecting for a leader but keep their history (``leaders remove`` without --forget)."""
        with self.engine.begin() as conn:
            conn.execute(update(t.leaders).where(t.leaders.c.id == leader_id).values(active=False))
            self._audit(conn, "leader.remove", "leader", leader_id, actor=actor)

    def forget_leader(self, leader_id: int, *, actor: str | None = None,
                      removal: Removal | None = None) -> dict[str, int]:
        """Delete every row about a leader from every table, in one transaction.

        Besides the leader's own rows: her replies stored as interactions in other leaders'
        threads (and their predictions), her executive dashboard login (name, e-mail), and every
        mention of her ids, handles, name and e-mail elsewhere (replaced by pseudonyms, see
        :mod:`lasna.store.erasure`). The audit log keeps that a leader was forgotten and by whom;
        her own login name in it becomes ``erased-user``. Returns rows deleted per table.
        ``removal`` records what changed behind the facts (:mod:`lasna.store.removal`).
        """
        deleted: dict[str, int] = {}
        with self.engine.begin() as conn:
            leader = conn.execute(select(t.leaders).where(t.leaders.c.id == leader_id)).first()
            if leader is None:
                raise NotFoundError(f"no leader with id {leader_id}")
            if removal is not None:  # her own rows: their link ids (her facts go with her rows)
                removal.begin(conn)
                removal.forgotten.add(leader_id)
                removal.record(conn, t.posts, t.posts.c.leader_id == leader_id)
                removal.record(conn, t.interactions, t.interactions.c.leader_id == leader_id)
            accounts = conn.execute(select(t.accounts).where(t.accounts.c.leader_id == leader_id)).all()
            ids = {a.stable_id for a in accounts if a.stable_id}
            handles: set[str] = set()
            for a in accounts:
                if a.platform in ("bluesky", "mastodon"):
                    handles |= erasure.handle_variants(a.handle)
            own_authors = set(
                conn.execute(select(t.posts.c.author_id).where(t.posts.c.leader_id == leader_id).distinct()).scalars()
            )
            ids |= own_authors
            logins = conn.execute(
                select(t.users.c.id, t.users.c.name, t.users.c.email).where(
                    t.users.c.leader_id == leader_id, t.users.c.role == "executive"
                )
            ).all()
            account_ids = select(t.accounts.c.id).where(t.accounts.c.leader_id == leader_id)
            deleted["predictions"] = self._delete_predictions(
                conn, t.posts.c.leader_id == leader_id, t.interactions.c.leader_id == leader_id
            )
            for table in t.LEADER_TABLES:
                if "leader_id" in table.c:
                    cond = table.c.leader_id == leader_id
                    if "account_id" in table.c:
                        cond = or_(cond, table.c.account_id.in_(account_ids))
                else:
                    cond = table.c.account_id.in_(account_ids)
                deleted[table.name] = conn.execute(delete(table).where(cond)).rowcount
            deleted["collection_run_accounts"] += conn.execute(
                delete(t.collection_run_accounts).where(t.collection_run_accounts.c.leader == leader.name)
            ).rowcount
            # before the logins go: deleting a user cascades to their messages, which must be counted here
            deleted["notify_outbox"] = _notify_store().forget_leader(conn, leader_id)
            if logins:
                deleted["users"] = conn.execute(
                    delete(t.users).where(t.users.c.id.in_([u.id for u in logins]))
                ).rowcount
                conn.execute(
                    update(t.audit_log)
                    .where(t.audit_log.c.actor.in_([u.name for u in logins]))
                    .values(actor=audit_log.ERASED_ACTOR)
                )
            deleted["leaders"] = conn.execute(delete(t.leaders).where(t.leaders.c.id == leader_id)).rowcount
            extra = {a.url for a in accounts if a.url and a.platform == "feed"} | {
                a.handle for a in accounts if a.platform == "feed"
            }
            counts = erasure.erase(
                conn, ids=ids, handles=handles, names={leader.name} | {u.name for u in logins},
                emails={u.email for u in logins if u.email}, extra_needles=extra, removal=removal,
            )
            for key, value in counts.items():
                deleted[key] = deleted.get(key, 0) + value
            self._audit(conn, "leader.forget", "leader", leader_id, actor=actor)
        return deleted

    def erase_author(self, author: str, *, actor: str | None = None,
                     removal: Removal | None = None) -> dict[str, int]:
        """Erase one third party (a person who replied to or mentioned leaders) from every table.

        ``author`` is their stable id (DID, account URI, JSONL author id) or handle. Every row they
        wrote goes; every mention of them elsewhere is pseudonymised; collectors never store them
        again. The audit log records when and by whom, not whom. Refuses a leader's own account.
        """
        author = (author or "").strip()
        if not author or any(ord(ch) < 32 for ch in author) or len(author) > 500:
            raise InputError("give the author's stable id (DID, account URI) or handle")
        with self.engine.begin() as conn:
            variants = erasure.handle_variants(author) | {author}
            owner = conn.execute(
                select(t.leaders.c.name)
                .join(t.accounts, t.accounts.c.leader_id == t.leaders.c.id)
                .where(or_(t.accounts.c.stable_id.in_(variants), func.lower(t.accounts.c.handle).in_(
                    {v.lower() for v in variants})))
            ).first()
            if owner is not None:
                raise InputError(
                    f"{author} is an account of leader {owner.name!r}",
                    hint=f"use `lasna leaders remove {owner.name!r} --forget` to erase a leader",
                )
            if removal is not None:
                removal.begin(conn)
            ids, handles, names = erasure.identities(conn, author)
            counts = erasure.erase(conn, ids=ids, handles=handles, names=names, removal=removal)
            self._audit(conn, "erase.author", "author", None, actor=actor)
        return counts

    # ------------------------------------------------------------------ accounts
    def add_account(
        self,
        leader_id: int,
        platform: Platform,
        handle: str,
        *,
        stable_id: str | None = None,
        url: str | None = None,
    ) -> Account:
        with self.engine.begin() as conn:
            return self._add_account(conn, leader_id, platform, handle, stable_id=stable_id, url=url)

    def _add_account(
        self, conn: Connection, leader_id: int, platform: Platform, handle: str, *, stable_id=None, url=None
    ) -> Account:
        existing = conn.execute(
            select(t.accounts).where(
                t.accounts.c.leader_id == leader_id,
                t.accounts.c.platform == str(platform),
                t.accounts.c.handle == handle,
            )
        ).first()
        if existing is not None:
            return _account(existing)
        if stable_id:
            self._check_identity_free(conn, platform, stable_id, None)
        erasure.lift(conn, [v for v in (stable_id, handle) if v])
        account_id = _new_id(conn.execute(
            t.accounts.insert().values(
                leader_id=leader_id,
                platform=str(platform),
                handle=handle,
                stable_id=stable_id,
                url=url,
                added_at=now_utc(),
            )
        ))
        return Account(platform, handle, stable_id=stable_id, url=url, id=account_id, leader_id=leader_id)

    def _check_identity_free(self, conn: Connection, platform: Platform, stable_id: str, account_id) -> None:
        other = conn.execute(
            select(t.accounts.c.id, t.leaders.c.name)
            .join(t.leaders, t.leaders.c.id == t.accounts.c.leader_id)
            .where(t.accounts.c.platform == str(platform), t.accounts.c.stable_id == stable_id)
        ).first()
        if other is not None and other.id != account_id:
            raise InputError(f"{platform} account {stable_id} already belongs to leader {other.name!r}")

    def accounts(self, *, leader_id: int | None = None, platform: Platform | None = None) -> list[Account]:
        query = select(t.accounts).order_by(t.accounts.c.id)
        if leader_id is not None:
            query = query.where(t.accounts.c.leader_id == leader_id)
        if platform is not None:
            query = query.where(t.accounts.c.platform == str(platform))
        with self.engine.connect() as conn:
            return [_account(r) for r in conn.execute(query).all()]

    def foreign_ids(
        self, account: Account, post_ids: Iterable[str], interaction_ids: Iterable[str] = ()
    ) -> set[str]:
        """Ids in the batch that already belong to *another* account.

        Post and interaction ids are global primary keys, so a hostile or buggy source
        that reuses someone else's id would otherwise overwrite their text on upsert.
        Collectors drop such rows (and say so) instead.
        """
        found: set[str] = set()
        with self.engine.connect() as conn:
            for table, ids in ((t.posts, list(post_ids)), (t.interactions, list(interaction_ids))):
                for start in range(0, len(ids), 500):
                    chunk = ids[start : start + 500]
                    found.update(
                        conn.execute(
                            select(table.c.id).where(table.c.id.in_(chunk), table.c.account_id != account.id)
                        ).scalars()
                    )
        return found

    def set_account_identity(self, account_id: int, stable_id: str, handle: str | None = None) -> None:
        """Record the resolved stable id (e.g. DID) and follow a handle change."""
        with self.engine.begin() as conn:
            row = conn.execute(select(t.accounts).where(t.accounts.c.id == account_id)).first()
            if row is None:
                raise NotFoundError(f"no account with id {account_id}")
            self._check_identity_free(conn, Platform(row.platform), stable_id, account_id)
            values: dict[str, Any] = {"stable_id": stable_id}
            if handle:
                values["handle"] = handle
            conn.execute(update(t.accounts).where(t.accounts.c.id == account_id).values(**values))

    def remove_account(self, account_id: int) -> None:
        with self.engine.begin() as conn:
            self._delete_predictions(conn, t.posts.c.account_id == account_id, t.interactions.c.account_id == account_id)
            for table in (t.collection_state, t.posts, t.interactions):
                conn.execute(delete(table).where(table.c.account_id == account_id))
            conn.execute(
                update(t.collection_run_accounts)
                .where(t.collection_run_accounts.c.account_id == account_id)
                .values(account_id=None)
            )
            conn.execute(delete(t.accounts).where(t.accounts.c.id == account_id))

    def remove_account_if_empty(self, account_id: int) -> bool:
        """Delete an account that holds no posts or interactions (what a failed import created)."""
        with self.engine.begin() as conn:
            for table in (t.posts, t.interactions):
                if conn.execute(select(table.c.id).where(table.c.account_id == account_id).limit(1)).first():
                    return False
            conn.execute(delete(t.collection_state).where(t.collection_state.c.account_id == account_id))
            return conn.execute(delete(t.accounts).where(t.accounts.c.id == account_id)).rowcount > 0

    # ------------------------------------------------------------------ collected data
    def save_batch(
        self,
        account: Account,
        *,
        posts: Sequence[Post] = (),
        interactions: Sequence[Interaction] = (),
        state: Mapping[str, str | None] | None = None,
        deleted_post_ids: Sequence[str] = (),
        deleted_interaction_ids: Sequence[str] = (),
        threads_checked: Mapping[str, int] | None = None,
        quotes_checked: Mapping[str, int] | None = None,
        reply_listings: Mapping[str, Collection[str]] | None = None,
        quote_listings: Mapping[str, Collection[str]] | None = None,
        reply_losses: Mapping[str, Mapping[str, int]] | None = None,
    ) -> BatchResult:
        """Upsert one batch for one account and advance its state, atomically.

        ``reply_listings`` / ``quote_listings`` map a post to every reply / quote still
        under it at the source (only for posts whose list was fetched completely):
        stored ones missing from it are marked deleted. ``reply_losses`` maps a post whose thread was
        fetched to the replies the platform counts but the fetch could not collect, by reason
        (``coaching.coverage.LOSS_REASONS``; replaces what was reported before). Rows go through the lean path
        in :mod:`lasna.store.bulk`; deletions only ever touch this account's rows. An account
        not stored yet (``id`` None, ``leader_id`` set: an import's first file) is created in
        the same transaction, so a batch that fails leaves no empty account behind.
        """
        if account.leader_id is None:
            raise ValueError("save_batch needs an account of a stored leader")
        leader_id = account.leader_id
        with self.engine.begin() as conn:
            enrichment.lock_leaders_shared(conn, [account.leader_id])
            if account.id is None:
                account = self._add_account(
                    conn, account.leader_id, account.platform, account.handle, stable_id=account.stable_id,
                    url=account.url,
                )
            erased = erasure.suppressed(conn, interactions)
            if erased:  # people erased on request are never stored again
                interactions = [i for i in interactions if i.id not in erased]
            new_posts, known, changed_posts = bulk.upsert(conn, bulk.POSTS, posts, account)
            new_interactions, known_interactions, changed_interactions = bulk.upsert(
                conn, bulk.INTERACTIONS, interactions, account)
            bulk.mark_deleted(conn, "posts", account, deleted_post_ids)
            bulk.mark_deleted(conn, "interactions", account, deleted_interaction_ids)
            vanished = bulk.mark_vanished(conn, account, "reply", reply_listings or {})
            vanished += bulk.mark_vanished(conn, account, "quote", quote_listings or {})
            enrichment.invalidate(  # derived fields of what changed become pending, in this transaction
                conn, new_posts=[p.id for p in posts if p.id not in known], changed_posts=changed_posts,
                new_interactions=[i.id for i in interactions if i.id not in known_interactions],
                changed_interactions=[*changed_interactions, *deleted_interaction_ids, *vanished],
                relink_interactions=[p.reply_parent_id for p in posts if p.reply_parent_id and not p.is_repost
                                     and (p.id not in known or p.id in changed_posts)],
                deleted_posts=deleted_post_ids,
            )
            account_id = _stored_id(account.id)
            coverage_sql.after_batch(conn, leader_id, posts=posts, interactions=interactions,
                                     deleted_post_ids=deleted_post_ids, reply_listings=reply_listings)
            coverage_sql.save_losses(conn, leader_id, account_id, reply_losses or {}, now_utc())
            bulk.set_checked(conn, "thread_checked_replies", threads_checked or {})
            bulk.set_checked(conn, "quotes_checked", quotes_checked or {})
            if state:
                bulk.put_state(conn, account_id, state, now_utc())
        return BatchResult(new_posts, new_interactions, frozenset(known), tuple(vanished))

    def put_state(self, account: Account, state: Mapping[str, str | None]) -> None:
        with self.engine.begin() as conn:
            bulk.put_state(conn, _stored_id(account.id), state, now_utc())

    def get_state(self, account: Account) -> dict[str, str | None]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(t.collection_state.c.key, t.collection_state.c.value).where(
                    t.collection_state.c.account_id == account.id
                )
            ).all()
        return {k: v for k, v in rows}

    def threads_to_check(self, account: Account, since: datetime) -> list[tuple[str, int]]:
        """Own root/reply posts since ``since`` whose reply count changed since their thread was fetched."""
        checked = func.coalesce(t.posts.c.thread_checked_replies, 0)
        query = (
            select(t.posts.c.id, t.posts.c.reply_count)
            .where(
                t.posts.c.account_id == account.id,
                t.posts.c.created_at >= since,
                t.posts.c.is_repost.is_(False),
                t.posts.c.deleted.is_(False),
                t.posts.c.reply_count != checked,
            )
            .order_by(t.posts.c.created_at.desc())
        )
        with self.engine.connect() as conn:
            return [(r.id, r.reply_count) for r in conn.execute(query).all()]

    def horizon_posts(self, account: Account, since: datetime) -> list[HorizonPost]:
        """The account's live posts created since ``since``, newest first, with the counts that
        decide which threads and quotes to fetch again (one query for a collector's whole check)."""
        with self.engine.connect() as conn:
            return [HorizonPost(*r) for r in conn.execute(_HORIZON, {"account": account.id, "since": since})]

    # ------------------------------------------------------------------ cached model predictions
    def predictions(self, ids: Sequence[str], model_version: str, *, of: str = "posts") -> pd.DataFrame:
        """Cached predictions (``post_id`` or ``interaction_id``, model_version, label, proba) of
        these posts (post types) or incoming interactions (reply stance) by one model."""
        table, key = _PREDICTIONS[of]
        rows: list[Any] = []
        ids = list(ids)
        with self.engine.connect() as conn:
            for start in range(0, len(ids), 5000):
                rows += conn.execute(
                    select(table).where(
                        table.c.model_version == model_version, table.c[key].in_(ids[start : start + 5000])
                    )
                ).all()
        return pd.DataFrame(rows, columns=[key, "model_version", "label", "proba"])

    @staticmethod
    def _delete_predictions(conn: Connection, posts_condition, interactions_condition) -> int:
        """Delete the cached predictions of the posts and interactions matching the conditions
        (before those rows go; SQLite enforces the cascade only with foreign keys switched on)."""
        deleted = 0
        for (table, key), source, condition in (
            (_PREDICTIONS["posts"], t.posts, posts_condition),
            (_PREDICTIONS["interactions"], t.interactions, interactions_condition),
        ):
            doomed = select(source.c.id).where(condition)
            deleted += conn.execute(delete(table).where(table.c[key].in_(doomed))).rowcount
        return deleted + enrichment.delete_for(conn, posts_condition, interactions_condition)

    def save_predictions(self, predictions: pd.DataFrame, *, of: str = "posts") -> None:
        if predictions.empty:
            return
        table, key = _PREDICTIONS[of]
        rows = predictions[[key, "model_version", "label", "proba"]].to_dict("records")
        with self.engine.begin() as conn:
            stmt = _insert(conn, table)
            stmt = stmt.on_conflict_do_update(
                index_elements=[table.c[key], table.c.model_version],
                set_={"label": stmt.excluded.label, "proba": stmt.excluded.proba},
            )
            conn.execute(stmt, rows)

    # ------------------------------------------------------------------ runs
    def start_run(self, source: str) -> str:
        run_id = uuid.uuid4().hex
        with self.engine.begin() as conn:
            conn.execute(
                t.collection_runs.insert().values(
                    run_id=run_id, source=source, started_at=now_utc(), host=socket.gethostname()
                )
            )
        return run_id

    def record_outcome(self, run_id: str, account: Account | None, outcome: AccountOutcome) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                t.collection_run_accounts.insert().values(
                    run_id=run_id,
                    account_id=account.id if account else None,
                    leader_id=account.leader_id if account else None,
                    leader=outcome.leader,
                    platform=str(outcome.platform),
                    account=outcome.account,
                    new_posts=outcome.new_posts,
                    new_interactions=outcome.new_interactions,
                    requests=outcome.requests,
                    error=outcome.error,
                    finished_at=now_utc(),
                )
            )

    def finish_run(self, run_id: str, ok: bool) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(t.collection_runs)
                .where(t.collection_runs.c.run_id == run_id)
                .values(finished_at=now_utc(), ok=ok)
            )

    def runs_frame(self, limit: int = 50) -> pd.DataFrame:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(t.collection_runs).order_by(t.collection_runs.c.started_at.desc()).limit(limit)
            ).mappings().all()
        return pd.DataFrame(rows, columns=[c.name for c in t.collection_runs.c])

    def run_accounts_frame(self, run_ids: Sequence[str] | None = None) -> pd.DataFrame:
        query = select(t.collection_run_accounts).order_by(t.collection_run_accounts.c.id)
        if run_ids is not None:
            query = query.where(t.collection_run_accounts.c.run_id.in_(list(run_ids)))
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return pd.DataFrame(rows, columns=[c.name for c in t.collection_run_accounts.c])

    # ------------------------------------------------------------------ frames for coaching
    def leaders_frame(self) -> pd.DataFrame:
        rows = [
            {"leader_id": l.id, "leader": l.name, "language": l.language, "cohorts": list(l.cohorts), "demo": l.demo}
            for l in self.leaders()
        ]
        return pd.DataFrame(rows, columns=list(frames.LEADER_COLUMNS))

    def posts_frame(
        self,
        leader_ids: Sequence[int] | None = None,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        include_deleted: bool = False,
    ) -> pd.DataFrame:
        """The leaders' own posts in [since, until), as :data:`lasna.frames.POST_COLUMNS`."""
        return self._frame(t.posts, "post_id", frames.POST_COLUMNS, leader_ids, since, until, include_deleted)

    def interactions_frame(
        self,
        leader_ids: Sequence[int] | None = None,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        include_deleted: bool = False,
    ) -> pd.DataFrame:
        """Incoming replies/mentions in [since, until), as :data:`lasna.frames.INTERACTION_COLUMNS`."""
        return self._frame(
            t.interactions, "interaction_id", frames.INTERACTION_COLUMNS, leader_ids, since, until, include_deleted
        )

    def coverage_threads(
        self,
        leader_ids: Sequence[int] | None = None,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> pd.DataFrame:
        """Per own post (not reposts) in [since, until): the reply count the platform reported and the
        replies collected under it (incoming, hidden, deleted; the leader's own) — the input of
        :func:`coaching.coverage.coverage_ledger` (columns ``coaching.coverage.THREAD_COLUMNS``)."""
        query = coverage_sql.threads_query().order_by(t.posts.c.leader_id, t.posts.c.created_at, t.posts.c.id)
        query = _window(query, t.posts, leader_ids, since, until)
        with self.engine.connect() as conn:
            return coverage_sql.thread_frame(conn, query)

    def _frame(self, table, id_label, columns, leader_ids, since, until, include_deleted) -> pd.DataFrame:
        selected = [c for c in table.c if c.name != "id" and c.name in columns]
        query = select(table.c.id.label(id_label), t.leaders.c.name.label("leader"), *selected).join(
            t.leaders, t.leaders.c.id == table.c.leader_id
        )
        query = _window(query, table, leader_ids, since, until)
        if not include_deleted:
            query = query.where(table.c.deleted.is_(False))
        with self.engine.connect() as conn:
            result = conn.execute(query)
            frame = pd.DataFrame(result.all(), columns=list(result.keys()))
        return frames.conform(frame, columns)

    def counts(self) -> dict[str, int]:
        """Row counts per table (for `lasna db status` and the health page)."""
        with self.engine.connect() as conn:
            return {
                table.name: conn.execute(select(func.count()).select_from(table)).scalar_one()
                for table in t.metadata.sorted_tables
            }

    # ------------------------------------------------------------------ coaching: goals
    def add_goal(self, goal: Goal, *, actor: str | None = None) -> Goal:
        """Save a new goal; returns it with its id."""
        if goal.deadline <= goal.start:
            raise InputError("a goal's deadline must come after its start", hint="check --start and --deadline")
        with self.engine.begin() as conn:
            goal_id = _new_id(conn.execute(
                t.goals.insert().values(
                    leader_id=goal.leader_id, metric=goal.metric, target=float(goal.target), start=goal.start,
                    deadline=goal.deadline, description=goal.description or "", created_by=goal.created_by,
                )
            ))
            self._audit(conn, "goal.add", "goal", goal_id, actor=actor)
        return replace(goal, id=goal_id)

    def goals(self, leader_id: int | None = None) -> list[Goal]:
        query = select(t.goals).order_by(t.goals.c.deadline, t.goals.c.id)
        if leader_id is not None:
            query = query.where(t.goals.c.leader_id == leader_id)
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [
            Goal(leader_id=r.leader_id, metric=r.metric, target=r.target, start=r.start, deadline=r.deadline,
                 id=r.id, description=r.description, created_by=r.created_by)
            for r in rows
        ]

    def delete_goal(self, goal_id: int, *, actor: str | None = None) -> None:
        with self.engine.begin() as conn:
            if conn.execute(delete(t.goals).where(t.goals.c.id == goal_id)).rowcount == 0:
                raise NotFoundError(f"no goal with id {goal_id}")
            self._audit(conn, "goal.delete", "goal", goal_id, actor=actor)

    # ------------------------------------------------------------------ coaching: sparring sessions
    def add_session(self, note: SessionNote, *, actor: str | None = None) -> SessionNote:
        """Record a sparring session; returns it with its id and creation time."""
        created = note.created_at or now_utc()
        with self.engine.begin() as conn:
            session_id = _new_id(conn.execute(
                t.session_notes.insert().values(**_session_values(note), created_at=created)
            ))
            self._audit(conn, "session.add", "session", session_id, actor=actor)
        return replace(note, id=session_id, created_at=created)

    def update_session(self, note: SessionNote, *, actor: str | None = None) -> SessionNote:
        if note.id is None:
            raise ValueError("update_session needs a session read from the store")
        with self.engine.begin() as conn:
            n = conn.execute(
                update(t.session_notes).where(t.session_notes.c.id == note.id).values(**_session_values(note))
            ).rowcount
            if n:
                self._audit(conn, "session.update", "session", note.id, actor=actor)
        if n == 0:
            raise NotFoundError(f"no sparring session with id {note.id}")
        return self.session(note.id)

    def sessions(self, leader_id: int | None = None) -> list[SessionNote]:
        """Sessions oldest first (history order)."""
        query = select(t.session_notes).order_by(t.session_notes.c.held_on, t.session_notes.c.id)
        if leader_id is not None:
            query = query.where(t.session_notes.c.leader_id == leader_id)
        with self.engine.connect() as conn:
            return [_session(r) for r in conn.execute(query).all()]

    def session(self, session_id: int) -> SessionNote:
        with self.engine.connect() as conn:
            row = conn.execute(select(t.session_notes).where(t.session_notes.c.id == session_id)).first()
        if row is None:
            raise NotFoundError(f"no sparring session with id {session_id}", hint="see `lasna sessions list`")
        return _session(row)

    def delete_session(self, session_id: int, *, actor: str | None = None) -> None:
        with self.engine.begin() as conn:
            if conn.execute(delete(t.session_notes).where(t.session_notes.c.id == session_id)).rowcount == 0:
                raise NotFoundError(f"no sparring session with id {session_id}")
            self._audit(conn, "session.delete", "session", session_id, actor=actor)

    # ------------------------------------------------------------------ coaching: tip feedback
    def add_tip_feedback(
        self, leader_id: int, tip_key: str, action: str = "dismissed", *, at: datetime | None = None,
        by: str | None = None,
    ) -> None:
        """Remember that a leader dismissed a tip or marked it done (it then stays away for a while)."""
        if action not in ("dismissed", "done"):
            raise InputError(f"tip feedback must be 'dismissed' or 'done', not {action!r}")
        with self.engine.begin() as conn:
            conn.execute(t.tip_feedback.insert().values(
                leader_id=leader_id, tip_key=tip_key, action=action, at=at or now_utc(), by=by))

    def tip_feedback(self, leader_id: int | None = None, *, since: datetime | None = None) -> list[TipFeedback]:
        """Feedback rows, oldest first."""
        query = select(t.tip_feedback).order_by(t.tip_feedback.c.at, t.tip_feedback.c.id)
        if leader_id is not None:
            query = query.where(t.tip_feedback.c.leader_id == leader_id)
        if since is not None:
            query = query.where(t.tip_feedback.c.at >= since)
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [TipFeedback(leader_id=r.leader_id, tip_key=r.tip_key, action=r.action, at=r.at) for r in rows]

    # ------------------------------------------------------------------ privacy
    def apply_retention(
        self, days: int | None = None, *, now: datetime | None = None, actor: str | None = None,
        removal: Removal | None = None,
    ) -> dict[str, int]:
        """Delete posts, interactions and run records older than the retention period, and audit
        records older than their own (``audit_retention_days``). Refuses a period under one day.
        ``removal`` records the rows deleted (:mod:`lasna.store.removal`)."""
        days = _positive_days(days if days is not None else settings.get("retention_days"), "retention")
        audit_days = _positive_days(settings.get("audit_retention_days"), "audit retention")
        now = now or now_utc()
        cutoff = now - timedelta(days=days)
        with self.engine.begin() as conn:
            if removal is not None:
                removal.begin(conn)
                removal.record(conn, t.posts, t.posts.c.created_at < cutoff)
                removal.record(conn, t.interactions, t.interactions.c.created_at < cutoff)
            self._delete_predictions(conn, t.posts.c.created_at < cutoff, t.interactions.c.created_at < cutoff)
            self._audit(conn, "retention.apply", actor=actor)
            return {
                "audit_log": audit_log.prune(conn, now - timedelta(days=audit_days)),
                "notify_outbox": _notify_store().apply_retention(conn, cutoff),
                "reply_losses": conn.execute(delete(t.reply_losses).where(t.reply_losses.c.post_id.in_(
                    select(t.posts.c.id).where(t.posts.c.created_at < cutoff)))).rowcount,
                "leader_week_coverage": conn.execute(delete(t.leader_week_coverage).where(
                    t.leader_week_coverage.c.week_start < (cutoff - timedelta(days=7)).date())).rowcount,
                "posts": conn.execute(delete(t.posts).where(t.posts.c.created_at < cutoff)).rowcount,
                "interactions": conn.execute(
                    delete(t.interactions).where(t.interactions.c.created_at < cutoff)
                ).rowcount,
                "collection_run_accounts": conn.execute(
                    delete(t.collection_run_accounts).where(t.collection_run_accounts.c.finished_at < cutoff)
                ).rowcount,
            }


def _stored_id(value: int | None) -> int:
    """The id of a row that must be stored already (a domain object read back or just inserted)."""
    if value is None:
        raise ValueError("this row is not stored yet")
    return value


def _new_id(result) -> int:
    """The primary key an INSERT just gave its row."""
    key = result.inserted_primary_key
    if key is None:
        raise ValueError("the insert returned no primary key")
    return int(key[0])


def _positive_days(days: Any, what: str) -> int:
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise InputError(
            f"the {what} period must be a whole number of days, at least 1 (got {days!r})",
            hint="a period of 0 or fewer days would delete everything",
        )
    return days


def _notify_store():
    from lasna.store import notify  # the outbox's SQL (imports this module)

    return notify


def _window(query, table, leader_ids, since, until):
    if leader_ids is not None:
        query = query.where(table.c.leader_id.in_(list(leader_ids)))
    if since is not None:
        query = query.where(table.c.created_at >= since)
    if until is not None:
        query = query.where(table.c.created_at < until)
    return query


def _session_values(note: SessionNote) -> dict[str, Any]:
    return {
        "leader_id": note.leader_id, "held_on": note.held_on, "period_start": note.period_start,
        "period_end": note.period_end, "baseline_start": note.baseline_start, "baseline_end": note.baseline_end,
        "notes": note.notes or "", "actions": list(note.actions), "next_session": note.next_session,
        "consultant": note.consultant,
    }


def _session(row) -> SessionNote:
    return SessionNote(
        leader_id=row.leader_id, held_on=row.held_on, period_start=row.period_start, period_end=row.period_end,
        baseline_start=row.baseline_start, baseline_end=row.baseline_end, notes=row.notes or "",
        actions=tuple(row.actions or ()), next_session=row.next_session, consultant=row.consultant, id=row.id,
        created_at=row.created_at,
    )


def _account(row) -> Account:
    return Account(
        Platform(row.platform), row.handle, stable_id=row.stable_id, url=row.url, id=row.id, leader_id=row.leader_id
    )
