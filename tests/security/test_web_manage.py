"""Issue #13 item 3: a consultant cannot widen their own access through the add-leader form, and
refusals name nothing the consultant may not see. Also: dashboard reads and changes of a leader's
data write audit events (through ``lasna.audit.record`` → ``Store.audit``)."""

from __future__ import annotations

import pytest

from lasna import registry
from lasna.access import Viewer
from lasna.errors import AccessDenied, InputError
from lasna.users import get_user
from tests import dashboard_seed as seed

pytestmark = pytest.mark.security

MANAGED = "Leadership Circle 2026"  # assigned to conny
NOT_MANAGED = "Julkisjohtajat 2025–2026"  # conny sees it as aggregates through her leader only


@pytest.fixture
def dash(db_url, monkeypatch):
    import streamlit as st

    from dashboard import data

    seed.seed(db_url).close()
    monkeypatch.setenv("LASNA_DATABASE_URL", db_url)
    st.cache_data.clear()
    st.cache_resource.clear()
    store = data.store()
    yield data, store
    store.close()
    st.cache_resource.clear()


def _viewer(store, name):
    return Viewer.from_user(get_user(store, name))


def _snapshot(store):
    return ({ld.name: sorted(ld.cohorts) for ld in store.leaders(include_inactive=True)},
            sorted((a.platform, a.handle, a.leader_id) for a in store.accounts()))


@pytest.mark.parametrize("cohort", [NOT_MANAGED, seed.SECRET_COHORT, "No Such Cohort"])
def test_a_consultant_cannot_add_into_a_cohort_they_do_not_manage(dash, cohort):
    data, store = dash
    conny = _viewer(store, "conny")
    before = _snapshot(store)
    spec = registry.LeaderSpec.parse("New Person", cohorts=[cohort], feeds=["https://example.org/feed.xml"])
    with pytest.raises(AccessDenied) as refused:
        data.add_leader(conny, spec)
    assert cohort not in str(refused.value) and seed.EXEC_LEADER not in str(refused.value)
    assert _snapshot(store) == before  # nothing written: no leader, no membership, no account


def test_unknown_and_foreign_cohorts_are_refused_alike(dash):
    data, store = dash
    conny = _viewer(store, "conny")
    messages = set()
    for cohort in (seed.SECRET_COHORT, "No Such Cohort"):
        with pytest.raises(AccessDenied) as refused:
            data.add_leader(conny, registry.LeaderSpec.parse("X Person", cohorts=[cohort]))
        messages.add(str(refused.value))
    assert len(messages) == 1  # the answer does not confirm that the secret cohort exists


def test_a_consultant_adds_into_their_own_cohort_and_is_assigned(dash):
    data, store = dash
    conny = _viewer(store, "conny")
    leader = data.add_leader(conny, registry.LeaderSpec.parse("Own Person", cohorts=[MANAGED]))
    assert MANAGED in store.leader("Own Person").cohorts
    assert leader.id in get_user(store, "conny").leader_ids


def test_someone_elses_account_is_refused_without_naming_its_leader(dash):
    data, store = dash
    conny = _viewer(store, "conny")
    before = _snapshot(store)
    # the injection leader's Bluesky DID: a leader conny may not see
    spec = registry.LeaderSpec.parse("Copy Cat", bluesky="did:plc:" + "a" * 24)
    with pytest.raises(InputError) as refused:
        data.add_leader(conny, spec)
    assert seed.INJECTION_LEADER not in str(refused.value)
    assert "another leader" in str(refused.value)
    assert _snapshot(store) == before
    # an admin, who sees every leader, is told whose it is
    with pytest.raises(InputError) as told:
        data.add_leader(_viewer(store, "ada"), spec)
    assert seed.INJECTION_LEADER in str(told.value)


def test_an_executive_cannot_add_at_all(dash):
    data, store = dash
    with pytest.raises(AccessDenied):
        data.add_leader(_viewer(store, "eero"), registry.LeaderSpec.parse("Z Person"))


def test_changes_and_exports_are_audited_with_the_viewer_as_actor(dash):
    data, store = dash
    ada = _viewer(store, "ada")
    leader = data.add_leader(ada, registry.LeaderSpec.parse("Audited Person", cohorts=[MANAGED]))
    data.remove_leader(ada, leader.id)
    jari = store.leader(seed.CONSULTANT_LEADER).id
    data.leader_report(_viewer(store, "conny"), jari, "csv", "en")

    def seen():
        return {(e.actor, e.action, e.target_kind, e.target_id, e.via) for e in store.audit_events(limit=50)}

    events = seen()
    assert ("ada", "leader.add", "leader", str(leader.id), "dashboard") in events
    assert ("ada", "leader.remove", "leader", str(leader.id), "dashboard") in events
    assert ("conny", "data.export", "leader", str(jari), "dashboard") in events
    # every change of this leader names its dashboard user, not "library"
    assert not [e for e in events if e[3] == str(leader.id) and (e[0] == "library" or e[4] != "dashboard")]
    # a refused export is not an export
    with pytest.raises(AccessDenied):
        data.leader_report(_viewer(store, "eero"), jari, "csv", "en")
    assert not [e for e in seen() if e[0] == "eero"]
    # admins read the log; nobody else
    assert data.audit_events(ada, limit=5)
    with pytest.raises(AccessDenied):
        data.audit_events(_viewer(store, "conny"))
