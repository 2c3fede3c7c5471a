"""The audit log: written in the same transaction as the change, listed by `lasna audit`, never
holding content or names, kept for its own retention period. SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from lasna import registry, users
from lasna.cli import main
from lasna.errors import InputError
from lasna.store import Store
from lasna.store import schema as t
from lasna.types import Goal, SessionNote, Visibility


def test_changes_are_audited_with_actor_and_numeric_target(store):
    leader = registry.add_leader(store, registry.LeaderSpec.parse("Liisa Virtanen"), actor="admin")
    store.set_cohort("Ohjelma", Visibility.ALL, actor="admin")
    goal = store.add_goal(Goal(leader_id=leader.id, metric="response_rate", target=0.5,
                               start=datetime(2026, 1, 1).date(), deadline=datetime(2026, 3, 1).date()),
                          actor="konsultti")
    store.delete_goal(goal.id, actor="konsultti")
    note = store.add_session(SessionNote(leader_id=leader.id, held_on=datetime(2026, 2, 1).date(),
                                         period_start=datetime(2026, 1, 1).date(),
                                         period_end=datetime(2026, 2, 1).date(), notes="Luottamuksellista"),
                             actor="konsultti")
    store.delete_session(note.id, actor="konsultti")
    users.add_user(store, "konsultti", "consultant", password="pitka-salasana-456", actor="admin")
    store.deactivate_leader(leader.id, actor="admin")
    store.audit("data.export", actor="konsultti", target_kind="leader", target_id=leader.id)
    events = store.audit_events()
    assert [e.action for e in events][::-1] == [
        "leader.add", "cohort.set", "goal.add", "goal.delete", "session.add", "session.delete", "user.add",
        "leader.remove", "data.export",
    ]
    assert events[0].target_label == "Liisa Virtanen" and events[0].target_id == str(leader.id)
    # no content anywhere in the log
    with store.engine.connect() as conn:
        rows = [tuple(map(str, r)) for r in conn.execute(t.audit_log.select())]
    assert not any("Luottamuksellista" in cell or "Liisa" in cell for row in rows for cell in row)


def test_audit_refuses_names_and_content_as_targets(store):
    with pytest.raises(InputError):
        store.audit("data.view", actor="x", target_kind="leader", target_id="Liisa Virtanen")
    with pytest.raises(InputError):
        store.audit("Viewed Liisa's replies", actor="x")
    with pytest.raises(InputError):
        store.audit("data.view", actor="")


def test_a_failed_change_leaves_no_audit_row(store):
    registry.add_leader(store, registry.LeaderSpec.parse("Liisa Virtanen"), actor="admin")
    with pytest.raises(InputError):
        registry.add_leader(store, registry.LeaderSpec.parse("Liisa Virtanen"), actor="admin")
    assert [e.action for e in store.audit_events()] == ["leader.add"]


def test_since_filter_and_own_retention(store, monkeypatch):
    store.audit("data.view", actor="a", target_kind="all")
    store.audit("data.view", actor="b", target_kind="all")
    old = datetime.now(UTC) - timedelta(days=400)
    with store.engine.begin() as conn:
        conn.execute(update(t.audit_log).where(t.audit_log.c.actor == "a").values(at=old))
    assert [e.actor for e in store.audit_events(since=datetime.now(UTC) - timedelta(days=1))] == ["b"]
    monkeypatch.setenv("LASNA_AUDIT_RETENTION_DAYS", "365")
    deleted = store.apply_retention(3650)  # collected data: 10 years; audit: its own 365 days
    assert deleted["audit_log"] == 1
    assert "a" not in {e.actor for e in store.audit_events()}
    monkeypatch.setenv("LASNA_AUDIT_RETENTION_DAYS", "0")
    with pytest.raises(InputError):
        store.prune_audit()


def test_cli_audit_lists_cli_changes(tmp_path, capsys):
    db = f"sqlite:///{tmp_path / 'a.db'}"
    assert main(["--database", db, "leaders", "add", "Liisa Virtanen"]) == 0
    assert main(["--database", db, "leaders", "remove", "Liisa Virtanen"]) == 0
    capsys.readouterr()
    assert main(["--database", db, "audit", "--json", "--since", "1d"]) == 0
    events = json.loads(capsys.readouterr().out)
    assert [e["action"] for e in events] == ["leader.remove", "leader.add"]
    assert all(e["actor"].startswith("cli") and e["via"] == "cli" for e in events)
    assert main(["--database", db, "audit"]) == 0
    assert "leader.add" in capsys.readouterr().out
    assert main(["--database", db, "audit", "--since", "eilen"]) == 2


def test_store_opened_directly_is_audited_as_library(tmp_path):
    store = Store.open(f"sqlite:///{tmp_path / 'x.db'}")
    store.add_leader("X")  # the raw store method (demo loader): not a user action, not audited
    store.set_cohort("C", Visibility.ALL)
    assert [(e.actor, e.via) for e in store.audit_events()] == [("library", "library")]
    store.close()
