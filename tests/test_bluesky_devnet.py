"""The Bluesky collector and `lasna collect` against a REAL local Bluesky network.

Order matters: the first test reads exact seeded counts; the second writes a reply
as bob, then deletes it through the PDS and checks it is marked deleted; the third has the leader block a
replier and detach a quote (postgate) and checks both stop counting. The exact-count assertions only count
seeded records, so leftovers of an interrupted earlier session cannot break them.
"""

from __future__ import annotations

import time
import uuid

import pytest
from bluesky_devnet_fixture import bsky_devnet, wait_for_appview  # noqa: F401  (session fixture)
from clihelp import cli_env, collect_json, run_cli

from lasna.store import Store

pytestmark = pytest.mark.devnet

MARK = "lasna-test"


@pytest.fixture(scope="module")
def devnet_db(tmp_path_factory, bsky_devnet):  # noqa: F811
    db = tmp_path_factory.mktemp("devnet") / "lasna.db"
    url = f"sqlite:///{db}"
    env = cli_env(url, LASNA_BSKY_APPVIEW=bsky_devnet["appview_url"])
    proc = run_cli(["leaders", "add", "Lena Leader", "--bluesky", bsky_devnet["accounts"]["leader"]["handle"]], env)
    assert proc.returncode == 0, proc.stderr
    return url, env


def _seeded(info):
    leader = "leader"
    by_uri = {p["uri"]: p for p in info["posts"]}

    def in_leader_thread(p):
        while p is not None:
            if p["author"] == leader:
                return True
            p = by_uri.get(p.get("parent"))
        return False

    incoming = {p["uri"] for p in info["posts"] if p["author"] != leader and p["kind"] == "reply"
                and in_leader_thread(by_uri.get(p["parent"]))}
    return incoming


def test_first_collect_matches_the_seeded_network(devnet_db, bsky_devnet):  # noqa: F811
    url, env = devnet_db
    info, expected = bsky_devnet, bsky_devnet["expected"]
    leader_did = info["accounts"]["leader"]["did"]
    code, out = collect_json(env)
    assert code == 0, out
    assert out["ok"] is True and len(out["accounts"]) == 1
    acct = out["accounts"][0]
    assert acct["error"] is None and acct["platform"] == "bluesky" and acct["leader"] == "Lena Leader"
    assert acct["new_posts"] == expected["leader_author_feed_items"]

    store = Store.open(url)
    [account] = store.accounts()
    assert account.stable_id == leader_did and account.handle == "leader.test"
    posts = store.posts_frame()
    own = posts[~posts.is_repost]
    top = own[own.reply_parent_id.isna()]
    replies = own[own.reply_parent_id.notna()]
    assert len(top) == expected["leader_top_level_posts"]
    assert len(replies) == expected["leader_replies"]
    assert int((replies.reply_parent_author_id != leader_did).sum()) == expected["leader_replies_to_others"]
    assert int(posts.is_repost.sum()) == expected["leader_reposts"]
    assert set(posts.post_id) >= {p["uri"] for p in info["posts"] if p["author"] == "leader"}
    repost = posts[posts.is_repost].iloc[0]
    assert repost.text == "" and repost.repost_of_id in {r["subject"] for r in info["reposts"]} | {
        p["uri"] for p in info["posts"]}

    newest = posts.set_index("post_id").loc[expected["newest_leader_post_uri"]]
    assert newest.reply_count >= expected["newest_leader_post_direct_replies"]
    assert newest.like_count == expected["newest_leader_post_likes"]
    assert newest.repost_count == expected["newest_leader_post_reposts"]

    by_text = {r.text.split(":")[0]: r for r in own.itertuples()}
    assert list(by_text["Leader post #03"].links)
    assert list(by_text["Leader post #05"].mentions) == [info["accounts"]["alice"]["did"]]
    assert "devnet" in list(by_text["Leader post #05"].tags)
    assert any(ord(ch) > 127 for ch in by_text["Leader post #07"].text)

    interactions = store.interactions_frame()
    seeded = _seeded(info)
    assert len(seeded) == expected["replies_to_leader_posts_by_others"]
    ours = interactions[~interactions.text.str.contains(MARK)]
    assert set(ours[ours.kind == "reply"].interaction_id) == seeded
    # quote posts of the leader's posts by others (bob quotes #29), from getQuotes
    leader_posts = {p["uri"] for p in info["posts"] if p["author"] == "leader"}
    seeded_quotes = {p["uri"]: p["quoted"] for p in info["posts"]
                     if p["kind"] == "quote" and p["author"] != "leader" and p.get("quoted") in leader_posts}
    assert seeded_quotes, "the devnet seed has no quote of the leader's posts"
    quotes = ours[ours.kind == "quote"].set_index("interaction_id")
    assert set(quotes.index) == set(seeded_quotes)
    assert all(quotes.loc[uri].parent_id == quoted for uri, quoted in seeded_quotes.items())
    assert set(ours.kind) == {"reply", "quote"}
    others = {info["accounts"][n]["did"] for n in ("alice", "bob", "carol")}
    assert set(interactions.author_id) <= others
    assert interactions.parent_id.notna().all() and interactions.root_id.notna().all()
    handles = set(ours.author_handle)
    assert handles <= {"alice.test", "bob.test", "carol.test"}

    # an unchanged refresh costs one request and writes nothing new
    code, again = collect_json(env)
    assert code == 0
    assert again["accounts"][0]["new_posts"] == 0 and again["accounts"][0]["new_interactions"] == 0
    assert again["accounts"][0]["requests"] == 1


