"""Hypothesis invariants of the scores (SCORING.md, "Invariants worth testing")."""

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import coaching
from coaching_fixtures import at, frames, incoming, post

UNTIL = at(100)
SETTINGS = settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ROOTS = ["Kaupunki tiedottaa: valtuusto kokoontuu maanantaina.", "Mitä mieltä olette uudesta kirjastosta?",
         "Tapasin tänään tiimini ja opin paljon.", "Budget report published: costs down 4% this year.",
         "What do you think we should prioritise next year?", "Thanks @ops_team for great work!"]
REPLIES = ["Hyvä kysymys, toivoisin lisää tietoa.", "Why was this not announced earlier?",
           "Samaa mieltä, hyvä päätös tämä.", "This is a terrible idea honestly."]
ANSWERS = ["Kiitos kysymyksestä, selvitän asian.", "Good point, I will look into it.", "Hyvä huomio, palaan tähän."]


@st.composite
def corpora(draw, n_leaders=(2, 3)):
    posts, inter = [], []
    nl = draw(st.integers(*n_leaders))
    for lid in range(1, nl + 1):
        for r in range(draw(st.integers(1, 5))):
            t = draw(st.integers(0, 80 * 24))
            pid = f"p{lid}_{r}"
            posts.append(post(pid, at(hours=t), draw(st.sampled_from(ROOTS)), leader_id=lid, author=f"L{lid}",
                              replies_restricted=draw(st.booleans())))
            for j in range(draw(st.integers(0, 3))):
                it = t + draw(st.integers(1, 48))
                iid = f"i{lid}_{r}_{j}"
                who = f"U{draw(st.integers(0, 4))}"
                inter.append(incoming(iid, at(hours=it), who, pid, draw(st.sampled_from(REPLIES)), leader_id=lid))
                if draw(st.booleans()):
                    posts.append(post(f"a{lid}_{r}_{j}", at(hours=it + draw(st.integers(1, 240))),
                                      draw(st.sampled_from(ANSWERS)), leader_id=lid, author=f"L{lid}", parent=iid,
                                      parent_author=who, root=pid))
    return frames(posts, inter, leader_ids=tuple(range(1, nl + 1)))


def run(P, I, L, **kw):
    return coaching.score(P, I, L, until=UNTIL, days=120, **kw)


@SETTINGS
@given(corpora(), st.sampled_from([None, "week", "month"]))
def test_composites_are_within_0_100_and_rates_within_0_1(c, by):
    rep = run(*c, by=by)
    comp = rep.composites[["openness", "responsiveness", "network", "consistency"]].to_numpy(dtype=float)
    assert np.all((comp[~np.isnan(comp)] >= 0) & (comp[~np.isnan(comp)] <= 100))
    rates = rep.components[rep.components["component"].map(lambda k: coaching.METRICS[k].kind == "rate")]
    v = rates["value"].dropna()
    assert ((v >= 0) & (v <= 1)).all()
    assert (rates["x"] <= rates["n"]).all()


@SETTINGS
@given(corpora(), st.data())
def test_a_leaders_added_answer_never_lowers_responsiveness(c, data):
    P, I, L = c
    linked = coaching.link_answers(P, I)
    open_items = linked[(linked["leader_id"] == 1) & linked["answered_by"].isna()]
    assume(len(open_items) > 0)
    item = open_items.iloc[data.draw(st.integers(0, len(open_items) - 1))]
    delay = data.draw(st.integers(1, 400))
    extra = post("added", item["indexed_at"] + pd.Timedelta(hours=delay), "Kiitos, hyvä kysymys, selvitän tämän.",
                 author="L1", parent=item["interaction_id"], parent_author=item["author_id"], root=item["root_id"])
    P2, _, _ = frames([extra], [])
    before, after = run(P, I, L), run(pd.concat([P, P2], ignore_index=True), I, L)

    def get(rep, key, col="value"):
        c = rep.components
        return c[(c["leader_id"] == 1) & (c["component"] == key)][col].iloc[0]

    assert get(after, "response_rate") >= get(before, "response_rate") - 1e-12
    assert get(after, "response_time", "raw") <= get(before, "response_time", "raw") + 1e-9
    assert get(after, "re_entry") >= get(before, "re_entry") - 1e-12 or np.isnan(get(before, "re_entry"))
    rb = before.composites.set_index("leader_id")["responsiveness"].loc[1]
    ra = after.composites.set_index("leader_id")["responsiveness"].loc[1]
    assert ra >= rb - 1e-9


@SETTINGS
@given(corpora())
def test_duplicating_the_corpus_rows_leaves_every_score_unchanged(c):
    P, I, L = c
    a = run(P, I, L).to_frame()
    b = run(pd.concat([P, P], ignore_index=True), pd.concat([I, I], ignore_index=True), L).to_frame()
    pd.testing.assert_frame_equal(a, b)


