"""Sparring sessions: history round-trips on SQLite and PostgreSQL; the next session opens with last time's
actions; the assembled session has deltas and real best/weakest examples."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from coaching.sessions import assemble_session, opening_actions, previous_session
from lasna.types import SessionNote
from tests.coach_fixtures import demo_service


def test_session_history_round_trips(store):
    leader = store.add_leader("Sparring Leader")
    first = store.add_session(SessionNote(
        leader_id=leader.id, held_on=date(2026, 9, 1), period_start=date(2026, 6, 1), period_end=date(2026, 8, 31),
        baseline_start=date(2026, 3, 1), baseline_end=date(2026, 5, 31), notes="Aloitus: miksi olemme täällä",
        actions=("Vastaa kolmeen viestiin tiistaisin", "Kysy yksi kysymys viikossa"), next_session=date(2026, 10, 1),
        consultant="Sari"))
    second = store.add_session(SessionNote(
        leader_id=leader.id, held_on=date(2026, 10, 1), period_start=date(2026, 9, 1), period_end=date(2026, 9, 30),
        notes="Rytmi", actions=("Yksi julkaisu viikossa",)))
    history = store.sessions(leader.id)
    assert [s.id for s in history] == [first.id, second.id]
    assert history[0] == first and history[0].actions == first.actions and history[0].created_at is not None
    assert previous_session(history[1], history) == first
    assert previous_session(history[0], history) is None
    assert opening_actions(history) == ("Yksi julkaisu viikossa",)
    updated = store.update_session(replace(history[1], notes="Rytmi ja resurssit", actions=("A", "B")))
    assert store.session(second.id).notes == "Rytmi ja resurssit" and updated.actions == ("A", "B")
    store.delete_session(first.id)
    assert [s.id for s in store.sessions(leader.id)] == [second.id]


def test_session_report_on_the_demo_opens_with_last_actions():
    svc = demo_service()
    name = "Liisa Virtanen"
    s1 = svc.record_session(name, period_start=date(2026, 8, 1), period_end=date(2026, 9, 30), held_on=date(2026, 10, 1),
                            actions=("Pidä torstain vastauskierros",), notes="Hyvä alku")
    s2 = svc.record_session(name, period_start=date(2026, 10, 1), period_end=date(2026, 11, 15),
                            held_on=date(2026, 11, 20), actions=("Nosta tiimi esiin",), next_session=date(2026, 12, 18))
    rep = svc.session_report(name, s2.id, lang="en")
    assert rep.previous is not None and rep.previous.id == s1.id
    assert rep.previous_actions == ("Pidä torstain vastauskierros",)
    assert s2.baseline_end == date(2026, 9, 30) and s2.baseline_start == date(2026, 8, 16)
    assert {d.key for d in rep.composites} == {"openness", "responsiveness", "network", "consistency"}
    rr = next(d for d in rep.components if d.key == "response_rate")
    assert rr.current is not None and rr.baseline is not None and rr.delta == rr.current - rr.baseline
    post_ids = set(svc.posts["post_id"])
    assert rep.best_examples and all(e.id in post_ids for e in rep.best_examples)
    assert rep.weakest_examples and rep.weakest_metric is not None
    first = svc.session_report(name, s1.id)
    assert first.previous is None and first.previous_actions == ()


def test_assemble_session_without_data_has_no_examples():
    note = SessionNote(leader_id=1, held_on=date(2026, 1, 1), period_start=date(2025, 12, 1), period_end=date(2025, 12, 31))
    import pandas as pd

    rep = assemble_session(note, leader="Kim", current={}, baseline={}, current_composites={}, baseline_composites={},
                           posts=pd.DataFrame(columns=["post_id"]), interactions=pd.DataFrame(columns=["interaction_id"]))
    assert rep.best_examples == () and rep.weakest_examples == ()
    assert all(d.delta is None for d in rep.components)
