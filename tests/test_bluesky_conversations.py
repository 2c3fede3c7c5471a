"""Quote posts of the leader's posts, and replies or quotes that are deleted at the source.

The fake AppView (benchmarks/fake_appview.py) answers through an httpx.MockTransport;
the store is real SQLite and PostgreSQL.
"""

from __future__ import annotations

import copy

import pytest
from clihelp import REPO_ROOT  # noqa: F401  (puts the repo root on sys.path)
from test_bluesky_faults import Faults, add_accounts, collector, ctx, json_response

from benchmarks.fake_appview import World
from lasna.types import InteractionKind


@pytest.fixture
def world():
    # one post every 36 h (posts 0..40 inside the 60-day horizon); every tenth has two replies
    return World(accounts=1, posts=60, spacing_hours=36, reply_every=10)


def collect(store, world, faults=None):
    faults = faults or Faults(world)
    [(leader, account)] = [(store.leader("Leader 0"), a) for a in store.accounts()]
    return collector().collect(account, leader, ctx(store, faults, world)), faults


@pytest.fixture
def collected(store, world):
    add_accounts(store, world)
    first, _ = collect(store, world)
    assert first.error is None
    return store


def interactions(store, **kw):
    return store.interactions_frame(include_deleted=True, **kw).set_index("interaction_id")


# ------------------------------------------------------------------ quotes
def test_quotes_by_others_are_stored_as_quote_interactions(collected, world):
    store = collected
    quoted = world.accounts[0].posts[3]
    by_other = world.add_quote(0, 3, text="Tämä kannattaa lukea")
    world.add_quote(0, 3, by_leader=True)  # the leader quoting themself is a post, not an interaction

    outcome, faults = collect(store, world)
    assert outcome.error is None and outcome.new_interactions == 1
    # the first feed page and one getQuotes, only for the post whose quoteCount changed
    assert [nsid for nsid, _ in faults.seen] == ["app.bsky.feed.getAuthorFeed", "app.bsky.feed.getQuotes"]
    row = interactions(store).loc[by_other]
    assert row.kind == InteractionKind.QUOTE.value and row.author_handle == "quoter.test"
    assert row.parent_id == quoted.uri and row.root_id == quoted.uri
    assert row.text == "Tämä kannattaa lukea" and not row.deleted

    again, faults = collect(store, world)  # nothing changed: one request
    assert again.requests == 1 and again.new_interactions == 0


def test_a_deleted_quote_is_marked_deleted(collected, world):
    store = collected
    first = world.add_quote(0, 2)
    second = world.add_quote(0, 2)
    collect(store, world)
    world.delete_quote(0, 2, 0)
    outcome, _ = collect(store, world)
    assert outcome.requests == 2  # feed page + getQuotes
    rows = interactions(store)
    assert rows.loc[first].deleted and not rows.loc[second].deleted


def test_quotes_outside_the_horizon_are_not_fetched(collected, world):
    world.add_quote(0, 59)  # 59 * 36 h ago: outside the 60-day horizon
    outcome, faults = collect(collected, world)
    assert outcome.requests == 1 and outcome.new_interactions == 0
    assert [nsid for nsid, _ in faults.seen] == ["app.bsky.feed.getAuthorFeed"]


# ------------------------------------------------------------------ deleted replies
def test_a_reply_deleted_by_its_author_is_marked_deleted(collected, world):
    store = collected
    post = world.accounts[0].posts[10]
    kept, gone = post.replies[0].uri, post.replies[1].uri
    world.delete_reply(0, 10, 1)

    outcome, faults = collect(store, world)
    assert outcome.error is None
    assert ("app.bsky.feed.getPostThread", post.uri) in faults.seen
    rows = interactions(store)
    assert rows.loc[gone].deleted and not rows.loc[kept].deleted
    assert gone not in set(store.interactions_frame().interaction_id)  # hidden from the scores' frames
    assert not store.posts_frame(include_deleted=True).set_index("post_id").loc[post.uri].deleted


def test_replies_outside_a_refetched_thread_are_left_alone(collected, world):
    store = collected
    world.delete_reply(0, 10, 1)
    collect(store, world)
    others = [r.uri for r in world.accounts[0].posts[0].replies]
    assert not interactions(store).loc[others].deleted.any()


def _node(uri, author_did, parent, root, text, replies=None):
    node = {
        "$type": "app.bsky.feed.defs#threadViewPost",
        "post": {
            "uri": uri, "cid": "bafyx", "author": {"did": author_did, "handle": author_did[8:] + ".test"},
            "record": {"$type": "app.bsky.feed.post", "text": text, "createdAt": "2026-01-01T10:00:00.000Z",
                       "reply": {"root": {"uri": root, "cid": "c"}, "parent": {"uri": parent, "cid": "c"}}},
            "replyCount": len(replies or []), "indexedAt": "2026-01-01T10:00:01.000Z",
        },
    }
    if replies is not None:
        node["replies"] = replies
    return node


def test_a_thread_cut_off_by_the_depth_limit_never_marks_deeper_replies_deleted(collected, world):
    """Replies below a node the AppView did not expand stay live; a missing one at a listed level goes."""
    store = collected
    target = world.accounts[0].posts[0]
    root_view = copy.deepcopy(world._post_view(world.accounts[0], target))
    a, b, c = (f"at://did:plc:deep{n}/app.bsky.feed.post/3deep{n}" for n in "abc")
    deep = "at://did:plc:deepd/app.bsky.feed.post/3deepd"
    full = {"thread": {"$type": "app.bsky.feed.defs#threadViewPost", "post": root_view, "replies": [
        _node(a, "did:plc:deepa", target.uri, target.uri, "A", [
            _node(deep, "did:plc:deepd", a, target.uri, "deep", [])]),
        _node(b, "did:plc:deepb", target.uri, target.uri, "B", []),
        _node(c, "did:plc:deepc", target.uri, target.uri, "C", []),
    ]}}
    faults = Faults(world)
    faults.always[("app.bsky.feed.getPostThread", target.uri)] = json_response(200, full)
    world.add_reply(0, 0)  # replyCount changes: the thread is fetched
    collect(store, world, faults)
    assert not interactions(store).loc[[a, b, c, deep]].deleted.any()

    # now the AppView cuts the thread below A (no "replies" key) and C was deleted
    cut = copy.deepcopy(full)
    cut["thread"]["replies"] = [_node(a, "did:plc:deepa", target.uri, target.uri, "A"), cut["thread"]["replies"][1]]
    faults.always[("app.bsky.feed.getPostThread", target.uri)] = json_response(200, cut)
    world.add_reply(0, 0)
    outcome, _ = collect(store, world, faults)
    assert outcome.error is None
    rows = interactions(store)
    assert rows.loc[c].deleted
    assert not rows.loc[[a, b, deep]].deleted.any()


def test_a_reply_shown_as_not_found_is_marked_deleted(collected, world):
    store = collected
    target = world.accounts[0].posts[10]
    gone = target.replies[0].uri
    thread = {"thread": {"$type": "app.bsky.feed.defs#threadViewPost",
                         "post": world._post_view(world.accounts[0], target),
                         "replies": [{"$type": "app.bsky.feed.defs#notFoundPost", "uri": gone, "notFound": True},
                                     world._reply_node(target, target.replies[1])]}}
    faults = Faults(world)
    faults.always[("app.bsky.feed.getPostThread", target.uri)] = json_response(200, thread)
    world.add_reply(0, 10)
    collect(store, world, faults)
    rows = interactions(store)
    assert rows.loc[gone].deleted and not rows.loc[target.replies[1].uri].deleted