@SETTINGS
@given(corpora())
def test_a_copy_of_the_corpus_under_new_ids_leaves_raw_rates_unchanged(c):
    P, I, L = c
    P2, I2 = P.copy(), I.copy()
    for col in ("post_id", "reply_parent_id", "reply_root_id"):
        P2[col] = P2[col].map(lambda v: f"copy:{v}" if isinstance(v, str) else v)
    for col in ("interaction_id", "parent_id", "root_id"):
        I2[col] = I2[col].map(lambda v: f"copy:{v}" if isinstance(v, str) else v)
    a = run(P, I, L).components.set_index(["leader_id", "component"])
    b = run(pd.concat([P, P2]), pd.concat([I, I2]), L).components.set_index(["leader_id", "component"])
    for key in ("dialogue_share", "questions", "crediting", "personal_voice", "response_rate", "re_entry",
                "gated_share", "reciprocity"):
        if key in a.index.get_level_values(1):
            pd.testing.assert_series_equal(a.xs(key, level=1)["raw"], b.xs(key, level=1)["raw"])


@st.composite
def broadcast_corpora(draw):
    posts = []
    for lid in (1, 2, 3):
        for r in range(draw(st.integers(3, 8))):
            kind = draw(st.integers(0, 2))
            t = at(hours=draw(st.integers(0, 80 * 24)))
            if kind == 2:  # a reply to someone outside our data
                who = f"U{draw(st.integers(0, 3))}"
                posts.append(post(f"p{lid}_{r}", t, draw(st.sampled_from(ANSWERS)), leader_id=lid, author=f"L{lid}",
                                  parent=f"ext{lid}{r}", parent_author=who))
            else:
                posts.append(post(f"p{lid}_{r}", t, draw(st.sampled_from(ROOTS)), leader_id=lid, author=f"L{lid}"))
    return frames(posts, [], leader_ids=(1, 2, 3))


@SETTINGS
@given(broadcast_corpora(), st.randoms(use_true_random=False))
def test_shuffling_post_timestamps_changes_only_consistency(c, rnd):
    P, I, L = c
    P2 = P.copy()
    for lid, g in P.groupby("leader_id"):
        times = g["indexed_at"].tolist()
        rnd.shuffle(times)
        P2.loc[g.index, "indexed_at"] = times
        P2.loc[g.index, "created_at"] = times
    a, b = run(P, I, L), run(P2, I, L)
    consistency = {"active_weeks", "burstiness_score", "tenure_days"}
    ca = a.components[~a.components["component"].isin(consistency)].set_index(["leader_id", "component"]).sort_index()
    cb = b.components[~b.components["component"].isin(consistency)].set_index(["leader_id", "component"]).sort_index()
    pd.testing.assert_frame_equal(ca[["raw", "x", "n", "value", "percentile"]], cb[["raw", "x", "n", "value", "percentile"]])
    pd.testing.assert_frame_equal(a.composites.drop(columns="consistency"), b.composites.drop(columns="consistency"))


@SETTINGS
@given(st.integers(3, 10), st.integers(1, 4), st.integers(0, 3))
def test_a_pure_broadcaster_scores_below_an_active_conversationalist(n_roots, n_replies, n_quiet):
    posts, inter = [], []
    for lid, style in ((1, "broadcast"), (2, "conversation")):
        for r in range(n_roots):
            pid = f"p{lid}_{r}"
            text = ROOTS[0] if style == "broadcast" else ROOTS[1]
            posts.append(post(pid, at(r * 3), text, leader_id=lid, author=f"L{lid}"))
            for j in range(n_replies):
                iid = f"i{lid}_{r}_{j}"
                inter.append(incoming(iid, at(r * 3, j + 1), f"U{j}", pid, REPLIES[j % 4], leader_id=lid))
                if style == "conversation":
                    posts.append(post(f"a{iid}", at(r * 3, j + 2), ANSWERS[j % 3], leader_id=lid, author=f"L{lid}",
                                      parent=iid, parent_author=f"U{j}", root=pid))
    # quiet leaders in the reference population: post rarely, no conversations
    for q in range(n_quiet):
        posts.append(post(f"q{q}", at(5), ROOTS[0], leader_id=10 + q, author=f"Q{q}"))
    P, I, L = frames(posts, inter, leader_ids=(1, 2, *[10 + q for q in range(n_quiet)]))
    comp = run(P, I, L).composites.set_index("leader_id")
    assert comp.loc[2, "openness"] > comp.loc[1, "openness"]
    assert comp.loc[2, "responsiveness"] > comp.loc[1, "responsiveness"]
