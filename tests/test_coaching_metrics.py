"""Metrics against values computed by hand on the fixture in coaching_fixtures.hand_fixture().

Fixture (leader 1, window = 90 days up to 2026-03-31):
  own posts P: p1 (root, question), p2 (root), p3 (root, replies restricted), r1 (reply to U1, substantive),
  r2 (self-thread), r3 (reply to U2, 18 days late), r4 ("👍" reply to U1)            → |P| = 7, roots = 3
  incoming: i1 U1 (answered by r1 after 1 h), i2 U3 (unanswered), i3 U2 (answered after 430 h),
  i4 U1 (answered by r4 after 1 h), i5 U4 emoji-only (no merit), i6 U5 hidden (no merit)
"""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import coaching
from coaching.metrics import (_earliest, _factorize_many, _first_k, _first_occurrences, _first_seen, _lexsort,
                              _stable_argsort, burstiness, kaplan_meier_median, link_answers)
from coaching_fixtures import UNTIL, at, frames, hand_fixture, incoming, post


@pytest.fixture(scope="module")
def report():
    P, I, L = hand_fixture()
    return coaching.score(P, I, L, until=UNTIL, days=90)


def comp(report, key, leader=1):
    c = report.components
    row = c[(c["leader_id"] == leader) & (c["component"] == key)]
    assert len(row) == 1, key
    return row.iloc[0]


def test_dialogue_share_counts_substantive_replies_to_others_over_own_posts(report):
    r = comp(report, "dialogue_share")
    assert (r.x, r.n) == (2, 7)  # r1, r3; r4 is emoji-only, r2 is a self-thread
    assert r.raw == pytest.approx(2 / 7)
    assert set(r.evidence) == {"r1", "r3"}


def test_response_rate_counts_answers_within_7_days_over_incoming_that_merit_one(report):
    r = comp(report, "response_rate")
    assert (r.x, r.n) == (2, 4)  # i1, i4 within a week; i3 late; i2 unanswered; i5 emoji, i6 hidden excluded
    assert set(r.evidence) == {"i2", "i3"}  # evidence: the unanswered ones


def test_response_time_is_the_kaplan_meier_median_with_unanswered_censored(report):
    # durations: 1 h (event), 1 h (event), 430 h (event), 693 h (censored) → S drops to 0.5 at 1 h
    assert comp(report, "response_time").raw == pytest.approx(1.0)


def test_re_entry_counts_roots_where_the_leader_replied_after_others(report):
    r = comp(report, "re_entry")
    assert (r.x, r.n) == (2, 3)  # p1, p2 re-entered; p3 got replies but no leader reply
    assert list(r.evidence) == ["p3"]


def test_questions_and_gated_share_are_shares_of_root_posts(report):
    assert (comp(report, "questions").x, comp(report, "questions").n) == (1, 3)
    assert (comp(report, "gated_share").x, comp(report, "gated_share").n) == (1, 3)


def test_reciprocity_is_out_intersect_in_over_in(report):
    r = comp(report, "reciprocity")
    assert (r.x, r.n) == (2, 3)  # In = {U1, U2, U3}; Out = {U1, U2}


def test_network_breadth_uses_shannon_entropy_of_replies_per_interlocutor(report):
    h = -(2 / 3 * math.log(2 / 3) + 1 / 3 * math.log(1 / 3))  # U1 twice, U2 once
    assert comp(report, "interlocutors").raw == 2
    assert comp(report, "effective_interlocutors").raw == pytest.approx(math.exp(h))
    assert comp(report, "evenness").raw == pytest.approx(h / math.log(2))


def test_conversation_depth_finds_other_leader_other_leader_exchanges(report):
    # thread p1: i1 O, r1 L, i2 O, i4 O, r4 L → two O→L turns (exchange); thread p2: i3 O, r3 L → one
    r = comp(report, "exchange_share")
    assert (r.x, r.n) == (1, 2)
    assert comp(report, "turns_per_thread").raw == pytest.approx(1.5)


