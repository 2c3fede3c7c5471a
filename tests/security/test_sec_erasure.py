"""Items 10 and 11: forgetting a leader and erasing a third party leave no trace in ANY table
(scanned generically, so later tables are covered), deleted content loses its text at once,
an erased person is never stored again, and the audit log says when and by whom, not whom.
SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from lasna import users
from lasna.errors import InputError
from lasna.store import Store
from lasna.types import Goal, Interaction, InteractionKind, Platform, Post, SessionNote

from .scan import scan

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)

LIISA_DID = "did:plc:liisaliisaliisaliisaliis"
LIISA_HANDLE = "liisa.example.fi"
MARKKU_DID = "did:plc:markkumarkkumarkkumarkku"
MATTI_DID = "did:plc:mattimattimattimattimatt"
MATTI_HANDLE = "matti-k.bsky.social"
MATTI_NAME = "Matti Kolmas"
OTHER_DID = "did:plc:otherotherotherotherothe"


def uri(did: str, n: int | str) -> str:
    return f"at://{did}/app.bsky.feed.post/{n}"


def at(days: float) -> datetime:
    return NOW - timedelta(days=days)


def _reply(did: str, n, parent: str, *, handle: str, name: str, text: str, days: float) -> Interaction:
    return Interaction(
        id=uri(did, n), platform=Platform.BLUESKY, kind=InteractionKind.REPLY, author_id=did,
        created_at=at(days), indexed_at=at(days), author_handle=handle, author_name=name, text=text,
        lang="fi", url=f"https://bsky.app/profile/{handle}/post/{n}", parent_id=parent, root_id=parent,
    )


def seed(store: Store) -> dict:
    """Two leaders (Liisa, Markku), a third party (Matti) replying to both, Liisa replying in
    Markku's threads, Markku answering Matti by handle, someone else answering Matti's reply,
    cached predictions, goals, a session, an executive login for Liisa, audit rows by her."""
    liisa = store.add_leader("Liisa Virtanen", cohorts=["Ohjelma"])
    markku = store.add_leader("Markku Nieminen", cohorts=["Ohjelma"])
    la = store.add_account(liisa.id, Platform.BLUESKY, LIISA_HANDLE, stable_id=LIISA_DID)
    ma = store.add_account(markku.id, Platform.BLUESKY, "markku.example.fi", stable_id=MARKKU_DID)
    l_post = Post(id=uri(LIISA_DID, "l1"), platform=Platform.BLUESKY, author_id=LIISA_DID, created_at=at(10),
                  text="Mitä ajattelette johtamisesta?", url=f"https://bsky.app/profile/{LIISA_HANDLE}/post/l1",
                  reply_count=1)
    m_post = Post(id=uri(MARKKU_DID, "m1"), platform=Platform.BLUESKY, author_id=MARKKU_DID, created_at=at(9),
                  text="Avoimuus on johtajan työkalu.", reply_count=3)
    matti_on_markku = _reply(MATTI_DID, "x1", m_post.id, handle=MATTI_HANDLE, name=MATTI_NAME,
                             text="Samaa mieltä, hyvä kirjoitus!", days=8.5)
    matti_on_liisa = _reply(MATTI_DID, "x2", l_post.id, handle=MATTI_HANDLE, name=MATTI_NAME,
                            text="Entä kuunteleminen?", days=9.5)
    liisa_on_markku = _reply(LIISA_DID, "l9", m_post.id, handle=LIISA_HANDLE, name="Liisa Virtanen",
                             text="Hyvä pointti, Markku.", days=8.8)
    other_on_matti = _reply(OTHER_DID, "o1", matti_on_markku.id, handle="other.bsky.social", name="Olli Muu",
                            text=f"@{MATTI_HANDLE} totta", days=8.4)
    m_answer = Post(id=uri(MARKKU_DID, "m2"), platform=Platform.BLUESKY, author_id=MARKKU_DID, created_at=at(8),
                    text=f"Kiitos @{MATTI_HANDLE} ja {MATTI_NAME}! Myös Liisa Virtanen kommentoi.",
                    reply_parent_id=matti_on_markku.id, reply_root_id=m_post.id, reply_parent_author_id=MATTI_DID,
                    mentions=(MATTI_DID, LIISA_DID), links=(f"https://bsky.app/profile/{MATTI_HANDLE}",))
    store.save_batch(la, posts=[l_post], interactions=[matti_on_liisa])
    store.save_batch(ma, posts=[m_post, m_answer], interactions=[matti_on_markku, liisa_on_markku, other_on_matti])
    preds = pd.DataFrame({
        "interaction_id": [matti_on_markku.id, matti_on_liisa.id, liisa_on_markku.id, other_on_matti.id],
        "model_version": ["v1"] * 4, "label": ["supportive"] * 4, "proba": [0.1] * 4,
    })
    store.save_predictions(preds, of="interactions")
    store.save_predictions(pd.DataFrame({"post_id": [l_post.id, m_post.id], "model_version": ["v1", "v1"],
                                         "label": ["insight", "insight"], "proba": [0.9, 0.9]}), of="posts")
    store.add_goal(Goal(leader_id=liisa.id, metric="response_rate", target=0.5, start=at(30).date(),
                        deadline=at(-30).date(), created_by="konsultti"), actor="konsultti")
    store.add_session(SessionNote(leader_id=liisa.id, held_on=at(2).date(), period_start=at(30).date(),
                                  period_end=at(1).date(), notes="Liisa Virtanen vastasi hyvin.",
                                  consultant="konsultti"), actor="konsultti")
    store.add_session(SessionNote(leader_id=markku.id, held_on=at(2).date(), period_start=at(30).date(),
                                  period_end=at(1).date(), notes=f"Vertaa: Liisa Virtanen; {MATTI_HANDLE} kysyi.",
                                  consultant="konsultti"), actor="konsultti")
    store.add_tip_feedback(liisa.id, "answer_more", by="liisa")
    users.add_user(store, "liisa", "executive", password="pitka-salasana-123", email="liisa.virtanen@example.fi",
                   leaders=["Liisa Virtanen"])
    users.add_user(store, "konsultti", "consultant", password="pitka-salasana-456", leaders=["Markku Nieminen"])
    store.audit("data.view", actor="liisa", target_kind="leader", target_id=liisa.id)
    run = store.start_run("all")
    from lasna.types import AccountOutcome

    store.record_outcome(run, la, AccountOutcome("Liisa Virtanen", Platform.BLUESKY, LIISA_HANDLE, new_posts=1))
    store.record_outcome(run, ma, AccountOutcome("Markku Nieminen", Platform.BLUESKY, "markku.example.fi",
                                                 error=f"{MATTI_HANDLE} broke a thread"))
    store.finish_run(run, True)
    return {"liisa": liisa, "markku": markku, "la": la, "ma": ma, "m_answer": m_answer,
            "other_on_matti": other_on_matti, "matti_on_markku": matti_on_markku}


MATTI = {MATTI_DID, MATTI_HANDLE, MATTI_NAME, "mattimattimatti"}
LIISA = {LIISA_DID, LIISA_HANDLE, "Liisa Virtanen", "liisa.virtanen@example.fi", "liisaliisaliisa"}


def test_scanner_sees_everyone_before_erasure(store):
    seed(store)
    assert {n for _, _, n in scan(store, MATTI)} == MATTI
    assert {n for _, _, n in scan(store, LIISA)} == LIISA


def test_erasing_a_third_party_leaves_no_trace_in_any_table(store):
    ids = seed(store)
    counts = store.erase_author("@" + MATTI_HANDLE, actor="admin")
    assert counts["interactions"] == 2
    assert scan(store, MATTI) == []
    # what others wrote and what the leaders need stays, with the thread shape intact
    posts = store.posts_frame(include_deleted=True).set_index("post_id")
    inter = store.interactions_frame(include_deleted=True).set_index("interaction_id")
    answer = posts.loc[ids["m_answer"].id]
    assert answer["reply_parent_author_id"].startswith("erased:")
    assert answer["text"].startswith("Kiitos @erased:")
    other = inter.loc[ids["other_on_matti"].id]
    assert other["parent_id"] == answer["reply_parent_id"]  # same pseudonym for the same erased post
    assert LIISA_DID in inter["author_id"].tolist()  # other people's rows untouched
    assert len(posts) == 3 and len(inter) == 2


def test_erased_author_is_never_stored_again(store):
    ids = seed(store)
    store.erase_author(MATTI_DID)
    again = _reply(MATTI_DID, "x3", ids["m_answer"].id, handle=MATTI_HANDLE, name=MATTI_NAME, text="Hei taas",
                   days=1)
    renamed = _reply(MATTI_DID, "x4", ids["m_answer"].id, handle="uusi.bsky.social", name="M", text="Hei", days=1)
    fresh = _reply(OTHER_DID, "o2", ids["m_answer"].id, handle="other.bsky.social", name="Olli", text="Hei", days=1)
    result = store.save_batch(ids["ma"], interactions=[again, renamed, fresh])
    assert result.new_interactions == 1
    assert scan(store, MATTI) == []


def test_erasure_is_audited_without_saying_whom(store):
    seed(store)
    store.erase_author(MATTI_HANDLE, actor="tietosuoja")
    events = store.audit_events(action="erase")
    assert [(e.actor, e.action, e.target_kind, e.target_id) for e in events] == [
        ("tietosuoja", "erase.author", "author", None)
    ]


def test_erasing_a_leaders_own_account_is_refused(store):
    seed(store)
    before = store.counts()
    with pytest.raises(InputError, match="leaders remove"):
        store.erase_author(LIISA_HANDLE)
    assert store.counts() == before


def test_forgetting_a_leader_removes_her_replies_elsewhere_her_login_and_every_mention(store):
    ids = seed(store)
    store.forget_leader(ids["liisa"].id, actor="admin")
    assert scan(store, LIISA) == []
    assert "liisa" not in {u.name for u in users.list_users(store)}
    assert "konsultti" in {u.name for u in users.list_users(store)}
    # Markku's data stays: his posts, Matti's and Olli's replies to him
    inter = store.interactions_frame(include_deleted=True)
    assert set(inter["author_id"]) == {MATTI_DID, OTHER_DID}
    assert len(store.posts_frame(include_deleted=True)) == 2
    forgot = store.audit_events(action="leader.forget")
    assert len(forgot) == 1 and forgot[0].actor == "admin"
    # her own view is still accounted for, under a pseudonym
    assert [e.actor for e in store.audit_events(action="data.view")] == ["erased-user"]


def test_content_deleted_at_the_source_loses_text_and_handle_at_once(store):
    ids = seed(store)
    m_post = uri(MARKKU_DID, "m1")
    store.save_batch(ids["ma"], reply_listings={m_post: {uri(LIISA_DID, "l9"), uri(OTHER_DID, "o1")}},
                     deleted_post_ids=[ids["m_answer"].id])
    inter = store.interactions_frame(include_deleted=True).set_index("interaction_id")
    gone = inter.loc[ids["matti_on_markku"].id]
    assert bool(gone["deleted"]) and gone["text"] == "" and pd.isna(gone["author_handle"])
    assert pd.isna(gone["author_name"]) and pd.isna(gone["url"])
    assert gone["author_id"] == MATTI_DID and gone["parent_id"] == m_post  # what a metric needs stays
    post = store.posts_frame(include_deleted=True).set_index("post_id").loc[ids["m_answer"].id]
    assert bool(post["deleted"]) and post["text"] == "" and list(post["mentions"]) == []
    preds = store.predictions([ids["matti_on_markku"].id], "v1", of="interactions")
    assert preds.empty
    assert not any(c == "text" and t == "interactions" for t, c, _ in scan(store, {"Samaa mieltä"}))


def test_cli_erase_and_forget_leave_nothing(tmp_path):
    from lasna.cli import main

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    store = Store.open(url)
    seed(store)
    store.close()
    assert main(["--database", url, "erase", "--author", MATTI_HANDLE, "--yes"]) == 0
    assert main(["--database", url, "leaders", "remove", "Liisa Virtanen", "--forget"]) == 0
    store = Store.open(url)
    assert scan(store, MATTI | LIISA) == []
    actions = [e.action for e in store.audit_events()]
    assert "erase.author" in actions and "leader.forget" in actions
    assert all(e.actor.startswith("cli") for e in store.audit_events() if e.action in ("erase.author", "leader.forget"))
    store.close()


def test_erasure_also_reaches_enrichment_and_facts(store):
    """After the ingest pipeline ran (stored features, answer links, weekly facts, first contacts),
    erasing a person still leaves no trace of them in any table, and the facts are rebuilt from
    what is left."""
    from lasna import facts, pipeline

    ids = seed(store)
    touched = pipeline.after_ingest(store, [ids["liisa"].id, ids["markku"].id])
    assert touched, "the pipeline built facts for the seeded weeks"
    assert {n for _, _, n in scan(store, MATTI)} == MATTI
    store.erase_author("@" + MATTI_HANDLE, actor="admin")
    assert scan(store, MATTI) == []
    report = facts.score_window(store, None, until=NOW, days=90)
    assert report.to_dict()["leaders"], "scores still come from the rebuilt facts"
    assert scan(store, MATTI) == []
