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

import math
import re
from dataclasses import dataclass, field
from datetime import date

from coaching.score_adapter import COMPOSITES, METRICS, MetricValue, higher_is_better, known_metric, metric_unit
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


@dataclass(frozen=True)
class TargetUnit:
    """How a goal's target is typed and shown for one metric unit: ``shown = stored × scale``,
    allowed between ``lo`` and ``hi`` (shown units), with ``suffix`` after the number."""

    scale: float
    lo: float
    hi: float
    step: float
    suffix: dict[str, str]
    decimals: int = 0


TARGET_UNITS: dict[str, TargetUnit] = {
    "share": TargetUnit(100, 0, 100, 5, {"fi": "%", "en": "%"}),
    "points": TargetUnit(100, -100, 100, 5, {"fi": "%-yks.", "en": "pp"}),
    "hours": TargetUnit(1, 0.1, 720, 1, {"fi": "h", "en": "h"}, decimals=1),
    "percentile": TargetUnit(1, 1, 100, 5, {"fi": "", "en": ""}),
    "accounts": TargetUnit(1, 1, 10_000, 1, {"fi": "tiliä", "en": "accounts"}, decimals=1),
    "accounts/month": TargetUnit(1, 0.1, 1_000, 1, {"fi": "tiliä / kk", "en": "accounts / month"}, decimals=1),
    "turns": TargetUnit(1, 0.1, 100, 0.5, {"fi": "vuoroa", "en": "turns"}, decimals=1),
    "ratio": TargetUnit(1, 0, 1, 0.05, {"fi": "", "en": ""}, decimals=2),
    "score": TargetUnit(1, 0, 1, 0.05, {"fi": "", "en": ""}, decimals=2),
}

#: Metrics a goal can be set for (descriptive durations such as tenure cannot be a target),
#: the most common first: the dashboard's default is the first one.
GOAL_METRICS: tuple[str, ...] = (
    "response_rate", *COMPOSITES,
    *(k for k, m in METRICS.items() if k != "response_rate" and m.unit in TARGET_UNITS),
)

_ERRORS = {
    "empty": {"fi": "Anna tavoitearvo.", "en": "Enter a target value."},
    "number": {"fi": "Tavoitteen pitää olla luku, esimerkiksi {example}; annettu: {value}.",
               "en": "The target must be a number such as {example}, not {value}."},
    "range": {"fi": "Mittarin {metric} tavoitteen pitää olla {lo}–{hi} {suffix}; annettu: {value}.",
              "en": "The target for {metric} must be {lo}–{hi} {suffix}, not {value}."},
    "metric": {"fi": "Tuntematon mittari {value}.", "en": "Unknown metric {value}."},
    "deadline": {"fi": "Määräpäivän pitää olla alkupäivän jälkeen.",
                 "en": "A goal's deadline must come after its start."},
}


class TargetError(ValueError):
    """A goal target that cannot be saved; ``message(lang)`` says why in Finnish or English."""

    def __init__(self, code: str, **params) -> None:
        self.code, self.params = code, params
        super().__init__(self.message("en"))

    def message(self, lang: str) -> str:
        entry = _ERRORS[self.code]
        params = dict(self.params)
        if "metric" in params:
            from coaching.score_adapter import metric_name

            params["metric"] = metric_name(params["metric"], lang)
        text = entry.get(lang, entry["en"]).format(**params)
        return text.replace("  ", " ").replace(" ;", ";").replace(" ,", ",").replace(" .", ".")


def target_unit(metric: str) -> TargetUnit:
    return TARGET_UNITS.get(metric_unit(metric), TARGET_UNITS["score"])


def _fmt_shown(value: float, unit: TargetUnit, lang: str) -> str:
    text = f"{value:.{unit.decimals}f}".rstrip("0").rstrip(".") if unit.decimals else f"{value:.0f}"
    return text.replace(".", ",") if lang == "fi" else text


def shown_target(metric: str, stored: float) -> float:
    """A stored target (shares 0–1, hours, 0–100) in the unit people type (%, hours, 0–100)."""
    return stored * target_unit(metric).scale


