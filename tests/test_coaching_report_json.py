import json

import pandas as pd

import coaching
from coaching.report_json import dumps, posts_json, score_json
from coaching_fixtures import UNTIL, hand_fixture


def test_score_json_is_plain_json_with_definitions_in_both_languages():
    P, I, L = hand_fixture()
    out = json.loads(dumps(score_json(coaching.score(P, I, L, until=UNTIL, by="week"))))
    assert out["by"] == "week" and out["leaders"][0]["leader_id"] == 1
    assert out["definitions"]["response_rate"]["definition_fi"]
    assert out["composite_names"]["openness"] == {"fi": "Avoimuus", "en": "Openness"}
    periods = out["leaders"][0]["periods"]
    assert sum(p["components"].get("response_rate", {}).get("n") or 0 for p in periods) == 4


def test_posts_json_carries_flags_and_cached_post_type():
    P, _, _ = hand_fixture()
    types = pd.DataFrame({"post_id": ["p1"], "label": ["question"], "proba": [0.9], "model_version": ["m1"]})
    out = json.loads(dumps(posts_json(P, post_types=types)))
    by_id = {o["post_id"]: o for o in out}
    assert by_id["p1"]["features"]["question"] is True
    assert by_id["p1"]["post_type"] == {"label": "question", "proba": 0.9, "model_version": "m1"}
    assert "post_type" not in by_id["p2"]
    assert by_id["r1"]["features"]["reply_to_other"] is True
