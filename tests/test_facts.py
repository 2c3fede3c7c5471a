"""Facts per leader × week (coaching.facts, lasna.facts): scores from facts equal the full recompute,
refreshing touched weeks equals a rebuild, re-ingesting changes nothing, any window adds up."""

from __future__ import annotations

import atexit
import uuid
import functools
import shutil
import tempfile
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from facts_helpers import facts_snapshot as snapshot
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coaching import facts as cf
from coaching.metrics import Period, attach_features, compute_components
from lasna import coverage, facts, scoring_service
from lasna.demo import load_demo
from lasna.store import Store
from lasna.types import Goal, Interaction, InteractionKind, Platform, Post

TODAY = datetime(2026, 11, 22, 12, tzinfo=UTC)
KEY = ["leader_id", "bucket", "component"]


def assert_same_scores(old, new) -> None:
    """Every component row (raw, x, n, prior, value, percentile, evidence) and composite equal."""
    a = old.components.sort_values(KEY).reset_index(drop=True)
    b = new.components.sort_values(KEY).reset_index(drop=True)
    assert len(a) > 0
    assert a[KEY].values.tolist() == b[KEY].values.tolist()
    for col in ("raw", "x", "n", "prior", "value", "percentile"):
        x, y = a[col].astype(float).to_numpy(), b[col].astype(float).to_numpy()
        bad = ~np.isclose(x, y, rtol=1e-9, atol=1e-9, equal_nan=True)
        assert not bad.any(), (col, a.loc[bad, KEY + [col]].assign(facts=y[bad]).head().to_string())
    assert [list(map(str, e)) for e in a["evidence"]] == [list(map(str, e)) for e in b["evidence"]]
    ca = old.composites.sort_values(["leader_id", "bucket"]).reset_index(drop=True)
    cb = new.composites.sort_values(["leader_id", "bucket"]).reset_index(drop=True)
    assert ca[["leader_id", "bucket", "bucket_end"]].values.tolist() == cb[["leader_id", "bucket", "bucket_end"]].values.tolist()
    cols = ["openness", "responsiveness", "network", "consistency"]
    assert np.allclose(ca[cols].astype(float), cb[cols].astype(float), equal_nan=True, rtol=1e-9, atol=1e-9)


@functools.lru_cache(maxsize=1)
def _demo_sqlite_file() -> Path:
    """The demo with its facts built, once per session (enrichment of 9,000 posts is the slow part)."""
    folder = Path(tempfile.mkdtemp(prefix="lasna-facts-"))
    atexit.register(shutil.rmtree, folder, True)
    store = Store.open(f"sqlite:///{folder / 'demo.db'}")
    load_demo(store, today=TODAY)
    facts.rebuild(store)
    store.close()
    return folder / "demo.db"


@pytest.fixture(scope="module")
def _pg_demo(request):
    """One PostgreSQL demo store per module (loading and enriching it is slow); tests that add a batch
    leave the facts current, so later tests still compare like with like."""
    from conftest import _fresh_pg_database

    store = Store.open(_fresh_pg_database(request.getfixturevalue("postgres_url")))
    load_demo(store, today=TODAY)
    facts.rebuild(store)
    yield store
    store.close()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def demo(request, tmp_path):
    """The demo store with facts: a fresh copy of the SQLite file, or the module's PostgreSQL store."""
    if request.param == "postgresql":
        return request.getfixturevalue("_pg_demo")
    shutil.copy(_demo_sqlite_file(), tmp_path / "demo.db")
    store = Store.open(f"sqlite:///{tmp_path / 'demo.db'}")
    request.addfinalizer(store.close)
    return store


# --- 1. scores from facts == the full recompute, every demo leader -------------------------------------
@pytest.mark.parametrize("until_days_ago,by,reference", [(0, None, "cohort"), (0, "week", "all"),
                                                         (95, "month", "cohort"), (40, None, "all")])
