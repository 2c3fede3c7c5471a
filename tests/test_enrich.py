"""Enrichment once, at ingest (lasna.enrich): stored, versioned, resumable, linked across batches.

Store tests run on SQLite and PostgreSQL (the ``store`` fixture)."""

from __future__ import annotations

import json
import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

import coaching.features
import lasna.coverage
from lasna import coverage, enrich, facts, pipeline, scoring_service
from lasna.cli import main
from lasna.store import enrichment as E
from lasna.store import schema as t
from lasna.types import Interaction, InteractionKind, Platform, Post

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday
TEXTS = [
    "Kiitos kaikille eilisestä tilaisuudesta, opin paljon uutta johtamisesta.",
    "Mitä mieltä olette uudesta strategiasta? Kertokaa ajatuksianne!",
    "We published our annual report today: emissions down 12 % thanks to @anna.",
    "I wonder how other leaders handle remote teams?",
    "Hienoa!",
    "Great work",
    "Tänään julkaisimme raportin, tulos parani 8 %.",
    "🙂👍",
    "[Tiedote] Julkaisimme raportin tänään, lue lisää.",
]


def leader_with_posts(store, n: int, name: str, *, offset: int = 0):
    leader = store.add_leader(name, cohorts=["C"])
    did = f"did:plc:{name.lower().replace(' ', '')}"
    account = store.add_account(leader.id, Platform.BLUESKY, f"{name.lower().replace(' ', '')}.bsky.social",
                                stable_id=did)
    posts = [Post(id=f"at://{did}/post/{i}", platform=Platform.BLUESKY, author_id=did,
                  created_at=T0 + timedelta(hours=5 * i + offset), text=TEXTS[i % len(TEXTS)],
                  mentions=("did:plc:anna",) if i % 3 == 0 else ()) for i in range(n)]
    inter = [Interaction(id=f"at://did:plc:fan{i}/post/{name}{i}", platform=Platform.BLUESKY,
                         kind=InteractionKind.REPLY, author_id=f"did:plc:fan{i}",
                         created_at=T0 + timedelta(hours=5 * i + 1), text=TEXTS[(i + 3) % len(TEXTS)],
                         parent_id=posts[i].id, root_id=posts[i].id) for i in range(n)]
    return leader, account, posts, inter


def snapshot(store) -> dict[str, list]:
    out = {}
    with store.engine.connect() as conn:
        for table, key in ((t.post_enrichment, "post_id"), (t.interaction_enrichment, "interaction_id")):
            cols = [c for c in table.c if c.name != "enriched_at"]
            out[table.name] = [tuple(r) for r in conn.execute(select(*cols).order_by(table.c[key]))]
    return out


def seed(store, leaders: int = 3, n: int = 8):
    made = []
    for k in range(leaders):
        leader, account, posts, inter = leader_with_posts(store, n, f"Leader {k}", offset=k)
        store.save_batch(account, posts=posts, interactions=inter)
        made.append((leader, account, posts, inter))
    return made


def test_enriching_twice_changes_nothing(store):
    seed(store)
    first = enrich.enrich_pending(store)
    assert (first.posts, first.interactions) == (24, 24)
    before = snapshot(store)
    second = enrich.enrich_pending(store)
    assert (second.posts, second.interactions, second.chunks) == (0, 0, 0)
    assert snapshot(store) == before
    assert enrich.pending(store) == {}


def test_stored_features_equal_post_features(store):
    seed(store, leaders=1)
    enrich.enrich_pending(store)
    posts = store.posts_frame()
    want = coaching.features.post_features(posts).set_index("post_id")
    inputs = scoring_service.load_score_inputs(store)
    got = inputs.features.set_index("post_id").loc[want.index]
    assert inputs.catch_up == 0
    for col in want.columns:
        assert got[col].astype(object).where(got[col].notna(), None).tolist() == \
            want[col].astype(object).where(want[col].notna(), None).tolist(), col


