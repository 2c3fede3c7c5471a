"""Cohorts: percentile bands, trend, network — and visibility modes as data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from coaching.cohorts import MIN_LEADERS_FOR_BANDS, cohort_view, network_figure, percentile_bands
from lasna.types import Visibility
from tests.coach_fixtures import demo_service

COHORT = "Julkisjohtajat 2025–2026"


@pytest.fixture(scope="module")
def parts():
    svc = demo_service()
    members = svc.leaders[svc.leaders["cohorts"].map(lambda cs: COHORT in cs)]
    since = svc.now - np.timedelta64(26 * 7, "D")
    return dict(weekly=svc.weekly(26), posts=svc.posts[svc.posts["indexed_at"] > since],
                interactions=svc.interactions[svc.interactions["indexed_at"] > since], members=members)


def view(parts, mode, role="member", viewer=None):
    return cohort_view(COHORT, parts["members"], mode, role=role, viewer_leader_id=viewer, weekly=parts["weekly"],
                       posts=parts["posts"], interactions=parts["interactions"])


def test_bands_are_ordered_and_withheld_for_small_groups(parts):
    ids = list(parts["members"]["leader_id"])
    b = percentile_bands(parts["weekly"].components, ids)
    full = b.dropna(subset=["p50"])
    assert len(full) > 50 and set(full["metric"]) >= {"response_rate", "dialogue_share"}
    assert (full["p25"] <= full["p50"]).all() and (full["p50"] <= full["p75"]).all()
    two = percentile_bands(parts["weekly"].components, ids[:2])
    assert two["p50"].isna().all() and (two["leaders"] < MIN_LEADERS_FOR_BANDS).all()


def test_consultant_only_cohort_shows_members_nothing(parts):
    v = view(parts, Visibility.CONSULTANT)
    assert not v.allowed and v.bands is None and v.network is None and v.leaders is None
    c = view(parts, Visibility.CONSULTANT, role="consultant")
    assert c.allowed and c.leaders is not None and c.named


def test_aggregates_mode_hides_identities(parts):
    viewer = int(parts["members"]["leader_id"].iloc[0])
    v = view(parts, Visibility.AGGREGATES, viewer=viewer)
    assert v.allowed and v.leaders is None and not v.named
    assert v.trend is not None and len(v.trend) and v.bands is not None
    names = set(parts["members"]["leader"])
    labels = {d.get("label") for _, d in v.network.nodes(data=True)}
    own_name = parts["members"]["leader"].iloc[0]
    assert own_name in labels and not (names - {own_name}) & labels
    assert not any(str(n).startswith("P:") for n in v.network.nodes)
    assert v.network_summary["people"] > 0 and v.network_summary["leaders"] == len(parts["members"])


def test_all_mode_shows_names_and_a_network_figure(parts):
    v = view(parts, Visibility.ALL)
    assert v.named and set(v.leaders["leader"]) == set(parts["members"]["leader"])
    leader_nodes = [d["label"] for _, d in v.network.nodes(data=True) if d["kind"] == "leader"]
    assert set(leader_nodes) == set(parts["members"]["leader"])
    fig = v.figure("fi")
    assert isinstance(fig, go.Figure) and len(fig.data) == 3
    assert set(fig.data[2].text) == set(parts["members"]["leader"])
    small = network_figure(v.network, "en", max_people=5)
    assert len(small.data[1].x) == 5


def test_service_reads_the_cohort_mode_from_the_store():
    svc = demo_service()
    mode = {c.name: c.visibility for c in svc.store.cohorts()}[COHORT]
    v = svc.cohort_view(COHORT, role="member")
    assert v.visibility == mode
    assert v.allowed == (mode != Visibility.CONSULTANT)


# ---------------------------------------------------------------- a member who joins mid-window
def _weekly(counts: dict[str, list[int]], first_monday="2026-09-07"):
    """A weekly frame as dashboard.data.weekly_activity makes it: every member × every week, 0 filled."""
    import pandas as pd

    weeks = pd.date_range(first_monday, periods=len(next(iter(counts.values()))), freq="W-MON")
    return pd.DataFrame([{"leader": who, "week": w, "kind": "post", "count": c}
                         for who, row in counts.items() for w, c in zip(weeks, row)]), weeks


def test_a_member_who_joins_mid_window_is_no_data_before_not_zero():
    import pandas as pd

    from coaching.cohorts import activity_bands, data_start

    weekly, weeks = _weekly({"A": [1] * 8, "B": [2] * 8, "C": [3] * 8, "D": [0, 0, 0, 0, 4, 4, 4, 4]})
    first_post = pd.Series({"A": weeks[0], "B": weeks[0], "C": weeks[0],
                            "D": weeks[4] + pd.Timedelta(days=2, hours=9)}).dt.tz_localize("UTC")
    starts = data_start(first_post)
    bands = activity_bands(weekly, starts).set_index("week")
    # before D's first post: the median of A, B and C (2), not of 0, 1, 2, 3 (1.5)
    assert list(bands.loc[weeks[:4], "p50"]) == [2.0] * 4 and list(bands.loc[weeks[:4], "leaders"]) == [3] * 4
    # from the week of D's first post on, D counts (the week it starts in is a week with data)
    assert list(bands.loc[weeks[4:], "p50"]) == [2.5] * 4 and list(bands.loc[weeks[4:], "leaders"]) == [4] * 4
    # without the starts every zero counts: the old, wrong answer
    assert activity_bands(weekly).set_index("week").loc[weeks[0], "p50"] == 1.5


def test_silent_weeks_after_the_start_still_count_as_zero_and_no_data_weeks_are_absent():
    import pandas as pd

    from coaching.cohorts import activity_bands, data_start

    weekly, weeks = _weekly({"A": [0, 0, 5, 0, 0], "B": [0, 0, 0, 3, 0], "C": [0, 0, 0, 0, 0]})
    first_post = pd.Series({"A": weeks[2], "B": weeks[3]}).dt.tz_localize("UTC")
    # C was collected successfully in week 2 and has posted nothing: silent, so 0 from then on
    collected = pd.Series({"C": weeks[1] + pd.Timedelta(days=3)}).dt.tz_localize("UTC")
    starts = data_start(first_post, collected)
    assert set(starts.index) == {"A", "B", "C"}
    bands = activity_bands(weekly, starts).set_index("week")
    assert weeks[0] not in bands.index  # nobody has data yet: no point at all, not a median of 0
    assert bands.loc[weeks[1], "leaders"] == 1 and bands.loc[weeks[1], "p50"] == 0  # C: silent, counted
    assert list(bands.loc[weeks[2:], "leaders"]) == [2, 3, 3]
    assert bands.loc[weeks[4], "p50"] == 0.0  # a silent week after everyone's start is a real 0
    # a member waiting for the first collection (no post, no successful run) has no data at all
    assert "D" not in data_start(first_post, collected).index


def test_member_data_start_in_the_store(store):
    from datetime import UTC, datetime, timedelta

    import pandas as pd

    from coaching.cohorts import data_start
    from lasna.types import AccountOutcome, Platform, Post

    a = store.add_leader("Aino", language="fi")
    b = store.add_leader("Bo", language="en")
    c = store.add_leader("Cai", language="en")
    acc_a = store.add_account(a.id, Platform.BLUESKY, "aino.example.com", stable_id="did:plc:" + "a" * 24)
    acc_b = store.add_account(b.id, Platform.BLUESKY, "bo.example.com", stable_id="did:plc:" + "b" * 24)
    store.add_account(c.id, Platform.BLUESKY, "cai.example.com", stable_id="did:plc:" + "c" * 24)
    t0 = datetime(2026, 10, 5, 9, tzinfo=UTC)
    store.save_batch(acc_a, posts=[Post(id=f"at://a/{i}", platform=Platform.BLUESKY, author_id=acc_a.stable_id,
                                        created_at=t0 + timedelta(days=7 * i), text=f"post {i}") for i in range(3)]
                     + [Post(id="at://a/gone", platform=Platform.BLUESKY, author_id=acc_a.stable_id,
                             created_at=t0 - timedelta(days=30), text="deleted at the source", deleted=True)])
    run = store.start_run("bluesky")
    store.record_outcome(run, acc_b, AccountOutcome(leader="Bo", platform=Platform.BLUESKY, account="bo.example.com"))
    store.record_outcome(run, acc_a, AccountOutcome(leader="Aino", platform=Platform.BLUESKY,
                                                    account="aino.example.com", error="HTTP 500"))
    found = store.member_data_start([a.id, b.id, c.id])
    assert found.loc[a.id, "first_post"] == t0 and pd.isna(found.loc[a.id, "first_collected"])  # the run failed
    assert pd.isna(found.loc[b.id, "first_post"]) and found.loc[b.id, "first_collected"].tzinfo is not None
    starts = data_start(found["first_post"], found["first_collected"])
    assert starts.loc[a.id] == t0 and b.id in starts.index and c.id not in starts.index



def test_a_cohort_where_nobody_has_data_yet_has_no_member_weeks():
    from coaching.cohorts import member_weeks

    weekly = pd.DataFrame({"leader": ["A", "B"], "week": pd.to_datetime(["2026-11-02", "2026-11-09"]), "count": [0, 0]})
    assert member_weeks(weekly, pd.Series(dtype="datetime64[ns, UTC]")).empty
