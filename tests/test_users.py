"""Dashboard users: password hashing, the users table and migration, `lasna users`, the policy."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from lasna import access, users
from lasna.access import CohortAccess, Viewer
from lasna.cli import app as cli_app
from lasna.errors import AccessDenied, InputError, NotFoundError
from lasna.store import migrate
from lasna.users import Role

PASSWORD = "a long enough password"


def test_hash_is_salted_and_verifies_only_the_right_password():
    one, two = users.hash_password(PASSWORD), users.hash_password(PASSWORD)
    assert one != two and one.startswith("scrypt$")
    assert users.verify_password(PASSWORD, one) and users.verify_password(PASSWORD, two)
    assert not users.verify_password(PASSWORD + "x", one)
    assert not users.verify_password(PASSWORD, None)
    assert not users.verify_password(PASSWORD, "md5$abc")
    assert PASSWORD not in one


def test_users_round_trip_and_rules(store):  # on SQLite and PostgreSQL
    leader = store.add_leader("Aino", cohorts=["C1"])
    store.add_leader("Ben", cohorts=["C1"])
    assert not users.has_users(store)
    users.add_user(store, "root", "admin", password=PASSWORD)
    exe = users.add_user(store, "aino", Role.EXECUTIVE, password=PASSWORD, leaders=["Aino"], email="Aino@Example.com")
    con = users.add_user(store, "cat", "consultant", password=PASSWORD, leaders=["Ben"], cohorts=["C1"])
    assert exe.leader_id == leader.id and exe.email == "aino@example.com"
    assert con.cohort_ids and len(con.leader_ids) == 1
    assert users.authenticate(store, "aino", PASSWORD) == exe
    assert users.authenticate(store, "aino", "wrong password") is None
    assert users.authenticate(store, "nobody", PASSWORD) is None
    assert users.user_by_email(store, "AINO@example.com ") == exe
    with pytest.raises(InputError):
        users.add_user(store, "aino", "admin", password=PASSWORD)  # duplicate name
    with pytest.raises(InputError):
        users.add_user(store, "x", "executive", password=PASSWORD)  # executive without leader
    with pytest.raises(InputError):
        users.add_user(store, "x", "admin", password="short")
    with pytest.raises(InputError):
        users.add_user(store, "x", "boss", password=PASSWORD)
    with pytest.raises(NotFoundError):
        users.add_user(store, "x", "executive", password=PASSWORD, leaders=["Nobody"])
    users.set_password(store, "aino", "another long password")
    assert users.authenticate(store, "aino", PASSWORD) is None
    assert users.authenticate(store, "aino", "another long password") is not None
    users.remove_user(store, "aino")
    with pytest.raises(NotFoundError):
        users.get_user(store, "aino")
    store.forget_leader(store.leader("Ben").id)  # assignment rows go with the leader
    assert users.get_user(store, "cat").leader_ids == frozenset()


def test_users_migration_upgrades_and_downgrades(sqlite_store):
    from sqlalchemy import inspect

    assert sqlite_store.revision() == migrate.head_revision()
    migrate.downgrade(sqlite_store.engine, "0003_tip_feedback")  # the revision before users
    assert "users" not in inspect(sqlite_store.engine).get_table_names()
    migrate.upgrade(sqlite_store.engine)
    assert {"users", "user_leaders", "user_cohorts"} <= set(inspect(sqlite_store.engine).get_table_names())


def test_cli_users_add_list_passwd_remove(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    runner = CliRunner()

    def run(*args, input=None):
        return runner.invoke(cli_app, ["--database", url, *args], input=input)

    assert run("leaders", "add", "Aino Korhonen", "--cohort", "C").exit_code == 0
    r = run("users", "add", "aino", "--role", "executive", "--leader", "Aino Korhonen", "--password-stdin",
            input=PASSWORD + "\n")
    assert r.exit_code == 0, r.output
    r = run("users", "add", "sso", "--role", "consultant", "--cohort", "C", "--email", "c@example.com", "--no-password")
    assert r.exit_code == 0, r.output
    listed = run("users", "list", "--json")
    assert '"leader": "Aino Korhonen"' in listed.output and '"cohorts": [\n      "C"' in listed.output
    assert PASSWORD not in listed.output
    assert run("users", "passwd", "aino", "--password-stdin", input="the new password\n").exit_code == 0
    from lasna.store import Store

    assert users.authenticate(Store.open(url), "aino", "the new password")
    assert run("users", "remove", "aino").exit_code == 0
    assert run("users", "remove", "aino").exit_code != 0
    interactive = run("users", "add", "x", "--role", "admin", input=f"{PASSWORD}\nsomething else\n")
    assert interactive.exit_code != 0


def _directory():
    leaders = pd.DataFrame(
        {"leader_id": [1, 2, 3, 4], "leader": list("ABCD"),
         "cohorts": [["all"], ["all", "agg"], ["agg"], ["hidden"]]}
    )
    cohorts = pd.DataFrame(
        {"cohort": ["all", "agg", "hidden"], "cohort_id": [10, 20, 30], "visibility": ["all", "aggregates", "consultant"]}
    )
    return leaders, cohorts


def test_policy_detail_and_cohorts():
    leaders, cohorts = _directory()
    admin = Viewer("a", Role.ADMIN)
    exe = Viewer("e", Role.EXECUTIVE, leader_id=2)
    con = Viewer("c", Role.CONSULTANT, leader_ids=frozenset({4}), cohort_ids=frozenset({20}))
    assert access.detail_leader_ids(admin, leaders, cohorts) == {1, 2, 3, 4}
    assert access.detail_leader_ids(exe, leaders, cohorts) == {2}
    assert access.detail_leader_ids(con, leaders, cohorts) == {2, 3, 4}
    with pytest.raises(AccessDenied):
        access.require_leaders(exe, [1, 2], leaders, cohorts)
    assert access.require_leaders(con, [4, 3], leaders, cohorts) == (3, 4)
    assert access.visible_cohorts(exe, leaders, cohorts) == {"all": CohortAccess.MEMBERS, "agg": CohortAccess.AGGREGATES}
    assert access.visible_cohorts(Viewer("x", Role.EXECUTIVE, leader_id=4), leaders, cohorts) == {}
    assert access.visible_cohorts(con, leaders, cohorts) == {"agg": CohortAccess.MEMBERS, "hidden": CohortAccess.AGGREGATES}
    with pytest.raises(AccessDenied):
        access.require_cohort(exe, "agg", leaders, cohorts, members=True)
    assert access.allowed_pages(exe) == ("presence", "cohorts")
