"""Collectors report the replies they could not collect to the coverage ledger (issue #14).

Bluesky: real AppView answers recorded from the local network (tests/fixtures/bluesky/record_losses.py):
replies left out after blocks, and a thread cut by depth. Mastodon: the recorded context of a thread
with replies from other servers, with the counts a logged-out caller meets.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from coaching import coverage as C
from collectors.bluesky import normalize as bn
from collectors.mastodon.normalize import DESCENDANTS_LIMIT, IdMap, normalize_context
from lasna.types import GAP_REASONS

FIX = Path(__file__).parent / "fixtures"
META = json.loads((FIX / "bluesky" / "losses_meta.json").read_text())


def _raw(name):
    return json.loads((FIX / "bluesky" / f"{name}.raw.json").read_text())


def test_gap_reasons_are_the_ledgers():
    assert C.GAP_REASONS == GAP_REASONS and set(GAP_REASONS) < set(C.LOSS_REASONS)


def test_bluesky_replies_left_out_after_blocks_are_reported_withheld():
    raw = _raw("thread_withheld")
    root = META["uris"]["thread_withheld"]
    assert raw["thread"]["post"]["replyCount"] == 3 and len(raw["thread"]["replies"]) == 1  # the real shape
    thread = bn.normalize_thread(raw, META["leader_did"], root)
    losses = dict(thread.losses)
    assert losses[root] == {"blocked": 0, "not_found": 0, "depth_cut": 0, "other_instance": 0, "withheld": 2}
    assert len(thread.replies) == 1


def test_bluesky_replies_below_the_fetched_depth_are_reported_depth_cut():
    raw = _raw("thread_depth_cut")
    thread = bn.normalize_thread(raw, META["leader_did"], META["uris"]["thread_depth_cut"])
    own = {p.id: p for p in thread.own_posts}
    losses = dict(thread.losses)
    deep = [uri for uri, p in own.items() if p.text.startswith("Leader: answer one")][0]
    assert losses[deep]["depth_cut"] == 1 and sum(losses[deep].values()) == 1
    assert sum(losses[META["uris"]["thread_depth_cut"]].values()) == 0  # the root's one reply was listed
    assert deep not in dict(thread.checked)  # and its thread is fetched again later


def test_bluesky_blocked_and_not_found_children_are_counted():
    raw = copy.deepcopy(_raw("thread_withheld"))
    node = raw["thread"]
    node["replies"].append({"$type": bn.BLOCKED, "uri": "at://did:plc:x/app.bsky.feed.post/b", "blocked": True,
                            "author": {"did": "did:plc:x"}})
    node["replies"].append({"$type": bn.NOT_FOUND, "uri": "at://did:plc:y/app.bsky.feed.post/n", "notFound": True})
    got = dict(bn.normalize_thread(raw, META["leader_did"], META["uris"]["thread_withheld"]).losses)
    assert got[META["uris"]["thread_withheld"]] == {"blocked": 1, "not_found": 1, "depth_cut": 0, "other_instance": 0,
                                                    "withheld": 0}


def _mastodon():
    context = json.loads((FIX / "mastodon" / "context_other_servers.json").read_text())
    focal_local = context["descendants"][0]["in_reply_to_id"]
    focal_uri = "https://mastodon.example/users/liisa/statuses/" + focal_local
    return context, focal_local, focal_uri


def test_mastodon_context_shorter_than_replies_count_is_withheld_and_listed_for_deletions():
    context, local, uri = _mastodon()
    got = normalize_context(context, focal_uri=uri, self_local_id="1", ids=IdMap(host="mastodon.example"),
                            focal_local_id=local, focal_replies=5)
    assert got.losses[uri] == {"blocked": 0, "not_found": 0, "depth_cut": 0, "other_instance": 0, "withheld": 3}
    assert sorted(got.listings[uri]) == sorted(s["uri"] for s in context["descendants"])


def test_mastodon_async_refresh_means_other_instances_and_a_full_context_means_cut():
    context, local, uri = _mastodon()
    got = normalize_context(context, focal_uri=uri, self_local_id="1", ids=IdMap(host="mastodon.example"),
                            focal_local_id=local, focal_replies=4, refreshing=True)
    assert got.losses[uri]["other_instance"] == 2 and uri not in got.listings
    many = copy.deepcopy(context)
    template = context["descendants"][0]
    many["descendants"] = [{**template, "id": f"9{k:04d}", "uri": f"https://gts.example/s/{k}"}
                           for k in range(DESCENDANTS_LIMIT)]
    got = normalize_context(many, focal_uri=uri, self_local_id="1", ids=IdMap(host="mastodon.example"),
                            focal_local_id=local, focal_replies=75)
    assert got.losses[uri]["depth_cut"] == 75 - DESCENDANTS_LIMIT and uri not in got.listings


@pytest.mark.parametrize("count", [0, 2])
def test_mastodon_complete_context_reports_no_loss(count):
    context, local, uri = _mastodon()
    got = normalize_context(context, focal_uri=uri, self_local_id="1", ids=IdMap(host="mastodon.example"),
                            focal_local_id=local, focal_replies=count)
    assert sum(got.losses[uri].values()) == 0


# --- the Mastodon collector end to end (a fake instance serving the recorded statuses and context) -------
from tests.sources_helpers import allow_private, store  # noqa: E402,F401
from tests.test_mastodon_collector import ROOT_ID, fake, setup  # noqa: E402,F401

ROOT_URI = "https://mastodon.example/users/liisa/statuses/" + ROOT_ID


def test_mastodon_collector_reports_withheld_replies_and_marks_deleted_ones(setup, store, fake):  # noqa: F811
    from lasna import coverage

    run, _ = setup
    assert run().ok
    assert sum(store.coverage_losses([ROOT_URI])["n"]) == 0  # the recorded thread: nothing missing
    fake.by_id[ROOT_ID]["replies_count"] = 14  # the server counts replies no logged-out visitor is shown
    assert run().ok
    losses = store.coverage_losses([ROOT_URI]).set_index("reason")["n"].to_dict()
    assert losses == {"withheld": 11}  # 14 counted, 3 direct replies listed (bob, carol, the leader's own)
    got = coverage.summary(store, [store.leader("Liisa").id])[store.leader("Liisa").id]
    assert got["reasons"]["withheld"] == 11 and got["low_coverage"] is True
    # carol deletes her reply: the complete listing no longer has it, so the stored one is marked deleted
    carol = "https://toot.example/users/carol/statuses/113412411111000002"
    fake.contexts[ROOT_ID]["descendants"] = [s for s in fake.contexts[ROOT_ID]["descendants"] if s["uri"] != carol]
    fake.by_id[ROOT_ID]["replies_count"] = 2
    assert run().ok
    every = store.interactions_frame(include_deleted=True).set_index("interaction_id")
    assert bool(every.loc[carol, "deleted"]) and not every.drop(index=carol)["deleted"].any()
    got = coverage.summary(store, [store.leader("Liisa").id])[store.leader("Liisa").id]
    assert got["reasons"]["withheld"] == 0 and got["deleted"] == 1


def test_bluesky_hidden_replies_are_still_listed_so_nothing_is_withheld():
    raw = _raw("thread_hidden")
    root = META["uris"]["thread_hidden"]
    hidden = set(raw["threadgate"]["record"]["hiddenReplies"])
    assert raw["thread"]["post"]["replyCount"] == 2 and len(raw["thread"]["replies"]) == 2  # the real shape
    thread = bn.normalize_thread(raw, META["leader_did"], root)
    assert sum(dict(thread.losses)[root].values()) == 0
    assert {r.id for r in thread.replies if r.hidden} == hidden
