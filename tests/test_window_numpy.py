"""The NumPy window assembly (coaching.facts.window_components) and ranking (coaching.scoring.rank_components:
shrinkage, percentiles, composites), round 5, give exactly the frames of the former pandas code
(tests/window_reference.py): the same rows in the same order, the same floats bit for bit, the same
evidence lists — on random records, on the demo store and on a seeded store."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pytest
import window_reference as ref
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_facts import TODAY, _demo_sqlite_file, _pg_demo, _random_frames, demo  # noqa: F401 (fixtures)

from coaching import facts as cf
from coaching.metrics import Period
from coaching.scoring import rank_components
from lasna import facts
from lasna.store import Store
from lasna.window import programme_tz


def assert_identical(old: pd.DataFrame, new: pd.DataFrame) -> None:
    assert list(new.columns) == list(old.columns)
    assert [list(map(str, e)) for e in new["evidence"]] == [list(map(str, e)) for e in old["evidence"]]
    pd.testing.assert_frame_equal(new.drop(columns="evidence"), old.drop(columns="evidence"), check_exact=True)


def _both(recs, contacts, first_post, period, **kw):
    return (ref.window_components(recs, contacts, first_post, period, **kw),
            cf.window_components(recs, contacts, first_post, period, **kw))


def assert_same_ranking(raw: pd.DataFrame, leaders: pd.DataFrame, period: Period) -> None:
    """The NumPy ranking (coaching.scoring.rank_components) gives exactly the former pandas frames."""
    for reference in ("cohort", "all"):
        old = ref.rank_components(raw, leaders, period, reference=reference)
        new = rank_components(raw, leaders, period, reference=reference)
        assert_identical(old.components, new.components)
        pd.testing.assert_frame_equal(new.composites, old.composites, check_exact=True)
        assert {k: v for k, v in new.meta.items() if k != "timings_cpu_s"} == \
            {k: v for k, v in old.meta.items() if k != "timings_cpu_s"}


def _leaders(ids, seed: int) -> pd.DataFrame:
    """Leaders in one, two or no cohorts (a leader in two is ranked in the union of both)."""
    rng = np.random.default_rng(seed)
    options = [[], ["A"], ["B"], ["A", "B"], ["C"]]
    return pd.DataFrame({"leader_id": np.asarray(ids, np.int64), "leader": [f"L{i}" for i in ids],
                         "cohorts": [options[int(rng.integers(len(options)))] for _ in ids]})


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), end_day=st.integers(0, 170), hour=st.integers(0, 23),
       days=st.sampled_from([1, 6, 7, 30, 90, 200]), by=st.sampled_from([None, "week", "month"]),
       tz=st.sampled_from(["Europe/Helsinki", "UTC", "America/New_York"]), stance_known=st.booleans(),
       n_leaders=st.sampled_from([1, 3, 6]))
def test_random_records_give_the_frame_of_the_pandas_assembly(seed, end_day, hour, days, by, tz, stance_known,
                                                               n_leaders):
    posts, inter = _random_frames(seed, n_leaders=n_leaders)
    recs = cf.week_records(posts, inter, tz=tz)
    if seed % 2:  # ids only for some leaders, as a store reads them
        for name, cols in (("posts", cf.POST_IDS), ("interactions", cf.INTER_IDS), ("mentions", cf.MENTION_IDS)):
            frame = recs[name].copy()
            frame.loc[frame["leader_id"] != frame["leader_id"].min(), list(cols)] = None
            recs[name] = frame
    until = pd.Timestamp("2026-03-01", tz="UTC").value + (end_day * 24 + hour) * 3_600 * 10**9
    period = Period(until, days, by, tz)
    old, new = _both(recs, cf.first_contacts(posts), cf.first_post_times(recs, until), period,
                     stance_known=stance_known)
    assert_identical(old, new)
    assert_same_ranking(new, _leaders(sorted(set(posts["leader_id"]) | {99}), seed), period)


def test_empty_records_give_the_frame_of_the_pandas_assembly():
    period = Period(pd.Timestamp("2026-03-01", tz="UTC").value, 90, "week", "Europe/Helsinki")
    contacts = pd.DataFrame({"leader_id": pd.Series(dtype="int64"), "acc_name": pd.Series(dtype=object),
                             "first_t": pd.Series(dtype="int64")})
    old, new = _both(cf.empty_records(), contacts, pd.Series(dtype="int64"), period)
    assert len(old) == len(new) == 0
    assert list(new.columns) == list(old.columns)
    assert_same_ranking(new, _leaders([1, 2, 3], 0), period)


def _store_windows(store: Store, windows):
    """Both assemblies over the inputs score_window reads, for every leader and for one leader's group."""
    leaders = store.leaders_frame()
    lids = [int(i) for i in leaders["leader_id"]]
    compared = 0
    for until, days, by in windows:
        until_ns = int(pd.Timestamp(until).value)
        period = Period(until_ns, days, by, programme_tz())
        for asked in (None, [lids[len(lids) // 2]]):
            needed = facts._needed_leaders(leaders, asked, "cohort")
            recs = facts.window_records(store, needed, period, with_ids=needed if asked is None else asked)
            first_post = store.fact_first_posts(needed, period.until)
            contacts, any_contact = store.fact_contacts(needed, period.start, period.until, any_of=lids)
            old, new = _both(recs, contacts, first_post, period, contacts_exist=any_contact)
            assert_identical(old, new)
            assert_same_ranking(new, leaders if asked is None else leaders[leaders["leader_id"].isin(set(needed))],
                                period)
            compared += len(new)
    assert compared > 0


@pytest.mark.slow
def test_demo_store_windows_give_the_frame_of_the_pandas_assembly(tmp_path):
    shutil.copy(_demo_sqlite_file(), tmp_path / "demo.db")
    store = Store.open(f"sqlite:///{tmp_path / 'demo.db'}")
    try:
        end = pd.Timestamp(TODAY) + pd.Timedelta(hours=11, minutes=59, seconds=59)
        _store_windows(store, [(end, 90, None), (end - pd.Timedelta(days=90), 90, None), (end, 182, "week"),
                               (end, 180, "month"), (end - pd.Timedelta(days=40), 28, None)])
    finally:
        store.close()


@pytest.mark.slow
def test_seeded_store_windows_give_the_frame_of_the_pandas_assembly(tmp_path):
    from benchmarks import e2e

    db = tmp_path / "e2e.db"
    e2e.seed(db, 3_000, 30)
    store = Store.open(f"sqlite:///{db}")
    try:
        facts.rebuild(store)
        end = pd.Timestamp(datetime.now(UTC))
        _store_windows(store, [(end, 90, None), (end - pd.Timedelta(days=90), 90, None), (end, 182, "week"),
                               (end, 365, "month")])
    finally:
        store.close()


def test_windows_scored_from_a_wider_window_s_records_are_the_same(tmp_path):
    """A report reads its weekly trend's facts once and scores this period and the baseline from them
    (lasna.facts.window_records cache): the same scores as reading each window's own weeks."""
    shutil.copy(_demo_sqlite_file(), tmp_path / "demo.db")
    store = Store.open(f"sqlite:///{tmp_path / 'demo.db'}")
    try:
        leaders = store.leaders_frame()
        lid = int(leaders["leader_id"].iloc[2])
        asked = [int(i) for i in leaders["leader_id"]][:5] + [lid]
        end = pd.Timestamp(TODAY) + pd.Timedelta(hours=11, minutes=59, seconds=59)
        cache: dict = {}
        facts.score_window(store, asked, until=end, days=182, by="week", leaders=leaders, evidence_for=(lid,),
                           records_cache=cache)
        assert len(cache) == 1
        for until, days in ((end, 90), (end - pd.Timedelta(days=90), 90), (end - pd.Timedelta(days=30), 7)):
            shared = facts.score_window(store, asked, until=until, days=days, leaders=leaders, evidence_for=(lid,),
                                        records_cache=cache)
            own = facts.score_window(store, asked, until=until, days=days, leaders=leaders, evidence_for=(lid,))
            assert len(cache) == 1  # read from the weekly trend's records
            assert_identical(own.components, shared.components)
            pd.testing.assert_frame_equal(shared.composites, own.composites, check_exact=True)
        facts.score_window(store, asked, until=end, days=365, leaders=leaders, evidence_for=(lid,),
                           records_cache=cache)
        assert len(cache) == 1 and cache[next(iter(cache))][0] < (end - pd.Timedelta(days=300)).date()
    finally:
        store.close()


def _history_by_ids(store: Store, leader_ids, since=None):
    """The former read of a leader's history: rows first, then their enrichment by id."""
    posts = store.posts_frame(list(leader_ids), since=since)
    inter = store.interactions_frame(list(leader_ids), since=since)
    posts_f, inter_s, _ = facts.enriched_frames(store, posts, inter)
    return posts_f, inter_s


def test_a_leaders_history_read_joined_equals_the_read_by_ids(demo):
    """CoachService reads a leader's posts and messages with their enrichment in one joined read
    (scoring_service.enriched_history): the same frames as rows first and enrichment by id (SQLite and
    PostgreSQL; neither read orders its rows, so they are compared in id order)."""
    from lasna import scoring_service

    def by_id(frame: pd.DataFrame, key: str) -> pd.DataFrame:
        return frame.sort_values(key, kind="stable").reset_index(drop=True)

    ids = [int(i) for i in demo.leaders_frame()["leader_id"]]
    since = (pd.Timestamp(TODAY) - pd.Timedelta(days=60)).to_pydatetime()
    for leader_ids, from_ in (([ids[0]], None), ([ids[3]], since), (ids[:4], None), (ids, since)):
        old_p, old_i = _history_by_ids(demo, leader_ids, from_)
        new_p, new_i = scoring_service.enriched_history(demo, leader_ids, from_)
        assert len(new_p) > 0 and len(new_i) > 0
        if demo.engine.dialect.name == "sqlite":  # the same row order too
            pd.testing.assert_frame_equal(new_p, old_p, check_exact=True)
            pd.testing.assert_frame_equal(new_i, old_i, check_exact=True)
        pd.testing.assert_frame_equal(by_id(new_p, "post_id"), by_id(old_p, "post_id"), check_exact=True)
        pd.testing.assert_frame_equal(by_id(new_i, "interaction_id"), by_id(old_i, "interaction_id"),
                                      check_exact=True)
