"""The JSON that ``lasna score --json`` and ``lasna posts --json`` print, built from frames.

The CLI stays a one-liner: ``print(dumps(score_json(coaching.score(posts, interactions, leaders, ...))))``
and ``print(dumps(posts_json(posts, post_types=cache)))``.
"""

from __future__ import annotations

import json
import math
from datetime import date, datetime

import numpy as np
import pandas as pd

from coaching.definitions import COMPOSITE_NAMES, METRICS
from coaching.features import FEATURE_COLUMNS, post_features
from coaching.scoring import ScoreReport

POST_FLAGS = [c for c in FEATURE_COLUMNS if c not in ("post_id",)]


def _clean(v):
    if v is None:
        return None
    if isinstance(v, (pd.Timestamp, datetime, date)):
        return None if pd.isna(v) else pd.Timestamp(v).isoformat()
    if isinstance(v, (np.bool_, bool)):
        return bool(v)
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        f = float(v)
        return None if math.isnan(f) or math.isinf(f) else f
    if isinstance(v, (list, tuple, np.ndarray)):
        return [_clean(x) for x in v]
    if isinstance(v, dict):
        return {str(k): _clean(x) for k, x in v.items()}
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    return v


def score_json(report: ScoreReport) -> dict:
    """``lasna score --json``: the report plus the definitions of every metric and composite."""
    out = report.to_dict()
    out["definitions"] = {k: m.to_dict() for k, m in METRICS.items()}
    out["composite_names"] = {k: {"fi": fi, "en": en} for k, (fi, en) in COMPOSITE_NAMES.items()}
    return _clean(out)


def posts_json(posts: pd.DataFrame, *, features: pd.DataFrame | None = None,
               post_types: pd.DataFrame | None = None) -> list[dict]:
    """``lasna posts --json``: one object per post with its feature flags and cached post type."""
    p = posts.reset_index(drop=True)
    f = features if features is not None else post_features(p)
    f = f.drop_duplicates("post_id").set_index("post_id")
    types = post_types.drop_duplicates("post_id").set_index("post_id") if post_types is not None else None
    keep = [c for c in ("post_id", "leader_id", "leader", "platform", "author_id", "created_at", "indexed_at",
                        "text", "url", "lang", "reply_parent_id", "reply_root_id", "quote_of_id", "is_repost",
                        "mentions", "links", "tags", "like_count", "reply_count", "repost_count", "quote_count")
            if c in p]
    out = []
    for rec in p[keep].to_dict("records"):
        pid = rec["post_id"]
        item = {k: _clean(v) for k, v in rec.items()}
        if pid in f.index:
            item["features"] = {k: _clean(f.at[pid, k]) for k in POST_FLAGS if k in f.columns}
        if types is not None and pid in types.index:
            item["post_type"] = {k: _clean(types.at[pid, k]) for k in ("label", "proba", "model_version")
                                 if k in types.columns}
        out.append(item)
    return out


def dumps(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=2)
