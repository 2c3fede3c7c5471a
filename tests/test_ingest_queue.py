"""Enrichment after a batch without history scans (lasna.pipeline.after_ingest): the enrichment queue a
batch fills, and each account's stored language counts, which must always equal a count over the stored
rows — after batches, edits, deletions at the source, relabelling, forgetting, retention and erasure.

Store tests run on SQLite and PostgreSQL (the ``store`` fixture)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, true

import coaching.features
from lasna import enrich, pipeline
from lasna.store import enrichment as E
from lasna.store import schema as t
from lasna.types import Interaction, InteractionKind, Platform, Post
from tests.test_enrich import T0, TEXTS, leader_with_posts, seed, snapshot

FI_LONG = "Kiitos kaikille eilisestä tilaisuudesta, opin paljon uutta johtamisesta."
EN_LONG = "We published our annual report today and the results were good."


def stored_counts(store) -> dict[tuple, int]:
    a = t.account_languages.c
    with store.engine.connect() as conn:
        return {(r[0], r[1], r[2], bool(r[3])): r[4] for r in conn.execute(
            select(a.leader_id, a.author_id, a.lang, a.short, a.n))}


def recount(store) -> dict[tuple, int]:
    """The same counts from the stored rows (what the migration starts from)."""
    with store.engine.connect() as conn:
        return {(r[0], r[1], r[2], bool(r[3])): r[4] for r in conn.execute(E._language_tally(true()))}


def queued(store) -> tuple[int, int]:
    with store.engine.connect() as conn:
        return tuple(conn.execute(select(func.count()).select_from(q)).scalar_one()  # type: ignore[return-value]
                     for q in (t.post_enrichment_queue, t.interaction_enrichment_queue))


def short_posts_follow_majority(store) -> None:
    """Every enriched short post has its account's strict-majority language (ties: left alone)."""
    p, e = t.posts, t.post_enrichment
    with store.engine.connect() as conn:
        rows = conn.execute(select(p.c.leader_id, p.c.author_id, e.c.lang_detected, e.c.n_words)
                            .join(e, e.c.post_id == p.c.id)).all()
    long: dict[tuple, dict[str, int]] = {}
    for lid, author, lang, n in rows:
        if n >= coaching.features.SHORT_WORDS and lang is not None:
            c = long.setdefault((lid, author), {})
            c[lang] = c.get(lang, 0) + 1
    for lid, author, lang, n in rows:
        counts = sorted(long.get((lid, author), {}).items(), key=lambda kv: -kv[1])
        if n < coaching.features.SHORT_WORDS and counts and (len(counts) == 1 or counts[0][1] > counts[1][1]):
            assert lang == counts[0][0], (lid, author, lang, counts)


def post(did: str, key: str, text: str, hours: int) -> Post:
    return Post(id=f"at://{did}/post/{key}", platform=Platform.BLUESKY, author_id=did,
                created_at=T0 + timedelta(hours=hours), text=text)


def test_the_store_and_the_features_agree_on_what_a_short_post_is():
    assert E.LONG_MIN_WORDS == coaching.features.SHORT_WORDS


def test_after_ingest_enriches_what_the_batch_queued_and_empties_the_queue(store):
    made = seed(store, leaders=2, n=4)
    assert queued(store) == (8, 8)
    pipeline.after_ingest(store, [made[0][0].id])
    assert queued(store) == (4, 4)  # the other leader's rows wait for their own batch
    assert enrich.pending(store, [made[0][0].id]) == {}
    pipeline.after_ingest(store, [made[1][0].id])
    assert queued(store) == (0, 0) and enrich.pending(store) == {}
    assert stored_counts(store) == recount(store)


def test_queued_enrichment_equals_the_full_catch_up(store):
    seed(store, leaders=3, n=6)
    pipeline.after_ingest(store, store.leaders_frame()["leader_id"].tolist())
    queued_path = snapshot(store)
    with store.engine.begin() as conn:
        for table in (t.post_enrichment, t.interaction_enrichment, t.account_languages):
            conn.execute(table.delete())
    enrich.enrich_pending(store)  # `lasna enrich`: everything missing, found by scanning
    assert snapshot(store) == queued_path
    assert stored_counts(store) == recount(store)