_NUMBER = re.compile(r"^[+\-−]?\d+(?:[.,]\d*)?$|^[+\-−]?[.,]\d+$")


def parse_target(metric: str, text: str | float, lang: str = "en") -> float:
    """The stored target for what someone typed in the metric's own unit.

    Shares are typed as percentages ("80", "80 %", "80,5"), but a share written as a fraction
    ("0,8" or "0.8", with a decimal separator) means 80 %; a decimal comma is accepted everywhere.
    Values outside the unit's range raise :class:`TargetError`.
    """
    if not known_metric(metric):
        raise TargetError("metric", value=repr(metric))
    unit = target_unit(metric)
    raw = str(text).strip().replace("\u00a0", " ")
    if not raw:
        raise TargetError("empty")
    cleaned = raw
    for suffix in ("%-yks.", "%-yks", "pp", "%", "h", "/100", "/ 100"):
        if cleaned.lower().endswith(suffix):
            cleaned = cleaned[: -len(suffix)].strip()
            break
    cleaned = cleaned.replace(" ", "")
    example = {"share": "80", "points": "-5", "hours": "24"}.get(metric_unit(metric), "60")
    if not _NUMBER.match(cleaned):
        raise TargetError("number", value=raw, example=example)
    value = float(cleaned.replace(",", ".").replace("−", "-"))
    if not math.isfinite(value):
        raise TargetError("number", value=raw, example=example)
    as_fraction = (unit.scale == 100 and not raw.endswith("%") and ("," in cleaned or "." in cleaned)
                   and 0 < abs(value) < 1)
    shown = value * 100 if as_fraction else value
    if not unit.lo <= shown <= unit.hi:
        raise TargetError("range", metric=metric, lo=_fmt_shown(unit.lo, unit, lang),
                          hi=_fmt_shown(unit.hi, unit, lang), suffix=unit.suffix.get(lang, ""), value=raw)
    return shown / unit.scale


def validate_target(metric: str, target: float) -> None:
    """A stored target within its metric's range (shares 0–1, hours 0,1–720, composites 1–100, ...)."""
    unit = target_unit(metric)
    if not isinstance(target, (int, float)) or not math.isfinite(target):
        raise TargetError("number", value=repr(target), example="0.8")
    shown = target * unit.scale
    if not unit.lo - 1e-9 <= shown <= unit.hi + 1e-9:
        raise TargetError("range", metric=metric, lo=_fmt_shown(unit.lo / unit.scale, unit, "en"),
                          hi=_fmt_shown(unit.hi / unit.scale, unit, "en"),
                          suffix="(stored as a share 0–1)" if unit.scale == 100 else unit.suffix["en"],
                          value=f"{target:g}")


def validate_goal(goal: Goal) -> None:
    if not known_metric(goal.metric):
        raise TargetError("metric", value=repr(goal.metric))
    validate_target(goal.metric, goal.target)
    if goal.deadline <= goal.start:
        raise TargetError("deadline")


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
    if current is None or current.value is None or not current.ok or current.n < min_n:
        return GoalProgress(goal, "no_data", as_of, baseline=base, n=current.n if current is not None else 0)
    cur = float(current.value)
    ev = current.evidence
    progress = None
    if base is not None and goal.target != base:
        progress = (cur - base) / (goal.target - base)
    elif base is not None:
        progress = 1.0 if _reached(goal.metric, cur, goal.target) else 0.0
    def measured(status: str, expected: float | None) -> GoalProgress:
        return GoalProgress(goal, status, as_of, current=cur, baseline=base, expected=expected, n=current.n,
                            progress=progress, evidence=ev)

    if _reached(goal.metric, cur, goal.target):
        return measured("met", goal.target)
    if today >= goal.deadline:
        return measured("missed", goal.target)
    if base is None:
        return measured("on_track", None)
    exp = expected_value(goal, base, today)
    slack = tolerance * abs(goal.target - base)
    behind = (exp - cur) if higher_is_better(goal.metric) else (cur - exp)
    return measured("on_track" if behind <= slack else "at_risk", exp)
