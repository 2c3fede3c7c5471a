"""Shrinkage towards a population prior, percentiles within a reference population, composites.

* Rates: p̂ = (x + α) / (n + α + β) with α = m·p₀, β = m·(1 − p₀), p₀ the pooled rate Σx / Σn of the
  reference population in the same bucket and m = ``prior_strength`` pseudo-observations.
  n = 0 gives no value (NaN), never the prior.
* Gaps (``kind="gap"``, e.g. answering critics): rate A − rate B of the same leader and bucket, where A
  is shrunk towards the leader's own shrunk B (not the population) — (x_A + m·B̂) / (n_A + m) − B̂ — so
  little evidence means no gap; ranked with positive gaps counted as 0.
* Percentile of a leader among the reference population's non-missing values in the same bucket:
  100 · (#worse + ½·#tied others) / (#others); 50 when the leader is alone. Direction follows
  ``higher_is_better``.
* Composite = equal-weight mean of the available component percentiles (0–100).
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from coaching.definitions import COMPOSITES, METRICS

DEFAULT_PRIOR_STRENGTH = 5.0
WEIGHTS: dict[str, dict[str, float]] = {
    c: {m.key: 1.0 for m in METRICS.values() if m.composite == c} for c in COMPOSITES
}


def reference_groups(leaders: pd.DataFrame, reference: str = "all") -> pd.DataFrame:
    """Rows (group, leader_id, own): ``own`` marks the group that ranks the leader.

    ``all``: every leader in one group. ``cohort``: the union of every cohort the leader belongs to;
    leaders without a cohort are ranked against all leaders.
    """
    ids = leaders["leader_id"].astype("int64").tolist()
    if reference == "all":
        return pd.DataFrame({"group": 0, "leader_id": ids, "own": True})
    if reference != "cohort":
        raise ValueError("reference must be 'all' or 'cohort'")
    cohorts = tuple(tuple(v) if isinstance(v, (list, tuple)) else () for v in leaders["cohorts"].tolist())
    rows = _cohort_groups(tuple(ids), cohorts)
    return pd.DataFrame(list(rows), columns=["group", "leader_id", "own"])


@functools.lru_cache(maxsize=8)
def _cohort_groups(ids: tuple[int, ...], cohorts: tuple[tuple[str, ...], ...]) -> tuple[tuple[int, int, bool], ...]:
    """(group, leader_id, own) rows of :func:`reference_groups` ``cohort`` (kept for the last few rosters:
    every window of one command ranks the same leaders)."""
    members: dict[str, set[int]] = {}
    for lid, cs in zip(ids, cohorts):
        for c in cs:
            members.setdefault(c, set()).add(lid)
    group_of: dict[int, frozenset[int]] = {}
    for lid, cs in zip(ids, cohorts):
        s: set[int] = set()
        for c in cs:
            s |= members[c]
        group_of[lid] = frozenset(s) if s else frozenset(ids)
    keys = {g: i for i, g in enumerate(dict.fromkeys(group_of.values()))}
    rows = []
    for g, gi in keys.items():
        for lid in g:
            rows.append((gi, lid, group_of[lid] == g))
    return tuple(rows)


# --- grouped arithmetic over arrays (the numbers pandas' group-bys give, without their per-call costs) -----
def _codes(*columns: np.ndarray) -> tuple[np.ndarray, int]:
    """One group code per row for the tuple of ``columns`` (codes in sorted order of the tuples)."""
    combined = np.zeros(len(columns[0]), np.int64)
    for col in columns:
        codes, uniques = pd.factorize(col, sort=True)
        combined = combined * (len(uniques) + 1) + codes
    uniq, inverse = np.unique(combined, return_inverse=True)
    return inverse.reshape(-1), len(uniq)


def _within(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows in group order (stable: each group's rows in row order) and each row's position in its group."""
    order = np.argsort(codes, kind="stable")
    sc = codes[order]
    starts = np.flatnonzero(np.r_[True, sc[1:] != sc[:-1]])
    pos = np.arange(len(sc)) - np.repeat(starts, np.diff(np.r_[starts, len(sc)]))
    return order, pos


