"""The Bluesky collector and the runner against an httpx.MockTransport route table.

No network: unknown URLs raise ConnectError. Faults are injected per endpoint and
account: timeouts, connection resets, 429 with Retry-After, 500/502, truncated
JSON and records that break the lexicon.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from datetime import timedelta

import httpx
import pytest
from clihelp import REPO_ROOT  # noqa: F401  (puts the repo root on sys.path)

from benchmarks.fake_appview import World, split
from collectors.base import CollectContext
from collectors.bluesky import BlueskyCollector
from collectors.runner import run_collection
from lasna.errors import MalformedPayload, SourceUnavailable
from lasna.store import Store
from lasna.types import Platform

BASE = "https://appview.test"


class Faults:
    """Route table: the fake world answers unless a fault is queued for (nsid, actor-or-uri)."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.queue: dict[tuple[str, str], list] = defaultdict(list)
        self.always: dict[tuple[str, str], object] = {}
        self.seen: list[tuple[str, str]] = []

    def add(self, nsid: str, key: str, *faults) -> None:
        self.queue[(nsid, key)].extend(faults)

    def handler(self, request: httpx.Request) -> httpx.Response:
        if request.url.host != "appview.test":
            raise httpx.ConnectError(f"no route to {request.url}", request=request)
        nsid, params = split(str(request.url))
        key = params.get("actor") or params.get("uri") or ""
        if key in self.world.by_actor:  # a first run asks for the feed by handle: key it by DID too
            key = self.world.by_actor[key].did
        self.seen.append((nsid, key))
        fault = self.always.get((nsid, key))
        if fault is None and self.queue[(nsid, key)]:
            fault = self.queue[(nsid, key)].pop(0)
        if fault is not None:
            if isinstance(fault, Exception):
                raise fault
            if callable(fault):
                return fault(request)
            return fault
        status, body = self.world.handle(nsid, params)
        return httpx.Response(status, content=body, headers={"content-type": "application/json"})

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handler)


def json_response(status: int, payload, **headers) -> httpx.Response:
    return httpx.Response(status, content=json.dumps(payload).encode(), headers={"content-type": "application/json", **headers})


class Budget:
    """Stands in for RequestBudget: records acquires and pauses, never sleeps."""

    def __init__(self) -> None:
        self.calls = 0
        self.pauses: list[float] = []

    def __call__(self, host: str) -> None:
        self.calls += 1

    def pause(self, host: str, seconds: float) -> None:
        self.pauses.append(seconds)

    def observe(self, host, headers) -> None:
        pass


@pytest.fixture
def store(tmp_path):
    return Store.open(f"sqlite:///{tmp_path / 'faults.db'}")


@pytest.fixture
def world():
    return World(accounts=3, posts=30, spacing_hours=36, reply_every=10)


def add_accounts(store, world, n=None):
    out = []
    for i, acct in enumerate(world.accounts[: n or len(world.accounts)]):
        leader = store.add_leader(f"Leader {i}")
        out.append((leader, store.add_account(leader.id, Platform.BLUESKY, acct.handle)))
    return out


def collector(**kw):
    return BlueskyCollector(BASE, sleep=lambda s: None, backoff_base=0.001, **kw)


def ctx(store, faults, world, budget=None):
    return CollectContext(store=store, transport=faults.transport(), now=world.now, acquire=budget or Budget())


def fresh(store, account):
    return next(a for a in store.accounts() if a.id == account.id)


def feed(world, i):
    return ("app.bsky.feed.getAuthorFeed", world.accounts[i].did)


# ------------------------------------------------------------------ basic behaviour
def test_full_then_unchanged_refresh(store, world):
    faults = Faults(world)
    [(leader, account)] = add_accounts(store, world, 1)
    first = collector().collect(account, leader, ctx(store, faults, world))
    # 1 feed page (30 posts; it names the DID, so no getProfile) + threads for the posts with
    # replies inside the 60-day horizon
    in_horizon_with_replies = sum(
        1 for p in world.accounts[0].posts if p.replies and p.created_at >= world.now - timedelta(days=60)
    )
    assert first.error is None and first.new_posts == 30
    assert first.new_interactions == 2 * in_horizon_with_replies
    assert first.requests == 1 + in_horizon_with_replies
    account = fresh(store, account)
    assert account.stable_id == world.accounts[0].did
    again = collector().collect(account, leader, ctx(store, faults, world))
    assert (again.new_posts, again.new_interactions, again.requests) == (0, 0, 1)


def test_the_did_comes_from_the_first_feed_page_or_from_get_profile_for_an_empty_feed(store):
    world = World(accounts=2, posts=5, reply_every=0)
    world.accounts[1].posts.clear()
    world._index()
    faults = Faults(world)
    for leader, account in add_accounts(store, world):
        assert collector().collect(account, leader, ctx(store, faults, world)).error is None
    assert [a.stable_id for a in store.accounts()] == [a.did for a in world.accounts]
    feed_, profile = "app.bsky.feed.getAuthorFeed", "app.bsky.actor.getProfile"
    assert [nsid for nsid, _ in faults.seen] == [feed_, feed_, profile, feed_]
    assert len(store.posts_frame()) == 5


