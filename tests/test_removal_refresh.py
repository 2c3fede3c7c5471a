"""Removals (retention, ``lasna erase``, ``leaders remove --forget``) refresh only the weeks they changed:
the facts and the coverage ledger afterwards equal a full rebuild, and no full rebuild ran."""

from __future__ import annotations

import shutil
from datetime import date

import pandas as pd
import pytest
from facts_helpers import facts_snapshot
from sqlalchemy import create_engine, text

from lasna import coverage, facts
from lasna.store import Store

from test_facts import TODAY, _demo_sqlite_file


def _snapshot(store) -> dict:
    weeks = store.coverage_weeks(None, date(1970, 1, 5), date(2100, 1, 4))
    cov = sorted(tuple(r) for r in weeks.astype(object).values.tolist())
    return {**facts_snapshot(store), "coverage": cov}


@pytest.fixture(scope="module")
def _pg_template(request):
    """A PostgreSQL demo database with its facts, copied per test (CREATE DATABASE … TEMPLATE)."""
    from conftest import _fresh_pg_database
    from lasna.demo import load_demo

    url = _fresh_pg_database(request.getfixturevalue("postgres_url"))
    store = Store.open(url)
    load_demo(store, today=TODAY)
    facts.rebuild(store)
    store.close()
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def demo_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        shutil.copy(_demo_sqlite_file(), tmp_path / "demo.db")
        return f"sqlite:///{tmp_path / 'demo.db'}"
    template = request.getfixturevalue("_pg_template")
    base, name = template.rsplit("/", 1)
    copy = f"c_{request.node.name.encode().hex()[-20:]}"
    admin = create_engine(request.getfixturevalue("postgres_url"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{copy}"'))
        conn.execute(text(f'CREATE DATABASE "{copy}" TEMPLATE "{name}"'))
    admin.dispose()
    return f"{base}/{copy}"


def _no_rebuild(*_a, **_k):
    raise AssertionError("a removal rebuilt everything instead of refreshing the weeks it changed")


@pytest.mark.parametrize("command", ["retention", "erase", "forget"])
def test_removal_refreshes_only_its_weeks_and_equals_a_rebuild(demo_url, capsys, monkeypatch, command):
    from lasna.cli import main

    store = Store.open(demo_url)
    try:
        assert facts.is_current(store) and coverage.is_current(store)
        before = _snapshot(store)
        author = str(store.interactions_frame()["author_id"].value_counts().index[0])  # the most active replier
        leader = store.leaders()[0].name
        # a daily retention run: the oldest three weeks go (a run trimming much more rebuilds, REBUILD_SHARE)
        oldest = pd.to_datetime(store.posts_frame()["created_at"], utc=True).min()
        days = (pd.Timestamp.now(tz="UTC") - oldest).days - 21
    finally:
        store.close()
    args = {"retention": ["db", "retention", "--days", str(days)], "erase": ["erase", "--author", author, "--yes"],
            "forget": ["leaders", "remove", leader, "--forget"]}[command]
    with monkeypatch.context() as m:
        m.setattr(facts, "_rebuild", _no_rebuild)
        m.setattr(coverage, "rebuild", _no_rebuild)
        assert main(["--database", demo_url, *args]) == 0, capsys.readouterr().err
    store = Store.open(demo_url)
    try:
        assert facts.is_current(store), "the next reader would have to rebuild the facts"
        assert coverage.is_current(store), "the next reader would have to rebuild the coverage ledger"
        after = _snapshot(store)
        assert after["weeks"] != before["weeks"]
        facts.rebuild(store)  # the coverage ledger too
        rebuilt = _snapshot(store)
        assert after["weeks"] == rebuilt["weeks"]
        assert after["contacts"] == rebuilt["contacts"]
        assert after["coverage"] == rebuilt["coverage"]
    finally:
        store.close()


def test_a_removal_from_facts_that_were_not_current_rebuilds(demo_url, capsys, monkeypatch):
    """The fallback: facts not current before the removal (e.g. an older facts version) are rebuilt."""
    from lasna.cli import main
    from lasna.store import facts as facts_sql

    store = Store.open(demo_url)
    with store.engine.begin() as conn:
        facts_sql.put_state(conn, "source", "stale")
    store.close()
    calls = []
    real = facts._rebuild
    monkeypatch.setattr(facts, "_rebuild", lambda *a: calls.append(1) or real(*a))
    assert main(["--database", demo_url, "db", "retention", "--days", "200"]) == 0, capsys.readouterr().err
    assert calls == [1]
    store = Store.open(demo_url)
    try:
        assert facts.is_current(store) and coverage.is_current(store)
    finally:
        store.close()
