"""Evaluate the text classifiers: ``python -m coaching.evaluate [--stance] [--path CSV] [--json]``.

StratifiedGroupKFold (5 folds, grouped by author) out-of-fold predictions for each configuration;
macro-F1 overall and per language with 95 % bootstrap intervals (1000 resamples of texts);
throughput in texts/s (predict on a 20,000-text batch, single process). Without ``--stance``: the
post-type classifier; with it: the stance of incoming replies (coaching.stance), plus per-class
precision/recall, the confusion matrix and the precision/recall of ``critical`` per probability threshold.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
import pandas as pd
from sklearn.metrics import confusion_matrix, f1_score, precision_recall_fscore_support
from sklearn.model_selection import StratifiedGroupKFold

from coaching.classifier import CONFIGS, DEFAULT_CONFIG, PostTypeClassifier, load_training_set


def folds(df: pd.DataFrame, n_splits: int = 5, seed: int = 0):
    """(train, test) index arrays of StratifiedGroupKFold grouped by author."""
    cv = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    return cv.split(df["text"], df["label"], groups=df["author"])


def out_of_fold(df: pd.DataFrame, config: str, n_splits: int = 5, seed: int = 0) -> np.ndarray:
    pred = np.empty(len(df), dtype=object)
    for tr, te in folds(df, n_splits, seed):
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


def throughput(model, texts: list[str], n: int = 20_000) -> tuple[float, float]:
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


def stance_out_of_fold(df: pd.DataFrame, config: str, n_splits: int = 5, seed: int = 0):
    """Out-of-fold probabilities (rows of ``df``, columns = classes) of the stance model ``config``."""
    from coaching.stance import ReplyStanceClassifier

    proba, classes = np.zeros((len(df), 3)), None
    for tr, te in folds(df, n_splits, seed):
        m = ReplyStanceClassifier(config=config).fit(df.iloc[tr])
        proba[te], classes = m.predict_proba(df["text"].iloc[te]), m.classes_
    return proba, classes


def critical_threshold_sweep(y: np.ndarray, p_critical: np.ndarray, grid=None) -> list[dict]:
    """Precision and recall of ``critical`` when it is called at P(critical) ≥ t, for each t."""
    out = []
    for t in grid if grid is not None else np.round(np.arange(0.30, 0.91, 0.05), 2):
        called, truth = p_critical >= t, y == "critical"
        tp = int((called & truth).sum())
        out.append({"threshold": float(t), "precision": tp / called.sum() if called.any() else float("nan"),
                    "recall": tp / truth.sum(), "n_called": int(called.sum())})
    return out


def _at_min_precision(df, y, proba, classes, min_precision: float) -> dict:
    """Compare configurations fairly: each at its own lowest threshold (0.025 grid) whose out-of-fold
    critical precision reaches ``min_precision``; macro-F1 all/fi/en at that threshold."""
    k = list(classes).index("critical")
    sweep = critical_threshold_sweep(y, proba[:, k], np.round(np.arange(0.30, 0.951, 0.025), 3))
    ok = [r for r in sweep if r["precision"] >= min_precision]
    if not ok:
        return {"threshold": None}
    best = ok[0]
    others = proba.copy()
    others[:, k] = -1.0
    pred = classes[others.argmax(axis=1)]
    pred[proba[:, k] >= best["threshold"]] = "critical"
    res = dict(best, macro_f1=float(f1_score(y, pred, average="macro")))
    for lang, g in df.groupby("lang"):
        res[f"macro_f1_{lang}"] = float(f1_score(y[g.index], pred[g.index], average="macro"))
    return res


def evaluate_stance(path=None, configs=None, n_boot: int = 1000, min_precision: float = 0.8) -> dict:
    """Stance of incoming replies: macro-F1 (all, fi, en) per configuration with the shipped decision
    rule (critical at P ≥ the model's threshold); for the default configuration also per-class
    precision/recall, the confusion matrix, log loss and the critical-threshold sweep, and the lowest
    threshold whose out-of-fold critical precision reaches ``min_precision``."""
    from sklearn.metrics import log_loss

    from coaching import stance

    df = stance.load_training_set(path).reset_index(drop=True)
    y = df["label"].to_numpy()
    out: dict = {"n_replies": len(df), "n_authors": int(df["author"].nunique()),
                 "per_label": df.groupby(["lang", "label"]).size().unstack().to_dict("index"), "configs": {}}
    labels = list(stance.LABELS)
    for cfg in configs or list(stance.CONFIGS):
        proba, classes = stance_out_of_fold(df, cfg)
        model = stance.ReplyStanceClassifier(config=cfg).fit(df)
        pred = model.decide(proba)  # the model's own decision rule, applied to out-of-fold probabilities
        res = {"macro_f1": bootstrap_f1(y, pred, n_boot), "threshold": model.critical_threshold,
               "log_loss": float(log_loss(y, proba / proba.sum(axis=1, keepdims=True), labels=classes))}
        for lang, g in df.groupby("lang"):
            res[f"macro_f1_{lang}"] = bootstrap_f1(y[g.index], pred[g.index], n_boot)
        res["posts_per_s"] = throughput(model, df["text"].tolist())
        res["at_min_precision"] = _at_min_precision(df, y, proba, classes, min_precision)
        if cfg == stance.DEFAULT_CONFIG:
            prf = precision_recall_fscore_support(y, pred, labels=labels, zero_division=0)
            names = ("precision", "recall", "f1", "support")
            res["per_class"] = {lab: {k: float(v[i]) for k, v in zip(names, prf)} for i, lab in enumerate(labels)}
            res["confusion"] = {"labels": labels, "matrix": confusion_matrix(y, pred, labels=labels).tolist()}
            argmax = classes[proba.argmax(axis=1)]
            res["macro_f1_argmax"] = float(f1_score(y, argmax, average="macro"))
            sweep = critical_threshold_sweep(y, proba[:, list(classes).index("critical")])
            res["critical_sweep"] = sweep
            ok = [r["threshold"] for r in sweep if r["precision"] >= min_precision]
            res["lowest_threshold_for_precision"] = {"min_precision": min_precision,
                                                     "threshold": min(ok) if ok else None}
        out["configs"][cfg] = res
    out["best"] = max(out["configs"], key=lambda c: out["configs"][c]["macro_f1"][0])
    out["default"] = stance.DEFAULT_CONFIG
    return out


def min_p(r: dict) -> float:
    return r["configs"][r["default"]]["lowest_threshold_for_precision"]["min_precision"]


def format_stance_report(r: dict) -> str:
    def f(t):
        return f"{t[0]:.3f} [{t[1]:.3f}, {t[2]:.3f}]"

    lines = [f"Stance of incoming replies: {r['n_replies']} replies, {r['n_authors']} pseudo-authors, "
             f"StratifiedGroupKFold(5) by author; 95% bootstrap intervals",
             "labels per language: " + "; ".join(f"{lang}: " + ", ".join(f"{k} {v}" for k, v in c.items())
                                                  for lang, c in r["per_label"].items()),
             f"{'config':<19}{'macro-F1':>22}{'fi':>22}{'en':>22}{'log loss':>9}{'texts/s wall':>14}"
             f"{'CPU':>9}"]
    for cfg, res in r["configs"].items():
        mark = " *" if cfg == r["default"] else ""
        f1s = "".join(f"{f(res[k]):>22}" for k in ("macro_f1", "macro_f1_fi", "macro_f1_en"))
        lines.append(f"{cfg + mark:<19}{f1s}{res['log_loss']:>9.3f}{res['posts_per_s'][0]:>14.0f}"
                     f"{res['posts_per_s'][1]:>9.0f}")
    lines.append(f"each at its own lowest threshold with critical precision >= {min_p(r)}:")
    for cfg, res in r["configs"].items():
        a = res["at_min_precision"]
        if a["threshold"] is None:
            lines.append(f"  {cfg:<17} no threshold reaches it")
            continue
        lines.append(f"  {cfg:<17} t {a['threshold']:.3f}  precision {a['precision']:.3f}  recall {a['recall']:.3f}"
                     f"  macro-F1 {a['macro_f1']:.3f} (fi {a['macro_f1_fi']:.3f}, en {a['macro_f1_en']:.3f})")
    d = r["configs"][r["default"]]
    lines.append(f"best by macro-F1: {r['best']}; * = default model (critical called at P >= "
                 f"{d['threshold']:g}; plain argmax macro-F1 {d['macro_f1_argmax']:.3f})")
    lines.append("default model, per class:")
    for lab, m in d["per_class"].items():
        lines.append(f"  {lab:<11} precision {m['precision']:.3f}  recall {m['recall']:.3f}  "
                     f"F1 {m['f1']:.3f}  n {m['support']:.0f}")
    labs = d["confusion"]["labels"]
    lines.append("confusion (rows = true, columns = predicted): " + " ".join(f"{x:>10}" for x in labs))
    for lab, row in zip(labs, d["confusion"]["matrix"]):
        lines.append(f"  {lab:<11}" + " ".join(f"{x:>10}" for x in row))
    lines.append("critical at P(critical) >= t (out-of-fold):")
    for s in d["critical_sweep"]:
        lines.append(f"  t {s['threshold']:.2f}  precision {s['precision']:.3f}  recall {s['recall']:.3f}  "
                     f"called {s['n_called']}")
    lt = d["lowest_threshold_for_precision"]
    lines.append(f"lowest t with critical precision >= {lt['min_precision']}: {lt['threshold']}")
    return "\n".join(lines)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--path", default=None)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--boot", type=int, default=1000)
    ap.add_argument("--stance", action="store_true", help="evaluate the stance of incoming replies instead")
    a = ap.parse_args(argv)
    if a.stance:
        r = evaluate_stance(a.path, n_boot=a.boot)
        print(json.dumps(r, indent=2) if a.json else format_stance_report(r))
        return
    r = evaluate(a.path, n_boot=a.boot)
    print(json.dumps(r, indent=2) if a.json else format_report(r))


if __name__ == "__main__":
    main()