def test_lasna_enrich_also_empties_the_queue(store):
    seed(store, leaders=2, n=3)
    enrich.enrich_pending(store)
    assert queued(store) == (0, 0)
    assert pipeline.after_ingest(store, store.leaders_frame()["leader_id"].tolist()) == set()


def test_what_a_failed_after_ingest_left_is_caught_up_by_the_next_batch(store, monkeypatch):
    leader, account, posts, inter = leader_with_posts(store, 4, "Retry")
    store.save_batch(account, posts=posts[:2], interactions=inter[:2])

    def broken(*args, **kwargs):
        raise RuntimeError("model file missing")

    monkeypatch.setattr(enrich, "post_rows", broken)
    assert pipeline.after_ingest(store, [leader.id], quiet=True) == set()  # logged, not raised
    monkeypatch.undo()
    store.save_batch(account, posts=posts[2:], interactions=inter[2:])
    pipeline.after_ingest(store, [leader.id])
    assert enrich.pending(store) == {} and queued(store) == (0, 0)
    assert len(snapshot(store)["post_enrichment"]) == 4


def test_an_answer_relinks_a_reply_of_an_earlier_batch_through_the_queue(store):
    leader, account, posts, inter = leader_with_posts(store, 2, "Linker")
    store.save_batch(account, posts=posts, interactions=inter)
    pipeline.after_ingest(store, [leader.id])
    answer = Post(id=f"{posts[0].id}-answer", platform=Platform.BLUESKY, author_id=posts[0].author_id,
                  created_at=inter[0].created_at + timedelta(hours=2), text="Kiitos, vastaan pian tähän.",
                  reply_parent_id=inter[0].id, reply_root_id=posts[0].id, reply_parent_author_id=inter[0].author_id)
    store.save_batch(account, posts=[answer])
    assert queued(store) == (1, 1)  # the answer, and the reply it answers
    pipeline.after_ingest(store, [leader.id])
    e = t.interaction_enrichment
    with store.engine.connect() as conn:
        assert conn.execute(select(e.c.answered_by).where(e.c.interaction_id == inter[0].id)).scalar_one() == answer.id
    store.save_batch(account, deleted_post_ids=[answer.id])
    assert queued(store) == (1, 1)  # the deleted answer, and the reply it had answered
    pipeline.after_ingest(store, [leader.id])
    with store.engine.connect() as conn:
        assert conn.execute(select(e.c.answered_by).where(e.c.interaction_id == inter[0].id)).scalar_one() is None
    assert stored_counts(store) == recount(store)


def test_language_counts_stay_equal_to_a_recount_through_every_change(store):
    made = seed(store, leaders=3, n=9)
    pipeline.after_ingest(store, [m[0].id for m in made])
    assert stored_counts(store) == recount(store) != {}
    leader, account, posts, inter = made[0]
    # an edit (a long post becomes short), a deletion at the source, counts-only changes
    store.save_batch(account, posts=[Post(**{**posts[0].__dict__, "text": "Hienoa!"}),
                                     Post(**{**posts[1].__dict__, "like_count": 7})],
                     deleted_post_ids=[posts[2].id])
    assert stored_counts(store) == recount(store)
    pipeline.after_ingest(store, [leader.id])
    assert stored_counts(store) == recount(store)
    short_posts_follow_majority(store)
    # a third party who also wrote posts under a leader (a JSONL import's free-form author) is erased
    did = "did:plc:guest"
    store.save_batch(made[1][1], posts=[post(did, "g1", FI_LONG, 1), post(did, "g2", "Hyvä!", 2)])
    pipeline.after_ingest(store, [made[1][0].id])
    assert any(k[1] == did for k in stored_counts(store))
    store.erase_author(did)
    assert stored_counts(store) == recount(store)
    assert not any(k[1] == did for k in stored_counts(store))
    store.forget_leader(made[2][0].id)
    assert stored_counts(store) == recount(store)
    store.apply_retention(1, now=T0 + timedelta(hours=20))  # some posts of each leader go
    assert stored_counts(store) == recount(store)
    store.apply_retention(1, now=T0 + timedelta(days=30))
    assert stored_counts(store) == recount(store) == {} and queued(store) == (0, 0)


