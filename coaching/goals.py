"""Goals: a target for one component or composite by a deadline, and how it is going.

The status rule (documented in docs/COACHING.md and tested in tests/test_goals.py):

* ``not_started`` — today is before the goal's start.
* ``no_data`` — the current value is missing or rests on fewer than ``min_n`` data points.
* ``met`` — the current value reaches the target (≥ target, or ≤ target for metrics where lower is
  better, e.g. response time). After the deadline the value *as of the deadline* decides:
  ``met`` or ``missed``.
* Otherwise progress is expected to be linear from the baseline (the value over the window that ends
  at the goal's start) to the target: ``expected = baseline + (target − baseline) · f`` with
  ``f = (today − start) / (deadline − start)``. The goal is ``on_track`` while the current value is no
  further behind ``expected`` than ``tolerance`` × |target − baseline| (default 10 % of the planned
  change), else ``at_risk``. Without a baseline the goal stays ``on_track`` until the deadline unless met.

Values are whatever the scoring core reports: shrunk shares 0–1 for rates, hours for response time,
0–100 percentiles for composites.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from coaching.score_adapter import MetricValue, higher_is_better, known_metric
from lasna.types import Goal

STATUSES = ("not_started", "no_data", "on_track", "at_risk", "met", "missed")
DEFAULT_MIN_N = 5
DEFAULT_TOLERANCE = 0.10
#: Trailing window (days) over which goal progress is measured: recent behaviour, not the 90-day average.
GOAL_WINDOW_DAYS = 28


@dataclass(frozen=True)
class GoalProgress:
    goal: Goal
    status: str
    as_of: date
    current: float | None = None
    baseline: float | None = None
    expected: float | None = None
    n: float = 0
    progress: float | None = None  # share of the way from baseline to target (may exceed 1)
    evidence: tuple[str, ...] = field(default=())

    @property
    def metric(self) -> str:
        return self.goal.metric


def validate_goal(goal: Goal) -> None:
    if not known_metric(goal.metric):
        raise ValueError(f"unknown metric {goal.metric!r} for a goal")
    if goal.deadline <= goal.start:
        raise ValueError("a goal's deadline must come after its start")


def _reached(metric: str, value: float, target: float) -> bool:
    return value >= target if higher_is_better(metric) else value <= target


def elapsed_fraction(goal: Goal, today: date) -> float:
    span = (goal.deadline - goal.start).days
    return min(1.0, max(0.0, (today - goal.start).days / span)) if span > 0 else 1.0


def expected_value(goal: Goal, baseline: float, today: date) -> float:
    """Linear path from ``baseline`` at the start to the target at the deadline."""
    return baseline + (goal.target - baseline) * elapsed_fraction(goal, today)


def evaluate_goal(
    goal: Goal,
    *,
    current: MetricValue | None,
    baseline: MetricValue | None,
    today: date,
    min_n: int = DEFAULT_MIN_N,
    tolerance: float = DEFAULT_TOLERANCE,
) -> GoalProgress:
    """Status of ``goal`` on ``today``; ``current`` must be measured as of ``min(today, deadline)``."""
    as_of = min(today, goal.deadline)
    base = baseline.value if baseline is not None and baseline.ok and baseline.n >= min_n else None
    if today < goal.start:
        return GoalProgress(goal, "not_started", as_of, baseline=base)
    if current is None or not current.ok or current.n < min_n:
        return GoalProgress(goal, "no_data", as_of, baseline=base, n=current.n if current is not None else 0)
    cur = float(current.value)
    ev = current.evidence
    progress = None
    if base is not None and goal.target != base:
        progress = (cur - base) / (goal.target - base)
    elif base is not None:
        progress = 1.0 if _reached(goal.metric, cur, goal.target) else 0.0
    common = dict(current=cur, baseline=base, n=current.n, progress=progress, evidence=ev)
    if _reached(goal.metric, cur, goal.target):
        return GoalProgress(goal, "met", as_of, expected=goal.target, **common)
    if today >= goal.deadline:
        return GoalProgress(goal, "missed", as_of, expected=goal.target, **common)
    if base is None:
        return GoalProgress(goal, "on_track", as_of, **common)
    exp = expected_value(goal, base, today)
    slack = tolerance * abs(goal.target - base)
    behind = (exp - cur) if higher_is_better(goal.metric) else (cur - exp)
    status = "on_track" if behind <= slack else "at_risk"
    return GoalProgress(goal, status, as_of, expected=exp, **common)
