"""The dashboard's data layer: authorised, cached loaders. Every read for a viewer goes through here.

Public loaders take the :class:`~lasna.access.Viewer` first and raise :class:`~lasna.errors.AccessDenied`
(or filter) before they touch a leader's data; pages never decide access on their own. Private
``_cached_*`` functions do the I/O and are cached with :func:`st.cache_data` on small keys (ids, window,
language) plus :func:`data_version`, which moves when a collection run finishes or the roster changes.
Coaching answers (scores, tips, goals, waiting conversations) come from one
:class:`lasna.coach_service.CoachService` per data version and day, which reads the stored facts of the
asked leader's reference group, and are remembered per service (:func:`_memo`).

Nothing else lives here: no metric (the scores and coaching are :mod:`lasna.coach_service` /
:mod:`lasna.facts`; the activity counts, weekly shapes and link filtering are :mod:`lasna.activity`,
re-exported under their old names), and no SQL (:mod:`lasna.store`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pandas as pd
import streamlit as st

from coaching.waiting import conversations_waiting as _waiting_core
from lasna import access, registry
from lasna.access import CohortAccess, Viewer
from lasna.activity import (  # noqa: F401 - re-exported: the pages and tests call them as data.*
    STALE_DAYS,
    percentile_bands,
    period_summary,
    post_kind,
    safe_urls,
    since_days,
    stale_accounts,
    summary,
    today_end,
    weekly_activity,
)
from lasna.activity import waiting_table as _waiting_table
from lasna.errors import AccessDenied
from lasna.store import Store
from lasna.users import Role
from lasna.window import window_end

CACHE_TTL = 600  # seconds; the version key below invalidates earlier when data changes
VERSION_TTL = 10  # how often the (cheap) version query runs at most


@st.cache_resource
def store() -> Store:
    return Store.open()


def clear_caches() -> None:
    """After the dashboard itself writes (leaders/accounts added or removed)."""
    st.cache_data.clear()
    _cached_directory.clear()
    _cached_weekly_chart.clear()
    _SERVICES.clear()


# ---------------------------------------------------------------- cache version
@st.cache_data(ttl=VERSION_TTL, show_spinner=False)
def data_version() -> str:
    """Changes when a collection run finishes or leaders, accounts, cohort memberships or
    cohort visibility change (re-read at most every VERSION_TTL seconds)."""
    return store().data_version()


# ---------------------------------------------------------------- directory (who is who)
@st.cache_resource(ttl=CACHE_TTL, max_entries=4, show_spinner=False)
def _cached_directory(version: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Shared, not copied (a page asks for it about ten times per run): callers only read it."""
    s = store()
    cohorts = pd.DataFrame(
        [{"cohort": c.name, "visibility": c.visibility.value, "cohort_id": c.id} for c in s.cohorts()],
        columns=["cohort", "visibility", "cohort_id"],
    )
    return s.leaders_frame(), cohorts


def directory() -> tuple[pd.DataFrame, pd.DataFrame]:
    return _cached_directory(data_version())


def any_leaders() -> bool:
    return not directory()[0].empty


def leaders(viewer: Viewer) -> pd.DataFrame:
    """The leaders whose own data ``viewer`` may see (leader_id, leader, language, cohorts, demo)."""
    every, cohorts = directory()
    allowed = access.detail_leader_ids(viewer, every, cohorts)
    return every[every["leader_id"].isin(allowed)].reset_index(drop=True)


def _require(viewer: Viewer, leader_ids) -> tuple[int, ...]:
    every, cohorts = directory()
    return access.require_leaders(viewer, leader_ids, every, cohorts)


def cohorts(viewer: Viewer) -> dict[str, CohortAccess]:
    """Cohort name -> what ``viewer`` may see of it (cohorts they may not see are absent)."""
    every, cohorts_ = directory()
    return access.visible_cohorts(viewer, every, cohorts_)


def cohort_visibility(viewer: Viewer, cohort: str) -> str:
    every, cohorts_ = directory()
    access.require_cohort(viewer, cohort, every, cohorts_)
    return str(cohorts_.loc[cohorts_["cohort"] == cohort, "visibility"].iloc[0])


