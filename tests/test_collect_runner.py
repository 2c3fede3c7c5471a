"""The runner's building blocks: the request budget and the collector registry plug-in point."""

from __future__ import annotations

import threading
import time

import pytest

from collectors import base
from collectors.http import RequestBudget, backoff_delay
from collectors.runner import load_collectors, run_collection
from lasna.errors import ConfigError, SourceUnavailable
from lasna.store import Store
from lasna.types import AccountOutcome, Platform


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_budget_allows_a_burst_then_the_rate():
    clock = FakeClock()
    budget = RequestBudget(rate=10, per=1, burst=5, clock=clock, sleep=clock.sleep)
    for _ in range(5):
        budget("h")
    assert clock.now == 0
    for _ in range(10):
        budget("h")
    assert clock.now == pytest.approx(1.0, abs=0.01)  # 10 more at 10/s
    budget("other-host")  # hosts have separate buckets
    assert clock.now == pytest.approx(1.0, abs=0.01)
    assert budget.granted == {"h": 15, "other-host": 1}


def test_budget_pause_holds_every_caller():
    clock = FakeClock()
    budget = RequestBudget(rate=100, per=1, burst=100, clock=clock, sleep=clock.sleep)
    budget.pause("h", 7)
    budget("h")
    assert clock.now >= 7
    budget.observe("h", {"ratelimit-remaining": "5", "ratelimit-reset": "0"})
    before = clock.now
    budget("h")
    assert clock.now == before
    # the window is used up: wait until the advertised reset
    budget.observe("h", {"ratelimit-remaining": "0", "ratelimit-reset": str(int(time.time()) + 3)})
    budget("h")
    assert 1.5 <= clock.now - before <= 3.5


def test_budget_is_thread_safe():
    budget = RequestBudget(rate=1e9, per=1, burst=1e9)
    threads = [threading.Thread(target=lambda: [budget("h") for _ in range(500)]) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert budget.granted["h"] == 4000


def test_backoff_is_jittered_and_capped():
    delays = [backoff_delay(a, base=0.5, cap=4) for a in range(10) for _ in range(20)]
    assert all(0 <= d <= 4 for d in delays)
    assert len(set(delays)) > 100


def test_bluesky_registers_itself():
    registry = load_collectors()
    assert Platform.BLUESKY in registry


@pytest.fixture
def store(tmp_path):
    s = Store.open(f"sqlite:///{tmp_path / 'r.db'}")
    for name in ("A", "B", "C"):
        leader = s.add_leader(name)
        s.add_account(leader.id, Platform.FEED, f"https://{name.lower()}.example/feed")
    return s


def test_other_sources_plug_in_and_failures_are_isolated(store, monkeypatch):
    calls = []

    class FeedCollector:
        platform = Platform.FEED

        def collect(self, account, leader, ctx):
            calls.append(account.handle)
            ctx.acquire("feeds.example")
            if leader.name == "A":
                raise SourceUnavailable("feed host down")
            if leader.name == "B":
                raise KeyError("bug in a collector")
            return AccountOutcome(leader.name, Platform.FEED, account.handle, new_posts=2, requests=1)

    monkeypatch.setitem(base.COLLECTORS, Platform.FEED, FeedCollector)
    report = run_collection(store, source="feeds", concurrency=2)
    assert sorted(calls) == sorted(a.handle for a in store.accounts())
    by = {o.leader: o for o in report.outcomes}
    assert by["A"].error == "feed host down"
    assert by["B"].error.startswith("internal error: KeyError")
    assert by["C"].ok and by["C"].new_posts == 2
    assert not report.ok
    assert len(store.run_accounts_frame([report.run_id])) == 3
    # only the chosen leader
    report = run_collection(store, source="all", leaders=["C"])
    assert [o.leader for o in report.outcomes] == ["C"] and report.ok


def test_missing_collector_is_a_config_error_when_asked_for(store):
    with pytest.raises(ConfigError):
        run_collection(store, source="mastodon", registry={})
    with pytest.raises(ConfigError):
        run_collection(store, source="feeds", registry={})
    report = run_collection(store, source="all", registry={})
    assert report.outcomes == [] and report.unsupported == ["feed"]
