"""What a digest or an alert says, as plain data, built by pure functions from what the coaching
service returns (score frames, tip sets, goal progress, waiting frames, session notes).

Nothing here computes a metric: scores, tips, goals and "waiting" come from ``lasna.coach_service``;
this module only selects, orders and trims them for a short message.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import pandas as pd

COMPOSITES = ("openness", "responsiveness", "network", "consistency")
MAX_TIPS = 3
MAX_WAITING = 5
TEXT_CHARS = 180


def _num(value) -> float | None:
    if value is None or value is pd.NA:
        return None
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(value) else value


def _str(value) -> str:
    return "" if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)) else str(value)


def trim(text: str, limit: int = TEXT_CHARS) -> str:
    text = " ".join(_str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass(frozen=True)
class Score:
    name: str  # a composite: openness, responsiveness, network, consistency
    value: float | None
    change: float | None  # against the same window a week earlier


@dataclass(frozen=True)
class WaitingItem:
    leader: str
    author: str
    text: str
    url: str | None
    age_hours: float
    kind: str
    critical: bool = False
    question: bool = False
    conversation: str = ""  # the interaction id (an alert's key)


@dataclass(frozen=True)
class TipItem:
    title: str
    action: str
    evidence_url: str | None
    evidence_text: str


@dataclass(frozen=True)
class GoalItem:
    metric: str
    status: str
    current: float | None
    target: float
    deadline: date


@dataclass(frozen=True)
class ExecutiveDigest:
    recipient: str
    leader: str
    leader_id: int
    week: str
    scores: tuple[Score, ...]
    tips: tuple[TipItem, ...]
    waiting: tuple[WaitingItem, ...]
    waiting_total: int
    goals: tuple[GoalItem, ...]


@dataclass(frozen=True)
class LeaderRow:
    leader: str
    leader_id: int
    scores: tuple[Score, ...]
    moved: Score | None  # the composite that changed most this week
    waiting: int
    longest_hours: float | None


@dataclass(frozen=True)
class SessionItem:
    leader: str
    leader_id: int
    on: date
    actions: tuple[str, ...]


@dataclass(frozen=True)
class ConsultantDigest:
    recipient: str
    week: str
    rows: tuple[LeaderRow, ...]
    sessions: tuple[SessionItem, ...]

    @property
    def leader_ids(self) -> tuple[int, ...]:
        return tuple(r.leader_id for r in self.rows)


@dataclass(frozen=True)
class Alert:
    recipient: str
    leader: str
    leader_id: int
    threshold_hours: float
    item: WaitingItem = field(compare=False)


# ---------------------------------------------------------------------- pure builders
def _row(frame: pd.DataFrame | None, leader_id: int) -> Mapping | None:
    if frame is None or len(frame) == 0:
        return None
    rows = frame[frame["leader_id"] == leader_id]
    return rows.iloc[-1] if len(rows) else None


def scores(current: pd.DataFrame, week_ago: pd.DataFrame | None, leader_id: int) -> tuple[Score, ...]:
    """The four composites of one leader and their change since a week ago (from two score reports)."""
    now_row, old_row = _row(current, leader_id), _row(week_ago, leader_id)
    out = []
    for name in COMPOSITES:
        value = _num(now_row[name]) if now_row is not None and name in now_row else None
        old = _num(old_row[name]) if old_row is not None and name in old_row else None
        out.append(Score(name, value, None if value is None or old is None else value - old))
    return tuple(out)


def biggest_move(row_scores: Sequence[Score]) -> Score | None:
    moves = [(s.change, s) for s in row_scores if s.change is not None]
    return max(moves, key=lambda cs: (abs(cs[0]), cs[1].name))[1] if moves else None


def waiting_items(waiting: pd.DataFrame, *, stances: Mapping[str, str] | None = None,
                  limit: int | None = MAX_WAITING) -> tuple[WaitingItem, ...]:
    """The conversations waiting longest first (the coaching service's waiting frame)."""
    if waiting is None or len(waiting) == 0:
        return ()
    frame = waiting.sort_values(["age_hours", "interaction_id"], ascending=[False, True], kind="stable")
    if limit is not None:
        frame = frame.head(limit)
    stances = stances or {}
    return tuple(
        WaitingItem(
            leader=_str(r.get("leader")), author=trim(_str(r.get("author")) or "?", 80), text=trim(r.get("text")),
            url=_str(r.get("url")) or None, age_hours=float(r.get("age_hours") or 0.0), kind=_str(r.get("kind")),
            critical=stances.get(_str(r.get("interaction_id"))) == "critical",
            question=bool(r.get("is_question")) if r.get("is_question") is not None else False,
            conversation=_str(r.get("interaction_id")),
        )
        for r in (row for _, row in frame.iterrows())
    )


def tip_items(tips: Iterable, limit: int = MAX_TIPS) -> tuple[TipItem, ...]:
    """At most ``limit`` tips, each with its first evidence item that has a link."""
    out = []
    for tip in list(tips)[:limit]:
        evidence = next((e for e in tip.evidence if e.url), tip.evidence[0] if tip.evidence else None)
        out.append(TipItem(title=trim(tip.title, 200), action=trim(tip.action, 400),
                           evidence_url=evidence.url if evidence is not None else None,
                           evidence_text=trim(evidence.text, 120) if evidence is not None else ""))
    return tuple(out)


def goal_items(progress: Iterable) -> tuple[GoalItem, ...]:
    return tuple(GoalItem(metric=p.goal.metric, status=p.status, current=_num(p.current), target=float(p.goal.target),
                          deadline=p.goal.deadline) for p in progress)


def upcoming_sessions(history: Sequence, leader: str, leader_id: int, today: date,
                      days: int = 7) -> SessionItem | None:
    """The next sparring session booked at the last session, when it falls within ``days`` from
    ``today``, with the actions agreed at that last session."""
    if not history:
        return None
    last = max(history, key=lambda s: (s.held_on, s.id or 0))
    if last.next_session is None or not (today <= last.next_session < today + timedelta(days=days)):
        return None
    return SessionItem(leader=leader, leader_id=leader_id, on=last.next_session,
                       actions=tuple(trim(a, 200) for a in last.actions))


def alerts_due(waiting: pd.DataFrame, stances: Mapping[str, str], threshold_hours: float) -> tuple[WaitingItem, ...]:
    """Waiting questions and critical replies older than the threshold, oldest first."""
    items = waiting_items(waiting, stances=stances, limit=None)
    return tuple(i for i in items if (i.question or i.critical) and i.age_hours >= threshold_hours)
