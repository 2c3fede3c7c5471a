"""The coverage ledger on the real local Bluesky network (shared/bsky-devnet): replies the AppView
counts but no longer lists after a block are reported by the collector, kept as facts, and flagged in
``lasna score --json`` when most of a thread's replies could not be collected."""

from __future__ import annotations

import json
import uuid

import pytest
from bluesky_devnet_fixture import bsky_devnet, wait_for_appview  # noqa: F401  (session fixture)
from clihelp import cli_env, collect_json, run_cli

from lasna.store import Store

pytestmark = pytest.mark.devnet


def test_replies_left_out_after_a_block_are_reported_kept_as_facts_and_flagged(tmp_path, bsky_devnet):  # noqa: F811
    from atproto import Client, models

    info = bsky_devnet
    url = f"sqlite:///{tmp_path / 'cov.db'}"
    env = cli_env(url, LASNA_BSKY_APPVIEW=info["appview_url"])
    proc = run_cli(["leaders", "add", "Lena Leader", "--bluesky", info["accounts"]["leader"]["handle"]], env)
    assert proc.returncode == 0, proc.stderr
    target = next(p for p in info["posts"] if p["text"].startswith("Leader post #13"))
    ref = models.ComAtprotoRepoStrongRef.Main(uri=target["uri"], cid=target["cid"])
    reader = Client(base_url=info["appview_url"])
    bob, alice = Client(base_url=info["pds_url"]), Client(base_url=info["pds_url"])
    bob.login("bob.test", "bob-pass")
    alice.login("alice.test", "alice-pass")
    tag = uuid.uuid4().hex[:8]
    made: list[tuple[Client, str]] = []
    block = None
    try:
        for k in range(11):
            sent = bob.send_post(f"coverage {tag}: Bob's reply {k}",
                                 reply_to=models.AppBskyFeedPost.ReplyRef(parent=ref, root=ref))
            made.append((bob, sent.uri))
        sent = alice.send_post(f"coverage {tag}: Alice replies", reply_to=models.AppBskyFeedPost.ReplyRef(parent=ref, root=ref))
        made.append((alice, sent.uri))
        block = bob.app.bsky.graph.block.create(bob.me.did, models.AppBskyGraphBlock.Record(
            subject=info["accounts"]["leader"]["did"], created_at=bob.get_current_time_iso()))

        def shown():
            return reader.get_post_thread(target["uri"], depth=5).thread

        wait_for_appview(lambda: shown().post.reply_count == 12 and len(shown().replies or []) == 1, "the block")
        code, out = collect_json(env)
        assert code == 0 and out["accounts"][0]["error"] is None, out

        store = Store.open(url)
        losses = store.coverage_losses([target["uri"]]).set_index("reason")["n"].to_dict()
        assert losses.get("withheld") == 11 and losses.get("blocked", 0) == 0  # no #blockedPost placeholder
        from lasna import coverage

        assert coverage.is_current(store) and store.coverage_dirty_posts() == []  # refreshed after the batch
        weeks = store.coverage_weeks()
        assert int(weeks["withheld"].sum()) >= 11 and int(weeks["reported"].sum()) >= 12  # other tests may add more

        proc = run_cli(["score", "--json", "--leader", "Lena Leader"], env)
        assert proc.returncode == 0, proc.stderr[-2000:]
        cov = json.loads(proc.stdout)["leaders"][0]["coverage"]
        assert cov["low_coverage"] is True and cov["reasons"]["withheld"] >= 11
        assert cov["collected"] < cov["reported"] and cov["threshold"] == 0.8
        store.close()
    finally:
        if block is not None:
            bob.app.bsky.graph.block.delete(bob.me.did, block.uri.rsplit("/", 1)[1])
        for client, uri in made:
            client.delete_post(uri)
