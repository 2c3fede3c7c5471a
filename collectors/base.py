"""The contract every source collector implements, and the registry the runner reads.

A collector fetches one account's new public data, normalises it with pure
functions into :mod:`lasna.types`, and saves it through
:meth:`lasna.store.Store.save_batch` (data and state in one transaction).
It raises :class:`lasna.errors.CollectorError` subclasses for failures; the
runner records them per account and carries on with the others.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

import httpx

from lasna.store import Store
from lasna.types import Account, AccountOutcome, Leader, Platform


class Shared:
    """What the accounts of one run share (e.g. one HTTP connection pool per source); closed with the run."""

    def __init__(self) -> None:
        self._items: dict[Hashable, tuple[Any, Callable[[Any], None]]] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, make: Callable[[], Any], close: Callable[[Any], None]) -> Any:
        with self._lock:
            if key not in self._items:
                self._items[key] = (make(), close)
            return self._items[key][0]

    def close(self) -> None:
        with self._lock:
            items, self._items = list(self._items.values()), {}
        for item, close in items:
            close(item)


@dataclass
class CollectContext:
    """What the runner hands to a collector for one account."""

    store: Store
    #: Injected by tests (httpx.MockTransport) or benchmarks; None means real network.
    transport: httpx.BaseTransport | None = None
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    #: Called before every HTTP request; blocks to respect the shared request budget.
    acquire: Callable[[str], None] = lambda host: None
    #: Per-run shared resources (set by the runner); None: the collector makes and closes its own.
    shared: Shared | None = None


class Collector(Protocol):
    platform: Platform

    def collect(self, account: Account, leader: Leader, ctx: CollectContext) -> AccountOutcome:
        """Collect what is new for ``account``; must be safe to re-run after a crash."""
        ...


#: platform name -> factory. Modules register themselves on import (see collectors/__init__.py).
COLLECTORS: dict[Platform, Callable[[], Collector]] = {}


def register(platform: Platform, factory: Callable[[], Collector]) -> None:
    COLLECTORS[platform] = factory
