import pandas as pd
import pytest

from coaching.classifier import LABELS, PostTypeClassifier, classify_new, load_training_set


@pytest.fixture(scope="module")
def training():
    return load_training_set()


@pytest.fixture(scope="module")
def model(training):
    return PostTypeClassifier().fit(training)


def test_training_set_has_600_posts_balanced_between_finnish_and_english(training):
    assert len(training) >= 600
    share_fi = (training["lang"] == "fi").mean()
    assert 0.4 <= share_fi <= 0.6
    counts = training.groupby(["lang", "label"]).size()
    assert set(training["label"]) == set(LABELS)
    assert counts.min() >= 40
    assert training["author"].nunique() >= 20
    assert not training["text"].duplicated().any()


def test_training_set_loader_rejects_unknown_labels(tmp_path):
    p = tmp_path / "bad.csv"
    pd.DataFrame({"text": ["x"], "lang": ["fi"], "label": ["rant"], "author": ["a"]}).to_csv(p, index=False)
    with pytest.raises(ValueError):
        load_training_set(p)


#: clear unseen examples: the text model and the default rules must both get these right
CLEAR_EXAMPLES = [
    ("Kiitos @tiimi mahtavasta työstä viikonloppuna!", "crediting"),
    ("Mitä mieltä olette uudesta pyörätiestä?", "question"),
    ("Valtuusto kokoontuu torstaina klo 18. Esityslista verkossa.", "broadcast"),
    ("What should we do with the empty shops on the high street?", "question"),
    ("Waiting times fell from 14 days to 6 days this year.", "results"),
]


@pytest.mark.parametrize("text,label", CLEAR_EXAMPLES)
def test_clear_unseen_examples_get_the_obvious_label(model, text, label):
    assert model.predict([text])[0] == label


def test_explanation_lists_the_strongest_positive_features(model):
    expl = model.explain("Mitä mieltä olette uudesta pyörätiestä?", top=5)
    assert 0 < len(expl) <= 5
    assert all(v > 0 for _, v in expl)
    assert [v for _, v in expl] == sorted((v for _, v in expl), reverse=True)


def test_classify_new_skips_posts_cached_under_the_same_model_version(model):
    posts = pd.DataFrame({"post_id": ["a", "b", "c"], "text": ["Kiitos @x!", "Mitä mieltä olette?", "Tiedote."]})
    first = classify_new(posts, None, model)
    assert first["post_id"].tolist() == ["a", "b", "c"]
    assert first["proba"].between(0, 1).all() and (first["model_version"] == model.model_version).all()
    cache = first[first["post_id"] != "c"]
    assert classify_new(posts, cache, model)["post_id"].tolist() == ["c"]
    stale = cache.assign(model_version="old")
    assert classify_new(posts, stale, model)["post_id"].tolist() == ["a", "b", "c"]


# --- the default decision: the codebook's priority order over the detector flags (round 4) ---------------
@pytest.fixture(scope="module")
def rules():
    from coaching.classifier import train_default

    return train_default()


@pytest.mark.parametrize("text,label", CLEAR_EXAMPLES + [
    ("Jonot lyhenivät keväällä 21 päivästä 9 päivään.", "results"),
    ("@mike_h That's fair criticism. We should have told residents sooner.", "dialogue"),
    ("I stayed quiet through the whole meeting today and just listened.", "personal"),
    ("Tein virheen viime viikon päätöksessä.", "personal"),
])
def test_default_post_types_follow_the_codebook_order(rules, text, label):
    assert rules.predict([text])[0] == label


def test_priority_order_decides_between_competing_functions(rules):
    # credits others and reports figures: crediting comes before results
    assert rules.predict(["Thank you to the crews who restored supply to 11,000 homes within 18 hours."])[0] == \
        "crediting"
    # a personal story that ends with an open question to the readers: question comes before personal
    assert rules.predict(["I got my first hire badly wrong. What's the hardest hire you've made?"])[0] == "question"
    # results in the first person: results comes before personal
    assert rules.predict(["I'm pleased to share that our costs fell 34% this year."])[0] == "results"


def test_a_reply_to_someone_else_is_dialogue_from_reply_metadata_not_only_a_leading_handle(rules):
    posts = pd.DataFrame({"post_id": ["r", "s", "o"], "author_id": ["a", "a", "a"],
                          "text": ["Totta, korjaamme tämän.", "Jatkoa edelliseen: korjaamme tämän.",
                                   "Korjaamme tämän ensi viikolla."],
                          "reply_parent_id": ["x", "y", None], "reply_parent_author_id": ["b", "a", None]})
    out = rules.classify(posts).set_index("post_id")
    assert out.loc["r", "label"] == "dialogue"  # reply to another author
    assert out.loc["s", "label"] != "dialogue"  # continuing one's own thread
    assert out.loc["o", "label"] == "broadcast"
    assert (out["proba"] == 1.0).all() and (out["model_version"] == rules.model_version).all()


def test_rule_explanation_names_the_deciding_rule_first(rules):
    expl = rules.explain("I'm pleased to share that our costs fell 34% this year.")
    assert [name for name, _ in expl] == ["results marker", "first person singular"]
    assert rules.explain("Mitä mieltä olette?", label="question")[0][0] == "audience question"


def test_rule_version_follows_the_feature_version(rules, monkeypatch):
    import coaching.features

    before = rules.model_version
    monkeypatch.setattr(coaching.features, "FEATURES_VERSION", "bumped")
    assert rules.model_version != before and "bumped" in rules.model_version


def test_rules_load_without_scikit_learn():
    import subprocess
    import sys

    code = ("import sys\nfrom coaching.classifier import train_default\n"
            "m = train_default()\nprint(m.predict(['Mitä mieltä olette?'])[0], 'sklearn' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["question", "False"]
