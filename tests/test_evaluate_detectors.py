"""`python -m coaching.evaluate`: detectors scored on the frozen held-out set, grouped by author."""

from __future__ import annotations

import numpy as np

from coaching import evaluate as E


def test_grouped_bootstrap_resamples_whole_authors():
    groups = np.array(["a", "a", "b", "c"])
    seen = E.grouped_bootstrap(groups, lambda i: float(len(i)), n=50, seed=1)
    # every resample draws 3 authors; author a brings 2 rows, so sizes are between 3 and 6
    assert seen.min() >= 3 and seen.max() <= 6 and len(set(seen)) > 1


def test_heldout_detectors_reach_the_target_and_the_report_prints_every_detector(capsys):
    r = E.evaluate_detectors(n_boot=50, throughput_n=500)
    assert r["split"] == "heldout" and r["n_posts"] >= 300 and r["n_authors"] >= 26
    for lang in ("fi", "en"):
        res = r["languages"][lang]
        for lab in E.DETECTORS:
            f1, lo, hi = res[lab]["f1"]
            assert lo <= f1 <= hi
            assert f1 >= 0.9, (lang, lab, f1)
        assert 0 < res["post_type"]["macro_f1"][0] <= 1
    assert r["throughput"]["cpu"] > 0
    E.main(["--boot", "20", "--throughput", "200"])
    out = capsys.readouterr().out
    for word in ("question", "first_person", "crediting", "post type", "posts/s per core"):
        assert word in out