def test_short_posts_follow_a_majority_that_changes_in_a_later_batch(store):
    leader, account, _, _ = leader_with_posts(store, 0, "Switcher")
    did = account.stable_id
    store.save_batch(account, posts=[post(did, "fi1", FI_LONG, 0), post(did, "fi2", FI_LONG + " Hyvä.", 1),
                                     post(did, "s1", "Hyvä päivä", 2), post(did, "s2", "Great work", 3)])
    pipeline.after_ingest(store, [leader.id])
    short_posts_follow_majority(store)
    langs = {r.post_id: r.lang_detected for r in snapshot_langs(store)}
    assert langs[f"at://{did}/post/s1"] == langs[f"at://{did}/post/s2"] == "fi"
    # one English long post: a tie, the short posts stay as they are
    store.save_batch(account, posts=[post(did, "en1", EN_LONG, 4), post(did, "en2", EN_LONG + " Thanks.", 5)])
    pipeline.after_ingest(store, [leader.id])
    assert snapshot_langs_dict(store)[f"at://{did}/post/s1"] == "fi"
    # a third English one: English is the majority now, every short post follows, also the old ones
    store.save_batch(account, posts=[post(did, "en3", EN_LONG + " Again.", 6), post(did, "s3", "Kiitos!", 7)])
    pipeline.after_ingest(store, [leader.id])
    short_posts_follow_majority(store)
    got = snapshot_langs_dict(store)
    assert {got[f"at://{did}/post/{k}"] for k in ("s1", "s2", "s3")} == {"en"}
    assert stored_counts(store) == recount(store)


def snapshot_langs(store):
    e = t.post_enrichment
    with store.engine.connect() as conn:
        return conn.execute(select(e.c.post_id, e.c.lang_detected)).all()


def snapshot_langs_dict(store) -> dict[str, str | None]:
    return {r.post_id: r.lang_detected for r in snapshot_langs(store)}


@pytest.mark.parametrize("rounds", [3])
def test_interleaved_batches_of_two_accounts_keep_the_counts_exact(store, rounds):
    """Two accounts of one leader collected batch after batch, each batch followed by after_ingest,
    some batches editing earlier posts: the counts equal a recount and short posts follow the majority."""
    leader = store.add_leader("Two Accounts", cohorts=["C"])
    accounts = [store.add_account(leader.id, Platform.BLUESKY, f"acc{k}.bsky.social", stable_id=f"did:plc:acc{k}")
                for k in range(2)]
    for r in range(rounds):
        for k, account in enumerate(accounts):
            did = account.stable_id
            batch = [post(did, f"{r}-{j}", TEXTS[(r + j + k) % len(TEXTS)], 10 * r + j) for j in range(4)]
            if r:
                batch.append(post(did, f"{r - 1}-0", TEXTS[(r + 5) % len(TEXTS)], 10 * (r - 1)))  # an edit
            replies = [Interaction(id=f"at://did:plc:fan/post/{did[-4:]}{r}", platform=Platform.BLUESKY,
                                   kind=InteractionKind.REPLY, author_id="did:plc:fan",
                                   created_at=T0 + timedelta(hours=10 * r + 1), text=TEXTS[r],
                                   parent_id=batch[0].id, root_id=batch[0].id)]
            store.save_batch(account, posts=batch, interactions=replies)
            pipeline.after_ingest(store, [leader.id])
            assert stored_counts(store) == recount(store)
    short_posts_follow_majority(store)
    assert queued(store) == (0, 0) and enrich.pending(store) == {}
