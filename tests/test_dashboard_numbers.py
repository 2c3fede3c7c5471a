"""The dashboard shows the numbers of ``lasna score --json`` (issue #11: one source of numbers).

For every demo leader: the composites My presence and Sparring show (this period, the one before, the
monthly trend), read from the leader's reference group only, equal the all-leader reports and the CLI;
the Cohorts page's member scores equal them too; the headline "answered" is the response rate's raw
share and "incoming" its n. The dashboard's loaders are called as the pages call them (an admin viewer).
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from tests.coach_fixtures import demo_store, demo_url

COLUMNS = ["leader_id", "bucket", "openness", "responsiveness", "network", "consistency"]


@pytest.fixture
def dashboard_data(monkeypatch):
    import streamlit as st

    from dashboard import data

    monkeypatch.setenv("LASNA_DATABASE_URL", demo_url())
    monkeypatch.setenv("LASNA_DASHBOARD_SCORES", "1")
    monkeypatch.setenv("LASNA_DASHBOARD_COACHING", "1")
    st.cache_data.clear()
    st.cache_resource.clear()
    data._SERVICES.clear()
    yield data
    st.cache_data.clear()
    st.cache_resource.clear()
    data._SERVICES.clear()


def _admin():
    from lasna.access import Viewer
    from lasna.users import Role

    return Viewer("numbers-test", Role.ADMIN)


def test_presence_sparring_and_cohort_scores_are_the_cli_s_for_every_demo_leader(dashboard_data):
    from lasna.cli import app
    from lasna.coach_service import CoachService

    data, viewer, store = dashboard_data, _admin(), demo_store()
    svc = data._service()[0]  # the dashboard's service: its clock (now) is the CLI's default window end
    res = CliRunner().invoke(app, ["score", "--json", "--days", str(data.SCORE_DAYS),
                                   "--until", svc.now.date().isoformat()])
    assert res.exit_code == 0, res.output
    cli = {e["leader_id"]: e["periods"][0]["composites"] for e in json.loads(res.output)["leaders"]}
    every = CoachService(store, today=svc.now.to_pydatetime()).headline_composites()  # all leaders at once
    leaders = store.leaders()
    assert len(leaders) >= 10
    compared = 0
    for leader in leaders:
        status, frames = data.scores(viewer, leader.id)
        assert status == "ready", frames
        for name in ("current", "previous", "trend"):
            expected = every[name][every[name]["leader_id"] == leader.id].reset_index(drop=True)
            assert len(expected) >= 1
            pd.testing.assert_frame_equal(frames[name][COLUMNS], expected[COLUMNS], check_exact=False, rtol=1e-9)
        for key, value in cli[leader.id].items():
            shown = frames["current"][key].iloc[0]
            if value is None:
                assert pd.isna(shown), (leader.name, key)
            else:
                assert shown == pytest.approx(value, rel=1e-6, abs=1e-6), (leader.name, key)
                compared += 1
    assert compared >= 3 * len(leaders)
    for cohort in store.cohorts():
        status, out = data.cohort_scores(viewer, cohort.name)
        assert status == "ready"
        members = out["members"]
        expected = every["current"][every["current"]["leader_id"].isin(
            [ld.id for ld in leaders if cohort.name in ld.cohorts])]
        expected = expected.sort_values("leader").reset_index(drop=True)
        assert len(members) == len(expected) > 0
        pd.testing.assert_frame_equal(members[["leader", *COLUMNS[2:]]], expected[["leader", *COLUMNS[2:]]],
                                      check_exact=False, rtol=1e-9)


def test_headline_answered_is_the_response_rate_of_score_json(dashboard_data):
    from lasna.cli import app

    data, viewer, store = dashboard_data, _admin(), demo_store()
    end = data.today_end()
    res = CliRunner().invoke(app, ["score", "--json", "--days", "90", "--until", end.date().isoformat()])
    assert res.exit_code == 0, res.output
    cli = {e["leader_id"]: e["periods"][0]["components"] for e in json.loads(res.output)["leaders"]}
    checked = 0
    for leader in store.leaders():
        # as My presence asks: this period, with the rows of the period before loaded (the page's frames)
        shown = data.leader_summary(viewer, leader.id, data.since_days(90), end, since=data.since_days(180))
        rr = cli[leader.id].get("response_rate")
        if rr is None or rr["n"] == 0:
            assert shown["answered"] is None, leader.name
            continue
        assert shown["answered"] == pytest.approx(rr["raw"], abs=1e-6), leader.name  # JSON: 6 decimals
        assert shown["incoming"] == rr["n"], leader.name
        checked += 1
    assert checked >= 5


def test_the_dashboard_computes_no_metric_of_its_own():
    """Metric code is imported by the core only: the dashboard asks lasna.coach_service / lasna.activity."""
    import ast
    from pathlib import Path

    metric_modules = {"coaching.metrics", "coaching.facts", "coaching.scoring", "coaching.composites",
                      "coaching.score_window", "lasna.facts", "lasna.scoring_service"}
    root = Path(__file__).resolve().parents[1] / "dashboard"
    found = {}
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module] if isinstance(node, ast.ImportFrom) and node.module else []
            if isinstance(node, ast.ImportFrom) and node.module in ("coaching", "lasna"):
                names = [f"{node.module}.{a.name}" for a in node.names]
            hits = [n for n in names if n in metric_modules]
            if hits:
                found.setdefault(path.name, []).extend(hits)
    assert found == {}, f"metric logic belongs in lasna/coaching, not the dashboard: {found}"


def test_light_activity_rows_equal_the_full_frames(store):
    """``Store.activity_posts`` / ``activity_interactions`` (Cohorts, Sparring's "all my leaders") reads times and flags raw and converts
    them per column: the same values as the full frames, on SQLite and PostgreSQL."""
    from datetime import UTC, datetime, timedelta

    from lasna.types import Interaction, InteractionKind, Platform, Post

    leader = store.add_leader("Light Rows", language="fi", cohorts=["Light"])
    account = store.add_account(leader.id, Platform.BLUESKY, "light.example.com", stable_id="did:plc:" + "l" * 24)
    now = datetime.now(UTC).replace(microsecond=123456)
    posts = [
        Post(id="at://light/1", platform=Platform.BLUESKY, author_id=account.stable_id,
             created_at=now - timedelta(days=3), indexed_at=now - timedelta(days=2, hours=1), text="Hei?"),
        Post(id="at://light/2", platform=Platform.BLUESKY, author_id=account.stable_id,
             created_at=(now - timedelta(days=1)).replace(microsecond=0), text="", is_repost=True),
        Post(id="at://light/3", platform=Platform.BLUESKY, author_id=account.stable_id,
             created_at=now - timedelta(hours=2), text="Kiitos", reply_parent_id="at://other/1",
             reply_parent_author_id="did:plc:" + "o" * 24),
        Post(id="at://light/old", platform=Platform.BLUESKY, author_id=account.stable_id,
             created_at=now - timedelta(days=60), text="too old for the window"),
    ]
    replies = [
        Interaction(id="at://other/1", platform=Platform.BLUESKY, kind=InteractionKind.REPLY,
                    author_id="did:plc:" + "o" * 24, created_at=now - timedelta(days=2), text="Miksi?",
                    parent_id="at://light/1", root_id="at://light/1"),
        Interaction(id="at://other/2", platform=Platform.BLUESKY, kind=InteractionKind.REPLY,
                    author_id="did:plc:" + "p" * 24, created_at=now - timedelta(hours=5), text="hidden one",
                    parent_id="at://light/1", root_id="at://light/1", hidden=True),
    ]
    store.save_batch(account, posts=posts, interactions=replies)
    since = now - timedelta(days=30)
    light_p, light_i = store.activity_posts([leader.id], since), store.activity_interactions([leader.id], since)
    full_p = store.posts_frame([leader.id], since=since).set_index("post_id").sort_index()
    full_i = store.interactions_frame([leader.id], since=since).set_index("interaction_id").sort_index()
    light_p, light_i = light_p.set_index("post_id").sort_index(), light_i.set_index("interaction_id").sort_index()
    assert list(light_p.index) == ["at://light/1", "at://light/2", "at://light/3"]
    assert list(light_i.index) == ["at://other/1", "at://other/2"]
    for light, full, cols in ((light_p, full_p, ["created_at", "indexed_at", "is_repost", "reply_parent_id"]),
                              (light_i, full_i, ["created_at", "indexed_at", "hidden", "kind", "text"])):
        for col in cols:
            got, want = light[col], full[col]
            if col in ("created_at", "indexed_at"):
                assert str(got.dt.tz) == "UTC"
                got, want = got.dt.as_unit("us"), want.dt.as_unit("us")
            assert got.tolist() == want.tolist(), col
    assert light_p.loc["at://light/1", "indexed_at"] == pd.Timestamp(now - timedelta(days=2, hours=1))
    assert bool(light_i.loc["at://other/2", "hidden"]) and bool(light_p.loc["at://light/2", "is_repost"])