def test_scores_from_facts_equal_the_full_recompute_for_every_demo_leader(demo, until_days_ago, by, reference):
    until = pd.Timestamp(TODAY) + pd.Timedelta(hours=11, minutes=59, seconds=59) - pd.Timedelta(days=until_days_ago)
    old = scoring_service.score_store_full(demo, days=90, until=until, by=by, reference=reference)
    new = facts.score_window(demo, None, until=until, days=90, by=by, reference=reference)
    assert new.meta["source"] == "facts"
    assert_same_scores(old, new)
    # one leader asked: the same numbers, read from that leader's and the reference group's facts only
    lid = int(demo.leaders_frame()["leader_id"].iloc[3])
    one = facts.score_window(demo, [lid], until=until, days=90, by=by, reference=reference)
    assert set(one.components["leader_id"]) == {lid}
    mine = new.components[new.components["leader_id"] == lid]
    assert_same_scores(type(new)(components=mine, composites=new.composites[new.composites["leader_id"] == lid],
                                 interactions=new.interactions), one)


# --- 2. refresh of touched weeks == full rebuild ----------------------------------------------------------
def _batch(store):
    """A batch touching old weeks: an answer to a 3-week-old message, a new message in an old thread,
    a reply from a new person, a new root post, a hidden reply under an old root."""
    leader = store.leaders()[2]
    account = store.accounts(leader_id=leader.id)[0]
    posts = store.posts_frame([leader.id])
    inter = store.interactions_frame([leader.id])
    old_msg = inter[inter["kind"] == "reply"].sort_values("indexed_at").iloc[len(inter) // 2]
    roots = posts[posts["reply_parent_id"].isna() & ~posts["is_repost"]].sort_values("indexed_at")
    old_root = roots.iloc[len(roots) // 3]
    author = str(posts["author_id"].iloc[0])
    at = TODAY - timedelta(hours=5)
    new_posts = [
        Post(id="facts-test-answer", platform=Platform(account.platform), author_id=author, created_at=at,
             indexed_at=at, text="Kiitos kysymyksestä, vastaan tähän perusteellisesti huomenna.",
             reply_parent_id=str(old_msg["interaction_id"]), reply_root_id=str(old_msg["root_id"] or old_msg["parent_id"]),
             reply_parent_author_id=str(old_msg["author_id"])),
        Post(id="facts-test-root", platform=Platform(account.platform), author_id=author, created_at=at,
             indexed_at=at, text="Mitä mieltä olette uudesta mallista?"),
    ]
    new_inter = [
        Interaction(id="facts-test-msg", platform=Platform(account.platform), kind=InteractionKind.REPLY,
                    author_id="did:plc:facts-newcomer", created_at=at, indexed_at=at,
                    text="Hyvä kysymys, mutta entä kustannukset?", parent_id=str(old_root["post_id"]),
                    root_id=str(old_root["post_id"])),
        Interaction(id="facts-test-hidden", platform=Platform(account.platform), kind=InteractionKind.REPLY,
                    author_id="did:plc:facts-troll", created_at=at, indexed_at=at, text="roskaa", hidden=True,
                    parent_id=str(old_root["post_id"]), root_id=str(old_root["post_id"])),
    ]
    return account, new_posts, new_inter


def _touched(store, account, new_posts, new_inter):
    lid = account.leader_id
    frame = pd.DataFrame({"leader_id": lid, "indexed_at": pd.to_datetime(
        [p.indexed_at for p in new_posts] + [i.indexed_at for i in new_inter], utc=True)})
    return facts.touched_weeks(frame)


def test_refreshing_the_touched_weeks_equals_a_full_rebuild(demo):
    account, new_posts, new_inter = _batch(demo)
    demo.save_batch(account, posts=new_posts, interactions=new_inter)
    touched = _touched(demo, account, new_posts, new_inter)
    assert len(touched) == 1
    written = facts.refresh_weeks(demo, touched)
    assert len(written) > len(touched)  # the answered message's and the old root's weeks too
    assert facts.is_current(demo)
    refreshed = snapshot(demo)
    facts.rebuild(demo)
    assert snapshot(demo) == refreshed
    until = pd.Timestamp(TODAY) + pd.Timedelta(hours=11)
    assert_same_scores(scoring_service.score_store_full(demo, days=120, until=until),
                       facts.score_window(demo, None, until=until, days=120))


def test_a_catch_up_over_every_week_refreshes_whole_leaders_in_bounded_chunks_and_equals_a_rebuild(demo, monkeypatch):
    """`lasna enrich` and `lasna db upgrade` after a version change touch every week of every leader: they
    refresh whole leaders in chunks (bounded memory), and the result equals one full rebuild."""
    from lasna import pipeline

    monkeypatch.setattr(cf, "FACTS_VERSION", cf.FACTS_VERSION + "-next")  # every stored week is now stale
    weeks = demo.fact_weeks()
    every = {(int(lid), pd.Timestamp(w).date()) for lid, w in zip(weeks["leader_id"], weeks["week_start"])}
    chunks: list[set] = []
    real = facts.refresh_weeks

    def spy(store, touched, changed=None, **kwargs):
        chunks.append(set(touched))
        return real(store, touched, changed, **kwargs)

    monkeypatch.setattr(facts, "refresh_weeks", spy)
    pipeline.refresh_facts(demo, every, chunk_weeks=60)
    assert len(chunks) > 3 and set().union(*chunks) == every
    assert all(len(c) < 60 + 60 for c in chunks)  # a chunk closes after the leader that fills it
    leaders_of = [{lid for lid, _ in c} for c in chunks]
    assert all(a.isdisjoint(b) for i, a in enumerate(leaders_of) for b in leaders_of[i + 1:])  # no leader split
    refreshed = snapshot(demo)
    assert set(demo.fact_weeks()["version"]) == {cf.FACTS_VERSION}
    facts.rebuild(demo)
    assert snapshot(demo) == refreshed


def test_after_ingest_refreshes_only_the_weeks_linked_to_what_changed_and_equals_a_full_rebuild(demo):
    """The ingest path (queued enrichment, then the weeks holding rows linked to the rows that changed)
    writes the same facts as a rebuild, and fewer weeks than linking every row of the touched weeks."""
    from lasna import pipeline

    account, new_posts, new_inter = _batch(demo)
    pipeline.after_ingest(demo, [account.leader_id])  # whatever the demo left queued
    facts.rebuild(demo)
    demo.save_batch(account, posts=new_posts, interactions=new_inter)
    written = pipeline.after_ingest(demo, [account.leader_id])
    assert facts.is_current(demo)
    refreshed = snapshot(demo)
    facts.rebuild(demo)
    assert snapshot(demo) == refreshed
    every_link = facts.refresh_weeks(demo, _touched(demo, account, new_posts, new_inter))
    assert written - {(account.leader_id, w) for _, w in every_link} == set()
    assert snapshot(demo) == refreshed


def test_reingesting_the_same_batch_changes_no_facts(demo):
    account, new_posts, new_inter = _batch(demo)
    demo.save_batch(account, posts=new_posts, interactions=new_inter)
    facts.refresh_weeks(demo, _touched(demo, account, new_posts, new_inter))
    before = snapshot(demo)
    demo.save_batch(account, posts=new_posts, interactions=new_inter)
    facts.refresh_weeks(demo, _touched(demo, account, new_posts, new_inter))
    assert snapshot(demo) == before
    assert facts.is_current(demo)


def test_a_store_filled_without_the_ingest_hook_is_rebuilt_before_it_is_read(tmp_path):
    shutil.copy(_demo_sqlite_file(), tmp_path / "demo.db")
    sqlite_store = Store.open(f"sqlite:///{tmp_path / 'demo.db'}")
    until = pd.Timestamp(TODAY) + pd.Timedelta(hours=11)
    assert facts.is_current(sqlite_store)
    account, new_posts, new_inter = _batch(sqlite_store)
    sqlite_store.save_batch(account, posts=new_posts, interactions=new_inter)  # no refresh: stale
    assert not facts.is_current(sqlite_store)
    assert_same_scores(scoring_service.score_store_full(sqlite_store, days=30, until=until),
                       facts.score_window(sqlite_store, None, until=until, days=30))


# --- 3. any window: the weeks' records add up to the window computed directly ----------------------------
def _random_frames(seed: int, n_leaders: int = 3, n_posts: int = 60, n_inter: int = 80):
    rng = np.random.default_rng(seed)
    t0 = pd.Timestamp("2026-03-01", tz="UTC").value
    span = 150 * 86_400 * 10**9
    texts = ["Kiitos @anna hyvästä työstä!", "Mitä mieltä olette?", "We shipped the report: 40 % faster.",
             "Olen samaa mieltä.", "👍", "I think we should talk about this more?", "Tulokset: 12 % kasvu",
             "ok", "Me teimme sen yhdessä.", "Hyvä pointti, palaan tähän."]
    posts, inter = [], []
    for i in range(n_posts):
        lid = int(rng.integers(1, n_leaders + 1))
        kind = rng.choice(["root", "reply", "repost"], p=[0.45, 0.45, 0.1])
        parent = None
        if kind == "reply" and inter:
            cand = [x for x in inter if x["leader_id"] == lid]
            parent = cand[int(rng.integers(len(cand)))] if cand else None
        t = t0 + int(rng.integers(span))
        if parent is not None:
            t = parent["t"] + int(rng.integers(1, 10 * 86_400)) * 10**9
        posts.append({"post_id": f"p{i}", "leader_id": lid, "leader": f"L{lid}", "author_id": f"did:leader{lid}",
                      "t": t, "text": str(rng.choice(texts)), "is_repost": kind == "repost",
                      "reply_parent_id": parent["interaction_id"] if parent else None,
                      "reply_root_id": parent["root_id"] if parent else None,
                      "reply_parent_author_id": parent["author_id"] if parent else None,
                      "mentions": ["did:p" + str(int(rng.integers(5)))] if rng.random() < 0.2 else [],
                      "replies_restricted": bool(rng.random() < 0.05), "hidden_replies": 0, "deleted": False})
        own = [p for p in posts if not p["is_repost"]]
        if own and rng.random() < 0.9:
            for _ in range(int(rng.integers(0, 3))):
                root = own[int(rng.integers(len(own)))]
                j = len(inter)
                to_msg = rng.random() < 0.2 and any(x["leader_id"] == root["leader_id"] for x in inter)
                inter.append({"interaction_id": f"i{j}", "leader_id": root["leader_id"], "leader": root["leader"],
                              "kind": str(rng.choice(["reply", "reply", "mention", "quote"])),
                              "author_id": "did:p" + str(int(rng.integers(6))), "author_handle": None,
                              "author_name": None, "t": root["t"] + int(rng.integers(1, 20 * 86_400)) * 10**9,
                              "text": str(rng.choice(texts)),
                              "parent_id": (f"i{j - 1}" if to_msg and j else root["post_id"]),
                              "root_id": root["reply_root_id"] or root["post_id"],
                              "hidden": bool(rng.random() < 0.05), "deleted": False,
                              "stance": str(rng.choice(["critical", "supportive", "neutral"]))})
    P = pd.DataFrame(posts)
    IN = pd.DataFrame(inter)
    for f in (P, IN):
        f["indexed_at"] = pd.to_datetime(f.pop("t"), utc=True)
        f["created_at"] = f["indexed_at"]
    return attach_features(P), IN


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), end_day=st.integers(0, 170), hour=st.integers(0, 23),
       days=st.sampled_from([1, 6, 7, 30, 90, 200]), by=st.sampled_from([None, "week", "month"]),
       tz=st.sampled_from(["Europe/Helsinki", "UTC", "America/New_York"]))
