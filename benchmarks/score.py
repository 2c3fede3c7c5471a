"""Benchmark the scoring core.

    python benchmarks/score.py            # 1,000,000 posts, 2,000,000 incoming, 1,000 leaders
    python benchmarks/score.py --small    # 50,000 posts, 100,000 incoming, 100 leaders

Measures: all metrics by week (features cached, as the store caches them) — wall time and peak RSS;
a naive per-row Python baseline on a 20,000-post slice (same run), extrapolated per post; feature
extraction throughput; classifier throughput beside its macro-F1.
"""

from __future__ import annotations

import argparse
import math
import os
import resource
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import coaching  # noqa: E402
from coaching.features import post_features  # noqa: E402
from coaching.metrics import DAY_NS, HOUR_NS, MONDAY0_NS, WEEK_NS  # noqa: E402

END = pd.Timestamp("2026-06-30", tz="UTC")
SPAN_DAYS = 120
TEXTS = [
    "Kaupunki tiedottaa: valtuusto kokoontuu maanantaina.", "Mitä mieltä olette uudesta kirjastosta?",
    "Tapasin tänään tiimini ja opin paljon.", "Budget report published: costs down 4% this year.",
    "What do you think we should prioritise next year?", "Kiitos @ops hienoa työtä!", "Hyvä pointti, selvitän asian.",
    "Thanks for asking, I will look into it.",
]


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def synth(n_posts: int, n_inter: int, n_leaders: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    end_ns = END.value
    start_ns = end_ns - SPAN_DAYS * DAY_NS
    w = rng.lognormal(0, 1, n_leaders)
    w /= w.sum()
    n_root, n_ans, n_self = int(n_posts * 0.45), int(n_posts * 0.40), int(n_posts * 0.10)
    n_rep = n_posts - n_root - n_ans - n_self
    root_leader = rng.choice(n_leaders, n_root, p=w)
    root_t = rng.integers(start_ns, end_ns - 10 * DAY_NS, n_root)
    # incoming replies under random roots
    parent = rng.integers(0, n_root, n_inter)
    it = root_t[parent] + (rng.exponential(5, n_inter) * HOUR_NS).astype(np.int64)
    users = rng.integers(0, 50_000, n_inter)
    inter = pd.DataFrame({
        "interaction_id": np.char.add("i", np.arange(n_inter).astype(str)).astype(object),
        "leader_id": root_leader[parent] + 1,
        "account_id": root_leader[parent] + 1,
        "kind": "reply",
        "author_id": np.char.add("u", users.astype(str)).astype(object),
        "indexed_at": pd.to_datetime(it, utc=True),
        "text": pd.array(np.array(TEXTS, dtype=object)[rng.integers(0, len(TEXTS), n_inter)], dtype="str"),
        "parent_id": np.char.add("r", parent.astype(str)).astype(object),
        "hidden": rng.random(n_inter) < 0.01,
        "deleted": False,
    })
    inter["root_id"] = inter["parent_id"]
    inter["created_at"] = inter["indexed_at"]
    ans = rng.choice(n_inter, n_ans, replace=False)
    self_parent = rng.integers(0, n_root, n_self)
    rep_leader = rng.choice(n_leaders, n_rep, p=w)
    leader = np.concatenate([root_leader, root_leader[parent[ans]], root_leader[self_parent], rep_leader]) + 1
    t = np.concatenate([root_t, it[ans] + (rng.exponential(12, n_ans) * HOUR_NS).astype(np.int64),
                        root_t[self_parent] + (rng.exponential(2, n_self) * HOUR_NS).astype(np.int64),
                        rng.integers(start_ns, end_ns, n_rep)])
    kind = np.repeat(np.array([0, 1, 2, 3]), [n_root, n_ans, n_self, n_rep])
    author = np.char.add("L", leader.astype(str)).astype(object)
    parent_id = np.concatenate([np.full(n_root, None, object), inter["interaction_id"].to_numpy()[ans],
                                np.char.add("r", self_parent.astype(str)).astype(object), np.full(n_rep, None, object)])
    parent_author = np.concatenate([np.full(n_root, None, object), inter["author_id"].to_numpy()[ans],
                                    author[n_root + n_ans:n_root + n_ans + n_self], np.full(n_rep, None, object)])
    root_id = np.concatenate([np.full(n_root, None, object), inter["root_id"].to_numpy()[ans],
                              np.char.add("r", self_parent.astype(str)).astype(object), np.full(n_rep, None, object)])
    ids = np.concatenate([np.char.add("r", np.arange(n_root).astype(str)),
                          np.char.add("p", np.arange(n_root, n_posts).astype(str))]).astype(object)
    is_reply = (kind == 1) | (kind == 2)
    low = rng.random(n_posts) < 0.05
    empty: list = []
    posts = pd.DataFrame({
        "post_id": ids, "leader_id": leader, "account_id": leader, "author_id": author,
        "indexed_at": pd.to_datetime(t, utc=True), "reply_parent_id": parent_id, "reply_root_id": root_id,
        "reply_parent_author_id": parent_author, "is_repost": kind == 3,
        "mentions": [empty] * n_posts, "replies_restricted": rng.random(n_posts) < 0.02,
        "quotes_disabled": rng.random(n_posts) < 0.01, "hidden_replies": (rng.random(n_posts) < 0.01).astype(int),
        "deleted": False,
        # cached per-post features (as stored next to classifier predictions)
        "lang_detected": np.where(rng.random(n_posts) < 0.5, "fi", "en").astype(object),
        "n_words": rng.integers(1, 40, n_posts), "emoji_only": low & (rng.random(n_posts) < 0.5),
        "low_substance": low, "first_person_singular": rng.random(n_posts) < 0.3,
        "first_person_plural": rng.random(n_posts) < 0.2, "question": rng.random(n_posts) < 0.1,
        "crediting": rng.random(n_posts) < 0.05, "has_link": rng.random(n_posts) < 0.2,
        "results_marker": rng.random(n_posts) < 0.1, "is_reply": is_reply, "reply_to_other": kind == 1,
        "self_thread": kind == 2, "is_root": kind == 0,
    })
    posts["created_at"] = posts["indexed_at"]
    leaders = pd.DataFrame({"leader_id": np.arange(1, n_leaders + 1), "leader": [f"L{i}" for i in range(1, n_leaders + 1)],
                            "language": "fi", "cohorts": [[f"c{i % 10}"] for i in range(n_leaders)], "demo": False})
    return posts, inter, leaders


def naive_weekly(posts: pd.DataFrame, inter: pd.DataFrame, until_ns: int, days: int) -> dict:
    """Per-row Python: the same weekly components, written the obvious way (dicts and loops)."""
    start = until_ns - days * DAY_NS

    def week(ts_ns):
        return MONDAY0_NS + ((ts_ns - MONDAY0_NS) // WEEK_NS) * WEEK_NS

    own = {}
    answer = {}
    stats = defaultdict(lambda: defaultdict(float))
    replies_to = defaultdict(lambda: defaultdict(int))
    out_acc, in_acc = defaultdict(set), defaultdict(set)
    times = defaultdict(list)
    root_first_leader_reply = defaultdict(list)
    for row in posts.itertuples(index=False):
        t = pd.Timestamp(row.indexed_at).value
        own[(row.leader_id, row.author_id)] = True
        if row.reply_parent_id is not None and not row.is_repost and not row.deleted:
            key = (row.leader_id, row.reply_parent_id)
            if key not in answer or t < answer[key][1]:
                answer[key] = (row.post_id, t)
        if row.reply_to_other and not row.is_repost:
            root_first_leader_reply[(row.leader_id, row.reply_root_id)].append(t)
        if row.is_repost or row.deleted or not (start < t <= until_ns):
            continue
        k = (row.leader_id, week(t))
        s = stats[k]
        s["n_posts"] += 1
        s["dialogue"] += bool(row.reply_to_other and not row.low_substance)
        s["crediting"] += bool(row.crediting)
        s["personal"] += bool(row.first_person_singular)
        s["results"] += bool(row.has_link or row.results_marker)
        if row.is_root:
            s["roots"] += 1
            s["questions"] += bool(row.question)
        if row.reply_to_other:
            replies_to[k][row.reply_parent_author_id] += 1
            out_acc[k].add(row.reply_parent_author_id)
        times[k].append(t)
    first_other = {}
    durations = defaultdict(list)
    for row in inter.itertuples(index=False):
        t = pd.Timestamp(row.indexed_at).value
        rk = (row.leader_id, row.root_id)
        if rk not in first_other or t < first_other[rk]:
            first_other[rk] = t
        if row.hidden or row.deleted or not (start < t <= until_ns) or (row.leader_id, row.author_id) in own:
            continue
        k = (row.leader_id, week(t))
        stats[k]["incoming"] += 1
        a = answer.get((row.leader_id, row.interaction_id))
        answered = a is not None and a[1] <= until_ns
        stats[k]["answered7"] += bool(answered and a[1] - t <= 7 * DAY_NS)
        durations[k].append(((a[1] - t) if answered else (until_ns - t), answered))
        in_acc[k].add(row.author_id)
    result = {}
    for k, s in stats.items():
        d = sorted(durations.get(k, []), key=lambda x: (x[0], not x[1]))
        surv, med, n = 1.0, math.inf, len(d)
        for i, (dur, ev) in enumerate(d):
            if ev:
                surv *= 1 - 1 / (n - i)
                if surv <= 0.5:
                    med = dur / HOUR_NS
                    break
        c = replies_to.get(k, {})
        tot = sum(c.values())
        h = -sum(v / tot * math.log(v / tot) for v in c.values()) if tot else float("nan")
        ts = sorted(times.get(k, []))
        gaps = [b - a for a, b in zip(ts, ts[1:])]
        if len(ts) >= 3 and sum(gaps) > 0:
            mu = sum(gaps) / len(gaps)
            sd = math.sqrt(sum((g - mu) ** 2 for g in gaps) / len(gaps))
            r, m = sd / mu, len(ts)
            bn = (math.sqrt(m + 1) * r - math.sqrt(m - 1)) / ((math.sqrt(m + 1) - 2) * r + math.sqrt(m - 1))
        else:
            bn = float("nan")
        result[k] = {"dialogue": (s["dialogue"], s["n_posts"]), "response_rate": (s["answered7"], s["incoming"]),
                     "response_time": med, "questions": (s["questions"], s["roots"]),
                     "reciprocity": (len(out_acc[k] & in_acc[k]), len(in_acc[k])), "entropy": h, "bn": bn}
    return result


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--small", action="store_true")
    ap.add_argument("--skip-classifier", action="store_true")
    a = ap.parse_args(argv)
    n_posts, n_inter, n_leaders = (50_000, 100_000, 100) if a.small else (1_000_000, 2_000_000, 1_000)
    print(f"corpus: {n_posts:,} posts, {n_inter:,} incoming, {n_leaders:,} leaders (cpus: {os.cpu_count()})")
    t0 = time.perf_counter()
    posts, inter, leaders = synth(n_posts, n_inter, n_leaders)
    print(f"synthesised in {time.perf_counter() - t0:.1f} s; RSS peak so far {rss_mib():.0f} MiB")

    rss0 = rss_mib()
    t0, c0 = time.perf_counter(), time.process_time()
    rep = coaching.score(posts, inter, leaders, until=END, days=90, by="week")
    t_full, c_full = time.perf_counter() - t0, time.process_time() - c0
    peak = rss_mib()
    print(f"load average now: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cpus (wall time inflates under contention)")
    print(f"score(by='week', 90 days): {t_full:.2f} s wall, {c_full:.2f} s CPU for {n_posts:,} posts "
          f"({len(rep.components):,} component rows, {len(rep.composites):,} leader-weeks); "
          f"peak RSS {peak:.0f} MiB (before scoring {rss0:.0f} MiB)")
    print("  CPU seconds by stage: " + ", ".join(f"{k} {v:.2f}" for k, v in rep.meta["timings_cpu_s"].items()))
    t0 = time.perf_counter()
    rep.to_dict()
    print(f"to_dict(): {time.perf_counter() - t0:.2f} s")

    # naive baseline on a 20,000-post slice (leaders whose posts fill the slice, with their interactions)
    order = posts.groupby("leader_id").size().sample(frac=1, random_state=1).cumsum()
    chosen = order[order <= 20_000].index
    ps = posts[posts["leader_id"].isin(chosen)].reset_index(drop=True)
    is_ = inter[inter["leader_id"].isin(chosen)].reset_index(drop=True)
    ls = leaders[leaders["leader_id"].isin(chosen)]
    t0, c0 = time.perf_counter(), time.process_time()
    naive = naive_weekly(ps, is_, END.value, 90)
    t_naive, c_naive = time.perf_counter() - t0, time.process_time() - c0
    t0, c0 = time.perf_counter(), time.process_time()
    rs = coaching.score(ps, is_, ls, until=END, days=90, by="week")
    t_vec_slice, c_vec_slice = time.perf_counter() - t0, time.process_time() - c0
    c = rs.components.set_index(["leader_id", "bucket", "component"])
    mism = 0
    for (lid, b), v in naive.items():
        for key, comp in (("dialogue", "dialogue_share"), ("response_rate", "response_rate"), ("questions", "questions"),
                          ("reciprocity", "reciprocity")):
            if v[key][1] and (lid, b, comp) in c.index:
                row = c.loc[(lid, b, comp)]
                mism += (row["x"], row["n"]) != v[key]
        if (lid, b, "response_time") in c.index:
            mism += not np.isclose(c.loc[(lid, b, "response_time")]["raw"], v["response_time"])
    per_post_naive = t_naive / len(ps)
    per_post_vec = t_full / n_posts
    print(f"naive per-row baseline: {t_naive:.2f} s on {len(ps):,} posts + {len(is_):,} incoming "
          f"({per_post_naive * 1e6:.1f} µs/post → {per_post_naive * n_posts:.0f} s extrapolated to {n_posts:,}); "
          f"vectorised on the same slice {t_vec_slice:.2f} s; component mismatches vs vectorised: {mism}")
    print(f"speed-up per post (naive slice vs vectorised full corpus): wall {per_post_naive / per_post_vec:.0f}x, "
          f"CPU {(c_naive / len(ps)) / (c_full / n_posts):.0f}x; same slice: wall {t_naive / t_vec_slice:.1f}x, "
          f"CPU {c_naive / c_vec_slice:.1f}x")

    # feature extraction throughput (text → flags), not part of the cached scoring path above
    from lasna.frames import POST_COLUMNS, conform
    from coaching.classifier import load_training_set

    texts = load_training_set()["text"].tolist()
    sample = pd.DataFrame({"post_id": [f"f{i}" for i in range(20_000)], "leader_id": 1, "account_id": 1,
                           "author_id": "L1", "created_at": END,
                           "text": [f"{t} {i}" for i, t in enumerate((texts * 40)[:20_000])]})
    sample = conform(sample, POST_COLUMNS)
    t0 = time.perf_counter()
    post_features(sample)
    t_feat = time.perf_counter() - t0
    print(f"post_features: {20_000 / t_feat:,.0f} posts/s on 20,000 distinct texts (language id, morphology, flags)")

    if not a.skip_classifier:
        from coaching.classifier import PostTypeClassifier
        from coaching.evaluate import evaluate, throughput

        r = evaluate(n_boot=200)
        for cfg, res in r["configs"].items():
            print(f"classifier {cfg:<14} macro-F1 {res['macro_f1'][0]:.3f} [{res['macro_f1'][1]:.3f}, "
                  f"{res['macro_f1'][2]:.3f}]  {res['posts_per_s'][0]:,.0f} posts/s wall, "
                  f"{res['posts_per_s'][1]:,.0f} posts/s CPU (1 process, 20,000 distinct texts)")
        print(f"best by macro-F1: {r['best']}; default: {r['default']}")


if __name__ == "__main__":
    main()
