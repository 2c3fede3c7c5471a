"""Stance of incoming replies (coaching.stance): the labelled set, the model and its API."""

from __future__ import annotations

import pickle
import runpy
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from coaching.stance import LABELS, ReplyStanceClassifier, load_training_set, stance_of, too_short

DEMO_GENERATOR = Path(__file__).resolve().parent.parent / "data" / "demo" / "generate.py"


@pytest.fixture(scope="module")
def training():
    return load_training_set()


@pytest.fixture(scope="module")
def model(training):
    return ReplyStanceClassifier().fit(training)


def test_training_set_is_big_bilingual_and_balanced_enough(training):
    assert set(training["label"]) == set(LABELS)
    assert len(training) >= 600
    share = training["lang"].value_counts(normalize=True)
    assert set(share.index) == {"fi", "en"} and share.min() >= 0.4
    per_lang = training.groupby("lang")["label"].value_counts(normalize=True)
    assert per_lang.min() >= 0.15 and len(per_lang) == 6
    assert not training["text"].str.strip().duplicated().any()
    assert training["author"].nunique() >= 40
    assert training.groupby("author").size().median() >= 5  # several replies per author: grouping matters


def test_training_set_shares_no_text_with_the_demo_templates(training):
    generator = runpy.run_path(str(DEMO_GENERATOR), run_name="demo_generate")
    demo = {t for lang in generator["TEXTS"].values() for group in lang.values() for t in group}
    demo |= {t for group in generator["CRITICAL_TEXTS"].values() for t in group}
    assert len(demo) >= 90  # the templates were found
    assert not set(training["text"].str.strip().str.lower()) & {t.strip().lower() for t in demo}


def test_loader_rejects_unknown_labels(tmp_path):
    p = tmp_path / "bad.csv"
    pd.DataFrame({"text": ["x"], "lang": ["fi"], "label": ["angry"], "author": ["a"]}).to_csv(p, index=False)
    with pytest.raises(ValueError):
        load_training_set(p)


@pytest.mark.parametrize("text,label", [
    ("Tämä päätös on täysin väärä ja asukkaat maksavat sen. Miksi meitä ei kuunneltu?", "critical"),
    ("Olen pettynyt, lupasitte korjata ilmanvaihdon jo viime vuonna eikä mitään tehty.", "critical"),
    ("This is a terrible decision and nobody asked residents. Why weren't we consulted?", "critical"),
    ("Kiitos, tosi hienoa työtä koko tiimiltä! Onnittelut!", "supportive"),
    ("Thank you, wonderful work by the whole team! Congratulations!", "supportive"),
    ("Mihin aikaan uusi terveysasema aukeaa maanantaina?", "neutral"),
    ("What time does the new health centre open on Monday?", "neutral"),
])
def test_clear_unseen_replies_get_the_obvious_stance(model, text, label):
    assert model.predict([text])[0] == label


@pytest.mark.parametrize("text", ["", "   ", "👍", "🙏🙏❤️", "https://example.fi/x", "@someone", "ok", "+1",
                                  None])
def test_texts_too_short_to_judge_are_neutral(model, text):
    assert too_short(pd.Series([text]))[0]
    assert model.predict([text])[0] == "neutral"


def test_critical_is_called_only_at_the_threshold(model):
    texts = ["Miksi asukkaita ei kuultu?", "Kiitos, mutta jonot ovat yhä pitkiä.", "Great, thanks!"]
    p = model.predict_proba(texts)
    k = list(model.classes_).index("critical")
    called = model.predict(texts) == "critical"
    assert (called == (p[:, k] >= model.critical_threshold)).all()
    lax = pickle.loads(pickle.dumps(model))
    lax.critical_threshold = 0.0
    assert (lax.predict(texts) == "critical").all()


def test_stance_of_is_aligned_to_the_frame_and_handles_missing_text(model):
    frame = pd.DataFrame({"text": ["Kiitos, hienoa työtä!", None, "👏", "Kiitos, hienoa työtä!",
                                   "Why were the buses cut without telling anyone? Shameful."]},
                         index=[7, 3, 11, 5, 2])
    s = stance_of(frame, model)
    assert s.index.equals(frame.index)
    assert s.loc[3] == "neutral" and s.loc[11] == "neutral"
    assert s.loc[7] == s.loc[5] == "supportive" and s.loc[2] == "critical"
    assert stance_of(frame.iloc[:0], model).empty


def test_fitting_twice_gives_the_same_model(training, model):
    again = ReplyStanceClassifier().fit(training)
    texts = training["text"].tolist()[:100] + ["Ihan hyvä, mutta myöhässä 🙄"]
    assert again.model_version == model.model_version
    assert np.array_equal(again.predict_proba(texts), model.predict_proba(texts))
    assert (again.predict(texts) == model.predict(texts)).all()


def test_model_version_changes_with_the_training_data_and_threshold(training, model):
    other = ReplyStanceClassifier().fit(training.iloc[1:])
    assert other.model_version != model.model_version
    assert ReplyStanceClassifier(critical_threshold=0.7).fit(training).model_version != model.model_version


def test_pickled_model_round_trips(model):
    texts = ["Miksi asukkaita ei kuultu?", "Kiitos!", "When is the meeting?", "🙄"]
    back = pickle.loads(pickle.dumps(model))
    assert back.model_version == model.model_version
    assert (back.predict(texts) == model.predict(texts)).all()
    assert back.explain(texts[0]) == model.explain(texts[0])


def test_explanation_lists_the_strongest_features_for_the_predicted_stance(model):
    expl = model.explain("Miksi asukkaita ei kuultu ennen päätöstä?", top=4)
    assert 0 < len(expl) <= 4
    assert all(v > 0 for _, v in expl)
    assert [v for _, v in expl] == sorted((v for _, v in expl), reverse=True)