def test_any_window_from_the_weeks_records_equals_computing_it_directly(seed, end_day, hour, days, by, tz):
    posts, inter = _random_frames(seed)
    recs = cf.week_records(posts, inter, tz=tz)
    until = pd.Timestamp("2026-03-01", tz="UTC").value + (end_day * 24 + hour) * 3_600 * 10**9
    period = Period(until, days, by, tz)
    old, _ = compute_components(posts, inter, period)
    # only the weeks the window overlaps (as the store reads them)
    first_w, last_w = cf.week_start(np.array([period.start + 1, until]), tz)
    part = {k: v[(v["week"] >= pd.Timestamp(first_w)) & (v["week"] <= pd.Timestamp(last_w))] if "week" in v else v
            for k, v in recs.items()}
    new = cf.window_components(part, cf.first_contacts(posts), cf.first_post_times(recs, until), period)
    a, b = old.sort_values(KEY).reset_index(drop=True), new.sort_values(KEY).reset_index(drop=True)
    assert a[KEY].values.tolist() == b[KEY].values.tolist()
    for col in ("raw", "x", "n"):
        assert np.allclose(a[col].astype(float), b[col].astype(float), equal_nan=True, rtol=1e-9, atol=1e-9), col
    assert [list(e) for e in a["evidence"]] == [list(e) for e in b["evidence"]]


