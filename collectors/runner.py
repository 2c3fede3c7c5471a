"""The collection runner: every account of the chosen leaders, concurrently, one outcome each.

* Collectors come from :data:`collectors.base.COLLECTORS`; every sub-package of
  ``collectors`` is imported first so that Bluesky, Mastodon, feeds (and whatever is
  added later) register themselves.
* A bounded thread pool (setting ``concurrency``) works on accounts; one shared
  :class:`collectors.http.RequestBudget` keeps all of them inside the source's
  rate limit and pauses everyone when a source answers 429.
* One failing account never stops the others: its error is recorded with
  :meth:`lasna.store.Store.record_outcome` like every success.
* Overlapping runs: on SQLite a file lock next to the database lets only one run
  collect at a time (a second one reports "already running", or waits). On
  PostgreSQL several processes share the accounts: each account is claimed with a
  session advisory lock (``pg_try_advisory_lock``) held while it is collected and
  released by the server if the process dies; an account someone else already
  collected since this run started is skipped, so no account is collected twice.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx
from collectors.base import COLLECTORS, CollectContext, Collector, Shared
from collectors.http import RequestBudget
from lasna import pipeline, settings
from lasna.errors import CollectorError, ConfigError, InputError
from lasna.sources import collect_sources, collected
from lasna.store import Store
from lasna.store.locks import AccountClaims, AlreadyRunning, run_lock
from lasna.types import Account, AccountOutcome, Leader, Platform

log = logging.getLogger(__name__)

#: ``--source`` name -> platforms, from the source specifications (lasna/sources.py)
SOURCES: dict[str, tuple[Platform, ...]] = collect_sources()


def load_collectors() -> dict[Platform, Callable[[], Collector]]:
    """The collector of every collected source specification (lasna/sources.py); a collector
    registered already (tests, plug-ins) is kept. Returns the registry."""
    for spec in collected():
        if spec.platform in COLLECTORS:
            continue
        try:
            COLLECTORS[spec.platform] = spec.factory()
        except Exception:  # a broken optional collector must not stop the others
            log.exception("could not load the collector of %s (%s)", spec.platform, spec.collector)
    return COLLECTORS


@dataclass
class RunReport:
    run_id: str | None
    outcomes: list[AccountOutcome] = field(default_factory=list)
    already_running: bool = False
    #: accounts another process was collecting (PostgreSQL) or had collected during this run
    busy: list[str] = field(default_factory=list)
    #: platforms present in the roster for which no collector is installed
    unsupported: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(o.ok for o in self.outcomes)

    def as_json(self) -> dict:
        return {
            "run_id": self.run_id,
            "ok": self.ok,
            "accounts": [
                {
                    "leader": o.leader,
                    "platform": str(o.platform),
                    "account": o.account,
                    "new_posts": o.new_posts,
                    "new_interactions": o.new_interactions,
                    "requests": o.requests,
                    "error": o.error,
                }
                for o in self.outcomes
            ],
        }


class _SerialWrites:
    """A Store view whose writes take one in-process lock (SQLite has a single writer).

    Without it, worker threads that write at once make SQLite's busy handler sleep
    in growing steps, which wastes far more time than waiting on a lock.
    """

    _WRITES = {"save_batch", "set_account_identity", "put_state", "record_outcome"}

    def __init__(self, store: Store) -> None:
        self._store = store
        self._lock = threading.Lock()

    def __getattr__(self, name: str):
        attr = getattr(self._store, name)
        if name not in self._WRITES:
            return attr

        def locked(*args, **kwargs):
            with self._lock:
                return attr(*args, **kwargs)

        return locked


@contextlib.contextmanager
def _few_gc_passes() -> Iterator[None]:
    """Run the cyclic garbage collector rarely while collecting.

    A run decodes millions of short-lived JSON objects. With the default thresholds
    the collector runs about once per 700 of them and every tenth pass rescans the
    whole import-time heap (SQLAlchemy, pandas, the SDK's models): about a quarter
    of a full refresh's CPU. The existing heap is frozen (never rescanned) and
    passes come every 50,000 allocations; both are undone when the run ends.
    """
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


# ---------------------------------------------------------------------------- the run
def select_accounts(
    store: Store, leader_names: Sequence[str] | None, source: str
) -> list[tuple[Leader, Account]]:
    sources = collect_sources()
    if source not in sources:
        raise InputError(f"unknown source {source!r}", hint="use one of: " + ", ".join(sources))
    if leader_names:
        leaders = [store.leader(name) for name in dict.fromkeys(leader_names)]  # NotFoundError -> exit 2
    else:
        leaders = store.leaders()
    platforms = set(sources[source])
    by_id = {leader.id: leader for leader in leaders}
    return [
        (by_id[a.leader_id], a)
        for a in store.accounts()
        if a.leader_id in by_id and a.platform in platforms
    ]


def run_collection(
    store: Store,
    *,
    leaders: Sequence[str] | None = None,
    source: str = "all",
    wait: bool = False,
    concurrency: int | None = None,
    transport: httpx.BaseTransport | None = None,
    budget: RequestBudget | None = None,
    registry: Mapping[Platform, Callable[[], Collector]] | None = None,
    on_start: Callable[[int], None] | None = None,
    on_outcome: Callable[[AccountOutcome], None] | None = None,
    now: datetime | None = None,
) -> RunReport:
    """Collect every selected account once; never raises for a single account's failure."""
    registry = dict(registry) if registry is not None else dict(load_collectors())
    concurrency = concurrency or settings.get("concurrency")
    if concurrency < 1:
        raise ConfigError(f"concurrency must be at least 1, got {concurrency}")
    work = select_accounts(store, leaders, source)
    if source != "all":
        missing = [str(p) for p in collect_sources()[source] if p not in registry]
        if missing:
            raise ConfigError(f"no collector installed for {', '.join(missing)}")
    unsupported = sorted({str(a.platform) for _, a in work if a.platform not in registry})
    work = [(leader, account) for leader, account in work if account.platform in registry]
    if budget is None:
        rate, per = settings.get("request_budget")
        budget = RequestBudget(rate=rate, per=per, burst=min(rate, max(50.0, concurrency * 2.0)))
    try:
        with run_lock(store, wait=wait):
            return _run(store, work, source, concurrency, transport, budget, registry, on_start, on_outcome,
                        now, unsupported)
    except AlreadyRunning:
        return RunReport(run_id=None, already_running=True, unsupported=unsupported)


def _run(store, work, source, concurrency, transport, budget, registry, on_start, on_outcome, now, unsupported):
    if store.dialect == "sqlite":
        store = _SerialWrites(store)
    run_id = store.start_run(source)
    started_at = datetime.now(UTC)
    claims = AccountClaims(store, started_at)
    report = RunReport(run_id=run_id, unsupported=unsupported)
    lock = threading.Lock()
    if on_start:
        on_start(len(work))

    slots: list[AccountOutcome | None] = [None] * len(work)
    shared = Shared()

    def one(index: int, leader: Leader, account: Account) -> None:
        with claims.claim(account) as mine:
            if not mine:
                with lock:
                    report.busy.append(f"{account.platform}:{account.handle}")
                return
            outcome = _collect_one(store, registry[account.platform], leader, account, transport, budget, now,
                                   shared)
            store.record_outcome(run_id, account, outcome)  # before the claim is released
            pipeline.after_ingest(store, [account.leader_id], quiet=True)  # enrich + facts of what it stored
        slots[index] = outcome
        if on_outcome:
            on_outcome(outcome)

    try:
        with _few_gc_passes(), ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="collect") as pool:
            futures = [pool.submit(one, i, leader, account) for i, (leader, account) in enumerate(work)]
            for future in futures:
                future.result()
    finally:
        shared.close()
    report.outcomes = [o for o in slots if o is not None]
    store.finish_run(run_id, report.ok)
    return report


def _collect_one(store, factory, leader, account, transport, budget, now, shared=None) -> AccountOutcome:
    ctx = CollectContext(store=store, transport=transport, acquire=budget, now=now or datetime.now(UTC),
                         shared=shared)
    began = time.monotonic()
    try:
        outcome = factory().collect(account, leader, ctx)
    except CollectorError as exc:
        partial = getattr(exc, "partial", None)
        log.warning("%s %s: %s", account.platform, account.handle, exc)
        if isinstance(partial, AccountOutcome):
            return partial if partial.error else AccountOutcome(**{**partial.__dict__, "error": str(exc)})
        return AccountOutcome(leader.name, account.platform, account.handle, error=str(exc))
    except Exception as exc:  # a bug in one collector must not stop the run
        log.error("%s %s: unexpected error\n%s", account.platform, account.handle, traceback.format_exc())
        partial = getattr(exc, "partial", None)
        error = f"internal error: {type(exc).__name__}: {exc}"
        if isinstance(partial, AccountOutcome):
            return AccountOutcome(**{**partial.__dict__, "error": error})
        return AccountOutcome(leader.name, account.platform, account.handle, error=error)
    log.info("%s %s: done in %.1fs", account.platform, account.handle, time.monotonic() - began)
    return outcome