def test_only_changed_threads_are_refetched(store, world):
    faults = Faults(world)
    [(leader, account)] = add_accounts(store, world, 1)
    collector().collect(account, leader, ctx(store, faults, world))
    world.add_reply(0, 3, "new question")
    faults.seen.clear()
    out = collector().collect(fresh(store, account), leader, ctx(store, faults, world))
    assert out.new_interactions == 1 and out.requests == 2
    assert [s for s in faults.seen if s[0].endswith("getPostThread")] == [
        ("app.bsky.feed.getPostThread", world.accounts[0].posts[3].uri)
    ]


def test_deleted_posts_are_marked_not_kept_live(store, world):
    faults = Faults(world)
    [(leader, account)] = add_accounts(store, world, 1)
    collector().collect(account, leader, ctx(store, faults, world))
    gone = world.delete_post(0, 2)
    collector().collect(fresh(store, account), leader, ctx(store, faults, world))
    frame = store.posts_frame(include_deleted=True).set_index("post_id")
    assert bool(frame.loc[gone, "deleted"]) is True
    assert gone not in set(store.posts_frame().post_id)
    assert int(frame.deleted.sum()) == 1


def test_thread_not_found_marks_post_deleted(store, world):
    faults = Faults(world)
    [(leader, account)] = add_accounts(store, world, 1)
    collector().collect(account, leader, ctx(store, faults, world))
    uri = world.accounts[0].posts[0].uri
    world.add_reply(0, 0)
    faults.always[("app.bsky.feed.getPostThread", uri)] = json_response(400, {"error": "NotFound", "message": "Post not found"})
    out = collector().collect(fresh(store, account), leader, ctx(store, faults, world))
    assert out.error is None
    assert bool(store.posts_frame(include_deleted=True).set_index("post_id").loc[uri, "deleted"])


def test_handle_change_is_followed(store, world):
    faults = Faults(world)
    [(leader, account)] = add_accounts(store, world, 1)
    collector().collect(account, leader, ctx(store, faults, world))
    world.rename(0, "renamed.example")
    out = collector().collect(fresh(store, account), leader, ctx(store, faults, world))
    assert out.error is None and out.account == "renamed.example"
    assert fresh(store, account).handle == "renamed.example"
    assert fresh(store, account).stable_id == world.accounts[0].did


# ------------------------------------------------------------------ transient faults are retried
@pytest.mark.parametrize(
    "fault",
    [
        httpx.ReadTimeout("timed out"),
        httpx.ConnectTimeout("timed out"),
        httpx.ReadError("[Errno 104] Connection reset by peer"),
        httpx.RemoteProtocolError("peer closed connection without sending complete message body"),
        json_response(500, {"error": "InternalServerError"}),
        json_response(502, {"error": "BadGateway"}),
        json_response(503, {"error": "Unavailable"}),
        httpx.Response(200, content=b'{"feed": [{"post": {"uri": "at://x', headers={"content-type": "application/json"}),
    ],
    ids=["read-timeout", "connect-timeout", "reset", "truncated-stream", "500", "502", "503", "truncated-json"],
)
def test_transient_fault_retried_then_succeeds(store, world, fault):
    faults = Faults(world)
    [(leader, account)] = add_accounts(store, world, 1)
    faults.add(*feed(world, 0), fault, fault)
    out = collector().collect(account, leader, ctx(store, faults, world))
    assert out.error is None and out.new_posts == 30
    assert faults.seen.count(feed(world, 0)) == 3


@pytest.mark.parametrize(
    "fault,error",
    [
        (httpx.ReadTimeout("timed out"), SourceUnavailable),
        (json_response(500, {"error": "InternalServerError"}), SourceUnavailable),
        (httpx.Response(200, content=b'{"feed": [', headers={"content-type": "application/json"}), MalformedPayload),
    ],
)
def test_persistent_fault_gives_up_after_bounded_retries(store, world, fault, error):
    faults = Faults(world)
    [(leader, account)] = add_accounts(store, world, 1)
    faults.always[feed(world, 0)] = fault
    with pytest.raises(error) as info:
        collector(max_attempts=3).collect(account, leader, ctx(store, faults, world))
    assert faults.seen.count(feed(world, 0)) == 3
    assert info.value.partial.requests == 3  # 3 attempts


@pytest.mark.parametrize("status", [400, 401, 403, 404])
def test_client_errors_are_not_retried(store, world, status):
    faults = Faults(world)
    [(leader, account)] = add_accounts(store, world, 1)
    faults.always[feed(world, 0)] = json_response(status, {"error": "Nope", "message": "no"})
    with pytest.raises(Exception):
        collector().collect(account, leader, ctx(store, faults, world))
    assert faults.seen.count(feed(world, 0)) == 1