def test_weeks_start_on_monday_midnight_in_the_programme_time_zone():
    t = pd.to_datetime(["2026-03-29 20:59:59", "2026-03-29 21:00:00", "2026-10-25 21:59:59", "2026-10-25 22:00:00"],
                       utc=True)
    weeks = cf.week_start(t.as_unit("ns").asi8, "Europe/Helsinki")
    # Monday 00:00 Helsinki is Sunday 21:00 UTC in summer time (UTC+3), 22:00 UTC in winter (UTC+2)
    assert [str(w) for w in weeks] == ["2026-03-23", "2026-03-30", "2026-10-19", "2026-10-26"]


# --- 4. one source of numbers: CLI, report, goals and dashboard agree for every demo leader ---------------
def test_score_json_report_csv_goal_now_and_dashboard_agree_for_every_demo_leader(tmp_path, monkeypatch):
    import csv
    import io
    import json

    from typer.testing import CliRunner

    from coaching import goals as goals_mod
    from coaching import reports
    from lasna.cli import app
    from lasna.coach_service import CoachService
    from lasna.window import day_end

    shutil.copy(_demo_sqlite_file(), tmp_path / "demo.db")
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    monkeypatch.setenv("LASNA_DATABASE_URL", url)
    store = Store.open(url)
    today = TODAY.date()
    svc = CoachService(store, today=today)
    assert svc.now == pd.Timestamp(day_end(today))  # one clock: the end of the day in the programme zone

    def cli_scores(days: int) -> dict:
        res = CliRunner().invoke(app, ["score", "--json", "--until", today.isoformat(), "--days", str(days)])
        assert res.exit_code == 0, res.output
        return {e["leader_id"]: e["periods"][0] for e in json.loads(res.output)["leaders"]}

    cli90, cli_goal = cli_scores(svc.days), cli_scores(goals_mod.GOAL_WINDOW_DAYS)
    from dashboard import data

    dash = data.compute_scores(store, svc.now.to_pydatetime())["current"].set_index("leader_id")
    leaders = store.leaders()
    assert len(leaders) >= 10
    checked = goals_checked = 0
    for leader in leaders:
        period = cli90[leader.id]
        # the report (CSV) shows the same components and composites as `lasna score --json`
        csv_text = reports.report_csv(svc.leader_report(leader.id), dialect="standard")
        rows = {r["metric"]: r for r in csv.DictReader(io.StringIO(csv_text))}
        for key, comp in period["components"].items():
            if key not in rows or comp["value"] is None:
                continue
            # CSV: 6 significant digits; JSON: 6 decimals
            assert float(rows[key]["value"]) == pytest.approx(comp["value"], rel=1e-5, abs=1e-6), (leader.name, key)
            assert float(rows[key]["n"]) == pytest.approx(comp["n"]), (leader.name, key)
            checked += 1
        for key, value in period["composites"].items():
            if value is not None:
                assert float(rows[key]["value"]) == pytest.approx(value, rel=1e-5), (leader.name, key)
                # the dashboard's scores are the same
                assert dash.loc[leader.id, key] == pytest.approx(value, rel=1e-6, abs=1e-6), (leader.name, key)
        # a goal's "now" is the component over the goal window ending today
        metric = "response_rate"
        store.add_goal(Goal(leader_id=leader.id, metric=metric, target=0.99, start=today - timedelta(days=60),
                                      deadline=today + timedelta(days=30)))
        svc_g = CoachService(store, today=today)
        (progress,) = [p for p in svc_g.goal_progress(leader.id) if p.metric == metric]
        comp = cli_goal[leader.id]["components"].get(metric, {})
        if comp.get("value") is None or comp["n"] < goals_mod.DEFAULT_MIN_N:
            assert progress.current is None and progress.status == "no_data"
        else:
            assert progress.current == pytest.approx(comp["value"], rel=1e-6, abs=1e-6), leader.name
            assert progress.n == comp["n"]
            goals_checked += 1
        # the dashboard's "answered" is the response rate's own definition (unshrunk x/n) for the window
        posts = store.posts_frame([leader.id])
        inter = store.interactions_frame([leader.id])
        shown = data.period_summary(posts, inter, svc.now - pd.Timedelta(days=svc.days), svc.now)
        rr = period["components"].get("response_rate")
        if rr is None:
            assert shown["answered"] is None
        else:
            assert shown["answered"] == pytest.approx(rr["raw"], rel=1e-6, abs=1e-6), leader.name
            assert shown["incoming"] == rr["n"]
    assert checked > 10 * len(leaders) and goals_checked >= len(leaders) // 2