# ---------------------------------------------------------------- a leader's data
@st.cache_data(ttl=CACHE_TTL, show_spinner=False, max_entries=256)
def _cached_posts(leader_ids: tuple[int, ...], since: datetime | None, until: datetime | None, version: str):
    return safe_urls(store().posts_frame(list(leader_ids), since=since, until=until))


@st.cache_data(ttl=CACHE_TTL, show_spinner=False, max_entries=256)
def _cached_interactions(leader_ids: tuple[int, ...], since: datetime | None, until: datetime | None, version: str):
    return safe_urls(store().interactions_frame(list(leader_ids), since=since, until=until))


def posts(viewer: Viewer, leader_ids, since: datetime | None = None, until: datetime | None = None) -> pd.DataFrame:
    return _cached_posts(_require(viewer, leader_ids), since, until, data_version())


def interactions(
    viewer: Viewer, leader_ids, since: datetime | None = None, until: datetime | None = None
) -> pd.DataFrame:
    return _cached_interactions(_require(viewer, leader_ids), since, until, data_version())


WEEKLY_COLUMNS = ("leader", "created_at", "author_id", "reply_parent_id", "reply_parent_author_id", "is_repost")


@st.cache_resource(ttl=CACHE_TTL, show_spinner=False, max_entries=256)
def _cached_weekly_chart(leader_ids, since, until, start, lang, marker, version):
    """Shared, not copied: a cached copy of a Figure is rebuilt (and validated) by Plotly on every page
    run; st.plotly_chart only reads the figure (Figure.to_dict)."""
    from dashboard import charts

    frame = _cached_posts(leader_ids, since, None, version)
    # only the columns the weekly counts read: every pandas step then moves a few arrays, not the texts
    frame = frame.loc[frame["created_at"] >= start, list(WEEKLY_COLUMNS)]
    stacked_by = "kind" if len(leader_ids) == 1 else "leader"
    return charts.weekly_posts(weekly_activity(frame, start, until), lang, stacked_by=stacked_by, marker=marker,
                               span=(start, until))


def weekly_chart(viewer: Viewer, leader_ids, since: datetime, until: datetime, lang: str, *,
                 start: datetime | None = None, marker: datetime | None = None):
    """The weekly posts figure for leaders whose posts since ``since`` are loaded, drawn from
    ``start`` (default ``since``); cached per language and data version."""
    ids = _require(viewer, leader_ids)
    return _cached_weekly_chart(ids, since, until, start or since, lang, marker, data_version())


@st.cache_data(ttl=CACHE_TTL, show_spinner=False, max_entries=256)
def _cached_period_summary(leader_ids: tuple[int, ...], since: datetime | None, start: datetime, end: datetime,
                           version: str) -> dict:
    return period_summary(_cached_posts(leader_ids, since, None, version),
                          _cached_interactions(leader_ids, since, None, version), start, end)


def leader_summary(viewer: Viewer, leader_id: int, start: datetime, end: datetime, *,
                   since: datetime | None = None) -> dict:
    """A leader's activity counts within (start, end] (:func:`lasna.activity.period_summary`: posts,
    replies_out, incoming, answered — the response rate's definition —, people), over the rows loaded
    since ``since`` (default ``start``; answers are looked up among them); cached per data version."""
    ids = _require(viewer, (leader_id,))
    return _cached_period_summary(ids, since or start, start, end, data_version())


def replies_to(viewer: Viewer, leader_id: int, post_id: str, since: datetime | None = None) -> pd.DataFrame:
    """Incoming replies to one of the leader's posts, oldest first."""
    frame = interactions(viewer, (leader_id,), since)
    return frame[frame["parent_id"] == post_id].sort_values("created_at")


def waiting(viewer: Viewer, leader_id: int, since: datetime, now: datetime | None = None) -> pd.DataFrame:
    """Conversations waiting for ``leader_id`` that arrived since ``since``, by the one definition
    (:mod:`coaching.waiting`), computed from the loaded frames (used while coaching is switched off)."""
    ids = _require(viewer, (leader_id,))
    version = data_version()
    now_ts = pd.Timestamp(now or datetime.now(UTC))
    frame = _waiting_core(_cached_posts(ids, since, None, version), _cached_interactions(ids, since, None, version),
                          leader_id=ids[0], now=now_ts, max_age_days=None)
    return _waiting_table(frame, now_ts)