def test_429_waits_retry_after_through_the_shared_budget(store, world):
    faults = Faults(world)
    [(leader, account)] = add_accounts(store, world, 1)
    faults.add(*feed(world, 0), json_response(429, {"error": "RateLimitExceeded"}, **{"retry-after": "7"}))
    budget = Budget()
    out = collector().collect(account, leader, ctx(store, faults, world, budget))
    assert out.error is None
    assert budget.pauses == [7.0]
    assert budget.calls == out.requests


# ------------------------------------------------------------------ bad records
def test_lexicon_violations_are_skipped_and_logged(store, world, caplog):
    faults = Faults(world)
    [(leader, account)] = add_accounts(store, world, 1)
    status, body = world.handle("app.bsky.feed.getAuthorFeed", {"actor": world.accounts[0].did, "limit": "100"})
    page = json.loads(body)
    page["feed"][1]["post"]["record"]["embed"] = {"$type": "app.bsky.embed.hologram"}
    del page["feed"][2]["post"]["record"]["createdAt"]
    del page["feed"][3]["post"]["author"]
    page["feed"].append({"post": "not an object"})
    faults.add(*feed(world, 0), json_response(200, page))
    with caplog.at_level(logging.WARNING):
        out = collector().collect(account, leader, ctx(store, faults, world))
    assert out.error is None and out.new_posts == 27
    assert sum("skipped feed item" in r.message for r in caplog.records) == 4
    assert "unknown embed type" in caplog.text
    # a skipped record that is already stored is not mistaken for a deletion
    faults.add(*feed(world, 0), json_response(200, page))
    collector().collect(fresh(store, account), leader, ctx(store, faults, world))
    assert not store.posts_frame(include_deleted=True).deleted.any()


# ------------------------------------------------------------------ the runner
def test_one_failing_account_never_stops_the_others(store, world):
    faults = Faults(world)
    add_accounts(store, world)
    faults.always[feed(world, 0)] = json_response(500, {"error": "InternalServerError"})
    faults.add(*feed(world, 1), json_response(429, {"error": "RateLimitExceeded"}, **{"retry-after": "0"}),
               httpx.ReadTimeout("slow"))
    report = run_collection(
        store, transport=faults.transport(), budget=Budget(), concurrency=3, now=world.now,
        registry={Platform.BLUESKY: collector},
    )
    assert not report.ok
    by_leader = {o.leader: o for o in report.outcomes}
    assert by_leader["Leader 0"].error and "HTTP 500" in by_leader["Leader 0"].error
    assert by_leader["Leader 0"].requests == 4  # 4 attempts
    assert by_leader["Leader 1"].error is None and by_leader["Leader 1"].new_posts == 30
    assert by_leader["Leader 2"].error is None and by_leader["Leader 2"].new_posts == 30
    rows = store.run_accounts_frame([report.run_id])
    assert len(rows) == 3 and rows.error.notna().sum() == 1
    assert set(rows.requests) == {o.requests for o in report.outcomes}


def test_crash_mid_backfill_resumes_from_the_stored_cursor(store):
    world = World(accounts=1, posts=450, spacing_hours=36, reply_every=0)
    faults = Faults(world)
    [(leader, account)] = add_accounts(store, world)
    faults.always[("app.bsky.feed.getAuthorFeed", world.accounts[0].did)] = None

    calls = {"n": 0}

    def flaky(request):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("process killed here")
        nsid, params = split(str(request.url))
        status, body = world.handle(nsid, params)
        return httpx.Response(status, content=body, headers={"content-type": "application/json"})

    faults.always[feed(world, 0)] = flaky
    with pytest.raises(RuntimeError):
        collector().collect(account, leader, ctx(store, faults, world))
    assert len(store.posts_frame()) == 200 and store.get_state(account)["backfill_cursor"] == "200"
    del faults.always[feed(world, 0)]
    faults.seen.clear()
    out = collector().collect(fresh(store, account), leader, ctx(store, faults, world))
    assert out.error is None and out.new_posts == 250
    # first page (known, past the horizon) then straight to the stored cursor: 200 and 300, 400
    assert out.requests == 4
    assert len(store.posts_frame()) == 450


def test_vanished_account_is_reported_as_gone_and_not_retried(store, world):
    faults = Faults(world)
    [(leader, account)] = add_accounts(store, world, 1)
    collector().collect(account, leader, ctx(store, faults, world))
    faults.always[feed(world, 0)] = json_response(400, {"error": "InvalidRequest", "message": "Profile not found"})
    report = run_collection(store, transport=faults.transport(), budget=Budget(), now=world.now,
                            registry={Platform.BLUESKY: collector})
    [outcome] = report.outcomes
    assert "gone" in outcome.error and outcome.requests == 1
    assert not store.posts_frame(include_deleted=True).deleted.any()  # nothing marked deleted on failure