def test_a_run_killed_after_a_chunk_converges_on_rerun(store, monkeypatch):
    seed(store, leaders=4, n=6)
    real = E.write_chunk
    calls = {"n": 0}

    def dying(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt("killed")
        return real(*args, **kwargs)

    monkeypatch.setattr(E, "write_chunk", dying)
    with pytest.raises(KeyboardInterrupt):
        enrich.enrich_pending(store, chunk_size=10)  # ~12 rows per leader: one leader per chunk
    assert 0 < len(snapshot(store)["post_enrichment"]) < 24  # the first chunk was committed
    monkeypatch.setattr(E, "write_chunk", real)
    rerun = enrich.enrich_pending(store, chunk_size=10)
    assert rerun.posts == 18 and rerun.interactions == 18  # only what was missing
    converged = snapshot(store)
    with store.engine.begin() as conn:  # from scratch, in one go
        conn.execute(t.post_enrichment.delete())
        conn.execute(t.interaction_enrichment.delete())
    enrich.enrich_pending(store)
    assert snapshot(store) == converged


def test_a_version_bump_is_picked_up_by_lasna_enrich_alone(store, monkeypatch, capsys):
    seed(store, leaders=2, n=4)
    enrich.enrich_pending(store)
    monkeypatch.setattr(coaching.features, "FEATURES_VERSION", "bumped")
    assert sum(p for p, _ in enrich.pending(store).values()) == 8
    assert main(["--database", store.engine.url.render_as_string(hide_password=False), "enrich", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["posts"] == 8 and out["interactions"] == 8
    assert enrich.pending(store) == {}
    with store.engine.connect() as conn:
        assert {v.split("+")[0] for v in conn.execute(select(t.post_enrichment.c.features_version)).scalars()} == \
            {"bumped"}


def test_lasna_db_upgrade_brings_derived_fields_of_a_new_version_up_to_date(store, monkeypatch, capsys):
    """Upgrading Läsnä is `pip install -U` plus `lasna db upgrade`: afterwards nothing is pending, so no page
    view or command pays for the new version."""
    seed(store, leaders=2, n=4)
    enrich.enrich_pending(store)
    monkeypatch.setattr(coaching.features, "FEATURES_VERSION", "bumped")
    assert sum(p for p, _ in enrich.pending(store).values()) == 8
    assert main(["--database", store.engine.url.render_as_string(hide_password=False), "db", "upgrade"]) == 0
    assert "8 post(s)" in capsys.readouterr().out
    assert enrich.pending(store) == {}
    assert facts.is_current(store) and coverage.is_current(store)


def test_lasna_db_upgrade_builds_a_coverage_ledger_the_new_version_added_or_changed(store, monkeypatch, capsys):
    """A migration that adds (or a release that changes) the coverage ledger leaves it to build: the upgrade
    builds it, not the first `lasna score` or page view afterwards."""
    seed(store, leaders=2, n=4)
    pipeline.after_ingest(store, [leader.id for leader in store.leaders()])
    monkeypatch.setattr(lasna.coverage, "COVERAGE_VERSION", "cov-next")
    assert not coverage.is_current(store)
    assert main(["--database", store.engine.url.render_as_string(hide_password=False), "db", "upgrade"]) == 0
    assert coverage.is_current(store) and facts.is_current(store)


def test_an_answer_in_a_later_batch_links_the_earlier_incoming_reply(store):
    leader, account, posts, inter = leader_with_posts(store, 2, "Answerer")
    store.save_batch(account, posts=posts, interactions=inter)
    pipeline.after_ingest(store, [leader.id])
    incoming = inter[0]

    def link_of(iid):
        with store.engine.connect() as conn:
            e = t.interaction_enrichment
            return conn.execute(select(e.c.answered_by, e.c.answered_at, e.c.response_seconds)
                                .where(e.c.interaction_id == iid)).one()

    assert link_of(incoming.id).answered_by is None
    answer = Post(id=f"{posts[0].id}-answer", platform=Platform.BLUESKY, author_id=posts[0].author_id,
                  created_at=incoming.created_at + timedelta(hours=3), text="Kiitos kysymyksestä, vastaan huomenna.",
                  reply_parent_id=incoming.id, reply_root_id=posts[0].id, reply_parent_author_id=incoming.author_id)
    store.save_batch(account, posts=[answer])
    touched = pipeline.after_ingest(store, [leader.id])
    got = link_of(incoming.id)
    assert got.answered_by == answer.id
    assert got.answered_at == answer.created_at
    assert got.response_seconds == pytest.approx(3 * 3600)
    assert (leader.id, date(2026, 3, 2)) in touched  # the answer's and the reply's Helsinki week
    # the answer is deleted at the source: the link goes with it
    store.save_batch(account, deleted_post_ids=[answer.id])
    pipeline.after_ingest(store, [leader.id])
    assert link_of(incoming.id).answered_by is None


def test_an_edited_post_is_enriched_again_and_unchanged_reingest_is_not(store):
    leader, account, posts, inter = leader_with_posts(store, 3, "Editor")
    store.save_batch(account, posts=posts, interactions=inter)
    enrich.enrich_pending(store)
    store.save_batch(account, posts=[Post(**{**posts[1].__dict__, "like_count": 99})])  # counts only
    assert enrich.pending(store, [leader.id]) == {}
    edited = Post(**{**posts[0].__dict__, "text": "Miten te ratkaisisitte tämän?"})
    store.save_batch(account, posts=[edited])
    assert enrich.pending(store, [leader.id]) == {leader.id: (1, 0)}
    enrich.enrich_pending(store)
    f = scoring_service.load_score_inputs(store).features.set_index("post_id")
    assert bool(f.loc[edited.id, "question"]) is True


def test_reading_catches_up_what_is_not_enriched_and_counts_it(store):
    seed(store, leaders=2, n=3)
    inputs = scoring_service.load_score_inputs(store)
    assert inputs.catch_up == 12
    assert scoring_service.load_score_inputs(store).catch_up == 0


def test_short_posts_follow_the_majority_of_their_account_across_batches(store):
    leader, account, posts, _ = leader_with_posts(store, 0, "Short")
    did = account.stable_id
    long_fi = [Post(id=f"at://{did}/long{i}", platform=Platform.BLUESKY, author_id=did,
                    created_at=T0 + timedelta(hours=i), text=TEXTS[0] if i % 2 else TEXTS[6]) for i in range(4)]
    store.save_batch(account, posts=long_fi)
    pipeline.after_ingest(store, [leader.id])
    short = Post(id=f"at://{did}/short", platform=Platform.BLUESKY, author_id=did,
                 created_at=T0 + timedelta(days=1), text="Hyvä päivä")
    store.save_batch(account, posts=[short])
    pipeline.after_ingest(store, [leader.id])
    everything = store.posts_frame([leader.id])
    want = coaching.features.post_features(everything).set_index("post_id").loc[short.id, "lang_detected"]
    got = scoring_service.load_score_inputs(store).features.set_index("post_id").loc[short.id, "lang_detected"]
    assert want == "fi" and got == want


def test_forget_and_retention_delete_enrichment(store):
    made = seed(store, leaders=2, n=3)
    enrich.enrich_pending(store)
    gone = made[0][0]
    store.forget_leader(gone.id)
    snap = snapshot(store)
    assert not any(gone.name.lower().replace(" ", "") in row[0] for rows in snap.values() for row in rows)
    assert len(snap["post_enrichment"]) == 3
    store.apply_retention(1, now=T0 + timedelta(days=30))
    assert snapshot(store) == {"post_enrichment": [], "interaction_enrichment": []}


def test_two_enrichers_at_once_agree(store):
    seed(store, leaders=4, n=5)
    errors = []

    def run():
        try:
            enrich.enrich_pending(store, chunk_size=5)
        except Exception as exc:  # pragma: no cover - the assertion below shows it
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []
    enrich.enrich_pending(store)  # whatever a skipped claim left
    assert enrich.pending(store) == {}
    got = snapshot(store)
    assert len(got["post_enrichment"]) == 20 and len(got["interaction_enrichment"]) == 20


def test_demo_scores_equal_the_old_full_recomputation(sqlite_store):
    """`lasna score --json` numbers on the demo: stored enrichment (new) == features recomputed (old)."""
    from lasna.demo import load_demo

    store = sqlite_store
    load_demo(store)  # the ingest hook enriches each account's batch
    assert enrich.pending(store) == {}
    until = datetime.now(UTC)
    new = scoring_service.load_score_inputs(store, until=until)
    assert new.catch_up == 0
    leaders = store.leaders_frame()
    posts = store.posts_frame(leaders["leader_id"].tolist(), until=until)
    inter = store.interactions_frame(leaders["leader_id"].tolist(), until=until)
    stance = scoring_service.reply_stance(store, inter).set_index("interaction_id")["label"]
    old = scoring_service.ScoreInputs(
        leaders=leaders, posts=posts, interactions=inter.assign(stance=inter["interaction_id"].map(stance)),
        features=coaching.features.post_features(posts), post_types=scoring_service.post_types(store, posts))

    def numbers(inputs):
        out = inputs.score(until=until, days=90).to_dict()
        out.pop("timings_cpu_s")
        return json.dumps(out, sort_keys=True)

    assert numbers(new) == numbers(old)


def test_enriching_while_collecting_leaves_no_stale_row(store):
    """Batches that edit posts and add answers while an enricher runs: afterwards the stored enrichment
    equals a recomputation from scratch (no result computed from an old text or link survives)."""
    made = seed(store, leaders=2, n=6)
    done = threading.Event()
    errors = []

    def collector():
        try:
            for round_ in range(6):
                for leader, account, posts, inter in made:
                    edited = Post(**{**posts[round_].__dict__, "text": TEXTS[(round_ + 1) % len(TEXTS)] + f" {round_}"})
                    answer = Post(id=f"{posts[0].id}-a{round_}", platform=Platform.BLUESKY,
                                  author_id=posts[0].author_id, created_at=inter[round_].created_at + timedelta(hours=1),
                                  text="Kiitos, hyvä kysymys.", reply_parent_id=inter[round_].id,
                                  reply_parent_author_id=inter[round_].author_id)
                    store.save_batch(account, posts=[edited, answer])
        except Exception as exc:  # pragma: no cover - shown by the assertion below
            errors.append(exc)
        finally:
            done.set()

    def enricher():
        try:
            while not done.is_set():
                enrich.enrich_pending(store, chunk_size=8)
        except Exception as exc:  # pragma: no cover
            errors.append(exc)

    threads = [threading.Thread(target=collector), threading.Thread(target=enricher)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []
    enrich.enrich_pending(store)
    after = snapshot(store)
    with store.engine.begin() as conn:
        conn.execute(t.post_enrichment.delete())
        conn.execute(t.interaction_enrichment.delete())
    enrich.enrich_pending(store)
    assert snapshot(store) == after
