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


def test_waiting_lists_only_unanswered_messages_that_merit_an_answer_by_merit_then_newest():
    posts, inter = _frames()
    w = conversations_waiting(posts, inter, leader_id=1, now=NOW)
    assert list(w.columns) == list(WAITING_COLUMNS)
    # two questions first (the two-word "Kerro lisää?" a little lower), the agreement last though newest
    assert list(w["interaction_id"]) == ["i2", "i7", "i3"]
    assert w["merit"].tolist() == [3.0, 2.0, -2.0]
    assert w["age_hours"].round(3).tolist() == [50.0, 9.0, 5.0]
    assert w.loc[2, "author"] == "User 3" and w.loc[2, "url"] == "https://x/i3"
    assert pick_first(w)["interaction_id"] == "i2"


def test_merit_puts_questions_criticism_and_requests_above_thanks_and_praise_whatever_their_age():
    posts, inter = _frames()
    from lasna import frames as fr
    rows = [_inter(20, 1, "Kiitos, tosi hyvä päivitys!"), _inter(21, 2, "Great work, thanks!"),
            _inter(22, 40, "You promised the pool would reopen in spring. Now it's autumn."),
            _inter(23, 60, "Milloin kirjasto aukeaa remontin jälkeen"),
            _inter(24, 3, "Samaa mieltä sun kanssa, yhteistyöllä tästä selvitään."),
            _inter(25, 70, "Voisitteko kertoa, paljonko hanke maksoi")]
    inter = fr.conform(pd.DataFrame(rows), fr.INTERACTION_COLUMNS)
    w = conversations_waiting(posts, inter, leader_id=1, now=NOW)
    top, bottom = set(w["interaction_id"][:3]), set(w["interaction_id"][3:])
    assert top == {"i22", "i23", "i25"} and bottom == {"i20", "i21", "i24"}


def test_a_stored_stance_label_decides_criticism_when_present():
    from coaching.waiting import merit_scores
    texts = ["Hmm, interesting choice of words here today."] * 2
    s = merit_scores(texts, stance=["critical", "supportive"])
    assert s[0] > s[1]


def test_merit_precision_at_the_top_beats_the_base_rate_on_labelled_replies():
    from pathlib import Path

    from coaching.waiting import merit_scores, precision_at_k
    d = pd.read_csv(Path(__file__).parents[1] / "data" / "labels" / "replies_merit.csv")
    for _, g in d.groupby("lang"):
        p10 = precision_at_k(g["merit"].to_numpy(), merit_scores(g["text"].tolist()), 10)
        assert p10 >= 0.9 > g["merit"].mean()


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
