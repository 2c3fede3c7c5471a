"""The one place the coaching layer touches the scoring core's API.

Tips, goals, sessions, cohorts and reports import scoring only through this module, so a change
in :mod:`coaching.scoring` / :mod:`coaching.metrics` / :mod:`coaching.definitions` means editing
this file alone. Everything here is pure (frames in, frames/dataclasses out).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from coaching.definitions import COMPOSITE_NAMES, COMPOSITES, METRICS, composite_components
from coaching.features import clean_text, emoji_only_flags, post_features
from coaching.metrics import MERIT_KINDS, attach_features, link_answers
from coaching.scoring import ScoreReport
from coaching.scoring import score as _score

__all__ = [
    "COMPOSITES", "METRICS", "composite_components", "MERIT_KINDS", "attach_features", "MetricValue", "ScoreReport", "clean_text", "component_values",
    "composite_values", "emoji_only", "evidence_kind", "higher_is_better", "link_answers", "metric_name",
    "peer_medians", "post_features", "score",
]

#: What the ids in a component's ``evidence`` list are, and whether they show the behaviour the
#: metric rewards ("good") or the gap ("gap"). Scoring fills evidence this way (see coaching.metrics).
EVIDENCE: dict[str, tuple[str, str]] = {
    "dialogue_share": ("post", "good"),
    "crediting": ("post", "good"),
    "personal_voice": ("post", "good"),
    "we_voice": ("post", "good"),
    "results": ("post", "good"),
    "questions": ("post", "good"),
    "gated_share": ("post", "gap"),
    "response_rate": ("interaction", "gap"),  # unanswered incoming
    "critical_response_rate": ("interaction", "gap"),  # unanswered critical incoming
    "supportive_response_rate": ("interaction", "gap"),
    "critical_answer_gap": ("interaction", "gap"),
    "response_time": ("post", "good"),  # the leader's answers
    "re_entry": ("post", "gap"),  # root posts the leader did not come back to
    "exchange_share": ("thread", "good"),
    "reciprocity": ("account", "good"),
    "interlocutors": ("account", "good"),
    "new_interlocutors": ("account", "good"),
}


def evidence_kind(metric: str) -> tuple[str, str]:
    return EVIDENCE.get(metric, ("none", "good"))


def metric_name(key: str, lang: str = "fi") -> str:
    if key in METRICS:
        m = METRICS[key]
        return m.name_fi if lang == "fi" else m.name_en
    if key in COMPOSITE_NAMES:
        fi, en = COMPOSITE_NAMES[key]
        return fi if lang == "fi" else en
    return key


def higher_is_better(key: str) -> bool:
    return METRICS[key].higher_is_better if key in METRICS else True


def metric_unit(key: str) -> str:
    return METRICS[key].unit if key in METRICS else "percentile"


def known_metric(key: str) -> bool:
    return key in METRICS or key in COMPOSITES


@dataclass(frozen=True)
class MetricValue:
    """One component (or composite) of one leader in one period, with its n and evidence."""

    key: str
    value: float | None
    n: float
    raw: float | None = None
    x: float | None = None
    percentile: float | None = None
    evidence: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return self.value is not None and not (isinstance(self.value, float) and math.isnan(self.value))


def _f(v) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def component_values(report: ScoreReport, leader_id: int, bucket=None) -> dict[str, MetricValue]:
    """Components of one leader (the first/only bucket unless ``bucket`` is given) by key."""
    c = report.components
    c = c[c["leader_id"] == leader_id]
    if bucket is not None:
        c = c[c["bucket"] == bucket]
    out: dict[str, MetricValue] = {}
    for row in c.itertuples(index=False):
        if row.component in out:
            continue
        ev = tuple(str(e) for e in (row.evidence if isinstance(row.evidence, (list, tuple, np.ndarray)) else []))
        out[row.component] = MetricValue(
            key=row.component, value=_f(row.value), n=float(row.n or 0), raw=_f(row.raw), x=_f(row.x),
            percentile=_f(row.percentile), evidence=ev,
        )
    return out


def composite_values(report: ScoreReport, leader_id: int) -> dict[str, float | None]:
    c = report.composites
    c = c[c["leader_id"] == leader_id]
    if c.empty:
        return {k: None for k in COMPOSITES}
    row = c.iloc[0]
    return {k: _f(row.get(k)) for k in COMPOSITES}


def peer_medians(report: ScoreReport, leader_ids: list[int] | None = None) -> dict[str, float]:
    """Median ``value`` per component among ``leader_ids`` (all leaders when None)."""
    c = report.components
    if leader_ids is not None:
        c = c[c["leader_id"].isin(leader_ids)]
    med = c.groupby("component")["value"].median()
    return {k: float(v) for k, v in med.items() if not pd.isna(v)}


def emoji_only(texts) -> np.ndarray:
    """True where a text is emoji/punctuation only (no words): such replies do not merit an answer."""
    texts = list(texts)
    if not texts:
        return np.zeros(0, dtype=bool)
    return np.asarray(emoji_only_flags(pd.Series([t if isinstance(t, str) else "" for t in texts], dtype=object)),
                      dtype=bool)


_COMPONENT_FRAME_COLUMNS = ["leader_id", "bucket", "component", "raw", "x", "n", "evidence", "prior", "value",
                            "percentile"]


def score(posts: pd.DataFrame, interactions: pd.DataFrame, leaders: pd.DataFrame, **kwargs) -> ScoreReport:
    """:func:`coaching.scoring.score`, plus an empty report when there are no own posts at all (the core
    raises on an empty posts frame; a fresh install or a new leader must still get "not enough data")."""
    if len(posts) == 0:
        comp = pd.DataFrame(columns=_COMPONENT_FRAME_COLUMNS)
        composites = pd.DataFrame({"leader_id": leaders["leader_id"].astype("int64"), "leader": leaders["leader"],
                                   "bucket": 0, "bucket_end": 0, **{c: np.nan for c in COMPOSITES}})
        linked = link_answers(posts, interactions)
        return ScoreReport(components=comp, composites=composites, interactions=linked, meta={"empty": True})
    return _score(posts, interactions, leaders, **kwargs)
