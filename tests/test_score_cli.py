"""`lasna score` and `lasna posts` on the demo data: stable JSON, sensible rankings, audit trail."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from lasna.cli import main
from lasna.demo import load_demo
from lasna.store import Store

UNTIL = "2026-11-22"


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('score') / 'demo.db'}"
    load_demo(Store.open(url), today=datetime(2026, 11, 22, tzinfo=UTC))
    return url


def run_json(capsys, monkeypatch, url, *args):
    monkeypatch.setenv("LASNA_DATABASE_URL", url)
    code = main(list(args))
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)


def composites(result) -> dict[str, dict[str, float]]:
    return {l["leader"]: l["periods"][-1]["composites"] for l in result["leaders"]}


def test_score_json_has_composites_components_n_and_evidence(capsys, monkeypatch, demo_url):
    result = run_json(capsys, monkeypatch, demo_url, "score", "--until", UNTIL, "--json")
    assert len(result["leaders"]) == 14
    period = result["leaders"][0]["periods"][0]
    assert set(period["composites"]) == {"openness", "responsiveness", "network", "consistency"}
    for name, component in period["components"].items():
        assert {"value", "n", "evidence"} <= set(component), name
    rate = next(l for l in result["leaders"] if l["leader"] == "Liisa Virtanen")["periods"][0]["components"]["response_rate"]
    assert rate["n"] > 20 and rate["evidence"]


def test_styles_rank_as_their_descriptions_imply(capsys, monkeypatch, demo_url):
    scores = composites(run_json(capsys, monkeypatch, demo_url, "score", "--until", UNTIL, "--json"))
    for talker, broadcaster in [("Liisa Virtanen", "Markku Nieminen"), ("Emma Clarke", "David Brooks")]:
        assert scores[talker]["responsiveness"] > scores[broadcaster]["responsiveness"] + 30
        assert scores[talker]["openness"] > scores[broadcaster]["openness"]
    assert scores["Sanna Heikkinen"]["openness"] < scores["Liisa Virtanen"]["openness"]
    assert scores["Helena Lindqvist"]["network"] > scores["Markku Nieminen"]["network"]
    # silent for the last 90 days: the shooting stars are scored, and score lowest on consistency
    for star in ("Jari Mäkinen", "Tom Becker"):
        assert scores[star]["consistency"] is not None
        assert scores[star]["consistency"] < scores["Aino Korhonen"]["consistency"]
    # over the whole 18 months, so that the shooting stars' bursts are inside the window
    year = composites(run_json(capsys, monkeypatch, demo_url, "score", "--days", "560", "--until", UNTIL, "--json"))
    assert year["Aino Korhonen"]["consistency"] > year["Jari Mäkinen"]["consistency"]
    assert year["Sofia Reyes"]["consistency"] > year["Tom Becker"]["consistency"]


def test_leader_filter_and_weekly_buckets(capsys, monkeypatch, demo_url):
    result = run_json(capsys, monkeypatch, demo_url, "score", "--leader", "Aino Korhonen", "--days", "28",
                      "--by", "week", "--until", UNTIL, "--json")
    assert [l["leader"] for l in result["leaders"]] == ["Aino Korhonen"]
    assert 4 <= len(result["leaders"][0]["periods"]) <= 5


def test_bad_window_options_are_usage_errors(capsys, monkeypatch, demo_url):
    monkeypatch.setenv("LASNA_DATABASE_URL", demo_url)
    assert main(["score", "--days", "30", "--since", "2026-01-01"]) == 2
    assert "either --days or --since" in capsys.readouterr().err
    assert main(["score", "--by", "year"]) == 2
    assert main(["score", "--since", "yesterday"]) == 2
    assert main(["score", "--leader", "Nobody"]) == 2


def test_posts_json_explains_each_post(capsys, monkeypatch, demo_url):
    posts = run_json(capsys, monkeypatch, demo_url, "posts", "--leader", "Liisa Virtanen", "--days", "400", "--json")
    recent = [p for p in posts if p["created_at"] >= "2026-10-01"]
    assert recent, "demo posts should reach the last weeks"
    sample = recent[0]
    for key in ("post_id", "text", "post_type", "post_type_proba", "post_type_because", "question",
                "first_person_singular", "reply_to_other", "lang_detected"):
        assert key in sample
    types = {p["post_type"] for p in posts}
    assert {"dialogue", "question"} <= types


def test_post_types_are_cached_and_not_reclassified(demo_url):
    from lasna import scoring_service

    store = Store.open(demo_url)
    posts = store.posts_frame([store.leader("Pekka Laine").id])
    first = scoring_service.post_types(store, posts)
    model = scoring_service.default_classifier()
    cached = store.predictions(posts["post_id"].tolist(), model.model_version)
    assert len(cached) == len(posts.drop_duplicates("post_id"))
    from coaching.classifier import classify_new

    assert classify_new(posts, cached, model).empty
    assert first.set_index("post_id")["label"].sort_index().tolist() == cached.set_index("post_id")["label"].sort_index().tolist()


def test_a_fitted_model_is_refitted_when_its_training_data_or_code_change(tmp_path, monkeypatch):
    from lasna import scoring_service

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    data, code = tmp_path / "labels.csv", tmp_path / "model.py"
    data.write_text("text,label\n")
    code.write_text("VERSION = 1\n")
    fits: list[int] = []

    def train() -> dict:
        fits.append(1)
        return {"fit": len(fits)}

    path = scoring_service._model_path("m", data, code)
    assert scoring_service._load_or_train(path, train) == {"fit": 1}
    assert scoring_service._load_or_train(scoring_service._model_path("m", data, code), train) == {"fit": 1}
    code.write_text("VERSION = 2\n")  # new code: a pickle of the old class must not be reused
    assert scoring_service._model_path("m", data, code) != path
    assert scoring_service._load_or_train(scoring_service._model_path("m", data, code), train) == {"fit": 2}
    path.write_bytes(b"truncated")  # a broken cache file is refitted, not an error
    assert scoring_service._load_or_train(path, train) == {"fit": 3}


def test_score_json_shows_the_coverage_ledger_and_no_degraded_features(capsys, monkeypatch, demo_url):
    result = run_json(capsys, monkeypatch, demo_url, "score", "--until", UNTIL, "--json")
    assert result["degraded_features"] == {}  # Finnish morphology from PyPI (pyvoikko) or libvoikko
    for entry in result["leaders"]:
        cov = entry["coverage"]
        assert {"reported", "collected", "coverage", "low_coverage", "threshold"} <= set(cov)
        assert cov["collected"] >= 0 and cov["reported"] >= 0
    assert any(e["coverage"]["reported"] > 0 for e in result["leaders"])


def test_model_versions_are_read_without_loading_scikit_learn(tmp_path):
    """Every enriched read checks the model versions: once a model has been fitted on this machine,
    that check reads a small file and imports neither the model nor scikit-learn."""
    import subprocess
    import sys

    from lasna import scoring_service

    expected = {"post_type": scoring_service.default_classifier().model_version,
                "stance": scoring_service.default_stance_model().model_version}
    code = ("import json, sys\nfrom lasna.scoring_service import model_versions\n"
            "print(json.dumps([model_versions(), 'sklearn' in sys.modules]))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    versions, sklearn_loaded = json.loads(out.stdout)
    assert versions == expected
    assert sklearn_loaded is False
