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


@pytest.mark.parametrize("text,label", [
    ("Kiitos @tiimi mahtavasta työstä viikonloppuna!", "crediting"),
    ("Mitä mieltä olette uudesta pyörätiestä?", "question"),
    ("Valtuusto kokoontuu torstaina klo 18. Esityslista verkossa.", "broadcast"),
    ("What should we do with the empty shops on the high street?", "question"),
    ("Waiting times fell from 14 days to 6 days this year.", "results"),
])
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
