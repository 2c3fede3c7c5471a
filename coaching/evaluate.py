"""Evaluate the post-type classifier: ``python -m coaching.evaluate [--path posts.csv] [--json]``.

StratifiedGroupKFold (5 folds, grouped by author) out-of-fold predictions for each configuration;
macro-F1 overall and per language with 95 % bootstrap intervals (1000 resamples of posts);
throughput in posts/s (predict on a 20,000-post batch, single process).
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
import pandas as pd
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedGroupKFold

from coaching.classifier import CONFIGS, DEFAULT_CONFIG, PostTypeClassifier, load_training_set


def out_of_fold(df: pd.DataFrame, config: str, n_splits: int = 5, seed: int = 0) -> np.ndarray:
    pred = np.empty(len(df), dtype=object)
    cv = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    for tr, te in cv.split(df["text"], df["label"], groups=df["author"]):
        m = PostTypeClassifier(config=config).fit(df.iloc[tr])
        pred[te] = m.predict(df["text"].iloc[te])
    return pred


def bootstrap_f1(y: np.ndarray, p: np.ndarray, n: int = 1000, seed: int = 0) -> tuple[float, float, float]:
    rng = np.random.default_rng(seed)
    point = f1_score(y, p, average="macro")
    idx = rng.integers(0, len(y), size=(n, len(y)))
    vals = [f1_score(y[i], p[i], average="macro") for i in idx]
    lo, hi = np.percentile(vals, [2.5, 97.5])
    return float(point), float(lo), float(hi)


def throughput(model: PostTypeClassifier, texts: list[str], n: int = 20_000) -> tuple[float, float]:
    """(posts/s by wall clock, posts/s by this process's CPU time) predicting ``n`` posts in one process.

    On a shared machine wall time includes waiting for the CPU; CPU time does not.
    """
    batch = [f"{t} {i}" for i, t in enumerate((texts * (n // len(texts) + 1))[:n])]
    t0, c0 = time.perf_counter(), time.process_time()
    model.predict(batch)
    return n / (time.perf_counter() - t0), n / (time.process_time() - c0)


def evaluate(path=None, configs=None, n_boot: int = 1000) -> dict:
    df = load_training_set(path).reset_index(drop=True)
    y = df["label"].to_numpy()
    out: dict = {"n_posts": len(df), "n_authors": int(df["author"].nunique()),
                 "per_label": df["label"].value_counts().to_dict(), "configs": {}}
    for cfg in configs or list(CONFIGS):
        p = out_of_fold(df, cfg)
        res = {"macro_f1": bootstrap_f1(y, p, n_boot)}
        for lang, g in df.groupby("lang"):
            res[f"macro_f1_{lang}"] = bootstrap_f1(y[g.index], p[g.index], n_boot)
        model = PostTypeClassifier(config=cfg).fit(df)
        res["posts_per_s"] = throughput(model, df["text"].tolist())
        out["configs"][cfg] = res
    best = max(out["configs"], key=lambda c: out["configs"][c]["macro_f1"][0])
    out["best"] = best
    out["default"] = DEFAULT_CONFIG
    return out


def format_report(r: dict) -> str:
    lines = [f"Post-type classifier: {r['n_posts']} posts, {r['n_authors']} pseudo-authors, "
             f"StratifiedGroupKFold(5) by author; 95% bootstrap intervals",
             f"{'config':<16}{'macro-F1':>22}{'fi':>22}{'en':>22}{'posts/s wall':>14}{'posts/s CPU':>13}"]
    for cfg, res in r["configs"].items():
        def f(t):
            return f"{t[0]:.3f} [{t[1]:.3f}, {t[2]:.3f}]"
        mark = " *" if cfg == r["default"] else ""
        lines.append(f"{cfg + mark:<16}{f(res['macro_f1']):>22}{f(res.get('macro_f1_fi', (np.nan,) * 3)):>22}"
                     f"{f(res.get('macro_f1_en', (np.nan,) * 3)):>22}{res['posts_per_s'][0]:>14.0f}"
                     f"{res['posts_per_s'][1]:>13.0f}")
    lines.append(f"best by macro-F1: {r['best']}; * = default model")
    return "\n".join(lines)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--path", default=None)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--boot", type=int, default=1000)
    a = ap.parse_args(argv)
    r = evaluate(a.path, n_boot=a.boot)
    print(json.dumps(r, indent=2) if a.json else format_report(r))


if __name__ == "__main__":
    main()
