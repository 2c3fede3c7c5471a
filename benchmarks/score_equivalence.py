"""Prove that a speed change to the scoring core changed no output.

    python benchmarks/score_equivalence.py dump  /tmp/score-ref.pkl   # before the change
    python benchmarks/score_equivalence.py check /tmp/score-ref.pkl   # after: exits 1 on any difference

Inputs: the bundled demo (loaded into a temporary SQLite store, frames as the store hands them over)
and the benchmark's ``--small`` synthetic corpus (whose id columns pandas 3 already infers as Arrow-backed
``str``, as in the store's frames; one case also converts the remaining object columns), with and
without classifier labels. Each is scored by week, by month and as one
90-day window (demo also with ``reference="cohort"``). Compared exactly: every component row (raw, x,
n, evidence ids, prior, value, percentile), every composite and the linked interactions
(``answered_by`` / ``answered_at``) and the JSON of ``to_dict()`` (without the timings). The inputs
are stored in the dump so that both sides see the same frames.

Also covered: repeated post and interaction rows (counted once).
"""

from __future__ import annotations

import json
import pickle
import shutil
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import coaching  # noqa: E402

VARIANTS = [dict(by="week"), dict(by="month"), dict(by=None)]


def demo_frames():
    from coaching.features import post_features
    from lasna.demo import load_demo
    from lasna.store import Store

    folder = Path(tempfile.mkdtemp(prefix="lasna-equiv-"))
    try:
        store = Store.open(f"sqlite:///{folder / 'demo.db'}")
        load_demo(store, today=datetime(2026, 11, 22, 12, tzinfo=UTC))
        posts, inter, leaders = store.posts_frame(), store.interactions_frame(), store.leaders_frame()
        store.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return posts, inter, leaders, post_features(posts)


def small_frames():
    from benchmarks.score import synth

    posts, inter, leaders = synth(50_000, 100_000, 100)
    return posts, inter, leaders


def as_store_strings(frame: pd.DataFrame) -> pd.DataFrame:
    """Object id columns → Arrow-backed ``str`` (what ``pd.DataFrame(rows)`` gives the store's loader)."""
    out = frame.copy()
    for c in out.columns:
        if out[c].dtype == object and out[c].map(lambda v: v is None or isinstance(v, str)).all() \
                and out[c].notna().any():
            out[c] = out[c].astype("str")
    return out


def cases():
    """(name, posts, interactions, leaders, score kwargs) for every compared run."""
    dp, di, dl, dfeat = demo_frames()
    sp, si, sl = small_frames()
    rng = np.random.default_rng(7)
    labels = pd.DataFrame({"post_id": sp["post_id"].to_numpy()[::3],
                           "label": rng.choice(["results", "dialogue", "broadcast"], len(sp[::3]))})
    out = []
    for v in VARIANTS:
        tag = v["by"] or "window"
        out.append((f"demo/{tag}", dp, di, dl, dict(v, features=dfeat)))
        out.append((f"small/{tag}", sp, si, sl, dict(v, until=pd.Timestamp("2026-06-30", tz="UTC"), days=90)))
    out.append(("demo/week/cohort", dp, di, dl, dict(by="week", features=dfeat, reference="cohort")))
    out.append(("small/week/str-ids", as_store_strings(sp), as_store_strings(si), sl,
                dict(by="week", until=pd.Timestamp("2026-06-30", tz="UTC"), days=90)))
    dup_p = pd.concat([sp, sp.iloc[::17]], ignore_index=True)  # repeated rows: counted once
    dup_i = pd.concat([si.iloc[::13], si], ignore_index=True)
    out.append(("small/week/duplicated-rows", dup_p, dup_i, sl,
                dict(by="week", until=pd.Timestamp("2026-06-30", tz="UTC"), days=90)))
    out.append(("small/month/labels", sp, si, sl,
                dict(by="month", until=pd.Timestamp("2026-06-30", tz="UTC"), days=90, post_types=labels)))
    return out


def outputs(posts, inter, leaders, kw) -> dict[str, pd.DataFrame]:
    rep = coaching.score(posts, inter, leaders, **kw)
    comp = rep.components.sort_values(["leader_id", "bucket", "component"], kind="stable").reset_index(drop=True)
    comp["evidence"] = comp["evidence"].map(lambda v: [str(e) for e in v])
    linked = rep.interactions[["interaction_id", "answered_by", "answered_at"]].copy()
    linked["answered_by"] = linked["answered_by"].astype(object)
    leaders_json = json.dumps(rep.to_dict()["leaders"])  # the JSON output (meta holds timings: left out)
    return {"to_dict": pd.DataFrame({"json": [leaders_json]}), "components": comp,
            "composites": rep.composites.reset_index(drop=True), "interactions": linked,
            "component_order": rep.components[["leader_id", "bucket", "component"]].reset_index(drop=True)}


def differences(ref: dict[str, pd.DataFrame], new: dict[str, pd.DataFrame]) -> list[str]:
    problems = []
    for key in ("components", "composites", "interactions", "to_dict"):
        a, b = ref[key], new[key]
        try:
            pd.testing.assert_frame_equal(a, b, check_exact=True, check_dtype=True)
        except AssertionError as exc:
            problems.append(f"{key}: {str(exc).splitlines()[:6]}")
    if not ref["component_order"].equals(new["component_order"]):
        problems.append("component row order changed (values identical)")
    return problems


def main(argv: list[str]) -> int:
    mode, path = argv[0], Path(argv[1])
    if mode == "dump":
        dumped = []
        for name, p, i, ls, kw in cases():
            dumped.append((name, p, i, ls, kw, outputs(p, i, ls, kw)))
            print(f"dumped {name}: {len(dumped[-1][-1]['components']):,} component rows")
        path.write_bytes(pickle.dumps(dumped))
        return 0
    bad = 0
    for name, p, i, ls, kw, ref in pickle.loads(path.read_bytes()):
        problems = differences(ref, outputs(p, i, ls, kw))
        bad += bool(problems)
        print(f"{name}: {'identical' if not problems else 'DIFFERENT'}")
        for pr in problems:
            print("   ", pr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
