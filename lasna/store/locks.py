"""Locks for collection runs: one run at a time on a SQLite store (a flock the kernel drops if the
process dies), and per-account claims shared by several runner processes on PostgreSQL (advisory locks),
so several hosts can collect from one database without doing an account twice."""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from sqlalchemy import create_engine, select, text
from sqlalchemy.pool import NullPool

from lasna.store import Store
from lasna.store import schema as t
from lasna.types import Account

_ADVISORY_NAMESPACE = 0x1A5A  # first key of pg_try_advisory_lock(int, int)


class AlreadyRunning(Exception):
    pass


@contextlib.contextmanager
def run_lock(store: Store, *, wait: bool) -> Iterator[None]:
    """Only one run at a time for a SQLite store (a flock the kernel drops if we die).

    PostgreSQL stores need no run lock: accounts are claimed one by one instead.
    """
    url = store.engine.url
    if store.engine.dialect.name != "sqlite" or not url.database or url.database == ":memory:":
        yield
        return
    path = Path(url.database).expanduser().resolve().with_name(Path(url.database).name + ".collect.lock")
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            raise AlreadyRunning(str(path)) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield
    finally:
        os.close(fd)  # closing releases the flock


class AccountClaims:
    """Per-account claims shared by several runner processes on PostgreSQL."""

    def __init__(self, store: Store, started_at: datetime) -> None:
        self.store = store
        self.started_at = started_at
        self.enabled = store.engine.dialect.name == "postgresql"
        # claims hold their connection for a whole account: keep them out of the store's pool,
        # or a high concurrency could starve the collectors of connections
        self.engine = create_engine(store.engine.url, poolclass=NullPool) if self.enabled else None

    @contextlib.contextmanager
    def claim(self, account: Account) -> Iterator[bool]:
        if self.engine is None:
            yield True
            return
        with self.engine.connect() as conn:
            got = conn.execute(
                text("SELECT pg_try_advisory_lock(:ns, :id)"), {"ns": _ADVISORY_NAMESPACE, "id": account.id}
            ).scalar_one()
            conn.commit()
            if not got:
                yield False
                return
            try:
                done = conn.execute(
                    select(t.collection_run_accounts.c.id).where(
                        t.collection_run_accounts.c.account_id == account.id,
                        t.collection_run_accounts.c.error.is_(None),
                        t.collection_run_accounts.c.finished_at >= self.started_at,
                    )
                ).first()
                conn.commit()
                yield done is None
            finally:
                conn.execute(
                    text("SELECT pg_advisory_unlock(:ns, :id)"), {"ns": _ADVISORY_NAMESPACE, "id": account.id}
                )
                conn.commit()
