"""Issue #13 item 2: "aggregates" cohorts never identify their members.

The probe: in a 2-member cohort the median is the mean, so the other member's weekly posts and
composites followed from one's own; with ≤ 5 members the p25/p50/p75 band values were real members'
figures. Now: figures over the *others* only (nobody can subtract themselves out), and nothing at
all below k = 5 others. Checked for cohorts of n = 2…6 members, in the pure coaching view and in
the dashboard's data layer (weekly post bands and median composites)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from coaching.cohorts import cohort_view
from lasna.access import Viewer
from lasna.types import Visibility
from lasna.users import Role

pytestmark = pytest.mark.security

COHORT = "Julkisjohtajat 2025–2026"


@pytest.fixture(scope="module")
def parts():
    from tests.coach_fixtures import demo_service

    svc = demo_service()
    members = svc.leaders[svc.leaders["cohorts"].map(lambda cs: COHORT in cs)].reset_index(drop=True)
    since = svc.now - np.timedelta64(26 * 7, "D")
    return dict(weekly=svc.weekly(26), posts=svc.posts[svc.posts["indexed_at"] > since],
                interactions=svc.interactions[svc.interactions["indexed_at"] > since], members=members)


def _view(parts, n, weekly=None):
    members = parts["members"].iloc[:n]
    viewer = int(members["leader_id"].iloc[0])
    return viewer, cohort_view(COHORT, members, Visibility.AGGREGATES, role="member", viewer_leader_id=viewer,
                               weekly=weekly or parts["weekly"], posts=parts["posts"],
                               interactions=parts["interactions"])


@pytest.mark.parametrize("n", [2, 3, 4, 5])
def test_small_aggregate_cohorts_show_no_figure(parts, n):
    _, v = _view(parts, n)
    assert v.allowed and v.withheld and v.members == n
    assert v.trend is None and v.bands is None and v.network is None and v.leaders is None
    assert not v.network_summary


def test_six_members_show_figures_of_the_five_others_only(parts):
    viewer, v = _view(parts, 6)
    assert not v.withheld and v.bands is not None and v.trend is not None
    others = [int(i) for i in parts["members"]["leader_id"].iloc[1:6]]
    from coaching.cohorts import cohort_trend, percentile_bands

    pd.testing.assert_frame_equal(v.bands, percentile_bands(parts["weekly"].components, others))
    pd.testing.assert_frame_equal(v.trend, cohort_trend(parts["weekly"].composites, others))
    # the viewer's own numbers do not move any figure: there is nothing to subtract out
    import dataclasses

    w = parts["weekly"]
    comps = w.components.copy()
    comps.loc[comps["leader_id"] == viewer, "value"] = 1e6
    composites = w.composites.copy()
    composites.loc[composites["leader_id"] == viewer, ["openness", "responsiveness", "network", "consistency"]] = 999
    changed = dataclasses.replace(w, components=comps, composites=composites)
    _, v2 = _view(parts, 6, weekly=changed)
    pd.testing.assert_frame_equal(v.bands, v2.bands)
    pd.testing.assert_frame_equal(v.trend, v2.trend)


def test_k_can_be_raised_not_lowered(parts, monkeypatch):
    members = parts["members"].iloc[:6]
    viewer = int(members["leader_id"].iloc[0])
    kw = dict(role="member", viewer_leader_id=viewer, weekly=parts["weekly"], posts=parts["posts"],
              interactions=parts["interactions"])
    assert cohort_view(COHORT, members, Visibility.AGGREGATES, min_others=6, **kw).withheld
    assert cohort_view(COHORT, parts["members"].iloc[:5], Visibility.AGGREGATES, min_others=2, **kw).withheld
    from lasna import settings
    from lasna.errors import ConfigError

    monkeypatch.setenv("LASNA_COHORT_MIN_OTHERS", "2")
    with pytest.raises(ConfigError):
        settings.get("cohort_min_others")


# ---------------------------------------------------------------- the dashboard's data layer
def _directory(n: int, visibility: str = "aggregates"):
    leaders = pd.DataFrame({
        "leader_id": list(range(1, n + 2)),
        "leader": [f"Leader {i}" for i in range(1, n + 2)],
        "language": "fi",
        "cohorts": [["Small"]] * n + [["Elsewhere"]],
        "demo": False,
    })
    cohorts = pd.DataFrame({"cohort": ["Small", "Elsewhere"], "visibility": [visibility, "all"], "cohort_id": [1, 2]})
    return leaders, cohorts


def _activity(n: int, since: datetime):
    """Leader i posts i*i times a week (distinct per member) for four weeks."""
    rows = []
    for lid in range(1, n + 1):
        for week in range(4):
            for k in range(lid * lid):
                rows.append(dict(post_id=f"{lid}-{week}-{k}", leader_id=lid, leader=f"Leader {lid}",
                                 author_id=f"a{lid}", created_at=since + timedelta(days=7 * week + 1, minutes=k),
                                 reply_parent_id=None, reply_parent_author_id=None, is_repost=False))
    posts = pd.DataFrame(rows)
    posts["created_at"] = pd.to_datetime(posts["created_at"], utc=True)
    inter = pd.DataFrame(columns=["interaction_id", "leader_id", "leader", "kind", "author_id", "created_at"])
    return posts, inter


@pytest.fixture
def dash(monkeypatch):
    from dashboard import data

    def setup(n: int, visibility: str = "aggregates"):
        import streamlit as st

        st.cache_data.clear()  # the cohort's weekly counts are cached per members and window
        since = datetime(2026, 11, 2, tzinfo=UTC)
        monkeypatch.setattr(data, "directory", lambda: _directory(n, visibility))
        monkeypatch.setattr(data, "data_version", lambda: "v")
        monkeypatch.setattr(data, "_cached_activity", lambda ids, s, v: tuple(
            f[f["leader_id"].isin(ids)] for f in _activity(n, since)))
        monkeypatch.setattr(data, "_cached_activity_posts", lambda ids, s, v: data._cached_activity(ids, s, v)[0])
        # every member's data begins with their first post (no store behind these tests)
        monkeypatch.setattr(data, "_cached_data_start", lambda ids, v: _activity(n, since)[0].groupby(
            "leader_id")["created_at"].min().loc[list(ids)])
        current = pd.DataFrame({"leader_id": range(1, n + 2), "leader": [f"Leader {i}" for i in range(1, n + 2)],
                                "openness": [10.0 * i for i in range(1, n + 2)], "responsiveness": 50.0,
                                "network": [3.0 * i for i in range(1, n + 2)], "consistency": 70.0})
        # the cohort's current composites, as CoachService.cohort_composites gives them
        monkeypatch.setattr(data, "_scores_of", lambda key, compute: ("ready", current))
        return data, since, since + timedelta(days=27)

    return setup


EXEC = Viewer("eero", Role.EXECUTIVE, leader_id=1)
CONSULTANT = Viewer("conny", Role.CONSULTANT, leader_ids=frozenset({1, 2}))  # two members, not the cohort


@pytest.mark.parametrize("n", [2, 3, 4, 5, 6])
def test_dashboard_cohort_figures_for_an_executive(dash, n):
    data, since, now = dash(n)
    overview = data.cohort_overview(EXEC, "Small", since, now)
    status, scored = data.cohort_scores(EXEC, "Small")
    assert overview["leaderboard"] is None and scored["members"] is None
    assert overview["own"] is not None  # one's own line is always one's own
    if n <= 5:
        assert overview["withheld"] and overview["bands"].empty and scored["median"] is None
        return
    assert not overview["withheld"]
    others = np.array([[i * i] * 4 for i in range(2, n + 1)], dtype=float).T  # weeks × other members
    bands = overview["bands"].dropna()
    assert len(bands) >= 4
    assert np.allclose(bands["p50"].head(4), np.percentile(others, 50, axis=1))
    assert not np.isclose(bands["mean"].head(4), np.mean(np.vstack([others.T, [[1] * 4]]), axis=0)).any()
    assert scored["median"]["openness"].iloc[0] == np.median([10.0 * i for i in range(2, n + 1)])


@pytest.mark.parametrize("n, withheld", [(6, True), (7, False)])
def test_a_consultant_with_aggregate_access_cannot_subtract_their_leaders(dash, n, withheld):
    data, since, now = dash(n)
    overview = data.cohort_overview(CONSULTANT, "Small", since, now)
    status, scored = data.cohort_scores(CONSULTANT, "Small")
    assert overview["withheld"] is withheld and (scored["median"] is None) is withheld
    if not withheld:
        assert scored["median"]["openness"].iloc[0] == np.median([10.0 * i for i in range(3, n + 1)])


def test_member_visibility_is_unchanged(dash):
    data, since, now = dash(2, visibility="all")
    overview = data.cohort_overview(EXEC, "Small", since, now)
    assert not overview["withheld"] and overview["leaderboard"] is not None and not overview["bands"].empty
