"""Tip engine: sensible for each demo style, always with evidence, data thresholds, dismissal window."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import pytest

from coaching import tips as T
from coaching.evidence import snippet
from coaching.score_adapter import MetricValue
from lasna import frames
from lasna.types import TipFeedback
from tests.coach_fixtures import TODAY, demo_service, leaders_with, styles


@pytest.fixture(scope="module")
def svc():
    return demo_service()


@pytest.fixture(scope="module")
def all_tips(svc):
    return {name: svc.tips(name, lang="en") for name in styles()}


@pytest.mark.parametrize("name", leaders_with("broadcaster"))
def test_broadcaster_is_told_to_answer_with_a_real_waiting_message(svc, all_tips, name):
    tipset = all_tips[name]
    assert tipset.keys[0] == "answer_waiting"
    tip = tipset.tips[0]
    waiting = svc.waiting(name)
    assert "Unanswered since" in tip.action and f": {len(waiting)} replies to you." in tip.action
    first = T.pick_first(waiting)
    assert first["author"] in tip.action
    assert snippet(first["text"])[:30] in tip.action and len(snippet(first["text"])) > 10
    assert tip.evidence[0].id == first["interaction_id"]
    assert "reply_more" in tipset.keys or "ask_questions" in tipset.keys


@pytest.mark.parametrize("name", leaders_with("shooting_star"))
def test_shooting_star_is_told_to_keep_a_rhythm(all_tips, name):
    tipset = all_tips[name]
    assert tipset.keys[0] == "keep_rhythm"
    assert tipset.tips[0].step == 4
    assert "weeks" in tipset.tips[0].why


@pytest.mark.parametrize("name", leaders_with("restrictor"))
def test_restrictor_is_told_to_open_replies(all_tips, name):
    assert all_tips[name].keys[0] == "open_replies"


def test_slow_responder_is_told_to_answer_faster(all_tips):
    for name in leaders_with("slow_responder"):
        assert "respond_faster" in all_tips[name].keys


def test_the_leader_who_leaves_critics_unanswered_is_told_to_answer_them_with_a_real_critical_reply(svc, all_tips):
    from lasna.scoring_service import default_stance_model

    (name,) = leaders_with("results_sharer")  # the demo's avoider of critical replies
    tipset = all_tips[name]
    assert "answer_critics" in tipset.keys
    tip = tipset.tips[tipset.keys.index("answer_critics")]
    assert "percentage points less often" in tip.why
    unanswered = svc.interactions[svc.interactions["interaction_id"].isin([e.id for e in tip.evidence])]
    assert len(unanswered) == len(tip.evidence) > 0
    assert (unanswered["stance"] == "critical").all()
    assert set(default_stance_model().predict(unanswered["text"])) == {"critical"}
    for name in leaders_with("conversationalist"):  # they answer critics as often as supporters
        assert "answer_critics" not in all_tips[name].keys


def test_conversationalists_are_not_told_to_answer_more(all_tips):
    for name in leaders_with("conversationalist"):
        keys = all_tips[name].keys
        assert not {"answer_waiting", "reply_more", "respond_faster", "keep_rhythm"} & set(keys), (name, keys)


def test_every_tip_has_real_evidence_a_number_and_a_step(svc, all_tips):
    post_ids = set(svc.posts["post_id"])
    interaction_ids = set(svc.interactions["interaction_id"])
    for name, tipset in all_tips.items():
        assert len(tipset.tips) <= 3
        assert len(set(tipset.keys)) == len(tipset.keys)
        for tip in tipset.tips:
            assert tip.evidence, (name, tip.key)
            for e in tip.evidence:
                assert e.id in (post_ids if e.kind == "post" else interaction_ids)
            assert 1 <= tip.step <= 5
            assert str(int(tip.n)) in tip.why, (tip.key, tip.why)
            assert tip.title and tip.action
        prios = [t.priority for t in tipset.tips]
        assert prios == sorted(prios, reverse=True)


def test_tips_render_in_finnish_and_english(svc):
    fi = svc.tips("Markku Nieminen", lang="fi")
    en = svc.tips("Markku Nieminen", lang="en")
    assert fi.keys == en.keys
    for a, b in zip(fi.tips, en.tips):
        assert a.title != b.title and a.why != b.why
        assert a.render("en").why == b.why
    assert "Vastasit" in fi.tips[0].why and "Vastaustasi odottaa" in fi.tips[0].action


# --- dismissal window ----------------------------------------------------------------------------------------
def _ctx(svc, name):
    return svc.context(name)


def test_dismissed_or_done_tip_stays_away_for_the_window(svc):
    ctx = _ctx(svc, "David Brooks")
    before = T.weekly_tips(ctx, lang="en")
    top = before.keys[0]
    lid = ctx.leader_id
    recent = [TipFeedback(lid, top, "dismissed", (TODAY - timedelta(days=3)).to_pydatetime()
                          if hasattr(TODAY, "to_pydatetime") else TODAY - timedelta(days=3))]
    after = T.weekly_tips(ctx, lang="en", feedback=recent)
    assert top not in after.keys and top in after.snoozed
    old = [TipFeedback(lid, top, "done", TODAY - timedelta(days=29))]
    assert T.weekly_tips(ctx, lang="en", feedback=old).keys[0] == top  # default window: 28 days
    mid = [TipFeedback(lid, top, "done", TODAY - timedelta(days=10))]
    assert top not in T.weekly_tips(ctx, feedback=mid).keys
    assert T.weekly_tips(ctx, feedback=mid, snooze_days=7).keys[0] == top  # configurable
    other_leader = [TipFeedback(lid + 1000, top, "dismissed", TODAY - timedelta(days=1))]
    assert T.weekly_tips(ctx, feedback=other_leader).keys[0] == top


def test_tip_feedback_round_trips_through_the_store(store):
    leader = store.add_leader("Test Leader")
    store.add_tip_feedback(leader.id, "answer_waiting", "dismissed", at=TODAY)
    store.add_tip_feedback(leader.id, "keep_rhythm", "done", at=TODAY + timedelta(hours=1))
    fb = store.tip_feedback(leader.id)
    assert [(f.tip_key, f.action) for f in fb] == [("answer_waiting", "dismissed"), ("keep_rhythm", "done")]
    assert fb[0].at == TODAY
    assert T.snoozed_keys(fb, TODAY + timedelta(days=1)) == {"answer_waiting", "keep_rhythm"}
    deleted = store.forget_leader(leader.id)
    assert deleted["tip_feedback"] == 2


# --- data thresholds (synthetic, pure) -----------------------------------------------------------------------
def _frames(n_incoming: int, n_posts: int):
    t0 = pd.Timestamp(TODAY) - pd.Timedelta(days=10)
    posts = pd.DataFrame([{
        "post_id": f"p{i}", "leader_id": 1, "leader": "Kim", "account_id": 1, "platform": "bluesky",
        "author_id": "did:kim", "created_at": t0 + pd.Timedelta(days=i % 9), "text": f"Tänään kerroin asiasta {i}.",
        "url": f"https://x/p{i}",
    } for i in range(n_posts)])
    inter = pd.DataFrame([{
        "interaction_id": f"i{i}", "leader_id": 1, "leader": "Kim", "account_id": 1, "platform": "bluesky",
        "kind": "reply", "author_id": f"did:u{i}", "author_name": f"Person {i}", "created_at": t0 + pd.Timedelta(hours=i),
        "text": f"Mitä tämä tarkoittaa budjetille {i}?", "url": f"https://x/i{i}", "parent_id": "p0", "root_id": "p0",
    } for i in range(n_incoming)])
    return frames.conform(posts, frames.POST_COLUMNS), frames.conform(inter, frames.INTERACTION_COLUMNS)


def _context(n_incoming: int, rate: float = 0.0, n_posts: int = 3, pct: float = 0.0):
    posts, inter = _frames(n_incoming, n_posts)
    current = {"response_rate": MetricValue("response_rate", rate, float(n_incoming), percentile=pct,
                                            evidence=tuple(inter["interaction_id"]))}
    return T.build_context(1, current=current, baseline=None, posts=posts, interactions=inter, today=TODAY)


def test_no_tip_from_fewer_data_points_than_the_rule_needs():
    need = T.RULES["answer_waiting"].min_n
    few = T.weekly_tips(_context(need - 1), lang="fi")
    assert "answer_waiting" not in few.keys
    assert any(g.rule == "answer_waiting" and g.n == need - 1 and g.needed == need for g in few.gaps)
    assert few.tips == () and few.message() == "Ei vielä tarpeeksi dataa."
    assert T.weekly_tips(_context(need - 1), lang="en").message() == "Not enough data yet."
    enough = T.weekly_tips(_context(need), lang="en")
    assert enough.keys == ["answer_waiting"]
    assert f": {need} replies to you." in enough.tips[0].action


def test_a_good_rate_gives_no_answer_tip():
    assert "answer_waiting" not in T.weekly_tips(_context(20, rate=0.9, pct=90)).keys
    assert "answer_waiting" in T.weekly_tips(_context(20, rate=0.9, pct=10)).keys  # far below the peers


def test_counts_are_inflected_in_both_languages():
    assert T._format_params({"c": ("count", 1)}, "fi") == {"c": "1 viesti"}
    assert T._format_params({"c": ("count", 4)}, "fi") == {"c": "4 viestiä"}
    assert T._format_params({"c": ("count", 1)}, "en") == {"c": "1 reply to you"}
    assert T._format_params({"c": ("names", ["Liisa", "Pekka", "Aino"])}, "fi") == {"c": "Liisa, Pekka ja Aino"}


def test_tips_command_dismisses_and_lists(tmp_path, capsys):
    from lasna.cli import main
    from lasna.store import Store

    url = f"sqlite:///{tmp_path / 'x.db'}"
    s = Store.open(url)
    leader = s.add_leader("Kim Tester")
    assert main(["--database", url, "tips", "--leader", "Kim Tester", "--dismiss", "keep_rhythm"]) == 0
    assert [(f.tip_key, f.action) for f in s.tip_feedback(leader.id)] == [("keep_rhythm", "dismissed")]
    assert main(["--database", url, "tips", "--leader", "Kim Tester", "--done", "no_such_tip"]) == 2
    capsys.readouterr()
    assert main(["--database", url, "tips", "--leader", "Kim Tester", "--lang", "en"]) == 0
    assert "Not enough data yet." in capsys.readouterr().out


def test_progress_and_network_rules_fire_on_matching_data_with_evidence():
    posts, inter = _frames(12, 12)
    # the leader answered i0..i3 (so the response rate rose) and never wrote to the others
    answers = posts.iloc[:4].assign(post_id=[f"a{i}" for i in range(4)], reply_parent_id=[f"i{i}" for i in range(4)],
                                    reply_root_id="p0", reply_parent_author_id=[f"did:u{i}" for i in range(4)],
                                    indexed_at=pd.Timestamp(TODAY) - pd.Timedelta(days=1))
    posts = pd.concat([posts, answers], ignore_index=True)
    current = {
        "response_rate": MetricValue("response_rate", 0.7, 12, percentile=80),
        "reciprocity": MetricValue("reciprocity", 0.2, 12, percentile=10),
    }
    baseline = {"response_rate": MetricValue("response_rate", 0.4, 15)}
    ctx = T.build_context(1, current=current, baseline=baseline, posts=posts, interactions=inter, today=TODAY)
    tipset = T.weekly_tips(ctx, lang="en", limit=5)
    by_key = {t.key: t for t in tipset.tips}
    assert {"celebrate_progress", "widen_network"} <= set(by_key)
    cel = by_key["celebrate_progress"]
    assert "40%" in cel.why and "70%" in cel.why and cel.comparison == {"baseline": 0.4}
    wid = by_key["widen_network"]
    named = [e.author for e in wid.evidence]
    assert len(named) == 3 and all(n in wid.action for n in named)
    assert not {"Person 0", "Person 1", "Person 2", "Person 3"} & set(named)  # those were answered
    assert "answer_waiting" not in by_key  # 70 % at the 80th percentile: nothing to push


def test_a_clear_drop_against_the_own_baseline_is_named():
    posts, inter = _frames(12, 12)
    current = {"dialogue_share": MetricValue("dialogue_share", 0.35, 12, percentile=50)}
    baseline = {"dialogue_share": MetricValue("dialogue_share", 0.6, 20)}
    ctx = T.build_context(1, current=current, baseline=baseline, posts=posts, interactions=inter, today=TODAY)
    tip = {t.key: t for t in T.weekly_tips(ctx, lang="en").tips}["regain_ground"]
    assert "60%" in tip.why and "35%" in tip.why and tip.evidence[0].kind == "post"
    small = {"dialogue_share": MetricValue("dialogue_share", 0.5, 12, percentile=50)}
    ctx = T.build_context(1, current=small, baseline=baseline, posts=posts, interactions=inter, today=TODAY)
    assert "regain_ground" not in T.weekly_tips(ctx).keys  # a 10-point dip is noise, not a drop


def test_tip_feedback_migration_goes_down_and_up(sqlite_store):
    from sqlalchemy import inspect

    from lasna.store import migrate

    assert "tip_feedback" in inspect(sqlite_store.engine).get_table_names()
    migrate.downgrade(sqlite_store.engine, "0002_post_predictions")  # the revision before tip_feedback
    assert "tip_feedback" not in inspect(sqlite_store.engine).get_table_names()
    sqlite_store.upgrade()
    assert sqlite_store.revision() == migrate.head_revision()
    assert "tip_feedback" in inspect(sqlite_store.engine).get_table_names()