def test_active_weeks_and_burstiness_follow_the_formulas(report):
    aw = comp(report, "active_weeks")
    assert (aw.x, aw.n) == (3, 13)
    hours = np.array([24, 26, 48, 49, 73, 77, 480], dtype=float)
    gaps = np.diff(hours)
    r = gaps.std() / gaps.mean()
    n = len(hours)
    bn = (math.sqrt(n + 1) * r - math.sqrt(n - 1)) / ((math.sqrt(n + 1) - 2) * r + math.sqrt(n - 1))
    assert comp(report, "burstiness_score").raw == pytest.approx(1 - max(0.0, bn))


def test_shrunk_rate_uses_the_population_prior():
    P, I, L = hand_fixture()
    rep = coaching.score(P, I, L, until=UNTIL, prior_strength=4)
    r = comp(rep, "response_rate")
    # one leader: p0 = 2/4, alpha = beta = 2 → (2 + 2) / (4 + 4)
    assert r.value == pytest.approx(0.5) and r.prior == pytest.approx(0.5)
    r = comp(rep, "dialogue_share")
    p0 = 2 / 7
    assert r.value == pytest.approx((2 + 4 * p0) / (7 + 4))


def test_link_answers_takes_the_leaders_earliest_reply_and_leaves_others_unanswered():
    posts = [post("late", at(2), "Toinen vastaus", parent="i1", parent_author="U1"),
             post("early", at(1, 5), "Ensimmäinen vastaus", parent="i1", parent_author="U1"),
             post("other_leader", at(1, 2), "Vastaan tähän", leader_id=2, author="L2", parent="i1", parent_author="U1")]
    inter = [incoming("i1", at(1), "U1", "p0"), incoming("i2", at(1), "U2", "p0")]
    P, I, _ = frames(posts, inter, leader_ids=(1, 2))
    out = link_answers(P, I)
    assert out["answered_by"].tolist() == ["early", None]
    assert out["answered_at"].iloc[0] == at(1, 5) and pd.isna(out["answered_at"].iloc[1])
    assert "answered_by" not in I  # input not modified


def test_kaplan_meier_median_matches_hand_computation_and_groups():
    # 4 items: events at 2, 4; censored at 3, 10 → S(2)=3/4, S(4)=3/4·(1−1/2)=3/8 → median 4
    assert kaplan_meier_median(np.array([2, 3, 4, 10.0]), np.array([1, 0, 1, 0], bool)) == 4
    # nobody answered → never reaches 0.5
    assert kaplan_meier_median(np.array([5.0, 6.0]), np.array([0, 0], bool)) == math.inf
    med = kaplan_meier_median(np.array([1, 2, 3, 9, 9.0]), np.array([1, 1, 1, 1, 0], bool), np.array([0, 0, 0, 1, 1]))
    assert med.loc[0] == 2 and med.loc[1] == 9


def test_burstiness_is_minus_one_for_regular_and_positive_for_bursty_sequences():
    assert burstiness(0.0, 10) == pytest.approx(-1.0)
    assert burstiness(3.0, 50) > 0.5


def test_weekly_buckets_partition_the_window_counts():
    P, I, L = hand_fixture()
    whole = coaching.score(P, I, L, until=UNTIL)
    weekly = coaching.score(P, I, L, until=UNTIL, by="week")
    for key in ("dialogue_share", "response_rate", "questions"):
        w = weekly.components[weekly.components["component"] == key]
        assert (w["x"].sum(), w["n"].sum()) == (comp(whole, key).x, comp(whole, key).n)
    assert weekly.composites["bucket"].nunique() == 14  # Monday-aligned weeks overlapping 90 days
    monthly = coaching.score(P, I, L, until=UNTIL, by="month")
    assert len(monthly.composites) == 4  # Dec (last day) .. Mar


def test_report_serialises_to_json_with_definitions_keys():
    import json

    P, I, L = hand_fixture()
    rep = coaching.score(P, I, L, until=UNTIL)
    d = json.loads(json.dumps(rep.to_dict()))
    period = d["leaders"][0]["periods"][0]
    assert set(period["composites"]) == {"openness", "responsiveness", "network", "consistency"}
    assert set(period["components"]) <= set(coaching.METRICS)
    assert period["components"]["response_rate"]["n"] == 4
    frame = rep.to_frame()
    assert {"openness", "response_rate", "response_rate_n", "period_start"} <= set(frame.columns)


