"""The Mastodon collector against a fake instance (httpx.MockTransport): incremental runs and faults."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from collectors.base import COLLECTORS, CollectContext
from collectors.mastodon import MastodonCollector
from lasna.errors import AccountGone, MalformedPayload, RateLimited, SourceUnavailable
from lasna.types import Platform, Post
from tests.fake_mastodon import FakeMastodon
from tests.sources_helpers import FIXTURES, allow_private, make_account, store  # noqa: F401

NOW = datetime(2025, 11, 5, 12, 0, tzinfo=UTC)
LEADER_URI = "https://mastodon.example/users/liisa"
LEADER_KEY = "acct:liisa@mastodon.example"  # one key per fediverse account (collectors/mastodon/normalize.py)
ROOT_ID = "113412345678901234"


def _load(name):
    return json.loads((FIXTURES / "mastodon" / name).read_text(encoding="utf-8"))


@pytest.fixture
def fake():
    f = FakeMastodon()
    f.add_account(_load("account_lookup.json"))
    context = _load("context_root.json")
    for status in _load("statuses.json") + context["descendants"]:
        f.add_status(status)
    f.contexts[ROOT_ID] = context
    return f


@pytest.fixture
def setup(store, fake, allow_private):  # noqa: F811
    leader, account = make_account(store, Platform.MASTODON, "liisa@mastodon.example", url="https://mastodon.example/@liisa")
    sleeps: list[float] = []
    collector = MastodonCollector(sleep=sleeps.append, backoff=0.01, max_wait=5)

    def run():
        acc = [a for a in store.accounts() if a.id == account.id][0]
        ctx = CollectContext(store=store, transport=fake.transport(), now=NOW)
        return collector.collect(acc, leader, ctx)

    return run, sleeps


def test_registered():
    assert Platform.MASTODON in COLLECTORS


def test_first_run_collects_posts_replies_and_interactions(setup, store, fake):
    run, _ = setup
    outcome = run()
    assert outcome.ok and outcome.new_posts == 4 and outcome.new_interactions == 2
    # lookup + 1 (short) status page + 1 parent lookup + 1 context
    assert outcome.requests == 4, fake.log
    assert fake.hits["/api/v1/statuses/113412399999000001"] == 1
    account = store.accounts(platform=Platform.MASTODON)[0]
    assert account.stable_id == LEADER_KEY
    posts = store.posts_frame().set_index("post_id")
    answer = posts.loc["https://mastodon.example/users/liisa/statuses/113412400000000010"]
    assert answer.reply_parent_id == "https://social.example/users/bob/statuses/113412399999000001"
    assert answer.reply_parent_author_id == "acct:bob@social.example"
    boost = posts.loc["https://mastodon.example/users/liisa/statuses/113412600000000030/activity"]
    assert bool(boost.is_repost) and boost.repost_of_id.endswith("carol/statuses/113400000000000077")
    inter = store.interactions_frame()
    assert set(inter.author_handle) == {"bob@social.example", "carol@toot.example"}
    assert "<" not in "".join(posts.text) + "".join(inter.text)


def test_unchanged_account_costs_one_request(setup, fake):
    run, _ = setup
    run()
    fake.log.clear()
    outcome = run()
    assert outcome.ok and outcome.requests == 1 and outcome.new_posts == 0 and outcome.new_interactions == 0
    assert "/api/v1/accounts/109302436954721982/statuses" in fake.log[0]


def test_new_reply_refetches_only_that_thread(setup, fake):
    run, _ = setup
    run()
    root = fake.by_id[ROOT_ID]
    root["replies_count"] = 3
    late = copy.deepcopy(fake.contexts[ROOT_ID]["descendants"][2])
    late.update(id="113412999999000009", uri="https://toot.example/users/carol/statuses/113412999999000009",
                created_at="2025-11-04T09:00:00.000Z", content="<p>One more question?</p>")
    fake.contexts[ROOT_ID]["descendants"].append(late)
    fake.log.clear()
    outcome = run()
    assert outcome.new_interactions == 1 and outcome.requests == 2
    assert fake.log[1].endswith(f"/api/v1/statuses/{ROOT_ID}/context")


def _filler(fake, n, start=113500000000000000):
    base = fake.by_id[ROOT_ID]
    for i in range(n):
        s = copy.deepcopy(base)
        sid = str(start + i)
        s.update(id=sid, uri=f"{LEADER_URI}/statuses/{sid}", url=f"https://mastodon.example/@liisa/{sid}",
                 replies_count=0, created_at=(NOW - timedelta(minutes=n - i)).isoformat().replace("+00:00", "Z"),
                 content=f"<p>Päivitys numero {i}</p>")
        fake.add_status(s)


def test_many_new_statuses_are_paged_with_since_id(setup, store, fake):
    run, _ = setup
    run()
    _filler(fake, 90)
    fake.log.clear()
    outcome = run()
    assert outcome.new_posts == 90
    pages = [u for u in fake.log if u.split("?")[0].endswith("/statuses") and "/accounts/" in u]
    assert len(pages) == 3
    assert "max_id=" in pages[1] and "since_id=113412600000000030" in pages[1]
    assert len(store.posts_frame()) == 94


def test_first_run_stops_at_horizon_and_page_cap(store, fake, allow_private):  # noqa: F811
    _filler(fake, 200)
    leader, account = make_account(store, Platform.MASTODON, "liisa@mastodon.example", url="https://mastodon.example/@liisa")
    collector = MastodonCollector(sleep=lambda s: None, max_pages=3)
    outcome = collector.collect(account, leader, CollectContext(store=store, transport=fake.transport(), now=NOW))
    assert outcome.new_posts == 120


def test_429_with_short_reset_waits_and_retries(setup, fake):
    run, sleeps = setup
    reset = (datetime.now(UTC) + timedelta(seconds=2)).isoformat()
    fake.faults["/api/v1/accounts/lookup"] = [httpx.Response(429, headers={"x-ratelimit-reset": reset})]
    outcome = run()
    assert outcome.ok and sleeps and 0 < sleeps[0] <= 2.1


def test_429_with_long_reset_raises_rate_limited(setup, fake):
    run, _ = setup
    reset = (datetime.now(UTC) + timedelta(minutes=5)).isoformat()
    fake.faults["/api/v1/accounts/lookup"] = [httpx.Response(429, headers={"x-ratelimit-reset": reset})]
    with pytest.raises(RateLimited) as err:
        run()
    assert 290 < err.value.retry_after <= 300


def test_remaining_zero_pauses_before_next_request(setup, fake):
    run, sleeps = setup
    reset = (datetime.now(UTC) + timedelta(seconds=3)).isoformat()
    fake.headers = lambda: {"x-ratelimit-remaining": "0", "x-ratelimit-reset": reset}
    assert run().ok
    assert len(sleeps) >= 1 and all(0 < s <= 3.1 for s in sleeps)


def test_5xx_retried_then_source_unavailable(setup, fake):
    run, sleeps = setup
    fake.faults["/api/v1/accounts/lookup"] = [httpx.Response(503)] * 3
    with pytest.raises(SourceUnavailable, match="503"):
        run()
    assert len(sleeps) == 2


def test_single_5xx_is_retried(setup, fake):
    run, _ = setup
    fake.faults["/api/v1/accounts/lookup"] = [httpx.Response(502)]
    assert run().ok


def test_unknown_account_is_gone(setup, fake):
    run, _ = setup
    fake.accounts.clear()
    with pytest.raises(AccountGone, match="has no account liisa@mastodon.example"):
        run()


def test_account_deleted_after_resolution_is_gone(setup, fake):
    run, _ = setup
    run()
    fake.statuses.clear()
    with pytest.raises(AccountGone):
        run()


@pytest.mark.parametrize("change,msg", [({"suspended": True}, "suspended"), ({"moved": {"acct": "liisa@new.example"}}, "moved")])
def test_suspended_or_moved_is_gone(setup, fake, change, msg):
    run, _ = setup
    fake.accounts["liisa"].update(change)
    with pytest.raises(AccountGone, match=msg):
        run()


def test_instance_down_is_source_unavailable(store, allow_private):  # noqa: F811
    leader, account = make_account(store, Platform.MASTODON, "liisa@down.example", url="https://down.example/@liisa")

    def refuse(request):
        raise httpx.ConnectError("connection refused", request=request)

    ctx = CollectContext(store=store, transport=httpx.MockTransport(refuse), now=NOW)
    with pytest.raises(SourceUnavailable, match="cannot reach down.example"):
        MastodonCollector(sleep=lambda s: None).collect(account, leader, ctx)


def test_invalid_json_is_malformed(setup, fake):
    run, _ = setup
    fake.faults["/api/v1/accounts/lookup"] = [httpx.Response(200, content=b"{not json")]
    with pytest.raises(MalformedPayload):
        run()


def test_foreign_statuses_and_id_clashes_are_dropped(setup, store, fake):
    run, _ = setup
    # another leader already owns a post with this id; a hostile instance claims it
    other_leader, other = make_account(store, Platform.FEED, "https://x.example/feed", name="Other")
    victim = Post(id=f"{LEADER_URI}/statuses/113412345678901234", platform=Platform.FEED, author_id="x",
                  created_at=NOW, text="original")
    store.save_batch(other, posts=[victim])
    stranger = copy.deepcopy(fake.contexts[ROOT_ID]["descendants"][0])
    fake.statuses["109302436954721982"].insert(0, stranger)
    outcome = run()
    assert outcome.ok
    frame = store.posts_frame().set_index("post_id")
    assert frame.loc[victim.id, "text"] == "original"
    assert stranger["uri"] not in frame.index


def test_deleted_thread_root_is_marked(setup, store, fake):
    run, _ = setup
    del fake.by_id[ROOT_ID]  # context now 404s
    run()
    frame = store.posts_frame(include_deleted=True).set_index("post_id")
    assert bool(frame.loc[f"{LEADER_URI}/statuses/{ROOT_ID}", "deleted"])


def test_hostile_ids_never_reach_an_api_path(setup, store, fake):
    run, _ = setup
    evil = copy.deepcopy(fake.by_id["113412400000000010"])
    evil.update(id="../../admin", uri=f"{LEADER_URI}/statuses/evil", in_reply_to_id="../../../oauth/token")
    fake.statuses["109302436954721982"].insert(0, evil)
    assert run().ok
    assert not any(".." in url or "oauth" in url for url in fake.log)
    assert f"{LEADER_URI}/statuses/evil" not in set(store.posts_frame().post_id)


def test_garbage_statuses_page_is_skipped_not_fatal(setup, store, fake):
    run, _ = setup
    fake.statuses["109302436954721982"][0:0] = [
        {"id": "113999999999999999", "uri": 5, "account": "x", "created_at": "nope"},
        {"id": "113999999999999998"},
    ]
    outcome = run()
    assert outcome.ok and outcome.new_posts == 4


def test_short_rate_limit_pauses_the_shared_budget(store, fake, allow_private):  # noqa: F811
    class Budget:
        def __init__(self):
            self.calls, self.pauses = [], []

        def __call__(self, host):
            self.calls.append(host)

        def pause(self, host, seconds):
            self.pauses.append((host, seconds))

    leader, account = make_account(store, Platform.MASTODON, "liisa@mastodon.example", url="https://mastodon.example/@liisa")
    reset = (datetime.now(UTC) + timedelta(seconds=3)).isoformat()
    fake.faults["/api/v1/accounts/lookup"] = [httpx.Response(429, headers={"x-ratelimit-reset": reset})]
    budget, sleeps = Budget(), []
    ctx = CollectContext(store=store, transport=fake.transport(), now=NOW, acquire=budget)
    outcome = MastodonCollector(sleep=sleeps.append, max_wait=5).collect(account, leader, ctx)
    assert outcome.ok and sleeps == []
    assert len(budget.pauses) == 1 and budget.pauses[0][0] == "mastodon.example" and 0 < budget.pauses[0][1] <= 3.1
    assert len(budget.calls) == outcome.requests  # every request went through the budget


def test_account_is_looked_up_again_after_a_day_and_a_move_is_noticed(store, fake, allow_private):  # noqa: F811
    leader, account = make_account(store, Platform.MASTODON, "liisa@mastodon.example", url="https://mastodon.example/@liisa")
    collector = MastodonCollector(sleep=lambda s: None)

    def run(now):
        acc = store.accounts(platform=Platform.MASTODON)[0]
        return collector.collect(acc, leader, CollectContext(store=store, transport=fake.transport(), now=now))

    run(NOW)
    fake.hits.clear()
    run(NOW + timedelta(hours=23))
    assert fake.hits["/api/v1/accounts/lookup"] == 0
    fake.accounts["liisa"]["moved"] = {"acct": "liisa@new.example"}
    with pytest.raises(AccountGone, match="moved to liisa@new.example"):
        run(NOW + timedelta(hours=25))
