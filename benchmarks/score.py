"""Benchmark the scoring core.

    python benchmarks/score.py            # 1,000,000 posts, 2,000,000 incoming, 1,000 leaders
    python benchmarks/score.py --small    # 50,000 posts, 100,000 incoming, 100 leaders

Measures: all metrics by week over posts that already carry their text features — wall time and peak
RSS (the features are measured on their own below: the store caches post types and reply stance, but
the CLI and the dashboard compute post features on every scoring run);
a naive per-row Python baseline on a 20,000-post slice (same run), extrapolated per post; feature
extraction throughput; classifier throughput beside its macro-F1.
"""

from __future__ import annotations

import argparse
import math
import os
import re
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
from coaching.metrics import DAY_NS, HOUR_NS, MONDAY0_NS, MONTH_DAYS, WEEK_NS  # noqa: E402

END = pd.Timestamp("2026-06-30", tz="UTC")
SPAN_DAYS = 120
TEXTS = [
    "Kaupunki tiedottaa: valtuusto kokoontuu maanantaina.", "Mitä mieltä olette uudesta kirjastosta?",
    "Tapasin tänään tiimini ja opin paljon.", "Budget report published: costs down 4% this year.",
    "What do you think we should prioritise next year?", "Kiitos @ops hienoa työtä!", "Hyvä pointti, selvitän asian.",
    "Thanks for asking, I will look into it.", "👍👍", "@u1 https://example.org/x 🙏",
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
        "kind": np.where(rng.random(n_inter) < 0.08, "mention", "reply"),
        "author_id": np.char.add("u", users.astype(str)).astype(object),
        "indexed_at": pd.to_datetime(it, utc=True),
        "text": pd.array(np.array(TEXTS, dtype=object)[rng.integers(0, len(TEXTS), n_inter)], dtype="str"),
        "parent_id": np.char.add("r", parent.astype(str)).astype(object),
        "hidden": rng.random(n_inter) < 0.01,
        "deleted": False,
    })
    inter["root_id"] = inter["parent_id"]
    inter["created_at"] = inter["indexed_at"]
    # about 10 % answer the first other reply under the same root instead of the root itself (context for
    # the leader, not addressed to them); drawn from its own stream so nothing else moves
    first_under, first_idx = np.unique(parent, return_index=True)
    first_of = first_idx[np.searchsorted(first_under, parent)]
    nested = (np.random.default_rng(seed + 2).random(n_inter) < 0.1) & (first_of != np.arange(n_inter))
    inter["parent_id"] = np.where(nested, inter["interaction_id"].to_numpy()[first_of], inter["root_id"].to_numpy())
    # cached reply stance (as stored beside the interactions), from its own stream so nothing else moves
    inter["stance"] = np.random.default_rng(seed + 1).choice(
        np.array(["critical", "supportive", "neutral"], dtype=object), n_inter, p=[0.2, 0.4, 0.4])
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
    mentioned = rng.integers(0, 50_000, n_posts)
    mentions = [[f"u{m}"] if r < 0.03 else empty for m, r in zip(mentioned.tolist(), rng.random(n_posts).tolist())]
    posts = pd.DataFrame({
        "post_id": ids, "leader_id": leader, "account_id": leader, "author_id": author,
        "indexed_at": pd.to_datetime(t, utc=True), "reply_parent_id": parent_id, "reply_root_id": root_id,
        "reply_parent_author_id": parent_author, "is_repost": kind == 3,
        "mentions": mentions, "replies_restricted": rng.random(n_posts) < 0.02,
        "quotes_disabled": rng.random(n_posts) < 0.01, "hidden_replies": (rng.random(n_posts) < 0.01).astype(int),
        "deleted": False,
        # per-post text features, precomputed (their own throughput is measured separately)
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


def naive_weekly(posts: pd.DataFrame, inter: pd.DataFrame, until_ns: int, days: int, k: int = 5) -> dict:
    """Per-row Python: every weekly component the obvious way (dicts, sets and loops over rows).

    Returns {(leader_id, week_start_ns, component): (raw, x, n, evidence ids)} with the same definitions as
    ``coaching.compute_components`` (docs/METRICS.md). Text features come from the cached columns, as in
    the vectorised run; the emoji-only test of incoming texts is a Python regex per text.
    """
    start = until_ns - days * DAY_NS
    nan = float("nan")

    def week(ts_ns):
        return MONDAY0_NS + ((ts_ns - MONDAY0_NS) // WEEK_NS) * WEEK_NS

    def in_window(ts_ns):
        return start < ts_ns <= until_ns

    # accounts: every id seen (posts' authors, parent authors, incoming authors, mentions); the vectorised
    # code orders account evidence (and breaks its ties) by the id
    post_rows, seen_posts = [], set()
    for row in posts.itertuples(index=False):
        if row.post_id not in seen_posts:
            seen_posts.add(row.post_id)
            post_rows.append(row)
    rank: dict = {}
    for col in ("author_id", "reply_parent_author_id"):
        for row in post_rows:
            v = getattr(row, col)
            if isinstance(v, str) and v not in rank:
                rank[v] = len(rank)
    for row in inter.itertuples(index=False):
        if isinstance(row.author_id, str) and row.author_id not in rank:
            rank[row.author_id] = len(rank)
    for row in post_rows:
        for v in row.mentions:
            if v not in rank:
                rank[v] = len(rank)
    rank = {v: v for v in rank}  # evidence lists of accounts are ordered by account id

    posts_kept = [r for r in post_rows if not r.deleted and r.indexed_at is not pd.NaT
                  and r.indexed_at.value <= until_ns]
    inter_kept, seen = [], set()
    for row in inter.itertuples(index=False):
        if row.interaction_id in seen:
            continue
        seen.add(row.interaction_id)
        if not row.deleted and row.indexed_at is not pd.NaT and row.indexed_at.value <= until_ns:
            inter_kept.append(row)

    answer, own, first_post = {}, set(), {}
    for row in posts_kept:
        t = row.indexed_at.value
        own.add((row.leader_id, row.author_id))
        first_post[row.leader_id] = min(first_post.get(row.leader_id, t), t)
        if isinstance(row.reply_parent_id, str) and not row.is_repost:
            key = (row.leader_id, row.reply_parent_id)
            if key not in answer or t < answer[key][1]:
                answer[key] = (row.post_id, t)

    result: dict = {}

    def put(lid, b, comp, raw, x, n, ev=()):
        result[(lid, b, comp)] = (raw, x, n, list(ev)[:k])

    def rate(lid, b, comp, x, n, ev=()):
        put(lid, b, comp, x / n if n else nan, x, n, ev)

    # own posts in the window, per leader-week, in row order
    weeks = defaultdict(list)
    for row in posts_kept:
        t = row.indexed_at.value
        if not row.is_repost and in_window(t):
            weeks[(row.leader_id, week(t))].append((t, row))
    hidden_under = set()
    for row in inter_kept:
        if row.hidden:
            hidden_under.update(v for v in (row.root_id, row.parent_id) if isinstance(v, str))
    for (lid, b), items in weeks.items():
        by_time = sorted(items, key=lambda x: x[0])  # stable: ties in row order
        n = len(items)
        for comp, test in (("dialogue_share", lambda r: r.reply_to_other and not r.low_substance),
                           ("crediting", lambda r: r.crediting), ("personal_voice", lambda r: r.first_person_singular),
                           ("we_voice", lambda r: r.first_person_plural),
                           ("results", lambda r: r.has_link or r.results_marker)):
            hits = [r for _, r in by_time if test(r)]
            rate(lid, b, comp, len(hits), n, [r.post_id for r in hits])
        roots = [r for _, r in by_time if r.is_root]
        if roots:
            q = [r for r in roots if r.question]
            gated = [r for r in roots if r.replies_restricted or r.quotes_disabled or r.hidden_replies > 0
                     or r.post_id in hidden_under]
            rate(lid, b, "questions", len(q), len(roots), [r.post_id for r in q])
            rate(lid, b, "gated_share", len(gated), len(roots), [r.post_id for r in gated])

    # incoming that merit an answer: answered within 7 days, and the Kaplan–Meier median time
    incoming = defaultdict(list)
    interaction_ids = set(inter["interaction_id"])
    for row in inter_kept:
        t = row.indexed_at.value
        if (not in_window(t) or row.kind not in ("reply", "mention", "comment") or row.hidden
                or (isinstance(row.author_id, str) and (row.leader_id, row.author_id) in own)):
            continue
        if row.kind in ("reply", "comment") and row.parent_id in interaction_ids:
            continue  # a reply to someone else's reply: not addressed to the leader
        if not _has_words(row.text):
            continue
        a = answer.get((row.leader_id, row.interaction_id))
        answered = a is not None and 0 <= a[1] <= until_ns
        incoming[(row.leader_id, week(t))].append((t, row, a if answered else None))
    for (lid, b), items in incoming.items():
        items.sort(key=lambda x: x[0])
        within = [(t, r, a) for t, r, a in items if a is not None and a[1] - t <= 7 * DAY_NS]
        within_ids = {r.interaction_id for _, r, _ in within}
        rate(lid, b, "response_rate", len(within), len(items),
             [r.interaction_id for _, r, _ in items if r.interaction_id not in within_ids])
        by_stance = {}
        for label in ("critical", "supportive"):
            sel = [r for _, r, _ in items if getattr(r, "stance", None) == label]
            if sel:
                x = sum(r.interaction_id in within_ids for r in sel)
                ev = [r.interaction_id for r in sel if r.interaction_id not in within_ids]
                rate(lid, b, f"{label}_response_rate", x, len(sel), ev)
                by_stance[label] = (x / len(sel), len(sel), ev)
        if len(by_stance) == 2:  # the gap's raw value: critical minus supportive rate
            (rc, nc, ev), (rs, _, _) = by_stance["critical"], by_stance["supportive"]
            put(lid, b, "critical_answer_gap", rc - rs, nan, nc, ev)
        d = sorted((((a[1] - t) if a else (until_ns - t)) / HOUR_NS, a is None) for t, _, a in items)
        surv, med = 1.0, math.inf
        for i, (dur, censored) in enumerate(d):
            if not censored:
                surv *= 1 - 1 / (len(d) - i)
                if surv <= 0.5 + 1e-12:
                    med = dur
                    break
        put(lid, b, "response_time", med, len(within) or nan, len(items), [a[0] for _, _, a in items if a])

    # re-entry: after the first reply from others under a root, did the leader reply to someone there?
    first_other, latest_leader = {}, {}
    for row in inter_kept:
        root = row.root_id if isinstance(row.root_id, str) else row.parent_id
        if row.kind in ("reply", "comment") and isinstance(root, str):
            key, t = (row.leader_id, root), row.indexed_at.value
            first_other[key] = min(first_other.get(key, t), t)
    for row in posts_kept:
        if row.reply_to_other and not row.is_repost and isinstance(row.reply_root_id, str):
            key, t = (row.leader_id, row.reply_root_id), row.indexed_at.value
            latest_leader[key] = max(latest_leader.get(key, t), t)
    for (lid, b), items in weeks.items():
        roots = [r for _, r in sorted(items, key=lambda x: x[0]) if r.is_root and (lid, r.post_id) in first_other]
        if roots:
            back = {r.post_id for r in roots
                    if latest_leader.get((lid, r.post_id), -math.inf) > first_other[(lid, r.post_id)]}
            rate(lid, b, "re_entry", len(back), len(roots), [r.post_id for r in roots if r.post_id not in back])

    # conversation depth: threads the leader replied in (first reply's week), O→L turns in each thread
    threads: dict = {}  # in order of each thread's earliest leader reply (ties: row order), as the vectorised code
    for row in sorted(posts_kept, key=lambda r: r.indexed_at.value):
        t = row.indexed_at.value
        if not row.is_repost and in_window(t) and row.reply_to_other:
            th = row.reply_root_id if isinstance(row.reply_root_id, str) else row.reply_parent_id
            if isinstance(th, str):
                entry = threads.setdefault((row.leader_id, th), {"week": week(t), "turns": 0, "events": []})
                entry["turns"] += 1
                entry["events"].append((t, True))
    for row in inter_kept:
        th = row.root_id if isinstance(row.root_id, str) else row.parent_id
        if (row.leader_id, th) in threads:
            threads[(row.leader_id, th)]["events"].append((row.indexed_at.value, False))
    per_week = defaultdict(list)
    for key in threads:
        per_week[(key[0], threads[key]["week"])].append(key)
    for (lid, b), keys in per_week.items():
        exchanges, turns = [], 0
        for key in keys:
            ev = sorted(threads[key]["events"])
            ol = sum(1 for prev, cur in zip(ev, ev[1:]) if cur[1] and not prev[1])
            if ol >= 2:
                exchanges.append(key[1])
            turns += threads[key]["turns"]
        rate(lid, b, "exchange_share", len(exchanges), len(keys), exchanges)
        put(lid, b, "turns_per_thread", turns / len(keys), turns, len(keys))

    # reciprocity and network breadth
    in_acc, out_acc, replies_to = defaultdict(set), defaultdict(set), defaultdict(lambda: defaultdict(int))
    for (lid, b), items in incoming.items():
        in_acc[(lid, b)].update(r.author_id for _, r, _ in items if isinstance(r.author_id, str))
    for (lid, b), items in weeks.items():
        for _, r in items:
            out_acc[(lid, b)].update(r.mentions)
            if r.reply_to_other and isinstance(r.reply_parent_author_id, str):
                out_acc[(lid, b)].add(r.reply_parent_author_id)
                replies_to[(lid, b)][r.reply_parent_author_id] += 1
    for key, accs in in_acc.items():
        if accs:
            both = sorted(accs & out_acc.get(key, set()), key=rank.__getitem__)
            rate(*key, "reciprocity", len(both), len(accs), both)
    for key, counts in replies_to.items():
        accs = sorted(counts, key=rank.__getitem__)
        tot = sum(counts[a] for a in accs)
        h = 0.0
        for a in accs:
            p = counts[a] / tot
            h += -p * math.log(p)
        n = len(accs)
        put(*key, "interlocutors", n, nan, n, sorted(accs, key=lambda a: -counts[a]))
        put(*key, "effective_interlocutors", math.exp(h), nan, n)
        put(*key, "evenness", h / math.log(n) if n >= 2 else nan, nan, n)
    first_reply = {}
    for row in posts_kept:
        if row.reply_to_other and not row.is_repost and isinstance(row.reply_parent_author_id, str):
            key, t = (row.leader_id, row.reply_parent_author_id), row.indexed_at.value
            if key not in first_reply or t < first_reply[key]:
                first_reply[key] = t
    new = defaultdict(list)
    for (lid, acc), t in first_reply.items():  # dicts keep first-seen order: ties stay in row order
        if in_window(t):
            new[(lid, week(t))].append((t, acc))
    if any(r.reply_to_other and not r.is_repost for r in posts_kept):
        for key in set(weeks) | set(new):
            b = key[1]
            months = (min(b + WEEK_NS, until_ns) - max(b, start)) / DAY_NS / MONTH_DAYS
            accs = [a for _, a in sorted(new.get(key, []), key=lambda x: x[0])]
            put(*key, "new_interlocutors", len(accs) / months, float(len(accs)), len(weeks.get(key, [])), accs)

    # consistency: active weeks (also 0 for weeks after the leader's first post), burstiness, tenure
    first_week = MONDAY0_NS + ((start + 1 - MONDAY0_NS) // WEEK_NS) * WEEK_NS
    all_weeks = range(first_week, until_ns + 1, WEEK_NS)
    for lid, t0 in first_post.items():
        for b in all_weeks:
            if t0 < min(b + WEEK_NS, until_ns) or (lid, b) in weeks:
                n_weeks = max(math.ceil((min(b + WEEK_NS, until_ns) - max(b, start)) / WEEK_NS), 1)
                active = {min(max((t - max(b, start)) // WEEK_NS, 0), n_weeks - 1) for t, _ in weeks.get((lid, b), [])}
                rate(lid, b, "active_weeks", len(active), n_weeks)
    for (lid, b), items in weeks.items():
        ts = sorted(t for t, _ in items)
        gaps = [(y - x) / HOUR_NS for x, y in zip(ts, ts[1:])]
        value = nan
        if len(ts) >= 3:
            mu = sum(gaps) / len(gaps)
            sd = math.sqrt(sum((g - mu) ** 2 for g in gaps) / len(gaps))
            if mu > 0:
                r, m = sd / mu, len(ts)
                bn = (math.sqrt(m + 1) * r - math.sqrt(m - 1)) / ((math.sqrt(m + 1) - 2) * r + math.sqrt(m - 1))
                value = 1 - max(0.0, bn)
        put(lid, b, "burstiness_score", value, nan, len(ts))
        put(lid, b, "tenure_days", (min(b + WEEK_NS, until_ns) - first_post[lid]) / DAY_NS, nan, len(ts))
    return result


_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_HANDLE = re.compile(r"(?<![\w@])@[\w.\-]+(?:@[\w.\-]+)?")
_WORDISH = re.compile(r"[^\W_]")


def _has_words(text) -> bool:
    """A letter or digit outside URLs and @handles (else the incoming text is emoji-only)."""
    if not isinstance(text, str):
        return False
    return _WORDISH.search(_HANDLE.sub(" ", _URL.sub(" ", text))) is not None


def naive_mismatches(naive: dict, components: pd.DataFrame, rel: float = 1e-9) -> list[str]:
    """Differences between the naive result and ``score(...).components`` (x, n and evidence exact; raw within
    ``rel``, since Python's math and numpy round the last bit of a logarithm differently)."""
    vec = {(int(l), int(b), c): (raw, x, n, [str(e) for e in ev]) for l, b, c, raw, x, n, ev in
           zip(*(components[col].tolist() for col in ("leader_id", "bucket", "component", "raw", "x", "n",
                                                        "evidence")))}
    out = [f"only naive: {key}" for key in naive.keys() - vec.keys()]
    out += [f"only vectorised: {key}" for key in vec.keys() - naive.keys()]

    def same(a, b, tol=0.0):
        if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
            return True
        return a == b or (tol and math.isclose(a, b, rel_tol=tol))

    for key in naive.keys() & vec.keys():
        (r1, x1, n1, e1), (r2, x2, n2, e2) = naive[key], vec[key]
        if not (same(float(r1), float(r2), rel) and same(float(x1), float(x2)) and same(float(n1), float(n2))
                and list(map(str, e1)) == e2):
            out.append(f"{key}: naive {naive[key]} vs vectorised {vec[key]}")
    return out


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
    mism = naive_mismatches(naive, rs.components)
    per_post_naive = t_naive / len(ps)
    per_post_vec = t_full / n_posts
    print(f"naive per-row baseline: {t_naive:.2f} s on {len(ps):,} posts + {len(is_):,} incoming "
          f"({per_post_naive * 1e6:.1f} µs/post → {per_post_naive * n_posts:.0f} s extrapolated to {n_posts:,}); "
          f"vectorised on the same slice {t_vec_slice:.2f} s; load average {os.getloadavg()[0]:.1f}; "
          f"{len(naive):,} naive component rows, "
          f"mismatches vs vectorised (value, x, n, evidence): {len(mism)}")
    for line in mism[:5]:
        print("   ", line)
    print(f"speed-up per post (naive slice vs vectorised full corpus): wall {per_post_naive / per_post_vec:.0f}x, "
          f"CPU {(c_naive / len(ps)) / (c_full / n_posts):.0f}x; same slice: wall {t_naive / t_vec_slice:.1f}x, "
          f"CPU {c_naive / c_vec_slice:.1f}x")

    # feature extraction throughput (text → flags), not part of the scoring time above
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
        from coaching.evaluate import evaluate

        r = evaluate(n_boot=200)
        for cfg, res in r["configs"].items():
            print(f"classifier {cfg:<14} macro-F1 {res['macro_f1'][0]:.3f} [{res['macro_f1'][1]:.3f}, "
                  f"{res['macro_f1'][2]:.3f}]  {res['posts_per_s'][0]:,.0f} posts/s wall, "
                  f"{res['posts_per_s'][1]:,.0f} posts/s CPU (1 process, 20,000 distinct texts)")
        print(f"best by macro-F1: {r['best']}; default: {r['default']}")


if __name__ == "__main__":
    main()