def test_new_reply_from_bob_arrives_with_few_requests(devnet_db, bsky_devnet):  # noqa: F811
    from atproto import Client, models

    url, env = devnet_db
    info = bsky_devnet
    store = Store.open(url)
    before_posts = len(store.posts_frame(include_deleted=True))
    before = set(store.interactions_frame().interaction_id)
    target = next(p for p in info["posts"] if p["text"].startswith("Leader post #20"))
    bob = Client(base_url=info["pds_url"])
    bob.login("bob.test", "bob-pass")
    ref = models.ComAtprotoRepoStrongRef.Main(uri=target["uri"], cid=target["cid"])
    text = f"{MARK} {uuid.uuid4().hex[:8]}: Bob asks a new question"
    sent = bob.send_post(text, reply_to=models.AppBskyFeedPost.ReplyRef(parent=ref, root=ref))
    deleted = False
    try:
        reader = Client(base_url=info["appview_url"])
        deadline = time.monotonic() + 30
        while True:
            thread = reader.get_post_thread(target["uri"], depth=5)
            if any(r.post.uri == sent.uri for r in (thread.thread.replies or [])):
                break
            assert time.monotonic() < deadline, "AppView never indexed bob's reply"
            time.sleep(0.3)

        code, out = collect_json(env)
        assert code == 0, out
        acct = out["accounts"][0]
        assert acct["new_interactions"] == 1 and acct["new_posts"] == 0
        assert acct["requests"] <= 2  # first feed page + the one thread whose replyCount changed
        interactions = store.interactions_frame()
        assert set(interactions.interaction_id) == before | {sent.uri}
        new = interactions.set_index("interaction_id").loc[sent.uri]
        assert new.author_id == info["accounts"]["bob"]["did"] and new.author_handle == "bob.test"
        assert new.parent_id == target["uri"] and new.root_id == target["uri"] and new.text == text
        assert len(store.posts_frame(include_deleted=True)) == before_posts

        code, out = collect_json(env)
        assert code == 0 and out["accounts"][0]["new_interactions"] == 0
        assert out["accounts"][0]["requests"] == 1
        assert len(store.interactions_frame()) == len(interactions)

        # bob deletes his reply: the re-fetched thread no longer shows it, so it is marked deleted
        bob.delete_post(sent.uri)
        deleted = True
        deadline = time.monotonic() + 30
        while any(r.post.uri == sent.uri for r in (reader.get_post_thread(target["uri"], depth=5).thread.replies or [])):
            assert time.monotonic() < deadline, "AppView never noticed bob's deletion"
            time.sleep(0.3)
        code, out = collect_json(env)
        assert code == 0 and out["accounts"][0]["requests"] <= 2
        every = store.interactions_frame(include_deleted=True).set_index("interaction_id")
        assert bool(every.loc[sent.uri].deleted)
        assert not every.drop(index=sent.uri).deleted.any()
        assert set(store.interactions_frame().interaction_id) == before
    finally:
        if not deleted:
            bob.delete_post(sent.uri)