def test_every_metric_is_computed_by_exactly_one_registered_family():
    from coaching.definitions import METRICS

    produced = cf.registered_components()
    assert len(produced) == len(set(produced))
    assert set(produced) == {k for k, m in METRICS.items() if m.kind != "gap"}


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_composites_in_one_group_by_equal_one_group_by_per_composite(seed):
    """The fast path of composite_scores (one group-by over leader, bucket and composite) gives exactly
    the frame of one group-by per composite, missing percentiles and empty composites included."""
    from coaching.composites import WEIGHTS, composite_scores, composite_scores_each

    rng = np.random.default_rng(seed)
    keys = [k for w in WEIGHTS.values() for k in w]
    n = 400
    ranked = pd.DataFrame({"leader_id": rng.integers(1, 12, n).astype(np.int64),
                           "bucket": rng.integers(0, 4, n).astype(np.int64) * 7 * 86400 * 10**9,
                           "component": rng.choice(keys, n),
                           "percentile": np.where(rng.random(n) < 0.2, np.nan, rng.uniform(0, 100, n))})
    ranked = ranked[~((ranked["leader_id"] == 3) & ranked["component"].isin(list(WEIGHTS["network"])))]
    fast = composite_scores(ranked).sort_values(["leader_id", "bucket"]).reset_index(drop=True)
    each = composite_scores_each(ranked, WEIGHTS).sort_values(["leader_id", "bucket"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(fast, each, check_exact=True)
    assert fast.loc[fast["leader_id"] == 3, "network"].isna().all()


def _evidence_by_group_by(frame, mask, col, k, order="t"):
    """The evidence lists as a pandas group-by computes them (the reference for cf._evidence)."""
    sub = frame.loc[mask & frame[col].notna().to_numpy(), ["leader_id", "bucket", order, col]]
    sub = sub.sort_values(["leader_id", "bucket", order], kind="stable")
    sub = sub.groupby(["leader_id", "bucket"], sort=False).head(k)
    return sub.groupby(["leader_id", "bucket"], sort=False)[col].agg(lambda s: [str(v) for v in s])


@pytest.mark.parametrize("order", ["t", "name"])
def test_evidence_lists_equal_a_pandas_group_by(order):
    rng = np.random.default_rng(5)
    n = 300
    frame = pd.DataFrame({"leader_id": rng.integers(1, 6, n).astype(np.int64),
                          "bucket": rng.integers(0, 3, n).astype(np.int64),
                          "t": rng.integers(0, 20, n).astype(np.int64),  # ties keep the rows' order
                          "name": rng.choice(["b", "a", "ä", "C", "aa"], n).astype(object),
                          "post_id": [None if rng.random() < 0.3 else f"p{i}" for i in range(n)]})
    mask = rng.random(n) < 0.7
    rows = cf.Rows.of(frame, ("t",), ("name", "post_id")).with_columns(
        key=frame["leader_id"].to_numpy() * 3 + frame["bucket"].to_numpy())
    got = cf._evidence(rows, mask, "post_id", 3, order=order)
    want = _evidence_by_group_by(frame, mask, "post_id", 3, order=order)
    keys = sorted(want.index)
    assert sorted((key // 3, key % 3) for key in got) == keys
    assert [got[lid * 3 + b] for lid, b in keys] == [want[key] for key in keys]
    assert cf._evidence(rows, np.zeros(n, bool), "post_id", 3) is None


# --- removing rows rebuilds the facts in the removing command, not in the next reader ---------------------
@pytest.mark.parametrize("command", ["retention", "erase", "forget"])
def test_commands_that_remove_rows_leave_current_facts_without_the_removed_rows(tmp_path, capsys, command):
    from lasna.cli import main

    shutil.copy(_demo_sqlite_file(), tmp_path / "demo.db")
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    store = Store.open(url)
    before = snapshot(store)
    inter = store.interactions_frame()
    author = str(inter["author_id"].value_counts().index[0])  # the most active replier
    leader = store.leaders()[0].name
    store.close()
    args = {"retention": ["db", "retention", "--days", "200"], "erase": ["erase", "--author", author, "--yes"],
            "forget": ["leaders", "remove", leader, "--forget"]}[command]
    assert main(["--database", url, *args]) == 0, capsys.readouterr().err
    store = Store.open(url)
    try:
        assert facts.is_current(store), "the next reader would have to rebuild the facts"
        assert coverage.is_current(store), "the next reader would have to rebuild the coverage ledger"
        after = snapshot(store)
        assert after != before
        facts.rebuild(store)
        assert snapshot(store) == after
    finally:
        store.close()


def test_one_command_counts_the_source_rows_once_and_a_write_through_the_store_is_seen_at_once(demo, monkeypatch):
    """Counting posts and interactions (the facts' freshness check) is ~0.1 s at 1 M posts: the facts and the
    coverage ledger checks of one command share one count, and a commit through the store forgets it."""
    from lasna import pipeline
    from lasna.store import facts as store_facts

    counted = []
    real = store_facts.fingerprint
    monkeypatch.setattr(store_facts, "fingerprint", lambda conn: counted.append(1) or real(conn))
    demo._fingerprint = None
    assert facts.is_current(demo) and coverage.is_current(demo)
    facts.ensure_current(demo)
    coverage.ensure_current(demo)
    assert len(counted) == 1
    account, new_posts, _ = _batch(demo)
    fresh_posts = [replace(p, id=f"{p.id}-{uuid.uuid4().hex}") for p in new_posts if not p.reply_parent_id]
    demo.save_batch(account, posts=fresh_posts)  # rows no earlier test stored (PostgreSQL's store is shared)
    assert not facts.is_current(demo)  # the commit forgot the count: the new rows are seen at once
    pipeline.after_ingest(demo, [account.leader_id])
    assert facts.is_current(demo) and coverage.is_current(demo)


def test_a_count_reused_from_before_another_process_wrote_does_not_rebuild(demo, monkeypatch):
    """Another process stores a batch and refreshes the facts; this store's reused count is older than the
    facts' stamp. Before rebuilding anything it counts again, finds the facts current and rebuilds nothing."""
    from lasna import pipeline

    reader = Store.open(demo.engine.url.render_as_string(hide_password=False), upgrade=False)
    try:
        assert facts.is_current(reader)  # the count is now remembered by `reader`
        account, new_posts, _ = _batch(demo)
        fresh_posts = [replace(p, id=f"{p.id}-{uuid.uuid4().hex}") for p in new_posts if not p.reply_parent_id]
        demo.save_batch(account, posts=fresh_posts)  # rows no earlier test stored (PostgreSQL's store is shared)
        pipeline.after_ingest(demo, [account.leader_id])  # "another process": another engine
        assert not facts.is_current(reader)  # the reused count is old ...
        monkeypatch.setattr(facts, "_rebuild", lambda *a: pytest.fail("rebuilt the facts"))
        monkeypatch.setattr(coverage, "rebuild", lambda *a: pytest.fail("rebuilt the coverage ledger"))
        assert facts.ensure_current(reader) is False  # ... and counting again shows the facts current
        coverage.ensure_current(reader)
        assert facts.is_current(reader, fresh=True)
    finally:
        reader.close()