def group_sums(codes: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    """Sum of ``values`` per group code, NaN skipped: pandas' ``groupby(...).sum()`` exactly — the same
    compensated (Kahan) summation in row order, run for all groups at once, one row position at a time."""
    valid = ~np.isnan(values)
    codes, values = codes[valid], values[valid]
    total = np.zeros(size)
    if len(codes) == 0:
        return total
    order, pos = _within(codes)
    by_pos = np.argsort(pos, kind="stable")  # position 0 of every group, then position 1, ...
    sc, sv, sp = codes[order][by_pos], values[order][by_pos], pos[by_pos]
    bounds = np.searchsorted(sp, np.arange(int(sp[-1]) + 2))
    comp = np.zeros(size)
    for a, b in zip(bounds[:-1].tolist(), bounds[1:].tolist()):
        g = sc[a:b]
        y = sv[a:b] - comp[g]
        t = total[g] + y
        c = t - total[g] - y
        comp[g] = np.where(c != c, 0.0, c)  # an infinite value: no compensation (pandas GH#53606)
        total[g] = t
    return total


def average_ranks(codes: np.ndarray, values: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Rank of each row within its group (ties: the average rank; NaN: no rank) and the number of ranked
    rows of its group: pandas' ``groupby(...).rank(method="average")`` and ``transform("count")``."""
    ranks = np.full(len(values), np.nan)
    valid = np.flatnonzero(~np.isnan(values))
    count = np.bincount(codes[valid], minlength=size)
    if len(valid):
        c, v = codes[valid], values[valid]
        order = np.lexsort((v, c))
        sc, sv = c[order], v[order]
        new_group = np.r_[True, sc[1:] != sc[:-1]]
        starts = np.flatnonzero(new_group)
        pos = np.arange(len(sc)) - np.repeat(starts, np.diff(np.r_[starts, len(sc)]))
        new_tie = new_group | np.r_[True, sv[1:] != sv[:-1]]
        tie = np.cumsum(new_tie) - 1
        first = pos[new_tie]
        last = np.r_[pos[np.flatnonzero(new_tie)[1:] - 1], pos[-1]]
        out = np.empty(len(valid))
        out[order] = ((first + last + 2) / 2)[tie]
        ranks[valid] = out
    return ranks, count[codes]


def shrink_and_rank(comp: pd.DataFrame, groups: pd.DataFrame,
                    prior_strength: float = DEFAULT_PRIOR_STRENGTH) -> pd.DataFrame:
    """Add ``value`` (shrunk rate or raw value), ``prior`` and ``percentile`` to a components frame.

    Each row is ranked within every reference group its leader belongs to; the rows returned are the
    leaders' own groups' (in the components' order, then the gap rows of :data:`METRICS`' gap metrics)."""
    if len(comp) == 0:
        return _shrink_and_rank_empty(comp)
    # every row once per group its leader belongs to (the groups' order within a row)
    lid = comp["leader_id"].to_numpy().astype(np.int64)
    g_lid = groups["leader_id"].to_numpy().astype(np.int64)
    by_leader = np.argsort(g_lid, kind="stable")
    lo = np.searchsorted(g_lid[by_leader], lid, side="left")
    hi = np.searchsorted(g_lid[by_leader], lid, side="right")
    reps = hi - lo
    src = np.repeat(np.arange(len(comp)), reps)
    grow = by_leader[np.repeat(lo, reps) + (np.arange(reps.sum()) - np.repeat(np.cumsum(reps) - reps, reps))]
    group = groups["group"].to_numpy()[grow]
    own = groups["own"].to_numpy().astype(bool)[grow]
    # components as codes into ``names`` (the gap metrics get codes after the components present)
    comp_code, present = pd.factorize(comp["component"].to_numpy(dtype=object))
    names = list(present) + [k for k, m in METRICS.items() if m.kind == "gap" and k not in set(present)]
    metric = [METRICS.get(n) for n in names]
    kinds = np.array([m.kind if m else None for m in metric], dtype=object)
    hibs = np.array([m.higher_is_better if m else True for m in metric], dtype=bool)
    name = comp_code[src]
    kind, hib = kinds[name], hibs[name]
    bucket = comp["bucket"].to_numpy()[src]
    is_rate = kind == "rate"
    raw = comp["raw"].to_numpy(dtype=float)[src]
    x_all = comp["x"].to_numpy(dtype=float)[src]
    n_all = comp["n"].to_numpy(dtype=float)[src]
    x = np.where(is_rate, x_all, 0.0)
    n = np.where(is_rate, n_all, 0.0)
    codes, size = _codes(group, bucket, name)
    sx, sn = group_sums(codes, x, size)[codes], group_sums(codes, n, size)[codes]
    with np.errstate(invalid="ignore", divide="ignore"):
        p0 = np.where(sn > 0, sx / np.where(sn > 0, sn, 1), np.nan)
        a, b = prior_strength * p0, prior_strength * (1 - p0)
        shrunk = np.where(n > 0, (x + a) / (n + a + b), np.nan)
    prior = np.where(is_rate, p0, np.nan)
    value = np.where(is_rate, shrunk, raw)
    # gaps: rate A − rate B of the same row's leader, bucket and group, A shrunk towards B̂
    parts = {"src": [src], "name": [name], "kind": [kind], "hib": [hib], "group": [group], "own": [own],
             "bucket": [bucket], "raw": [raw], "x": [x_all], "n": [n_all], "prior": [prior], "value": [value]}
    pair_codes, _ = _codes(group, lid[src], bucket)
    for key, m in METRICS.items():
        if m.kind != "gap" or m.gap_of is None:
            continue
        compared, reference = m.gap_of
        if compared not in names or reference not in names:
            continue
        ca, cb = np.flatnonzero(name == names.index(compared)), np.flatnonzero(name == names.index(reference))
        if len(ca) == 0 or len(cb) == 0:
            continue
        by_pair = cb[np.argsort(pair_codes[cb], kind="stable")]
        at = np.minimum(np.searchsorted(pair_codes[by_pair], pair_codes[ca]), len(by_pair) - 1)
        hit = pair_codes[by_pair][at] == pair_codes[ca]
        ca, ref = ca[hit], by_pair[at[hit]]
        if len(ca) == 0:
            continue
        centre = value[ref]
        gap_shrunk = (x_all[ca] + prior_strength * centre) / (n_all[ca] + prior_strength)
        for col, vals in (("src", src[ca]), ("name", np.full(len(ca), names.index(key))),
                          ("kind", np.full(len(ca), m.kind, dtype=object)),
                          ("hib", np.full(len(ca), m.higher_is_better, dtype=bool)), ("group", group[ca]),
                          ("own", own[ca]), ("bucket", bucket[ca]), ("raw", raw[ca] - raw[ref]),
                          ("x", np.full(len(ca), np.nan)), ("n", n_all[ca]), ("prior", centre),
                          ("value", gap_shrunk - centre)):
            parts[col].append(vals)
    cols = {k: np.concatenate(v) for k, v in parts.items()}
    # a gap is ranked up to 0 (answering critics as often as supporters); above 0 is not "more open"
    ranked_value = np.where(cols["kind"] != "gap", cols["value"], np.minimum(cols["value"], 0.0))
    signed = np.where(cols["hib"], ranked_value, -ranked_value)
    codes, size = _codes(cols["group"], cols["bucket"], cols["name"])
    r, m_count = average_ranks(codes, signed, size)
    with np.errstate(invalid="ignore", divide="ignore"):
        pct = np.where(m_count > 1, 100.0 * (r - 1) / np.where(m_count > 1, m_count - 1, 1), 50.0)
    percentile = np.where(~np.isnan(signed), pct, np.nan)
    keep = np.flatnonzero(cols["own"])
    rows = cols["src"][keep]
    out = {}
    for col in comp.columns:
        if col in ("component", "raw", "x", "n"):
            continue
        out[col] = comp[col].to_numpy()[rows]
    out["component"] = np.array(names, dtype=object)[cols["name"][keep]]
    out.update(raw=cols["raw"][keep], x=cols["x"][keep], n=cols["n"][keep])
    frame = pd.DataFrame({col: out[col] for col in comp.columns})
    frame["component"] = frame["component"].astype(comp["component"].dtype)
    frame["prior"], frame["value"], frame["percentile"] = cols["prior"][keep], cols["value"][keep], percentile[keep]
    return frame


def _shrink_and_rank_empty(comp: pd.DataFrame) -> pd.DataFrame:
    empty = np.zeros(0)
    return comp.iloc[:0].assign(prior=empty, value=empty, percentile=empty).reset_index(drop=True)


def match_rows(keys: tuple[np.ndarray, ...], wanted: tuple[np.ndarray, ...]) -> np.ndarray:
    """For each row of ``wanted`` (a tuple of columns), the row of ``keys`` (distinct tuples) holding the
    same values, -1 where none does."""
    n = len(keys[0])
    codes, size = _codes(*(np.concatenate([a, b]) for a, b in zip(keys, wanted)))
    lookup = np.full(size, -1, np.int64)
    lookup[codes[:n]] = np.arange(n)
    return lookup[codes[n:]]


def composite_scores(ranked: pd.DataFrame, weights: dict[str, dict[str, float]] | None = None) -> pd.DataFrame:
    """Wide frame leader_id, bucket, one column per composite (weighted mean of percentiles)."""
    weights = weights or WEIGHTS
    owner: dict[str, list[str]] = {}
    for comp_name, w in weights.items():
        for key in w:
            owner.setdefault(key, []).append(comp_name)
    sub = ranked[ranked["component"].isin(owner) & ranked["percentile"].notna()]
    if len(sub) and all(len(v) == 1 for v in owner.values()):
        # one group-by over (leader, bucket, composite): the same rows in the same order per group as
        # one group-by per composite, so the same sums
        comps = list(weights)
        code, present = pd.factorize(sub["component"].to_numpy(dtype=object))
        which = np.array([comps.index(owner[k][0]) for k in present], dtype=np.int64)[code]
        ww = np.array([weights[owner[k][0]][k] for k in present], dtype=float)[code]
        lid, bucket = sub["leader_id"].to_numpy(), sub["bucket"].to_numpy()
        codes, size = _codes(lid, bucket, which)
        num = group_sums(codes, sub["percentile"].to_numpy(dtype=float) * ww, size)
        den = group_sums(codes, ww, size)
        first = np.unique(codes, return_index=True)[1]  # one row per group, groups in sorted order
        pair, n_pairs = _codes(lid[first], bucket[first])
        wide = np.full((n_pairs, len(comps)), np.nan)
        wide[pair, which[first]] = num / den
        at = np.unique(pair, return_index=True)[1]
        out = pd.DataFrame({"leader_id": lid[first][at], "bucket": bucket[first][at]})
        for i, c in enumerate(comps):
            out[c] = wide[:, i]
        return out
    return composite_scores_each(sub, weights)


def composite_scores_each(ranked: pd.DataFrame, weights: dict[str, dict[str, float]]) -> pd.DataFrame:
    """:func:`composite_scores` with one group-by per composite (any weights, e.g. a component in two
    composites)."""
    pieces = []
    for comp_name, w in weights.items():
        part = ranked[ranked["component"].isin(w) & ranked["percentile"].notna()]
        ww = part["component"].map(w).astype(float)
        num = (part["percentile"] * ww).groupby([part["leader_id"], part["bucket"]]).sum()
        den = ww.groupby([part["leader_id"], part["bucket"]]).sum()
        pieces.append((num / den).rename(comp_name))
    out = pd.concat(pieces, axis=1) if pieces else pd.DataFrame()
    out.index.names = ["leader_id", "bucket"]
    return out.reset_index()