# ---------------------------------------------------------------- scores and coaching, read from the facts
SCORE_DAYS = 90  # the headline window; the trend covers two of them by month
COMPOSITE_COLUMNS = ("openness", "responsiveness", "network", "consistency")
REPORT_FORMATS = {"html": "text/html", "pdf": "application/pdf", "csv": "text/csv"}


def scores_enabled() -> bool:
    import os

    return os.environ.get("LASNA_DASHBOARD_SCORES", "1") != "0"


def coaching_enabled() -> bool:
    import os

    return os.environ.get("LASNA_DASHBOARD_COACHING", "1") != "0"


def compute_scores(s: Store, until: datetime, days: int = SCORE_DAYS) -> dict[str, pd.DataFrame]:
    """Composites of every leader: the last ``days``, the ``days`` before, and a monthly trend over
    both — from the coaching service (facts), as the tips and the sparring view use."""
    from lasna.coach_service import CoachService

    return CoachService(s, today=until, days=days).headline_composites()


_SERVICES: dict = {}  # process-wide: one CoachService per database, data version and programme day


def _service():
    """The shared CoachService for this data version and day, with its lock and its memo (what pages
    asked of it: tips, goals, waiting conversations, composites). It reads the stored facts of the asked
    leader's reference group when a page first asks (no background rebuild) and keeps the answers for
    every later visitor of the same data version; a write through this module empties the memo."""
    import threading

    s = store()
    database = s.url
    day = window_end()
    key = (database, data_version(), day)
    if key not in _SERVICES:
        from lasna.coach_service import CoachService

        for old in [k for k in _SERVICES if k != key]:
            _SERVICES.pop(old, None)
        _SERVICES[key] = (CoachService(s, today=datetime.now(UTC)), threading.Lock(), {})
    return _SERVICES[key]


def _memo(key: tuple, compute):
    """``compute(service)`` once per data version and day (under the service's lock), then remembered."""
    svc, lock, memo = _service()
    with lock:
        if key not in memo:
            memo[key] = compute(svc)
        return memo[key]


def _forget() -> None:
    """After a write the coaching answers depend on (tip feedback, goals, sessions)."""
    _SERVICES.clear()


def _scores_of(key: tuple, compute) -> tuple[str, Any]:
    if not scores_enabled():
        return "off", None
    try:
        return "ready", _memo(key, compute)
    except Exception as exc:  # a broken store must not take the page down
        import logging

        logging.getLogger(__name__).error("scoring failed: %s", exc)
        return "failed", {"error": str(exc)}


def scores(viewer: Viewer, leader_id: int, *, trend: bool = True) -> tuple[str, dict | None]:
    """("ready", the leader's composites: current, previous and, with ``trend``, trend) |
    ("failed", {"error": ...}) | ("off", None). Read from the facts of the leader's reference group on
    demand (:meth:`lasna.coach_service.CoachService.leader_composites`: the same reports as the tips)."""
    (lid,) = _require(viewer, (leader_id,))
    return _scores_of(("composites", lid, trend), lambda svc: svc.leader_composites(lid, trend=trend))


def cohort_scores(viewer: Viewer, cohort: str) -> tuple[str, dict | None]:
    """The cohort's median composites (always), each member's (member access only) and the
    viewer's own leader's (when a member)."""
    every, cohorts_ = directory()
    level = access.require_cohort(viewer, cohort, every, cohorts_)
    status, result = _scores_of(("cohort composites", cohort), lambda svc: svc.cohort_composites(cohort))
    if status != "ready":
        return status, result
    members = {int(i) for i, cs in zip(every["leader_id"], every["cohorts"]) if cohort in cs}
    current = result[result["leader_id"].isin(members)]
    scope, withheld = access.aggregate_members(viewer, cohort, every, cohorts_, cohort_min_others())
    others = current[current["leader_id"].isin(scope)]
    out = {
        # None when too few members (k-anonymity); never includes a leader the viewer sees in detail
        "median": None if withheld or others.empty else others[list(COMPOSITE_COLUMNS)].median().to_frame().T,
        "withheld": withheld,
        "members": None,
        "own": current[current["leader_id"] == viewer.leader_id].reset_index(drop=True)
        if viewer.leader_id in members else None,
    }
    if level is CohortAccess.MEMBERS:
        out["members"] = current[["leader", *COMPOSITE_COLUMNS]].sort_values("leader").reset_index(drop=True)
    return status, out


