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


def shrink_and_rank(comp: pd.DataFrame, groups: pd.DataFrame,
                    prior_strength: float = DEFAULT_PRIOR_STRENGTH) -> pd.DataFrame:
    """Add ``value`` (shrunk rate or raw value), ``prior`` and ``percentile`` to a components frame."""
    meta = pd.DataFrame(
        {"component": list(METRICS), "kind": [m.kind for m in METRICS.values()],
         "hib": [m.higher_is_better for m in METRICS.values()]}
    )
    c = comp.merge(meta, on="component", how="left").merge(groups, on="leader_id", how="inner")
    is_rate = (c["kind"] == "rate").to_numpy()
    keys = ["group", "bucket", "component"]
    x = c["x"].where(is_rate, 0.0).astype(float)
    n = c["n"].where(is_rate, 0.0).astype(float)
    sx = x.groupby([c[k] for k in keys]).transform("sum")
    sn = n.groupby([c[k] for k in keys]).transform("sum")
    with np.errstate(invalid="ignore", divide="ignore"):
        p0 = np.where(sn > 0, sx / sn.where(sn > 0, 1), np.nan)
        a, b = prior_strength * p0, prior_strength * (1 - p0)
        shrunk = np.where(n > 0, (x + a) / (n + a + b), np.nan)
    c["prior"] = np.where(is_rate, p0, np.nan)
    c["value"] = np.where(is_rate, shrunk, c["raw"].astype(float))
    c = _with_gaps(c, prior_strength)
    # a gap is ranked up to 0 (answering critics as often as supporters); above 0 is not "more open"
    ranked_value = c["value"].where(c["kind"] != "gap", c["value"].clip(upper=0.0))
    signed = ranked_value.where(c["hib"].astype(bool), -ranked_value)
    grp = signed.groupby([c[k] for k in keys])
    r = grp.rank(method="average")
    m = grp.transform("count")
    pct = np.where(m > 1, 100.0 * (r - 1) / (m - 1).where(m > 1, 1), 50.0)
    c["percentile"] = np.where(signed.notna(), pct, np.nan)
    c = c[c["own"]].drop(columns=["own", "group", "kind", "hib"])
    return c.reset_index(drop=True)


def _with_gaps(c: pd.DataFrame, prior_strength: float) -> pd.DataFrame:
    """Append the ``kind="gap"`` components (see the module docstring). Rows need both rates; n and
    evidence come from the compared rate (e.g. the unanswered critical replies)."""
    keys = ["group", "leader_id", "bucket", "own"]
    parts = [c]
    for key, m in METRICS.items():
        if m.kind != "gap" or m.gap_of is None:
            continue
        compared, reference = m.gap_of
        pair = c[c["component"] == compared].merge(
            c.loc[c["component"] == reference, keys + ["raw", "value"]], on=keys, suffixes=("", "_ref"), how="inner")
        if pair.empty:
            continue
        centre = pair["value_ref"]
        shrunk = (pair["x"] + prior_strength * centre) / (pair["n"] + prior_strength)
        pair = pair.assign(component=key, kind=m.kind, hib=m.higher_is_better, x=np.nan, prior=centre,
                           raw=pair["raw"] - pair["raw_ref"], value=shrunk - centre)
        parts.append(pair[c.columns])
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else c


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
        name = sub["component"].map({k: v[0] for k, v in owner.items()}).to_numpy(dtype=object)
        ww = np.array([weights[c][k] for c, k in zip(name, sub["component"].tolist())], dtype=float)
        long = pd.DataFrame({"leader_id": sub["leader_id"].to_numpy(), "bucket": sub["bucket"].to_numpy(),
                             "composite": name, "num": sub["percentile"].to_numpy(dtype=float) * ww, "den": ww})
        sums = long.groupby(["leader_id", "bucket", "composite"])[["num", "den"]].sum()
        out = (sums["num"] / sums["den"]).unstack("composite").reindex(columns=list(weights))
        out.columns.name = None
        out.index.names = ["leader_id", "bucket"]
        return out.reset_index()
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
