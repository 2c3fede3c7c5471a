"""Cohorts: percentile bands, trend, network — and visibility modes as data."""

from __future__ import annotations

import numpy as np
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