def coach_status() -> str:
    """"ready" | "off" (``LASNA_DASHBOARD_COACHING=0``): the coaching loaders read facts on demand,
    so there is nothing to wait for."""
    return "ready" if coaching_enabled() else "off"


def _writer(viewer: Viewer):
    """A CoachService for writes: they touch only the store, so no frames are loaded; the store
    names ``viewer`` in the audit records of the changes."""
    from lasna.coach_service import CoachService

    return CoachService(_as(viewer), today=datetime.now(UTC))


def _require_manager(viewer: Viewer, leader_id: int, what: str) -> int:
    if not viewer.manages_leaders:
        raise AccessDenied(f"only consultants and admins may {what}")
    return _require(viewer, (leader_id,))[0]


def tips(viewer: Viewer, leader_id: int, lang: str):
    """This week's tips (a coaching.tips.TipSet, at most three) for a leader the viewer may see."""
    (lid,) = _require(viewer, (leader_id,))
    return _memo(("tips", lid, lang), lambda svc: svc.tips(lid, lang=lang))


def dismiss_tip(viewer: Viewer, leader_id: int, tip_key: str, action: str) -> None:
    """"done" or "dismissed" (not now): the tip stays away for the snooze period. Anyone who may
    see the leader may do it (the executive for their own tips, their consultant, an admin)."""
    (lid,) = _require(viewer, (leader_id,))
    _writer(viewer).dismiss_tip(lid, tip_key, action, by=viewer.name)
    _forget()  # tips are remembered per service: the next view re-reads the feedback


def goal_progress(viewer: Viewer, leader_id: int) -> list:
    (lid,) = _require(viewer, (leader_id,))
    return _memo(("goals", lid), lambda svc: svc.goal_progress(lid))


def add_goal(viewer: Viewer, leader_id: int, metric: str, target: float, deadline, *, start=None,
             description: str = ""):
    lid = _require_manager(viewer, leader_id, "set goals")
    goal = _writer(viewer).add_goal(lid, metric, target, deadline, start=start, description=description,
                                    created_by=viewer.name)
    _forget()  # goals (and the tips that mention them) are remembered per service
    return goal


def goal_current(viewer: Viewer, leader_id: int, metric: str) -> float | None:
    """The metric's value now, measured as goal progress is (the goal window), for the goal form."""
    from coaching.goals import GOAL_WINDOW_DAYS

    (lid,) = _require(viewer, (leader_id,))

    def now_value(svc):
        value = svc._value_at(lid, metric, pd.Timestamp(svc.now), GOAL_WINDOW_DAYS)
        return value.value if value is not None and value.ok else None

    return _memo(("goal now", lid, metric), now_value)


def coach_waiting(viewer: Viewer, leader_id: int, now: datetime | None = None) -> pd.DataFrame:
    """Conversations waiting in the coaching sense (coaching.waiting): replies, mentions and
    comments without an answer, not hidden or emoji-only, from the last 30 days, newest first
    (created_at, age, kind, author, text, url, is_question)."""
    (lid,) = _require(viewer, (leader_id,))
    frame = _memo(("waiting", lid), lambda svc: svc.waiting(lid))
    return _waiting_table(frame, pd.Timestamp(now or datetime.now(UTC)))


def record_session(viewer: Viewer, leader_id: int, **fields):
    lid = _require_manager(viewer, leader_id, "record sparring sessions")
    note = _writer(viewer).record_session(lid, consultant=viewer.name, **fields)
    _forget()
    return note


def session_history(viewer: Viewer, leader_id: int) -> list:
    """Sparring sessions, newest first. Sessions are the consultant's notes: not for executives."""
    lid = _require_manager(viewer, leader_id, "see sparring sessions")
    return list(reversed(store().sessions(lid)))


