"""The fi/en coaching catalog covers every key in both languages with the same fields."""

from __future__ import annotations

import pytest

from coaching import texts
from coaching.tips import RULES


def test_every_rule_has_texts_in_both_languages():
    assert set(RULES) == set(texts.TIPS)
    for key, parts in texts.TIPS.items():
        assert {"title", "why", "action"} <= set(parts), key


@pytest.mark.parametrize("key", sorted(texts.TIPS))
def test_tip_templates_use_the_same_fields_in_fi_and_en(key):
    for part, langs in texts.TIPS[key].items():
        assert set(langs) == set(texts.LANGS), (key, part)
        assert texts.fields(langs["fi"]) == texts.fields(langs["en"]), (key, part)
        assert langs["fi"] != langs["en"] and langs["fi"].strip() and langs["en"].strip()


def test_phrases_and_steps_cover_both_languages():
    for key, langs in texts.PHRASES.items():
        assert set(langs) == set(texts.LANGS), key
        assert texts.fields(langs["fi"]) == texts.fields(langs["en"]), key
    assert sorted(texts.STEPS) == [1, 2, 3, 4, 5]
    for step in texts.STEPS.values():
        assert set(step) == set(texts.LANGS)


def test_every_rule_why_cites_its_n():
    for key, parts in texts.TIPS.items():
        assert "n" in texts.fields(parts["why"]["en"]), key
    assert texts.phrase("not_enough_data", "fi") == "Ei vielä tarpeeksi dataa."
    assert texts.phrase("not_enough_data", "en") == "Not enough data yet."