def test_every_metric_has_finnish_and_english_definitions_and_a_citation():
    for m in coaching.METRICS.values():
        assert m.name_fi and m.name_en and m.definition_fi and m.definition_en and m.citation


def test_cohort_reference_ranks_leaders_only_within_their_cohort():
    posts, inter = [], []
    for lid in (1, 2, 3):
        for i in range(lid * 2):
            posts.append(post(f"p{lid}_{i}", at(i), "Hyvä pointti, selvitän asian.", leader_id=lid, author=f"L{lid}",
                              parent=f"x{lid}{i}", parent_author="U1"))
        posts.append(post(f"b{lid}", at(10), "Kaupunki tiedottaa asiasta.", leader_id=lid, author=f"L{lid}"))
    P, I, L = frames(posts, inter, leader_ids=(1, 2, 3), cohorts={1: ["a"], 2: ["a"], 3: ["b"]})
    rep = coaching.score(P, I, L, until=UNTIL, reference="cohort")
    c = rep.components[rep.components["component"] == "dialogue_share"].set_index("leader_id")["percentile"]
    assert c.loc[3] == 50.0  # alone in its cohort
    assert c.loc[2] == 100.0 and c.loc[1] == 0.0


def test_a_reply_to_someone_elses_reply_under_the_leaders_post_does_not_merit_an_answer():
    posts = [post("p1", at(1), "Mitä mieltä olette uudesta kirjastosta?")]
    inter = [incoming("i1", at(1, 1), "U1", "p1", "Aukioloajat voisivat olla pidemmät.", root="p1"),
             incoming("i2", at(1, 2), "U2", "i1", "Olen samaa mieltä kanssasi, illat ovat tärkeitä.", root="p1")]
    P, I, L = frames(posts, inter)
    rep = coaching.score(P, I, L, until=UNTIL)
    r = comp(rep, "response_rate")
    assert (r.x, r.n) == (0, 1) and list(r.evidence) == ["i1"]  # U2 talks to U1, not to the leader
    # ...but it is still part of the thread: others replied, the leader did not come back
    assert (comp(rep, "re_entry").x, comp(rep, "re_entry").n) == (0, 1)


def test_incoming_from_the_leaders_own_account_does_not_merit_an_answer():
    posts = [post("p1", at(1), "Mitä mieltä olette uudesta kirjastosta?")]
    inter = [incoming("i1", at(1, 1), "L1", "p1", "Lisätietoa kirjastosta tulossa pian."),
             incoming("i2", at(1, 2), "U1", "p1", "Hyvä kysymys, toivoisin lisää aukioloaikoja.")]
    P, I, L = frames(posts, inter)
    r = comp(coaching.score(P, I, L, until=UNTIL), "response_rate")
    assert (r.x, r.n) == (0, 1) and list(r.evidence) == ["i2"]


def test_results_use_cached_classifier_labels_when_given():
    P, I, L = hand_fixture()
    base = comp(coaching.score(P, I, L, until=UNTIL), "results")
    labels = pd.DataFrame({"post_id": ["p2", "p3"], "label": ["results", "broadcast"]})
    with_labels = comp(coaching.score(P, I, L, until=UNTIL, post_types=labels), "results")
    assert with_labels.x == base.x + 1 and "p2" in with_labels.evidence and "p2" not in base.evidence


def test_empty_frames_give_an_empty_but_well_formed_report():
    from lasna.frames import empty_interactions, empty_posts

    _, _, L = frames([], [], leader_ids=(1, 2))
    for by in (None, "week"):
        rep = coaching.score(empty_posts(), empty_interactions(), L, until=UNTIL, by=by)
        assert set(rep.composites["leader_id"]) == {1, 2}
        assert rep.composites[["openness", "responsiveness", "network", "consistency"]].isna().all().all()
        assert rep.to_dict()["leaders"][0]["periods"]


def test_leader_without_interactions_still_gets_openness_and_consistency():
    P, _, L = frames([post("p1", at(1), "Mitä mieltä olette?"), post("p2", at(9), "Kaupunki tiedottaa.")], [])
    from lasna.frames import empty_interactions

    rep = coaching.score(P, empty_interactions(), L, until=UNTIL)
    row = rep.composites.iloc[0]
    assert row["openness"] == 50.0 and np.isnan(row["responsiveness"])


