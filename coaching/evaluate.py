"""Evaluate the text detectors and classifiers.

``python -m coaching.evaluate`` (default): the per-post detectors of ``coaching.features`` (question,
first person, crediting) and the post-type classifier, on the labelled detector set
(``data/labels/detectors.csv``, split ``heldout`` unless ``--split dev|typedev|tune|all``): per-language precision,
recall and F1 with 95 % bootstrap intervals resampling **authors** (grouped by author), plus the feature
throughput in posts/s per core (CPU time of one process). ``--classifier``: the older cross-validated
post-type report below. ``--stance``: the stance of incoming replies.

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
        res: dict[str, tuple[float, ...]] = {"macro_f1": bootstrap_f1(y, p, n_boot)}
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


# --- detectors (question, first person, crediting) and post type on the detector set ----------------------
#: label column -> feature column of coaching.features.post_features
DETECTORS = {"question": "question", "first_person": "first_person_singular", "crediting": "crediting"}


#: Splits of ``detectors.csv``: ``heldout`` (frozen before any tuning), ``dev`` (the detectors were tuned on it)
#: and ``typedev`` (written later to tune the post-type decision; CODEBOOK.md); ``tune`` = dev + typedev.
SPLITS = ("heldout", "dev", "typedev", "tune", "all")
TUNING_SPLITS = ("dev", "typedev")


def load_detector_set(path=None, split: str = "heldout") -> pd.DataFrame:
    from pathlib import Path

    p = Path(path) if path else Path(__file__).resolve().parents[1] / "data" / "labels" / "detectors.csv"
    df = pd.read_csv(p, dtype={"text": str})
    if split == "tune":  # every set tuned on: the detector dev set and the post-type dev set
        df = df[df["split"].isin(TUNING_SPLITS)]
    elif split != "all":
        df = df[df["split"] == split]
    return df.reset_index(drop=True)


def detector_posts(df: pd.DataFrame) -> pd.DataFrame:
    """The labelled texts as a posts frame the way a collector would store them: no declared language,
    mentions only where the text has an @handle, every post a root post of its author."""
    n = len(df)
    return pd.DataFrame({"post_id": [f"d{i}" for i in range(n)], "author_id": df["author"].to_numpy(),
                         "text": df["text"].to_numpy(), "lang": [None] * n, "mentions": [[] for _ in range(n)],
                         "links": [[] for _ in range(n)], "is_repost": [False] * n,
                         "reply_parent_id": [None] * n, "reply_parent_author_id": [None] * n})


def _prf(y: np.ndarray, p: np.ndarray) -> tuple[float, float, float]:
    tp = float((y & p).sum())
    prec = tp / p.sum() if p.sum() else float("nan")
    rec = tp / y.sum() if y.sum() else float("nan")
    f1 = 2 * tp / (y.sum() + p.sum()) if (y.sum() + p.sum()) else float("nan")
    return prec, rec, f1


def grouped_bootstrap(groups: np.ndarray, stat, n: int = 1000, seed: int = 0) -> np.ndarray:
    """Statistic(s) on ``n`` resamples of whole groups (authors) with replacement; rows = resamples."""
    rng = np.random.default_rng(seed)
    uniq = np.unique(groups)
    members = [np.flatnonzero(groups == g) for g in uniq]
    out = []
    for _ in range(n):
        pick = rng.integers(0, len(uniq), size=len(uniq))
        idx = np.concatenate([members[k] for k in pick])
        out.append(stat(idx))
    return np.asarray(out, dtype=float)


def _ci(point, boot: np.ndarray) -> list:
    ok = boot[~np.isnan(boot)]
    lo, hi = (np.percentile(ok, [2.5, 97.5]) if len(ok) else (np.nan, np.nan))
    return [float(point), float(lo), float(hi)]


def feature_throughput(texts: list[str], n: int = 20_000, repeat: int = 5) -> dict:
    """Posts/s of ``post_features`` on ``n`` distinct posts (the labelled texts with a counter appended, so
    no two are equal and the per-text caches do not flatter the figure), 50 authors, one process.
    ``cpu`` is per core (this process's CPU time), the best of ``repeat`` cold runs (per-text caches emptied
    before each; a shared machine only ever makes a run slower); ``first_cpu`` is the first of them, when the
    per-word morphology cache and the language identifier are cold too; ``warm`` is a second pass over the same
    posts; ``load`` is the 1-minute load average when the runs ended (other processes slow every figure)."""
    import os

    from coaching.features import clear_caches, load_backends, post_features

    batch = [f"{t} {i}" for i, t in enumerate((texts * (n // max(len(texts), 1) + 1))[:n])]
    posts = detector_posts(pd.DataFrame({"text": batch, "author": [f"a{i % 50}" for i in range(n)]}))
    load_backends()  # the language identifier and the morphology load outside the timing
    post_features(posts.head(50))
    runs = []
    for _ in range(max(repeat, 1)):
        clear_caches()
        t0, c0 = time.perf_counter(), time.process_time()
        post_features(posts)
        runs.append((time.process_time() - c0, time.perf_counter() - t0))
    cpu, wall = min(runs)
    c1 = time.process_time()
    post_features(posts)
    return {"n": n, "wall": n / wall, "cpu": n / cpu, "warm_cpu": n / (time.process_time() - c1),
            "runs_cpu": [n / r[0] for r in runs], "first_cpu": n / runs[0][0], "load": os.getloadavg()[0]}


def evaluate_detectors(path=None, split: str = "heldout", n_boot: int = 1000, throughput_n: int = 20_000) -> dict:
    from coaching.classifier import PostTypeClassifier, train_default
    from coaching.features import morphology_backend, post_features

    df = load_detector_set(path, split)
    posts = detector_posts(df)
    feats = post_features(posts)
    out: dict = {"split": split, "n_posts": len(df), "n_authors": int(df["author"].nunique()),
                 "morphology": morphology_backend(), "languages": {}}
    # the decision scoring uses (the rules since round 4), through the same call enrichment makes
    ptype = train_default().classify(posts)["label"].to_numpy(dtype=object)
    text_model = PostTypeClassifier().fit(load_training_set())  # trained on posts.csv only, never on this set
    ptype_clf = np.asarray(text_model.predict(df["text"]), dtype=object)
    for lang, g in df.groupby("lang"):
        idx = g.index.to_numpy()
        groups = g["author"].to_numpy()
        res: dict = {"n": len(g), "n_authors": int(g["author"].nunique())}
        for lab, col in DETECTORS.items():
            y = g[lab].to_numpy().astype(bool)
            p = feats[col].to_numpy()[idx].astype(bool)
            point = _prf(y, p)
            boot = grouped_bootstrap(groups, lambda i, y=y, p=p: _prf(y[i], p[i]), n_boot)
            res[lab] = {"precision": _ci(point[0], boot[:, 0]), "recall": _ci(point[1], boot[:, 1]),
                        "f1": _ci(point[2], boot[:, 2]), "support": int(y.sum()), "predicted": int(p.sum()),
                        "errors": [{"text": t, "label": int(a), "predicted": int(b)}
                                   for t, a, b in zip(g["text"], y, p) if a != b]}
        yt, pt = g["post_type"].to_numpy(), ptype[idx]
        labels = sorted(set(yt))

        def macro(i, yt=yt, pt=pt):
            # over the types present in this resample of authors: a type no resampled author wrote (nor was
            # predicted for them) would otherwise count as F1 0 and drag the interval down
            return f1_score(yt[i], pt[i], labels=sorted(set(yt[i])), average="macro", zero_division=0)

        res["post_type"] = {"macro_f1": _ci(macro(np.arange(len(g))), grouped_bootstrap(groups, macro, n_boot)),
                            "accuracy": float((yt == pt).mean())}
        pc = ptype_clf[idx]

        def macro_clf(i, yt=yt, pc=pc):
            return f1_score(yt[i], pc[i], labels=sorted(set(yt[i])), average="macro", zero_division=0)

        res["post_type_classifier"] = {"macro_f1": _ci(macro_clf(np.arange(len(g))),
                                                       grouped_bootstrap(groups, macro_clf, n_boot)),
                                       "accuracy": float((yt == pc).mean())}
        res["post_type"]["per_class_f1"] = dict(zip(labels, map(float, f1_score(yt, pt, labels=labels, average=None,
                                                                                zero_division=0))))
        out["languages"][lang] = res
    if throughput_n:
        out["throughput"] = feature_throughput(df["text"].tolist(), throughput_n)
    return out


def format_detector_report(r: dict, show_errors: bool = False) -> str:
    def f(t):
        return f"{t[0]:.2f} [{t[1]:.2f}, {t[2]:.2f}]"

    lines = [f"Detectors on the {r['split']} set: {r['n_posts']} posts, {r['n_authors']} authors; 95% bootstrap "
             f"intervals resampling authors; Finnish morphology: {r['morphology'] or 'heuristics (degraded)'}; "
             f"post type = the decision used in scoring (the codebook's priority order over the flags), "
             f"type (classifier) = the text classifier trained on posts.csv, for comparison",
             f"{'lang':<5}{'detector':<14}{'precision':>20}{'recall':>20}{'F1':>20}{'n+':>5}{'pred+':>6}"]
    for lang, res in r["languages"].items():
        for lab in DETECTORS:
            m = res[lab]
            lines.append(f"{lang:<5}{lab:<14}{f(m['precision']):>20}{f(m['recall']):>20}{f(m['f1']):>20}"
                         f"{m['support']:>5}{m['predicted']:>6}")
        for key, name in (("post_type", "post type"), ("post_type_classifier", "type (classifier)")):
            pt = res[key]
            lines.append(f"{lang:<5}{name:<18}{'macro-F1 ' + f(pt['macro_f1']):>56}   accuracy {pt['accuracy']:.2f}")
    if "throughput" in r:
        t = r["throughput"]
        lines.append(f"feature throughput: {t['cpu']:,.0f} posts/s per core (CPU, best of {len(t['runs_cpu'])} cold "
                     f"runs on {t['n']:,} distinct posts; first run {t['first_cpu']:,.0f}/s with the word cache cold; "
                     f"{t['wall']:,.0f}/s wall; {t['warm_cpu']:,.0f}/s CPU on a second pass; load average "
                     f"{t['load']:.1f}; morphology {r['morphology'] or 'none'})")
    if show_errors:
        for lang, res in r["languages"].items():
            for lab in DETECTORS:
                for e in res[lab]["errors"]:
                    lines.append(f"  {lang} {lab} label={e['label']} predicted={e['predicted']}: {e['text']}")
    return "\n".join(lines)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--path", default=None)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--boot", type=int, default=1000)
    ap.add_argument("--stance", action="store_true", help="evaluate the stance of incoming replies instead")
    ap.add_argument("--classifier", action="store_true", help="cross-validated post-type classifier report")
    ap.add_argument("--split", default="heldout", choices=list(SPLITS))
    ap.add_argument("--errors", action="store_true", help="list the misclassified texts")
    ap.add_argument("--throughput", type=int, default=20_000, help="posts for the throughput run (0 = skip)")
    a = ap.parse_args(argv)
    if not a.stance and not a.classifier:
        r = evaluate_detectors(a.path, a.split, a.boot, a.throughput)
        print(json.dumps(r, indent=2) if a.json else format_detector_report(r, a.errors))
        return
    if a.stance:
        r = evaluate_stance(a.path, n_boot=a.boot)
        print(json.dumps(r, indent=2) if a.json else format_stance_report(r))
        return
    r = evaluate(a.path, n_boot=a.boot)
    print(json.dumps(r, indent=2) if a.json else format_report(r))


if __name__ == "__main__":
    main()