def leader_report(viewer: Viewer, leader_id: int, fmt: str, lang: str, session_id: int | None = None) -> bytes:
    """The leader report (coaching.reports) as HTML, PDF or CSV bytes in ``lang``."""
    from coaching import reports

    lid = _require_manager(viewer, leader_id, "export reports")
    if fmt not in REPORT_FORMATS:
        raise ValueError(f"unknown report format {fmt!r}")
    svc, lock, _ = _service()
    with lock:
        report = svc.leader_report(lid, lang=lang, session_id=session_id)
    out = {"html": reports.report_html, "pdf": reports.report_pdf, "csv": reports.report_csv}[fmt](report)
    _audit(viewer, "data.export", "leader", lid)
    return out.encode("utf-8") if isinstance(out, str) else bytes(out)


# ---------------------------------------------------------------- cohorts (aggregates in SQL + vectorised pandas)
@st.cache_data(ttl=CACHE_TTL, show_spinner=False, max_entries=64)
def _cached_activity_posts(leader_ids: tuple[int, ...], since: datetime, version: str) -> pd.DataFrame:
    """Light columns of posts only (no text, no JSON) for many leaders: the weekly counts and bands."""
    return store().activity_posts(list(leader_ids), since)


@st.cache_data(ttl=CACHE_TTL, show_spinner=False, max_entries=64)
def _cached_activity(leader_ids: tuple[int, ...], since: datetime, version: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Light columns (no post text, no JSON) of posts and interactions for many leaders: the activity tables."""
    return (_cached_activity_posts(leader_ids, since, version),
            store().activity_interactions(list(leader_ids), since))


@st.cache_data(ttl=CACHE_TTL, show_spinner=False, max_entries=64)
def _cached_leaders_summary(leader_ids: tuple[int, ...], since: datetime, version: str) -> pd.DataFrame:
    return summary(*_cached_activity(leader_ids, since, version))


def leaders_summary(viewer: Viewer, leader_ids, since: datetime) -> pd.DataFrame:
    """Activity counts per leader over the rows since ``since`` (:func:`lasna.activity.summary`), read
    from the light columns (no texts but the incoming ones, which "merits an answer" reads); cached."""
    return _cached_leaders_summary(_require(viewer, leader_ids), since, data_version())


@st.cache_data(ttl=CACHE_TTL, show_spinner=False, max_entries=64)
def _cached_data_start(leader_ids: tuple[int, ...], version: str) -> pd.Series:
    """Leader id -> when the member's data begins (first collected post or first successful collection)."""
    from coaching.cohorts import data_start

    found = store().member_data_start(leader_ids)
    return data_start(found["first_post"], found["first_collected"])


def cohort_min_others() -> int:
    """k of the cohort aggregates (setting ``cohort_min_others``, never below 5)."""
    from lasna import settings

    try:
        return max(int(settings.get("cohort_min_others")), access.MIN_OTHERS)
    except Exception:  # noqa: BLE001 - a bad value must not lower k: use the floor
        return access.MIN_OTHERS


@st.cache_data(ttl=CACHE_TTL, show_spinner=False, max_entries=64)
def _cached_cohort_weekly(members: tuple[int, ...], names: tuple[str, ...], since: datetime, now: datetime,
                          version: str) -> pd.DataFrame:
    """Posts per member (``names``, also those who posted nothing), week and kind; the posts only (the
    interactions are for the leaderboard)."""
    return weekly_activity(_cached_activity_posts(members, since, version), since, now, leaders=list(names))


def cohort_overview(viewer: Viewer, cohort: str, since: datetime, now: datetime) -> dict:
    """What ``viewer`` may see of ``cohort``: weekly percentile bands always; the per-member
    leaderboard only with member access. Raises AccessDenied for a cohort they may not see."""
    every, cohorts_ = directory()
    level = access.require_cohort(viewer, cohort, every, cohorts_)
    members = tuple(sorted(int(i) for i, cs in zip(every["leader_id"], every["cohorts"]) if cohort in cs))
    member_names = tuple(every.loc[every["leader_id"].isin(members), "leader"])
    scope, withheld = access.aggregate_members(viewer, cohort, every, cohorts_, cohort_min_others())
    scope_names = tuple(sorted(every.loc[every["leader_id"].isin(scope), "leader"]))
    out = {
        "access": level,
        "members": len(members),
        # k-anonymous: without the viewer's own leader(s), withheld below k others (lasna.access)
        "bands": _cached_cohort_bands(members, member_names, scope_names, withheld, since, now, data_version()),
        "withheld": withheld,
        "leaderboard": None,
        "own": None,
    }
    if level is CohortAccess.MEMBERS:
        out["leaderboard"] = _cached_leaders_summary(members, since, data_version()).sort_values(
            "answered", ascending=False, na_position="last")
    if viewer.leader_id in members:
        own_name = every.loc[every["leader_id"] == viewer.leader_id, "leader"].iloc[0]
        weekly = _cached_cohort_weekly(members, member_names, since, now, data_version())
        own = weekly[weekly["leader"] == own_name].groupby("week", as_index=False)["count"].sum()
        from coaching.cohorts import member_weeks

        out["own"] = member_weeks(own.assign(leader=own_name), _member_starts(members, every)).drop(columns="leader")
    return out


def _member_starts(members: tuple[int, ...], every: pd.DataFrame) -> pd.Series:
    """Member name -> when their data begins: weeks before it are "no data" for them, not 0
    (:func:`coaching.cohorts.member_weeks`)."""
    names = dict(zip(every["leader_id"].astype(int), every["leader"]))
    return _cached_data_start(members, data_version()).rename(index=names)


@st.cache_data(ttl=CACHE_TTL, show_spinner=False, max_entries=64)
def _cached_cohort_bands(members: tuple[int, ...], names: tuple[str, ...], scope: tuple[str, ...], withheld: bool,
                         since: datetime, now: datetime, version: str) -> pd.DataFrame:
    """The weekly percentile bands over the members in ``scope`` (names; none when ``withheld``), per
    data version: the same bands for every viewer with the same scope."""
    weekly = _cached_cohort_weekly(members, names, since, now, version)
    in_scope = weekly[weekly["leader"].isin(set(scope))]
    return percentile_bands(in_scope.iloc[0:0] if withheld else in_scope, _member_starts(members, directory()[0]))


# ---------------------------------------------------------------- collection health
def _health_scope(viewer: Viewer) -> frozenset[int]:
    if viewer.role is Role.EXECUTIVE:
        raise AccessDenied("executives cannot see collection health")
    every, cohorts_ = directory()
    return access.detail_leader_ids(viewer, every, cohorts_)


@st.cache_data(ttl=60, show_spinner=False)
def _cached_runs(version: str) -> pd.DataFrame:
    return store().runs_frame()


@st.cache_data(ttl=60, show_spinner=False)
def _cached_run_accounts(run_id: str, version: str) -> pd.DataFrame:
    return store().run_accounts_frame([run_id])


def runs(viewer: Viewer) -> pd.DataFrame:
    """Latest collection runs. Runs carry no leader data, so every manager sees them."""
    _health_scope(viewer)
    return _cached_runs(data_version())


def run_accounts(viewer: Viewer, run_id: str) -> pd.DataFrame:
    scope = _health_scope(viewer)
    frame = _cached_run_accounts(run_id, data_version())
    return frame[frame["leader_id"].isin(scope)].reset_index(drop=True)


@st.cache_data(ttl=60, show_spinner=False)
def _cached_accounts(version: str) -> pd.DataFrame:
    """One row per account with stored posts, newest post, last successful run and last error (SQL)."""
    return store().accounts_health()


def accounts_overview(viewer: Viewer, now: datetime | None = None) -> pd.DataFrame:
    scope = _health_scope(viewer)
    frame = _cached_accounts(data_version())
    frame = frame[frame["leader_id"].isin(scope)].reset_index(drop=True)
    return frame.assign(stale=stale_accounts(frame, now))


# ---------------------------------------------------------------- audit (GDPR accountability)
def _audit(viewer: Viewer, action: str, target_kind: str | None, target_id) -> None:
    from lasna import audit

    audit.record(store(), viewer.name, action, target_kind, target_id)


def _as(viewer: Viewer) -> Store:
    """The shared store, naming ``viewer`` in the audit records its change methods write (a shallow
    copy: same engine, own actor; the shared object is never mutated)."""
    import copy

    s = copy.copy(store())
    s.actor, s.via = viewer.name, "dashboard"
    return s


def audit_view(viewer: Viewer, leader_id: int, page: str) -> None:
    """Record that ``viewer`` opened ``page`` for a leader: once per browser session, leader and
    page (a page runs again on every click; the log needs the first look, not each rerun)."""
    seen = st.session_state.setdefault("_lasna_audited_views", set())
    key = (page, int(leader_id))
    if key in seen:
        return
    seen.add(key)
    _audit(viewer, "data.view", "leader", int(leader_id))


def audit_events(viewer: Viewer, **filters):
    """The audit log for admins (``Store.audit_events``), or None while the store has none."""
    from lasna import audit

    if not viewer.is_admin:
        raise AccessDenied("only admins may read the audit log")
    return audit.events(store(), **filters)


# ---------------------------------------------------------------- writes (admins and consultants)
def add_leader(viewer: Viewer, spec: registry.LeaderSpec):
    """Add a leader with their accounts, or add accounts (and cohorts) to a leader of the same
    name whom the viewer may see. A consultant is assigned the leaders they add."""
    if not viewer.manages_leaders:
        raise AccessDenied("only admins and consultants may add leaders")
    s = store()
    every, cohorts_ = directory()
    # a consultant adds only into cohorts they manage (else they would widen their own access and
    # change everyone's reference group); refusals name nothing the consultant may not see
    access.require_cohorts_manageable(viewer, spec.cohorts, cohorts_)
    existing = {ld.name: ld.id for ld in s.leaders(include_inactive=True)}.get(spec.name)
    if existing is not None:
        _require(viewer, (existing,))  # extending someone else's leader is refused like reading them
    visible = None if viewer.is_admin else access.detail_leader_ids(viewer, every, cohorts_)
    leader = registry.add_leader(_as(viewer), spec, update_existing=existing is not None, visible_leaders=visible)
    if viewer.role is Role.CONSULTANT and existing is None:
        s.assign_leader_to_user(viewer.name, leader.id)
    clear_caches()
    return leader


def remove_leader(viewer: Viewer, leader_id: int) -> None:
    if not viewer.manages_leaders:
        raise AccessDenied("only admins and consultants may remove leaders")
    _require(viewer, (leader_id,))
    _as(viewer).deactivate_leader(leader_id)
    clear_caches()


def remove_account(viewer: Viewer, account_id: int) -> None:
    if not viewer.manages_leaders:
        raise AccessDenied("only admins and consultants may remove accounts")
    owner = [a.leader_id for a in store().accounts() if a.id == account_id]
    if not owner:
        raise AccessDenied(f"no account {account_id} for {viewer.name}")
    _require(viewer, owner)
    store().remove_account(account_id)
    _audit(viewer, "account.remove", "leader", owner[0])
    clear_caches()


def score_reference() -> str:
    """``all`` or ``cohort``: the group the percentiles are computed in (the score_reference setting)."""
    from lasna import settings

    return str(settings.get("score_reference"))


def coverage(viewer: Viewer, leader_id: int, since: datetime, until: datetime) -> dict | None:
    """How complete the replies behind the leader's responsiveness figures are, from the same ledger as
    ``lasna score --json`` (:func:`lasna.coverage.summary`); None for a leader with no reported replies."""
    (lid,) = _require(viewer, [leader_id])
    return _cached_coverage(lid, since, until, data_version())


def coverages(viewer: Viewer, leader_id: int, windows) -> list[dict | None]:
    """:func:`coverage` of each (since, until) window (a period and its baseline), the ledger read once."""
    (lid,) = _require(viewer, [leader_id])
    return _cached_coverages(lid, tuple(tuple(w) for w in windows), data_version())


@st.cache_data(ttl=CACHE_TTL, show_spinner=False, max_entries=256)
def _cached_coverages(leader_id: int, windows: tuple, version: str) -> list[dict | None]:
    from lasna import coverage as ledger

    found = [got.get(leader_id) for got in ledger.summaries(store(), [leader_id], windows)]
    return [f if f and f["reported"] else None for f in found]


@st.cache_data(ttl=CACHE_TTL, show_spinner=False, max_entries=256)
def _cached_coverage(leader_id: int, since: datetime, until: datetime, version: str) -> dict | None:
    from lasna import coverage as ledger

    found = ledger.summary(store(), [leader_id], since=since, until=until).get(leader_id)
    return found if found and found["reported"] else None