def test_blocked_reply_and_detached_quote(devnet_db, bsky_devnet):  # noqa: F811
    """The leader blocks a replier and detaches a quote: what is stored and counted after the next read.

    Seen on the devnet: after the block the AppView drops carol's reply from the thread but keeps the
    post's replyCount; after the detach getQuotes still lists bob's quote, its embed now
    ``#viewDetached``, and quoteCount stays. A new reply/quote changes the count and makes the collector
    read again: the blocked reply and the detached quote are then gone (not counted), the new ones stored.
    """
    from atproto import Client, models

    url, env = devnet_db
    info = bsky_devnet
    store = Store.open(url)
    collect_json(env)  # settle whatever earlier tests left
    target = next(p for p in info["posts"] if p["text"].startswith("Leader post #16"))
    ref = models.ComAtprotoRepoStrongRef.Main(uri=target["uri"], cid=target["cid"])
    reader = Client(base_url=info["appview_url"])
    clients = {}
    for name in ("leader", "alice", "bob", "carol"):
        clients[name] = Client(base_url=info["pds_url"])
        clients[name].login(f"{name}.test", f"{name}-pass")
    leader = clients["leader"]
    made: list[tuple[str, str]] = []  # (who, uri) to delete at the end
    block = gate = None
    tag = uuid.uuid4().hex[:8]
    try:
        reply = clients["carol"].send_post(f"{MARK} {tag}: Carol replies", reply_to=models.AppBskyFeedPost.ReplyRef(parent=ref, root=ref))
        made.append(("carol", reply.uri))
        quote = clients["bob"].send_post(f"{MARK} {tag}: Bob quotes", embed=models.AppBskyEmbedRecord.Main(record=ref))
        made.append(("bob", quote.uri))

        def post_view():
            return reader.app.bsky.feed.get_posts({"uris": [target["uri"]]}).posts[0]

        wait_for_appview(lambda: post_view().quote_count and len(reader.get_post_thread(target["uri"], depth=2).thread.replies or []) >= 1,
              "carol's reply and bob's quote")
        code, out = collect_json(env)
        assert code == 0, out
        inter = store.interactions_frame().set_index("interaction_id")
        assert inter.loc[reply.uri].kind == "reply" and inter.loc[quote.uri].kind == "quote"

        block = leader.app.bsky.graph.block.create(
            leader.me.did, models.AppBskyGraphBlock.Record(subject=info["accounts"]["carol"]["did"], created_at=leader.get_current_time_iso()))
        gate = leader.app.bsky.feed.postgate.create(
            leader.me.did,
            models.AppBskyFeedPostgate.Record(post=target["uri"], created_at=leader.get_current_time_iso(), detached_embedding_uris=[quote.uri]),
            rkey=target["uri"].rsplit("/", 1)[1])
        wait_for_appview(lambda: not any(getattr(r, "post", None) and r.post.uri == reply.uri
                              for r in (reader.get_post_thread(target["uri"], depth=2).thread.replies or [])), "the block")
        # nothing else changed: the counts stay, so nothing is read again and nothing changes in the store
        code, out = collect_json(env)
        assert code == 0 and out["accounts"][0]["requests"] == 1

        # new activity changes the counts: the thread and the quotes are read again
        new_reply = clients["alice"].send_post(f"{MARK} {tag}: Alice replies", reply_to=models.AppBskyFeedPost.ReplyRef(parent=ref, root=ref))
        made.append(("alice", new_reply.uri))
        new_quote = clients["alice"].send_post(f"{MARK} {tag}: Alice quotes", embed=models.AppBskyEmbedRecord.Main(record=ref))
        made.append(("alice", new_quote.uri))
        wait_for_appview(lambda: post_view().quote_count >= 2 and post_view().reply_count >= 2, "alice's reply and quote")
        code, out = collect_json(env)
        assert code == 0, out
        assert out["accounts"][0]["new_interactions"] == 2
        every = store.interactions_frame(include_deleted=True).set_index("interaction_id")
        assert bool(every.loc[reply.uri].deleted), "a reply hidden by the leader's block no longer counts"
        assert bool(every.loc[quote.uri].deleted), "a quote the leader detached no longer counts"
        assert not every.loc[new_reply.uri].deleted and every.loc[new_reply.uri].kind == "reply"
        assert not every.loc[new_quote.uri].deleted and every.loc[new_quote.uri].kind == "quote"
        live = set(store.interactions_frame().interaction_id)
        assert reply.uri not in live and quote.uri not in live
    finally:
        if block is not None:
            leader.app.bsky.graph.block.delete(leader.me.did, block.uri.rsplit("/", 1)[1])
        if gate is not None:
            leader.app.bsky.feed.postgate.delete(leader.me.did, gate.uri.rsplit("/", 1)[1])
        for who, uri in made:
            clients[who].delete_post(uri)
