import numpy as np

from coaching.topics import leader_topics
from coaching_fixtures import at, frames, post


def test_topics_separate_leaders_with_different_subjects_and_weights_sum_to_one():
    posts = []
    school = ["Koulun uusi opetussuunnitelma ja opettajat", "Opettajat ja oppilaat koulussa tänään",
              "Koulu ja opetus tarvitsevat lisää opettajia"]
    roads = ["Katujen kunnossapito ja aurauskalusto liikkeellä", "Tiet ja kadut aurataan yöllä",
             "Katutyöt ja liikenne keskustan kaduilla"]
    for i, t in enumerate(school):
        posts.append(post(f"s{i}", at(i), t, leader_id=1, author="L1", lang="fi"))
    for i, t in enumerate(roads):
        posts.append(post(f"r{i}", at(i), t, leader_id=2, author="L2", lang="fi"))
    P, _, _ = frames(posts, [], leader_ids=(1, 2))
    tm = leader_topics(P, by=None, n_topics=2)
    assert len(tm.topics) == 2
    w = tm.weights.pivot_table(index="leader_id", columns="topic", values="weight")
    assert np.allclose(w.sum(axis=1), 1.0)
    assert w.loc[1].idxmax() != w.loc[2].idxmax()
    words = " ".join(" ".join(ws) for ws in tm.topics["top_words"])
    assert "ja" not in words.split()  # stopwords are dropped for topics only