# --- the benchmark's naive per-row baseline is verified, not just timed --------------------------------------
def test_naive_per_row_baseline_matches_the_vectorised_components_exactly():
    from benchmarks.score import END, naive_mismatches, naive_weekly, synth

    posts, inter, leaders = synth(4_000, 3_000, 12, seed=3)
    naive = naive_weekly(posts, inter, END.value, 90)
    rep = coaching.score(posts, inter, leaders, until=END, days=90, by="week")
    assert {key[2] for key in naive} >= {
        "dialogue_share", "crediting", "personal_voice", "we_voice", "results", "questions", "gated_share",
        "response_rate", "response_time", "re_entry", "exchange_share", "turns_per_thread", "reciprocity",
        "interlocutors", "effective_interlocutors", "evenness", "new_interlocutors", "active_weeks",
        "burstiness_score", "tenure_days"}
    assert naive_mismatches(naive, rep.components) == []


def test_naive_comparison_reports_a_changed_evidence_list_or_count():
    from benchmarks.score import END, naive_mismatches, naive_weekly, synth

    posts, inter, leaders = synth(1_000, 800, 4, seed=5)
    naive = naive_weekly(posts, inter, END.value, 90)
    rep = coaching.score(posts, inter, leaders, until=END, days=90, by="week")
    key = next(k for k, v in naive.items() if k[2] == "response_rate" and v[3])
    raw, x, n, ev = naive[key]
    assert len(naive_mismatches({**naive, key: (raw, x, n, ev[1:])}, rep.components)) == 1
    assert len(naive_mismatches({**naive, key: (raw, x + 1, n, ev)}, rep.components)) == 1


# --- sorting and grouping helpers of the vectorised core ---------------------------------------------------
small_ints = st.lists(st.integers(-3, 3), min_size=0, max_size=60)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), st.integers(-2, 2), st.booleans(), st.integers(70_000, 70_003)),
                max_size=80))
def test_lexsort_equals_numpy_lexsort(rows):
    a = np.array([r[0] for r in rows], dtype=np.int64)
    b = np.array([r[1] for r in rows], dtype=np.int64)
    c = np.array([r[2] for r in rows], dtype=bool)
    big = np.array([r[3] for r in rows], dtype=np.int64)  # beyond the 16-bit radix path
    f = b.astype(float) / 3
    for keys in ((b, a), (c, f, a), (big, a), (a, big), (f,), (big * 2 + c, b)):
        assert _lexsort(keys).tolist() == np.lexsort(keys).tolist()


@settings(max_examples=200, deadline=None)
@given(small_ints)
def test_stable_argsort_keeps_row_order_among_ties(values):
    a = np.array(values, dtype=np.int64) * 10**12  # large values: the unstable sort plus tie repair
    assert _stable_argsort(a).tolist() == np.argsort(a, kind="stable").tolist()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 4), st.integers(0, 3)), max_size=40))
def test_earliest_picks_the_smallest_time_then_the_first_row(rows):
    target = np.array([r[0] for r in rows], dtype=np.int64)
    t = np.array([r[1] for r in rows], dtype=np.int64)
    got = _earliest(target, t, 5)
    for g in range(5):
        cand = [i for i, r in enumerate(rows) if r[0] == g]
        want = min(cand, key=lambda i: (rows[i][1], i)) if cand else -1
        assert got[g] == want


def test_first_seen_and_first_k_follow_row_order():
    g = np.array([3, 1, 3, 0, 1, 3])
    assert _first_seen(g).tolist() == [3, 1, 0]
    assert _first_k(np.array([0, 0, 0, 2, 2, 5]), 2).tolist() == [True, True, False, True, True, True]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.sampled_from(["a", "b", "c", "d"])), max_size=30),
       st.lists(st.one_of(st.none(), st.sampled_from(["b", "e"])), max_size=10))
def test_dictionary_codes_give_first_occurrences_like_drop_duplicates(ids, other):
    """Codes of the first column follow first appearance, so duplicates need no second hash pass."""
    first_col = pd.Series(ids, dtype="str")
    (codes, other_codes), names = _factorize_many([first_col, pd.Series(other, dtype="str")])
    assert _first_occurrences(codes).tolist() == (~first_col.duplicated()).tolist()
    decoded = [None if c < 0 else names[[c]][0] for c in np.concatenate([codes, other_codes])]
    assert decoded == [None if v is None or v != v else v for v in ids + other]


