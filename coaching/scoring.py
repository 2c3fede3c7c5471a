"""Public scoring API: ``score(posts, interactions, leaders, ...) -> ScoreReport``."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from coaching.composites import (
    DEFAULT_PRIOR_STRENGTH,
    WEIGHTS,
    composite_scores,
    match_rows,
    reference_groups,
    shrink_and_rank,
)
from coaching.definitions import COMPOSITES, METRICS
from coaching.features import degraded_features
from coaching.metrics import DAY_NS, Period, attach_features, compute_components, to_ns


def _iso(ns: int) -> str:
    return pd.Timestamp(int(ns), tz="UTC").isoformat()


def _num(v):
    if v is None:
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return v
    if math.isnan(f) or math.isinf(f):
        return None
    return round(f, 6)


def _num_column(values: pd.Series) -> list:
    """``_num`` over a column: the same values, without a Python call per float."""
    if values.dtype.kind != "f":
        return [_num(v) for v in values.tolist()]
    arr = values.to_numpy()
    state = np.where(~np.isfinite(arr), 0, np.where(arr == np.round(arr), 1, 2))  # 1: whole numbers round to themselves
    return [None if s == 0 else v if s == 1 else round(v, 6) for v, s in zip(arr.tolist(), state.tolist())]


@dataclass
class ScoreReport:
    """Scores per leader (and per bucket). ``components`` is long, ``composites`` is wide."""

    components: pd.DataFrame  # leader_id, bucket, component, raw, x, n, evidence, prior, value, percentile
    composites: pd.DataFrame  # leader_id, leader, bucket, bucket_end, openness, responsiveness, network, consistency
    interactions: pd.DataFrame  # incoming with answered_by / answered_at (for "conversations waiting")
    meta: dict = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        """One row per leader × period: composites, then ``<component>`` values and ``<component>_n``."""
        wide_v = self.components.pivot_table(index=["leader_id", "bucket"], columns="component", values="value",
                                             aggfunc="first", dropna=False)
        wide_n = self.components.pivot_table(index=["leader_id", "bucket"], columns="component", values="n",
                                             aggfunc="first", dropna=False).add_suffix("_n")
        out = self.composites.set_index(["leader_id", "bucket"]).join(wide_v, how="left").join(wide_n, how="left")
        out = out.reset_index()
        out.insert(2, "period_start", pd.to_datetime(out["bucket"], utc=True))
        out.insert(3, "period_end", pd.to_datetime(out["bucket_end"], utc=True))
        return out.drop(columns=["bucket", "bucket_end"])

    def to_dict(self) -> dict:
        """JSON-friendly: NaN/inf → None, times as ISO 8601 strings."""
        by_key: dict[tuple, dict] = {}
        c = self.components
        nums = [_num_column(c[col]) for col in ("value", "raw", "x", "n", "prior", "percentile")]
        for lid, b, key, value, num_value, raw, x, n, prior, pct, ev in zip(
                c["leader_id"].tolist(), c["bucket"].tolist(), c["component"].tolist(), c["value"].tolist(), *nums,
                c["evidence"].tolist()):
            entry = {"value": num_value, "raw": raw, "x": x, "n": n, "prior": prior, "percentile": pct,
                     "evidence": list(map(str, ev))}
            if key == "response_time" and value is not None and math.isinf(value):
                entry["note"] = "fewer than half of incoming messages answered"
            by_key.setdefault((int(lid), int(b)), {})[key] = entry
        leaders: dict[int, dict] = {}
        c = self.composites
        for lid, name, b, be, *vals in zip(*(c[k].tolist() for k in ["leader_id", "leader", "bucket", "bucket_end",
                                                                     *COMPOSITES])):
            entry = leaders.setdefault(int(lid), {"leader_id": int(lid), "leader": name, "periods": []})
            entry["periods"].append({
                "start": _iso(b), "end": _iso(be),
                "composites": {k: _num(v) for k, v in zip(COMPOSITES, vals)},
                "components": by_key.get((int(lid), int(b)), {}),
            })
        return {**{k: (v if not isinstance(v, float) else _num(v)) for k, v in self.meta.items()},
                "leaders": list(leaders.values())}


def score(
    posts: pd.DataFrame,
    interactions: pd.DataFrame,
    leaders: pd.DataFrame,
    *,
    until: pd.Timestamp | str | None = None,
    days: int = 90,
    by: str | None = None,
    reference: str = "all",
    k: int = 5,
    prior_strength: float = DEFAULT_PRIOR_STRENGTH,
    features: pd.DataFrame | None = None,
    post_types: pd.DataFrame | None = None,
    tz: str = "UTC",
) -> ScoreReport:
    """Score every leader in ``leaders`` over the ``days`` before ``until`` (default: the latest
    ``indexed_at`` seen), as one window or per ``by="week"|"month"`` bucket, ranked within
    ``reference="all"|"cohort"``. ``features`` (post_id + feature columns) and ``post_types``
    (post_id, label) may come from a cache; otherwise features are computed here."""
    if until is None:
        stamps = [s.max() for s in (posts.get("indexed_at"), interactions.get("indexed_at"))
                  if s is not None and len(s) and s.notna().any()]
        until_ns = int(max(to_ns(pd.Series(stamps)))) if stamps else pd.Timestamp("1970-01-01", tz="UTC").value
    else:
        until_ns = int(to_ns(pd.Series([pd.Timestamp(until)]))[0])
    period = Period(until_ns, days, by, tz)
    posts = posts.reset_index(drop=True)
    interactions = interactions.reset_index(drop=True)
    posts_f = attach_features(posts, features)
    raw, linked = compute_components(posts_f, interactions, period, k=k, post_types=post_types)
    return rank_components(raw, leaders, period, reference=reference, prior_strength=prior_strength,
                           interactions=linked, timings=dict(raw.attrs.get("timings_cpu_s", {})))


def rank_components(
    raw: pd.DataFrame,
    leaders: pd.DataFrame,
    period: Period,
    *,
    reference: str = "all",
    prior_strength: float = DEFAULT_PRIOR_STRENGTH,
    interactions: pd.DataFrame | None = None,
    timings: dict | None = None,
) -> ScoreReport:
    """Shrinkage, percentiles and composites for a raw components frame (:func:`compute_components`
    or :func:`coaching.facts.window_components`): the one ranking path every score goes through."""
    timings = dict(timings or {})
    days = period.days
    by = period.by
    linked = interactions if interactions is not None else pd.DataFrame()
    c0 = time.process_time()
    groups = reference_groups(leaders, reference)
    ranked = shrink_and_rank(raw, groups, prior_strength)
    comp = composite_scores(ranked)
    # every leader × bucket (leaders in their order, buckets in time order), composites where known
    ids = leaders["leader_id"].astype("int64").unique()
    starts = np.asarray(period.buckets(), np.int64)
    grid_l, grid_b = np.repeat(ids, len(starts)), np.tile(starts, len(ids))
    row = match_rows((comp["leader_id"].to_numpy(), comp["bucket"].to_numpy()), (grid_l, grid_b)) if len(comp) \
        else np.full(len(grid_l), -1)
    names = dict(zip(leaders["leader_id"].astype("int64").tolist(), leaders["leader"].tolist()))
    out = pd.DataFrame({"leader_id": grid_l, "leader": pd.Series([names.get(i) for i in grid_l.tolist()],
                                                                 dtype=leaders["leader"].dtype),
                        "bucket": grid_b, "bucket_end": period.bucket_end(grid_b)})
    for c in COMPOSITES:
        values = comp[c].to_numpy(dtype=float) if c in comp else np.full(len(comp), np.nan)
        out[c] = np.where(row >= 0, values[np.maximum(row, 0)] if len(values) else np.nan, np.nan)
    comp = out
    in_grid = np.isin(ranked["leader_id"].to_numpy(), ids) & np.isin(ranked["bucket"].to_numpy(), starts)
    ranked = ranked[in_grid].reset_index(drop=True)
    timings["shrink + percentiles + composites"] = time.process_time() - c0
    meta = {
        "timings_cpu_s": {k2: round(v, 3) for k2, v in timings.items()},
        "until": _iso(period.until), "start": _iso(period.start), "days": days, "by": by,
        "reference": reference, "prior_strength": prior_strength, "weights": WEIGHTS,
        "degraded_features": degraded_features(),
        "notes": [
            "Replies seen through threads cover only replies under the leader's own posts.",
            "Response rate within the last 7 days of the window is right-censored (answers may still come).",
            "Critical vs supportive answers need a 'stance' column on the interactions (the reply-stance model; "
            "it misses about half of the critical replies, so the gap understates avoidance).",
        ],
    }
    return ScoreReport(components=ranked, composites=comp, interactions=linked, meta=meta)


__all__ = ["ScoreReport", "score", "rank_components", "METRICS", "DAY_NS"]
