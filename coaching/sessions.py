"""Sparring sessions: pure assembly of what a consultant and a leader look at together.

A session (:class:`lasna.types.SessionNote`, persisted by the store) reviews a period against a baseline
period. :func:`assemble_session` turns it plus the components of both periods into a
:class:`SessionReport`: deltas per composite and component, the best and weakest example posts (from the
scoring evidence), notes, agreed actions, the next date, and — so each session opens where the last one
ended — the actions agreed last time (:func:`previous_session`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from coaching.evidence import Evidence, interaction_evidence, post_evidence
from coaching.score_adapter import COMPOSITES, METRICS, MetricValue, evidence_kind, higher_is_better, metric_name
from lasna.types import SessionNote

#: Components shown in a session, in this order (descriptive-only components are left out).
SESSION_COMPONENTS = tuple(k for k, m in METRICS.items() if m.composite is not None)
BEST_FROM = ("dialogue_share", "questions", "crediting", "personal_voice", "results", "response_time")
WEAKEST_FROM = ("response_rate", "re_entry", "gated_share")


@dataclass(frozen=True)
class Delta:
    key: str
    name: str
    current: float | None
    baseline: float | None
    n_current: float = 0
    n_baseline: float = 0
    percentile: float | None = None

    @property
    def delta(self) -> float | None:
        if self.current is None or self.baseline is None:
            return None
        if any(math.isinf(v) for v in (self.current, self.baseline)):
            return None
        return self.current - self.baseline

    @property
    def improved(self) -> bool | None:
        d = self.delta
        if d is None or d == 0:
            return None
        return (d > 0) == higher_is_better(self.key)


@dataclass(frozen=True)
class SessionReport:
    note: SessionNote
    leader: str
    composites: tuple[Delta, ...]
    components: tuple[Delta, ...]
    best_examples: tuple[Evidence, ...]
    weakest_examples: tuple[Evidence, ...]
    previous: SessionNote | None = None
    lang: str = "fi"
    best_metric: str | None = None
    weakest_metric: str | None = None

    @property
    def previous_actions(self) -> tuple[str, ...]:
        return self.previous.actions if self.previous is not None else ()


def previous_session(note: SessionNote, history: Sequence[SessionNote]) -> SessionNote | None:
    """The session held just before ``note`` (by date, then id), if any."""
    def order(s: SessionNote):
        return (s.held_on, s.id if s.id is not None else 10**12)

    earlier = [s for s in history if s.leader_id == note.leader_id and order(s) < order(note) and s.id != note.id]
    return max(earlier, key=order) if earlier else None


def opening_actions(history: Sequence[SessionNote]) -> tuple[str, ...]:
    """What the next session opens with: the actions agreed in the latest session."""
    if not history:
        return ()
    last = max(history, key=lambda s: (s.held_on, s.id or 0))
    return last.actions


def _deltas(keys, current: dict, baseline: dict, lang: str) -> tuple[Delta, ...]:
    out = []
    for k in keys:
        c, b = current.get(k), baseline.get(k)
        out.append(Delta(
            key=k, name=metric_name(k, lang),
            current=c.value if isinstance(c, MetricValue) and c.ok else None,
            baseline=b.value if isinstance(b, MetricValue) and b.ok else None,
            n_current=c.n if isinstance(c, MetricValue) else 0, n_baseline=b.n if isinstance(b, MetricValue) else 0,
            percentile=c.percentile if isinstance(c, MetricValue) else None,
        ))
    return tuple(out)


def _composite_deltas(current: dict, baseline: dict, lang: str) -> tuple[Delta, ...]:
    return tuple(Delta(key=k, name=metric_name(k, lang), current=current.get(k), baseline=baseline.get(k))
                 for k in COMPOSITES)


def _engagement_order(posts: pd.DataFrame, ids: Sequence[str]) -> list[str]:
    if not len(posts):
        return list(ids)
    p = posts.drop_duplicates("post_id").set_index("post_id")
    known = [i for i in ids if i in p.index]
    return sorted(known, key=lambda i: -(int(p.loc[i, "like_count"]) + 2 * int(p.loc[i, "reply_count"])))


def best_examples(current: dict[str, MetricValue], posts: pd.DataFrame, k: int = 3) -> tuple[str | None, list[Evidence]]:
    """Posts showing the leader's strongest behaviour (highest percentile among BEST_FROM)."""
    ranked = sorted((mv for key, mv in current.items() if key in BEST_FROM and mv.ok and mv.evidence),
                    key=lambda mv: -(mv.percentile if mv.percentile is not None else 0))
    for mv in ranked:
        ev = post_evidence(posts, _engagement_order(posts, list(mv.evidence)))[:k]
        if ev:
            return mv.key, ev
    return None, []


def weakest_examples(current: dict[str, MetricValue], posts: pd.DataFrame, interactions: pd.DataFrame,
                     k: int = 3) -> tuple[str | None, list[Evidence]]:
    """Items showing the biggest gap (lowest percentile among WEAKEST_FROM): unanswered messages,
    threads the leader left, restricted posts."""
    ranked = sorted((mv for key, mv in current.items() if key in WEAKEST_FROM and mv.ok and mv.evidence),
                    key=lambda mv: (mv.percentile if mv.percentile is not None else 100))
    for mv in ranked:
        kind, _ = evidence_kind(mv.key)
        ids = list(mv.evidence)
        ev = interaction_evidence(interactions, ids) if kind == "interaction" else post_evidence(posts, ids)
        ev = ev[:k]
        if ev:
            return mv.key, ev
    return None, []


def assemble_session(
    note: SessionNote,
    *,
    leader: str,
    current: dict[str, MetricValue],
    baseline: dict[str, MetricValue],
    current_composites: dict[str, float | None],
    baseline_composites: dict[str, float | None],
    posts: pd.DataFrame,
    interactions: pd.DataFrame,
    history: Sequence[SessionNote] = (),
    lang: str = "fi",
) -> SessionReport:
    best_key, best = best_examples(current, posts)
    weak_key, weak = weakest_examples(current, posts, interactions)
    return SessionReport(
        note=note, leader=leader,
        composites=_composite_deltas(current_composites, baseline_composites, lang),
        components=_deltas(SESSION_COMPONENTS, current, baseline, lang),
        best_examples=tuple(best), weakest_examples=tuple(weak), previous=previous_session(note, history),
        lang=lang, best_metric=best_key, weakest_metric=weak_key,
    )
