"""Coverage ledger: replies the platform reports vs replies collected (issue #14)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pandas as pd

from coaching import coverage as C
from lasna.types import Interaction
from test_store import T0, make_account, post, reply


def _threads(rows):
    base = {"leader_id": 1, "account_id": 1, "platform": "bluesky", "created_at": pd.Timestamp("2026-03-02", tz="UTC"),
            "hidden_replies": 0, "hidden_collected": 0, "deleted_collected": 0, "own_replies": 0}
    return pd.DataFrame([{**base, **r} for r in rows])


def test_a_thread_whose_replies_were_mostly_not_collected_is_flagged_low():
    threads = _threads([{"post_id": "p1", "reply_count": 40, "replies_collected": 6},
                        {"post_id": "p2", "reply_count": 12, "replies_collected": 12}])
    per = C.thread_coverage(threads).set_index("post_id")
    assert per.loc["p1", "low_coverage"] and not per.loc["p2", "low_coverage"]
    assert per.loc["p1", "coverage"] == 6 / 40 and per.loc["p1", "unexplained"] == 34
    ledger = C.coverage_ledger(threads, by=None)
    assert ledger.loc[0, "reported"] == 52 and ledger.loc[0, "collected"] == 18
    assert bool(ledger.loc[0, "low_coverage"])  # 18/52 < 0.8
    assert C.leader_summary(ledger)[1]["low_coverage"] is True


def test_few_reported_replies_or_full_collection_are_not_flagged():
    threads = _threads([{"post_id": "p1", "reply_count": 5, "replies_collected": 0},  # under MIN_REPORTED
                        {"post_id": "p2", "reply_count": 0, "replies_collected": 0}])
    per = C.thread_coverage(threads).set_index("post_id")
    assert not per["low_coverage"].any()
    assert pd.isna(per.loc["p2", "coverage"])


def test_hidden_replies_and_known_losses_explain_the_gap_and_own_replies_count_as_collected():
    threads = _threads([{"post_id": "p1", "reply_count": 20, "replies_collected": 8, "own_replies": 2,
                         "hidden_replies": 4}])
    losses = pd.DataFrame({"post_id": ["p1", "p1"], "reason": ["blocked", "other_instance"], "n": [1, 2]})
    row = C.thread_coverage(threads, losses).iloc[0]
    assert (row["collected"], row["hidden"], row["explained"], row["unexplained"]) == (10, 4, 3, 3)
    assert row["coverage"] == 0.5 and row["low_coverage"]


def test_ledger_groups_by_account_and_month():
    threads = _threads([
        {"post_id": "a", "reply_count": 10, "replies_collected": 10},
        {"post_id": "b", "reply_count": 10, "replies_collected": 1, "created_at": pd.Timestamp("2026-04-03", tz="UTC")},
        {"post_id": "c", "reply_count": 10, "replies_collected": 10, "account_id": 2, "platform": "mastodon"},
    ])
    ledger = C.coverage_ledger(threads, by="month")
    assert ledger[["account_id", "period", "low_coverage"]].values.tolist() == [
        [1, "2026-03-01", False], [1, "2026-04-01", True], [2, "2026-03-01", False]]


def test_store_query_and_frames_give_the_same_threads(store):
    account = make_account(store)
    did = account.stable_id
    p_full = post(1, did, reply_count=2)
    p_poor = post(2, did, reply_count=30, hidden_replies=3)
    self_reply = post(3, did, reply_count=0, reply_parent_id=p_poor.id, reply_root_id=p_poor.id,
                      reply_parent_author_id=did)
    inter = [reply(10, p_full.id), reply(11, p_full.id), reply(12, p_poor.id),
             replace(reply(13, p_poor.id), hidden=True), replace(reply(14, p_poor.id), deleted=True)]
    assert all(isinstance(x, Interaction) for x in inter)
    store.save_batch(account, posts=[p_full, p_poor, self_reply], interactions=inter)
    threads = store.coverage_threads([account.leader_id], since=T0 - timedelta(days=1))
    by_id = threads.set_index("post_id")
    assert by_id.loc[p_full.id, ["reply_count", "replies_collected", "own_replies"]].tolist() == [2, 2, 0]
    assert by_id.loc[p_poor.id, ["reply_count", "replies_collected", "hidden_collected", "deleted_collected",
                                 "own_replies", "hidden_replies"]].tolist() == [30, 3, 1, 1, 1, 3]
    per = C.thread_coverage(threads).set_index("post_id")
    assert per.loc[p_poor.id, "low_coverage"] and not per.loc[p_full.id, "low_coverage"]
    # the pure path from frames agrees with the SQL path
    frames_threads = C.threads_from_frames(store.posts_frame([account.leader_id], include_deleted=True),
                                           store.interactions_frame([account.leader_id], include_deleted=True))
    cols = ["replies_collected", "hidden_collected", "deleted_collected", "own_replies", "reply_count"]
    a = frames_threads.set_index("post_id").loc[threads["post_id"], cols].reset_index(drop=True)
    assert a.equals(threads[cols].astype("int64").reset_index(drop=True))


def test_presence_caption_strings_take_the_ledger_figures_in_both_languages():
    from dashboard.i18n import t

    for lang in ("fi", "en"):
        for key in ("coverage.ok", "coverage.low"):
            text = t(key, lang).format(collected="6", reported="40", share="15 %")
            assert "6" in text and "40" in text and "15 %" in text


# --- kept as facts: per leader × account × ISO week, refreshed for the weeks a batch touched -----------
def _poor_thread(store, n_collected=3, reported=30):
    account = make_account(store)
    did = account.stable_id
    root = post(1, did, reply_count=reported, indexed_at=T0 + timedelta(hours=1))
    store.save_batch(account, posts=[root], interactions=[reply(100 + k, root.id) for k in range(n_collected)])
    return account, root


def test_coverage_facts_are_written_for_the_weeks_a_batch_touched_and_follow_later_batches(store):
    from lasna import coverage, facts, pipeline

    account, root = _poor_thread(store)
    pipeline.after_ingest(store, [account.leader_id])
    weeks = store.coverage_weeks([account.leader_id])
    assert weeks[["account_id", "reported", "collected", "unexplained"]].values.tolist() == [[account.id, 30, 3, 27]]
    assert str(weeks.loc[0, "week_start"]) == "2026-01-05"  # the ISO week's Monday (Europe/Helsinki)
    assert facts.is_current(store) and coverage.is_current(store) and store.coverage_dirty_posts() == []
    # only the reply count changes (no new rows, no touched facts week): the ledger still follows it
    store.save_batch(account, posts=[replace(root, reply_count=4)])
    assert store.coverage_dirty_posts() == [root.id]
    got = coverage.summary(store, [account.leader_id])[account.leader_id]
    assert (got["reported"], got["collected"], got["low_coverage"]) == (4, 3, False)
    # the collector reports losses: they explain the gap
    store.save_batch(account, posts=[replace(root, reply_count=20)], reply_losses={root.id: {"blocked": 2, "depth_cut": 5}})
    got = coverage.summary(store, [account.leader_id])[account.leader_id]
    assert (got["reported"], got["collected"], got["explained"], got["unexplained"]) == (20, 3, 7, 10)
    assert got["reasons"]["blocked"] == 2 and got["reasons"]["depth_cut"] == 5
    assert got["low_coverage"] is True and got["low_coverage_rows"][0]["period"] == "2026-01-05"
    # a later fetch without losses replaces them
    store.save_batch(account, reply_losses={root.id: {"blocked": 0, "depth_cut": 0}})
    assert coverage.summary(store, [account.leader_id])[account.leader_id]["explained"] == 0


def test_a_full_rebuild_gives_the_same_coverage_facts_as_the_refreshes(store):
    from lasna import coverage, facts

    account, root = _poor_thread(store)
    other = post(2, account.stable_id, reply_count=12, indexed_at=T0 + timedelta(days=8))
    store.save_batch(account, posts=[other], interactions=[reply(200 + k, other.id) for k in range(12)],
                     reply_losses={root.id: {"withheld": 4}})
    coverage.refresh(store)
    refreshed = store.coverage_weeks().drop(columns=[])
    facts.rebuild(store)
    rebuilt = store.coverage_weeks()
    assert len(refreshed) == 2 and refreshed.equals(rebuilt)
    low = coverage.ledger(store, [account.leader_id]).set_index("period")["low_coverage"].to_dict()
    assert low == {"2026-01-05": True, "2026-01-12": False}


def test_forgetting_a_leader_and_retention_remove_the_coverage_rows(store):
    from lasna import coverage

    account, root = _poor_thread(store)
    store.save_batch(account, reply_losses={root.id: {"blocked": 1}})
    coverage.refresh(store)
    counts = store.counts()
    assert counts["leader_week_coverage"] == 1 and counts["reply_losses"] == 1
    deleted = store.apply_retention(30, now=T0 + timedelta(days=60))
    assert deleted["reply_losses"] == 1 and deleted["leader_week_coverage"] == 1
    coverage.ensure_current(store)
    assert store.counts()["leader_week_coverage"] == 0
    account2, root2 = _poor_thread(store)
    store.save_batch(account2, reply_losses={root2.id: {"blocked": 1}})
    coverage.refresh(store)
    deleted = store.forget_leader(account2.leader_id)
    assert deleted["leader_week_coverage"] == 1 and deleted["reply_losses"] == 1
    assert {k: v for k, v in store.counts().items() if k in ("leader_week_coverage", "reply_losses", "coverage_dirty")} == {
        "leader_week_coverage": 0, "reply_losses": 0, "coverage_dirty": 0}


def test_erasing_a_replier_is_reflected_in_the_coverage_facts(store):
    from lasna import coverage

    account, root = _poor_thread(store, n_collected=3, reported=3)
    coverage.refresh(store)
    assert coverage.summary(store, [account.leader_id])[account.leader_id]["collected"] == 3
    store.erase_author(reply(100, root.id).author_id)
    got = coverage.summary(store, [account.leader_id])[account.leader_id]  # the source changed: rebuilt
    assert (got["reported"], got["collected"], got["unexplained"]) == (3, 2, 1)
    assert store.coverage_dirty_posts() == []


def test_a_post_deleted_at_the_source_leaves_the_coverage_facts_of_its_week(store):
    from lasna import coverage

    account, root = _poor_thread(store)
    coverage.refresh(store)
    assert store.counts()["leader_week_coverage"] == 1
    store.save_batch(account, deleted_post_ids=[root.id])
    assert coverage.summary(store, [account.leader_id])[account.leader_id]["reported"] == 0
    assert store.counts()["leader_week_coverage"] == 0
