"""Goal status: not_started, no_data, on_track, at_risk, met, missed — with the linear rule."""

from __future__ import annotations

from datetime import date

import pytest

from coaching.goals import evaluate_goal, expected_value, validate_goal
from coaching.score_adapter import MetricValue
from lasna.types import Goal

G = Goal(leader_id=1, metric="response_rate", target=0.6, start=date(2026, 1, 1), deadline=date(2026, 5, 1))


def mv(v, n=20, key="response_rate"):
    return MetricValue(key, v, n, evidence=("x",))


def status(goal, cur, base, today, **kw):
    return evaluate_goal(goal, current=mv(cur, key=goal.metric) if cur is not None else None,
                         baseline=mv(base, key=goal.metric) if base is not None else None, today=today, **kw).status


def test_linear_expected_progress():
    assert expected_value(G, 0.2, date(2026, 1, 1)) == pytest.approx(0.2)
    assert expected_value(G, 0.2, G.deadline) == pytest.approx(0.6)
    mid = date(2026, 3, 2)  # 60 of 120 days
    assert expected_value(G, 0.2, mid) == pytest.approx(0.4)
    assert expected_value(G, 0.2, date(2027, 1, 1)) == pytest.approx(0.6)


def test_status_transitions_over_the_life_of_a_goal():
    mid = date(2026, 3, 2)  # expected 0.4, slack 0.04
    assert status(G, 0.5, 0.2, date(2025, 12, 1)) == "not_started"
    assert status(G, 0.25, 0.2, date(2026, 1, 10)) == "on_track"
    assert status(G, 0.37, 0.2, mid) == "on_track"  # within 10 % of the planned change
    assert status(G, 0.35, 0.2, mid) == "at_risk"
    assert status(G, 0.61, 0.2, mid) == "met"
    assert status(G, 0.55, 0.2, date(2026, 5, 1)) == "missed"
    assert status(G, 0.60, 0.2, date(2026, 6, 1)) == "met"
    assert status(G, None, 0.2, mid) == "no_data"
    p = evaluate_goal(G, current=mv(0.4, n=3), baseline=mv(0.2), today=mid)
    assert p.status == "no_data" and p.n == 3
    p = evaluate_goal(G, current=mv(0.4), baseline=mv(0.2), today=mid)
    assert p.progress == pytest.approx(0.5) and p.expected == pytest.approx(0.4) and p.evidence == ("x",)


def test_lower_is_better_metrics_and_missing_baseline():
    g = Goal(leader_id=1, metric="response_time", target=24.0, start=date(2026, 1, 1), deadline=date(2026, 5, 1))
    mid = date(2026, 3, 2)  # expected 48 h from 72 h
    assert status(g, 50, 72, mid) == "on_track"
    assert status(g, 60, 72, mid) == "at_risk"
    assert status(g, 20, 72, mid) == "met"
    assert status(G, 0.3, None, mid) == "on_track"  # judged only at the deadline without a baseline
    assert status(G, 0.3, None, G.deadline) == "missed"


def test_invalid_goals_are_refused():
    with pytest.raises(ValueError):
        validate_goal(Goal(1, "no_such_metric", 1, date(2026, 1, 1), date(2026, 2, 1)))
    with pytest.raises(ValueError):
        validate_goal(Goal(1, "response_rate", 1, date(2026, 2, 1), date(2026, 1, 1)))
    validate_goal(Goal(1, "responsiveness", 60, date(2026, 1, 1), date(2026, 2, 1)))


def test_goals_round_trip_through_the_store(store):
    leader = store.add_leader("Goal Leader")
    g = store.add_goal(Goal(leader.id, "response_rate", 0.6, date(2026, 1, 1), date(2026, 3, 31),
                            description="Vastaa 60 % viesteistä", created_by="consultant"))
    assert g.id is not None
    assert store.goals(leader.id) == [g]
    store.delete_goal(g.id)
    assert store.goals(leader.id) == []


@pytest.mark.parametrize("metric, typed, stored", [
    ("response_rate", "0,8", 0.8),  # a share written as a fraction, with the Finnish comma
    ("response_rate", "80", 0.8),
    ("response_rate", "80 %", 0.8),
    ("response_rate", "12,5", 0.125),
    ("response_time", "0,8", 0.8),  # hours
    ("response_time", "24 h", 24.0),
    ("openness", "72", 72.0),
    ("critical_answer_gap", "-5", -0.05),
])
def test_targets_are_typed_in_the_metrics_own_unit(metric, typed, stored):
    from coaching.goals import parse_target

    assert parse_target(metric, typed, "fi") == pytest.approx(stored)


@pytest.mark.parametrize("metric, typed, words", [
    ("response_rate", "800", "0–100 %"),
    ("response_rate", "-1", "0–100 %"),
    ("openness", "0,6", "1–100"),
    ("openness", "101", "1–100"),
    ("response_time", "0", "0,1–720 h"),
    ("response_rate", "lots", "80"),
    ("response_rate", " ", "Anna"),
])
def test_nonsense_targets_are_refused_in_finnish(metric, typed, words):
    from coaching.goals import TargetError, parse_target

    with pytest.raises(TargetError) as err:
        parse_target(metric, typed, "fi")
    assert words in err.value.message("fi")
    assert err.value.message("en") and err.value.message("en") != err.value.message("fi")


def test_stored_targets_out_of_range_are_refused():
    from coaching.goals import TargetError

    with pytest.raises(TargetError):
        validate_goal(Goal(1, "response_rate", 8.0, date(2026, 1, 1), date(2026, 2, 1)))
    with pytest.raises(TargetError):
        validate_goal(Goal(1, "openness", 0.6, date(2026, 1, 1), date(2026, 2, 1)))
    validate_goal(Goal(1, "response_rate", 0.8, date(2026, 1, 1), date(2026, 2, 1)))
