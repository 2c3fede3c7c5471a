"""Läsnä scoring core: pure functions from frames to scores, with evidence.

Public API: :func:`score`, :class:`ScoreReport`, :func:`link_answers`, :data:`METRICS`.
"""

from coaching.definitions import METRICS, MetricDefinition
from coaching.metrics import link_answers
from coaching.scoring import ScoreReport, score

__all__ = ["METRICS", "MetricDefinition", "ScoreReport", "link_answers", "score"]
