"""Conversations waiting: unanswered, merit an answer, newest first."""

from __future__ import annotations

import pandas as pd

from coaching.waiting import WAITING_COLUMNS, conversations_waiting, pick_first
from lasna import frames
from hypothesis import given, settings
from hypothesis import strategies as st

NOW = pd.Timestamp("2026-11-22 12:00", tz="UTC")


def _inter(i, hours_ago, text="Mitä mieltä olet tästä?", **kw):
    row = {"interaction_id": f"i{i}", "leader_id": 1, "leader": "Kim", "account_id": 1, "platform": "bluesky",
           "kind": "reply", "author_id": f"did:u{i}", "author_handle": f"u{i}.bsky.social", "author_name": f"User {i}",
           "created_at": NOW - pd.Timedelta(hours=hours_ago), "text": text, "url": f"https://x/i{i}",
           "parent_id": "p0", "root_id": "p0"}
    row.update(kw)
    return row


def _frames():
    posts = pd.DataFrame([
        {"post_id": "p0", "leader_id": 1, "leader": "Kim", "account_id": 1, "platform": "bluesky",
         "author_id": "did:kim", "created_at": NOW - pd.Timedelta(days=5), "text": "Uusi strategia julki."},
        {"post_id": "p1", "leader_id": 1, "leader": "Kim", "account_id": 1, "platform": "bluesky",
         "author_id": "did:kim", "created_at": NOW - pd.Timedelta(hours=1), "text": "Kiitos, hyvä kysymys!",
         "reply_parent_id": "i1", "reply_root_id": "p0", "reply_parent_author_id": "did:u1"},
        {"post_id": "p2", "leader_id": 1, "leader": "Kim", "account_id": 1, "platform": "bluesky",
         "author_id": "did:kim", "created_at": NOW - pd.Timedelta(hours=1), "text": "repost", "is_repost": True,
         "reply_parent_id": "i7"},
    ])
    inter = pd.DataFrame([
        _inter(1, 30),  # answered by p1
        _inter(2, 50, "Onko tästä raporttia?"),  # waiting, older question
        _inter(3, 5, "Hyvä pointti, jatketaan ensi viikolla"),  # waiting, newest
        _inter(4, 10, hidden=True),  # hidden
        _inter(5, 12, deleted=True),  # deleted
        _inter(6, 8, "❤️👍"),  # emoji-only
        _inter(7, 9, "Kerro lisää?"),  # "answered" only by a repost: still waiting
        _inter(8, 6, kind="quote"),  # quotes do not ask the leader
        _inter(9, 7, author_id="did:kim"),  # the leader's own account
        _inter(10, 24 * 45),  # too old
        _inter(11, -5),  # after now
        _inter(12, 3, leader_id=2, leader="Other"),  # someone else's
        _inter(13, 4, "Samaa mieltä kuin sinä, tämä on tärkeää?", parent_id="i2"),  # talks to user 2, not Kim
    ])
    return frames.conform(posts, frames.POST_COLUMNS), frames.conform(inter, frames.INTERACTION_COLUMNS)


def test_waiting_lists_only_unanswered_messages_that_merit_an_answer_newest_first():
    posts, inter = _frames()
    w = conversations_waiting(posts, inter, leader_id=1, now=NOW)
    assert list(w.columns) == list(WAITING_COLUMNS)
    assert list(w["interaction_id"]) == ["i3", "i7", "i2"]
    assert w["age_hours"].round(3).tolist() == [5.0, 9.0, 50.0]
    assert w.loc[0, "author"] == "User 3" and w.loc[0, "url"] == "https://x/i3"
    assert pick_first(w)["interaction_id"] == "i7"  # the newest question goes first


def test_waiting_age_window_and_empty_inputs():
    posts, inter = _frames()
    assert "i10" in set(conversations_waiting(posts, inter, leader_id=1, now=NOW, max_age_days=None)["interaction_id"])
    assert conversations_waiting(posts, inter.iloc[0:0], leader_id=1, now=NOW).empty
    assert pick_first(conversations_waiting(posts, inter.iloc[0:0], now=NOW)) is None


def test_answering_removes_a_message_from_the_list():
    posts, inter = _frames()
    answer = posts.iloc[[1]].assign(post_id="p9", reply_parent_id="i3", is_repost=False)
    w = conversations_waiting(pd.concat([posts, answer], ignore_index=True), inter, leader_id=1, now=NOW)
    assert "i3" not in set(w["interaction_id"]) and len(w) == 2



@settings(max_examples=40, deadline=None)
@given(answered=st.sets(st.sampled_from([f"i{i}" for i in range(1, 13)]), max_size=12))
def test_answering_never_adds_to_the_waiting_list(answered):
    posts, inter = _frames()
    base = set(conversations_waiting(posts, inter, leader_id=1, now=NOW)["interaction_id"])
    extra = pd.DataFrame([{**posts.iloc[1].to_dict(), "post_id": f"ans-{i}", "reply_parent_id": i,
                           "is_repost": False} for i in sorted(answered)])
    more = pd.concat([posts, extra], ignore_index=True) if len(extra) else posts
    after = set(conversations_waiting(more, inter, leader_id=1, now=NOW)["interaction_id"])
    assert after == base - set(answered)