def _with_stance(I: pd.DataFrame, stances: dict[str, str]) -> pd.DataFrame:
    return I.assign(stance=I["interaction_id"].map(stances))


def test_critical_and_supportive_response_rates_split_the_response_rate_by_stance():
    P, I, L = hand_fixture()
    # i1 answered within a week, i2 unanswered, i3 answered late, i4 answered within a week
    I = _with_stance(I, {"i1": "supportive", "i2": "critical", "i3": "critical", "i4": "supportive",
                         "i5": "critical", "i6": "critical"})  # i5 emoji-only, i6 hidden: no merit
    rep = coaching.score(P, I, L, until=UNTIL, prior_strength=5)
    crit, supp = comp(rep, "critical_response_rate"), comp(rep, "supportive_response_rate")
    assert (crit.x, crit.n) == (0, 2) and set(crit.evidence) == {"i2", "i3"}
    assert (supp.x, supp.n) == (2, 2) and list(supp.evidence) == []
    gap = comp(rep, "critical_answer_gap")
    # the critical rate is shrunk towards the leader's own shrunk supportive rate, not the population's
    assert gap.raw == pytest.approx(0 / 2 - 2 / 2)
    assert gap.value == pytest.approx((0 + 5 * supp.value) / (2 + 5) - supp.value)
    assert gap.n == 2 and set(gap.evidence) == {"i2", "i3"}


def test_without_stance_or_without_supportive_replies_there_is_no_gap():
    P, I, L = hand_fixture()
    keys = set(coaching.score(P, I, L, until=UNTIL).components["component"])
    assert not keys & {"critical_response_rate", "supportive_response_rate", "critical_answer_gap"}
    I = _with_stance(I, {"i2": "critical", "i3": "critical"})
    keys = set(coaching.score(P, I, L, until=UNTIL).components["component"])
    assert "critical_response_rate" in keys and "critical_answer_gap" not in keys


def _two_leaders_answering(answered_critical: int, answered_supportive: int):
    """Leader 1 answers some of 6 critical and 6 supportive replies; leader 2 answers every one."""
    posts, inter, stances = [], [], {}
    for lid in (1, 2):
        posts.append(post(f"root{lid}", at(1), "Mitä mieltä olette kirjastosta?", leader_id=lid, author=f"L{lid}"))
        for label, answered in (("critical", answered_critical), ("supportive", answered_supportive)):
            for i in range(6):
                iid = f"{label}{lid}_{i}"
                inter.append(incoming(iid, at(2 + i), f"U{label}{i}", f"root{lid}", leader_id=lid))
                stances[iid] = label
                if lid == 2 or i < answered:
                    posts.append(post(f"a{iid}", at(2 + i, 3), "Kiitos, selvitän asian.", leader_id=lid,
                                      author=f"L{lid}", parent=iid, parent_author=f"U{label}{i}",
                                      root=f"root{lid}"))
    P, I, L = frames(posts, inter, leader_ids=(1, 2))
    return coaching.score(P, _with_stance(I, stances), L, until=UNTIL)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 5), st.integers(0, 6))
def test_answering_one_more_critic_never_lowers_the_gap(critical: int, supportive: int):
    before = comp(_two_leaders_answering(critical, supportive), "critical_answer_gap")
    after = comp(_two_leaders_answering(critical + 1, supportive), "critical_answer_gap")
    assert after.value >= before.value - 1e-12
    assert -1.0 <= before.value <= 1.0


def test_a_leader_who_leaves_critics_unanswered_ranks_below_one_who_answers_everyone():
    rep = _two_leaders_answering(0, 6)
    assert comp(rep, "critical_answer_gap").percentile == 0.0
    assert comp(rep, "critical_answer_gap", leader=2).percentile == 100.0
    # answering critics more than supporters is not "more open" than answering both: ranked as a tie
    rep = _two_leaders_answering(6, 0)
    assert comp(rep, "critical_answer_gap").value > 0
    assert comp(rep, "critical_answer_gap").percentile == comp(rep, "critical_answer_gap", leader=2).percentile
