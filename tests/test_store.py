"""The store on both engines: migrations, idempotent upserts, state with data, forget, retention."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import inspect, select

from lasna.errors import InputError, NotFoundError
from lasna.store import Store, migrate
from lasna.store import schema as t
from lasna.types import Interaction, InteractionKind, Platform, Post

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
_names = itertools.count()


def make_account(store: Store, platform=Platform.BLUESKY):
    n = next(_names)
    leader = store.add_leader(f"Leader {n}", cohorts=["Cohort A"])
    return store.add_account(leader.id, platform, f"l{n}.bsky.social", stable_id=f"did:plc:{n:024d}")


def post(i: int, account_did: str, **kw) -> Post:
    defaults = dict(
        id=f"at://{account_did}/app.bsky.feed.post/{i}",
        platform=Platform.BLUESKY,
        author_id=account_did,
        created_at=T0 + timedelta(hours=i),
        text=f"post {i} – äö ✓",
        mentions=("did:plc:someone",),
        links=("https://example.fi/a",),
        tags=("johtaminen",),
        reply_count=i % 3,
    )
    defaults.update(kw)
    return Post(**defaults)


def reply(i: int, parent: str) -> Interaction:
    return Interaction(
        id=f"at://did:plc:other{i}/app.bsky.feed.post/r{i}",
        platform=Platform.BLUESKY,
        kind=InteractionKind.REPLY,
        author_id=f"did:plc:other{i}",
        author_handle=f"other{i}.bsky.social",
        created_at=T0 + timedelta(hours=i, minutes=5),
        text="Kiitos!",
        parent_id=parent,
        root_id=parent,
    )


def test_migrations_create_every_table_from_empty(db_url):
    store = Store.open(db_url)
    assert store.revision() == migrate.head_revision()
    tables = set(inspect(store.engine).get_table_names())
    assert {table.name for table in t.metadata.sorted_tables} <= tables
    # downgrade to empty and back up again
    migrate.downgrade(store.engine, "base")
    assert not ({table.name for table in t.metadata.sorted_tables} & set(inspect(store.engine).get_table_names()))
    store.upgrade()
    assert store.revision() == migrate.head_revision()


def test_opening_twice_does_not_migrate_again(db_url):
    Store.open(db_url).close()
    store = Store.open(db_url)
    assert store.revision() == migrate.head_revision()


def test_sqlite_file_uses_write_ahead_logging(tmp_path):
    store = Store.open(f"sqlite:///{tmp_path / 'sub' / 'dir' / 'x.db'}")
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_saving_a_batch_reports_new_rows_and_round_trips_fields(store):
    account = make_account(store)
    posts = [post(i, account.stable_id) for i in range(5)]
    result = store.save_batch(account, posts=posts, interactions=[reply(1, posts[1].id)], state={"cursor": "abc"})
    assert (result.new_posts, result.new_interactions) == (5, 1)
    frame = store.posts_frame([account.leader_id])
    assert list(frame["post_id"]) == [p.id for p in posts]
    row = frame.iloc[2]
    assert row["text"] == "post 2 – äö ✓"
    assert row["mentions"] == ["did:plc:someone"] and row["tags"] == ["johtaminen"]
    assert row["created_at"] == posts[2].created_at
    assert row["indexed_at"] == posts[2].created_at  # falls back to created_at
    interactions = store.interactions_frame([account.leader_id])
    assert interactions.iloc[0]["author_handle"] == "other1.bsky.social"
    assert interactions.iloc[0]["kind"] == "reply"
    assert store.get_state(account) == {"cursor": "abc"}


def test_upsert_updates_mutable_fields_without_duplicating(store):
    account = make_account(store)
    store.save_batch(account, posts=[post(1, account.stable_id, like_count=1)])
    result = store.save_batch(account, posts=[post(1, account.stable_id, like_count=7)])
    assert result.new_posts == 0
    frame = store.posts_frame([account.leader_id])
    assert len(frame) == 1 and frame.iloc[0]["like_count"] == 7


def test_naive_datetimes_are_refused(sqlite_store):
    account = make_account(sqlite_store)
    with pytest.raises(Exception, match="naive datetime"):
        sqlite_store.save_batch(account, posts=[post(1, account.stable_id, created_at=datetime(2026, 1, 1))])


def test_state_does_not_advance_when_the_data_write_fails(store):
    account = make_account(store)
    store.save_batch(account, posts=[post(1, account.stable_id)], state={"cursor": "first"})
    broken = post(2, account.stable_id, created_at=datetime(2026, 1, 1))  # naive: the write fails
    with pytest.raises(Exception):
        store.save_batch(account, posts=[post(3, account.stable_id), broken], state={"cursor": "second"})
    assert store.get_state(account) == {"cursor": "first"}
    assert len(store.posts_frame([account.leader_id])) == 1


def test_threads_to_check_lists_posts_whose_reply_count_changed(store):
    account = make_account(store)
    posts = [post(i, account.stable_id, reply_count=c) for i, c in enumerate([0, 2, 3])]
    store.save_batch(account, posts=posts)
    assert {pid for pid, _ in store.threads_to_check(account, T0 - timedelta(days=1))} == {posts[1].id, posts[2].id}
    store.save_batch(account, threads_checked={posts[1].id: 2, posts[2].id: 3})
    assert store.threads_to_check(account, T0 - timedelta(days=1)) == []
    store.save_batch(account, posts=[post(2, account.stable_id, reply_count=4)])
    assert store.threads_to_check(account, T0 - timedelta(days=1)) == [(posts[2].id, 4)]


def test_replies_missing_from_a_complete_listing_are_marked_deleted(store):
    account = make_account(store)
    posts = [post(i, account.stable_id) for i in range(2)]
    replies = [reply(i, posts[0].id) for i in range(3)] + [reply(9, posts[1].id)]
    store.save_batch(account, posts=posts, interactions=replies)
    result = store.save_batch(account, reply_listings={posts[0].id: [replies[0].id, replies[2].id]})
    assert result.vanished_interaction_ids == (replies[1].id,)
    frame = store.interactions_frame(include_deleted=True).set_index("interaction_id")
    # only the listed post's missing reply; the reply under the unlisted post is untouched
    assert [bool(frame.loc[r.id].deleted) for r in replies] == [False, True, False, False]
    again = store.save_batch(account, interactions=[replies[1]])  # it came back: live again
    assert again.new_interactions == 0 and not store.interactions_frame().empty
    assert replies[1].id in set(store.interactions_frame().interaction_id)


def test_batch_reports_known_posts_and_horizon_lists_live_posts_newest_first(store):
    account = make_account(store)
    posts = [post(i, account.stable_id, reply_count=i, quote_count=1) for i in range(3)]
    assert store.save_batch(account, posts=posts[:2]).known_post_ids == frozenset()
    assert store.save_batch(account, posts=posts).known_post_ids == {posts[0].id, posts[1].id}
    store.save_batch(account, deleted_post_ids=[posts[2].id], threads_checked={posts[1].id: 1},
                     quotes_checked={posts[0].id: 1})
    horizon = store.horizon_posts(account, T0)
    assert [p.id for p in horizon] == [posts[1].id, posts[0].id]
    assert [(p.thread_changed, p.quotes_changed) for p in horizon] == [(False, True), (False, False)]
    assert horizon[0].created_at == posts[1].created_at


def test_deleted_posts_are_marked_and_hidden_from_frames(store):
    account = make_account(store)
    posts = [post(i, account.stable_id) for i in range(3)]
    store.save_batch(account, posts=posts)
    store.save_batch(account, deleted_post_ids=[posts[0].id])
    assert list(store.posts_frame([account.leader_id])["post_id"]) == [posts[1].id, posts[2].id]
    assert len(store.posts_frame([account.leader_id], include_deleted=True)) == 3


def test_duplicate_leader_name_is_refused(store):
    store.add_leader("Same Name")
    with pytest.raises(InputError, match="already exists"):
        store.add_leader("Same Name")


def test_one_identity_cannot_belong_to_two_leaders(store):
    account = make_account(store)
    other = store.add_leader(f"Other {next(_names)}")
    second = store.add_account(other.id, Platform.BLUESKY, "someone.bsky.social")
    with pytest.raises(InputError, match="already belongs"):
        store.set_account_identity(second.id, account.stable_id)


def test_forget_leaves_no_row_of_the_leader_behind(store):
    account = make_account(store)
    keep = make_account(store)
    for k, acc in enumerate((account, keep)):
        ps = [post(i, acc.stable_id) for i in range(3)]
        replies = [reply(10 * k + i, ps[0].id + acc.stable_id) for i in range(2)]
        store.save_batch(acc, posts=ps, interactions=replies, state={"cursor": "x"})
        run = store.start_run("bluesky")
        from lasna.types import AccountOutcome

        store.record_outcome(run, acc, AccountOutcome("x", Platform.BLUESKY, acc.handle, new_posts=3))
        import pandas as pd

        store.save_predictions(pd.DataFrame({"post_id": [p.id for p in ps], "model_version": "m1",
                                             "label": "broadcast", "proba": 0.9}))
        store.save_predictions(pd.DataFrame({"interaction_id": [r.id for r in replies], "model_version": "s1",
                                             "label": "critical", "proba": 0.7}), of="interactions")
    assert len(store.predictions([reply(0, "x").id, reply(10, "x").id], "s1", of="interactions")) == 2
    store.forget_leader(account.leader_id)
    with store.engine.connect() as conn:
        for table in t.metadata.sorted_tables:
            for col in ("leader_id", "account_id"):
                if col in table.c:
                    ids = account.leader_id if col == "leader_id" else account.id
                    left = conn.execute(select(table).where(table.c[col] == ids)).all()
                    assert left == [], f"{table.name}.{col} still has rows"
        assert conn.execute(select(t.leaders).where(t.leaders.c.id == account.leader_id)).first() is None
        assert conn.execute(select(t.post_predictions).where(t.post_predictions.c.post_id.like(f"%{account.stable_id}%"))).all() == []
        assert len(conn.execute(select(t.post_predictions)).all()) == 3  # the other leader's stay
        assert {r.interaction_id for r in conn.execute(select(t.interaction_predictions))} == \
            {reply(10, "x").id, reply(11, "x").id}
    assert len(store.posts_frame([keep.leader_id])) == 3
    with pytest.raises(NotFoundError):
        store.leader_by_id(account.leader_id)


def test_retention_deletes_only_old_rows(store):
    account = make_account(store)
    old = post(1, account.stable_id, created_at=T0 - timedelta(days=800))
    new = post(2, account.stable_id, created_at=T0)
    store.save_batch(account, posts=[old, new], interactions=[reply(3, new.id)])
    deleted = store.apply_retention(730, now=T0 + timedelta(days=1))
    assert deleted["posts"] == 1
    assert list(store.posts_frame()["post_id"]) == [new.id]


# ---- Hypothesis: ingesting any batch twice equals ingesting it once ----------------------------

texts = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40)
post_strategy = st.builds(
    lambda i, text, likes, repost, restricted, mentions: (i, text, likes, repost, restricted, mentions),
    st.integers(0, 30),
    texts,
    st.integers(0, 10_000),
    st.booleans(),
    st.booleans(),
    st.lists(st.text("abcdef:", min_size=1, max_size=8), max_size=3),
)


def _snapshot(store: Store, leader_id: int):
    posts = store.posts_frame([leader_id]).sort_values("post_id").reset_index(drop=True)
    interactions = store.interactions_frame([leader_id]).sort_values("interaction_id").reset_index(drop=True)
    return posts.to_dict("records"), interactions.to_dict("records")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batch=st.lists(post_strategy, max_size=12))
def test_ingesting_a_batch_twice_equals_ingesting_it_once(store, batch):
    account = make_account(store)
    posts = [
        post(i, account.stable_id, text=text, like_count=likes, is_repost=repost, replies_restricted=restricted,
             mentions=tuple(mentions))
        for i, text, likes, repost, restricted, mentions in batch
    ]
    interactions = [reply(i, p.id) for i, p in enumerate(posts[:4])]
    store.save_batch(account, posts=posts, interactions=interactions, state={"cursor": "c"})
    once = _snapshot(store, account.leader_id)
    again = store.save_batch(account, posts=posts, interactions=interactions, state={"cursor": "c"})
    assert (again.new_posts, again.new_interactions) == (0, 0)
    assert _snapshot(store, account.leader_id) == once
    assert len(once[0]) == len({p.id for p in posts})


def test_a_database_from_an_unknown_schema_is_a_clear_error(tmp_path):
    from sqlalchemy import text

    from lasna.errors import StoreError

    url = f"sqlite:///{tmp_path / 'future.db'}"
    store = Store.open(url)
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
    with pytest.raises(StoreError, match="schema this Läsnä does not know"):
        Store.open(url)
