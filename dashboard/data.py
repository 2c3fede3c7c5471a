"""The dashboard's data layer: every read for a viewer goes through here, and is authorised here.

Public loaders take the :class:`~lasna.access.Viewer` first and raise
:class:`~lasna.errors.AccessDenied` (or filter) before they touch a leader's data; pages
never decide access on their own. Private ``_cached_*`` functions do the I/O and are
cached with :func:`st.cache_data`; their keys include :func:`data_version`, which moves
when a collection run finishes or the roster changes, so new data shows without waiting
for the TTL. Pure helpers (``weekly_activity``, ``summary``, ``conversations_waiting`` ...)
are plain functions over frames, tested without Streamlit.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import streamlit as st
from sqlalchemy import and_, func, select

from lasna import access, registry
from lasna.access import CohortAccess, Viewer
from lasna.errors import AccessDenied
from lasna.store import Store
from lasna.store import schema as T
from lasna.users import Role

CACHE_TTL = 600  # seconds; the version key below invalidates earlier when data changes
VERSION_TTL = 10  # how often the (cheap) version query runs at most
STALE_DAYS = 7


@st.cache_resource
def store() -> Store:
    return Store.open()


def clear_caches() -> None:
    """After the dashboard itself writes (leaders/accounts added or removed)."""
    st.cache_data.clear()


# ---------------------------------------------------------------- cache version
@st.cache_data(ttl=VERSION_TTL, show_spinner=False)
def data_version() -> str:
    """Changes when a collection run finishes or leaders, accounts, cohort memberships or
    cohort visibility change (re-read at most every VERSION_TTL seconds)."""
    q = select(
        select(func.max(T.collection_runs.c.finished_at)).scalar_subquery(),
        select(func.count()).select_from(T.leaders).where(T.leaders.c.active.is_(True)).scalar_subquery(),
        select(func.max(T.leaders.c.id)).scalar_subquery(),
        select(func.count()).select_from(T.accounts).scalar_subquery(),
        select(func.count()).select_from(T.leader_cohorts).scalar_subquery(),
    )
    with store().engine.connect() as conn:
        counts = "|".join(str(v) for v in conn.execute(q).one())
        # visibility decides who sees a cohort: a change must reach access checks within seconds
        visibility = ",".join(f"{i}:{v}" for i, v in conn.execute(
            select(T.cohorts.c.id, T.cohorts.c.visibility).order_by(T.cohorts.c.id)))
    return f"{counts}|{visibility}"


# ---------------------------------------------------------------- directory (who is who)
@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def _cached_directory(version: str) -> tuple[pd.DataFrame, pd.DataFrame]:
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


@st.cache_data(ttl=CACHE_TTL, show_spinner=False, max_entries=256)
def _cached_weekly_chart(leader_ids, since, until, start, lang, marker, version):
    from dashboard import charts

    frame = _cached_posts(leader_ids, since, None, version)
    frame = frame[frame["created_at"] >= start]
    stacked_by = "kind" if len(leader_ids) == 1 else "leader"
    return charts.weekly_posts(weekly_activity(frame, start, until), lang, stacked_by=stacked_by, marker=marker,
                               span=(start, until))


def weekly_chart(viewer: Viewer, leader_ids, since: datetime, until: datetime, lang: str, *,
                 start: datetime | None = None, marker: datetime | None = None):
    """The weekly posts figure for leaders whose posts since ``since`` are loaded, drawn from
    ``start`` (default ``since``); cached per language and data version."""
    ids = _require(viewer, leader_ids)
    return _cached_weekly_chart(ids, since, until, start or since, lang, marker, data_version())


def replies_to(viewer: Viewer, leader_id: int, post_id: str, since: datetime | None = None) -> pd.DataFrame:
    """Incoming replies to one of the leader's posts, oldest first."""
    frame = interactions(viewer, (leader_id,), since)
    return frame[frame["parent_id"] == post_id].sort_values("created_at")


def waiting(viewer: Viewer, leader_id: int, since: datetime, now: datetime | None = None) -> pd.DataFrame:
    """Incoming replies ``leader_id`` has not answered since ``since`` (a simple count for tables; the
    page shows :func:`coach_waiting`, the coaching definition)."""
    ids = _require(viewer, (leader_id,))
    version = data_version()
    return conversations_waiting(
        _cached_posts(ids, since, None, version), _cached_interactions(ids, since, None, version), now
    )


# ---------------------------------------------------------------- scores (coaching), computed in the background
SCORE_DAYS = 90  # the headline window; the trend covers two of them by month
COMPOSITE_COLUMNS = ("openness", "responsiveness", "network", "consistency")


def scores_enabled() -> bool:
    import os

    return os.environ.get("LASNA_DASHBOARD_SCORES", "1") != "0"


def compute_scores(s: Store, until: datetime, days: int = SCORE_DAYS) -> dict[str, pd.DataFrame]:
    """Composites of every leader (percentiles need the whole reference group): the last
    ``days``, the ``days`` before, and a monthly trend over both — from the same coaching
    service (frames, features, post types, reports) that the tips and the sparring view use."""
    from lasna.coach_service import CoachService

    return CoachService(s, today=until, days=days).headline_composites()


def _score_result() -> tuple[str, dict | None]:
    """The shared background scoring for the current data version (not filtered: private).
    It is the coaching service's build (one load, one feature pass for both)."""
    if not scores_enabled():
        return "off", None
    job = _coach_job()
    if not job.done():
        return "pending", None
    if job.exception() is not None:
        import logging

        logging.getLogger(__name__).error("scoring failed: %s", job.exception())
        return "failed", {"error": str(job.exception())}
    svc, lock = job.result()
    with lock:  # the reports are cached in the service: this only reshapes them
        return "ready", svc.headline_composites()


def scores(viewer: Viewer, leader_id: int) -> tuple[str, dict | None]:
    """("ready", the leader's composites: current, previous, trend) | ("pending", None) |
    ("failed", {"error": ...}) | ("off", None).

    Scoring every leader takes seconds to minutes, so it runs once per data version in a
    background thread shared by all sessions; pages poll until it is ready."""
    ids = _require(viewer, (leader_id,))
    status, result = _score_result()
    if status != "ready":
        return status, result
    return status, {name: frame[frame["leader_id"] == ids[0]].reset_index(drop=True) for name, frame in result.items()}


def cohort_scores(viewer: Viewer, cohort: str) -> tuple[str, dict | None]:
    """The cohort's median composites (always), each member's (member access only) and the
    viewer's own leader's (when a member)."""
    every, cohorts_ = directory()
    level = access.require_cohort(viewer, cohort, every, cohorts_)
    status, result = _score_result()
    if status != "ready":
        return status, result
    members = {int(i) for i, cs in zip(every["leader_id"], every["cohorts"]) if cohort in cs}
    current = result["current"][result["current"]["leader_id"].isin(members)]
    out = {
        "median": current[list(COMPOSITE_COLUMNS)].median().to_frame().T,
        "members": None,
        "own": current[current["leader_id"] == viewer.leader_id].reset_index(drop=True)
        if viewer.leader_id in members else None,
    }
    if level is CohortAccess.MEMBERS:
        out["members"] = current[["leader", *COMPOSITE_COLUMNS]].sort_values("leader").reset_index(drop=True)
    return status, out


# ---------------------------------------------------------------- coaching: tips, goals, sessions, reports
REPORT_FORMATS = {"html": "text/html", "pdf": "application/pdf", "csv": "text/csv"}


_COACH_JOBS: dict = {}  # process-wide, like the server; keyed by database, data version and day


def _coach_jobs() -> dict:
    if not _COACH_JOBS:
        from concurrent.futures import ThreadPoolExecutor

        # one worker: two heavy builds never run at once (the language back-ends are not
        # thread-safe, and two cores are all we assume)
        _COACH_JOBS.update(executor=ThreadPoolExecutor(max_workers=1, thread_name_prefix="lasna-coach"), jobs={})
    return _COACH_JOBS


def _build_coach(s: Store, day) -> tuple:
    """A CoachService with its frames, post features and the two 90-day score reports ready.
    ``today`` is a date: the service's clock is the end of that day (like today_end()), so tip
    feedback given during the day is already in its past and hides the tip at once."""
    import threading

    from lasna.coach_service import CoachService

    svc = CoachService(s, today=day)
    svc.headline_composites()  # the reports the pages ask for first
    return svc, threading.Lock()  # the lock keeps two sessions from computing one report twice


def _coach_job():
    """The shared CoachService for this data version and day, built in a background thread
    (loading every post and computing features takes seconds on the demo, minutes on a large
    store); the previous one keeps serving while a new data version is being prepared."""
    s = store()
    database = s.engine.url.render_as_string(hide_password=True)
    key = (database, data_version(), datetime.now(UTC).date())
    registry_ = _coach_jobs()
    jobs = registry_["jobs"]
    if key not in jobs:
        for old in [k for k in jobs if k[0] == database][:-1] + [k for k in jobs if k[0] != database]:
            jobs.pop(old, None)
        jobs[key] = registry_["executor"].submit(_build_coach, s, key[2])
    job = jobs[key]
    if not job.done():
        previous = [k for k in jobs if k != key and k[0] == database and jobs[k].done() and not jobs[k].exception()]
        if previous:
            return jobs[previous[-1]]
    return job


def coaching_enabled() -> bool:
    import os

    return os.environ.get("LASNA_DASHBOARD_COACHING", "1") != "0"


def coach_status() -> str:
    """"ready" | "pending" | "failed" | "off": whether the coaching loaders below answer at once.
    Pages ask this first and poll while pending; the loaders themselves wait.
    ``LASNA_DASHBOARD_COACHING=0`` turns the coaching blocks off (benchmarks of the pages)."""
    if not coaching_enabled():
        return "off"
    job = _coach_job()
    if not job.done():
        return "pending"
    if job.exception() is not None:
        import logging

        logging.getLogger(__name__).error("coaching failed: %s", job.exception())
        return "failed"
    return "ready"


def _coach():
    return _coach_job().result()


def _writer():
    """A CoachService for writes: they touch only the store, so no frames are loaded."""
    from lasna.coach_service import CoachService

    return CoachService(store(), today=datetime.now(UTC))


def _require_manager(viewer: Viewer, leader_id: int, what: str) -> int:
    if not viewer.manages_leaders:
        raise AccessDenied(f"only consultants and admins may {what}")
    return _require(viewer, (leader_id,))[0]


def tips(viewer: Viewer, leader_id: int, lang: str):
    """This week's tips (a coaching.tips.TipSet, at most three) for a leader the viewer may see."""
    (lid,) = _require(viewer, (leader_id,))
    svc, lock = _coach()
    with lock:
        return svc.tips(lid, lang=lang)


def dismiss_tip(viewer: Viewer, leader_id: int, tip_key: str, action: str) -> None:
    """"done" or "dismissed" (not now): the tip stays away for the snooze period. Anyone who may
    see the leader may do it (the executive for their own tips, their consultant, an admin)."""
    (lid,) = _require(viewer, (leader_id,))
    _writer().dismiss_tip(lid, tip_key, action, by=viewer.name)


def goal_progress(viewer: Viewer, leader_id: int) -> list:
    (lid,) = _require(viewer, (leader_id,))
    svc, lock = _coach()
    with lock:
        return svc.goal_progress(lid)


def add_goal(viewer: Viewer, leader_id: int, metric: str, target: float, deadline, *, start=None,
             description: str = ""):
    lid = _require_manager(viewer, leader_id, "set goals")
    return _writer().add_goal(lid, metric, target, deadline, start=start, description=description,
                              created_by=viewer.name)


def goal_current(viewer: Viewer, leader_id: int, metric: str) -> float | None:
    """The metric's value now, measured as goal progress is (the goal window), for the goal form."""
    from coaching.goals import GOAL_WINDOW_DAYS

    (lid,) = _require(viewer, (leader_id,))
    svc, lock = _coach()
    with lock:
        value = svc._value_at(lid, metric, pd.Timestamp(svc.now), GOAL_WINDOW_DAYS)
    return value.value if value is not None and value.ok else None


def coach_waiting(viewer: Viewer, leader_id: int, now: datetime | None = None) -> pd.DataFrame:
    """Conversations waiting in the coaching sense (coaching.waiting): replies, mentions and
    comments without an answer, not hidden or emoji-only, from the last 30 days, newest first
    (created_at, age, kind, author, text, url, is_question)."""
    (lid,) = _require(viewer, (leader_id,))
    svc, lock = _coach()
    with lock:
        frame = svc.waiting(lid)
    now = pd.Timestamp(now or datetime.now(UTC))
    arrived = pd.to_datetime(frame["indexed_at"], utc=True)
    out = frame.assign(created_at=arrived, age=now - arrived)
    return safe_urls(out[["created_at", "age", "kind", "author", "text", "url", "is_question"]].copy())


def record_session(viewer: Viewer, leader_id: int, **fields):
    lid = _require_manager(viewer, leader_id, "record sparring sessions")
    return _writer().record_session(lid, consultant=viewer.name, **fields)


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
    svc, lock = _coach()
    with lock:
        report = svc.leader_report(lid, lang=lang, session_id=session_id)
    out = {"html": reports.report_html, "pdf": reports.report_pdf, "csv": reports.report_csv}[fmt](report)
    return out.encode("utf-8") if isinstance(out, str) else bytes(out)


# ---------------------------------------------------------------- cohorts (aggregates in SQL + vectorised pandas)
@st.cache_data(ttl=CACHE_TTL, show_spinner=False, max_entries=64)
def _cached_activity(leader_ids: tuple[int, ...], since: datetime, version: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Light columns only (no text, no JSON) for many leaders."""
    p, i, L = T.posts, T.interactions, T.leaders
    pq = (
        select(p.c.id.label("post_id"), p.c.leader_id, L.c.name.label("leader"), p.c.author_id, p.c.created_at,
               p.c.reply_parent_id, p.c.reply_parent_author_id, p.c.is_repost)
        .join(L, L.c.id == p.c.leader_id)
        .where(p.c.leader_id.in_(list(leader_ids)), p.c.created_at >= since, p.c.deleted.is_(False))
    )
    iq = (
        select(i.c.id.label("interaction_id"), i.c.leader_id, L.c.name.label("leader"), i.c.kind, i.c.author_id,
               i.c.created_at)
        .join(L, L.c.id == i.c.leader_id)
        .where(i.c.leader_id.in_(list(leader_ids)), i.c.created_at >= since, i.c.deleted.is_(False))
    )
    with store().engine.connect() as conn:
        res = conn.execute(pq)
        posts_ = pd.DataFrame(res.all(), columns=list(res.keys()))
        res = conn.execute(iq)
        inter = pd.DataFrame(res.all(), columns=list(res.keys()))
    for frame in (posts_, inter):
        frame["created_at"] = pd.to_datetime(frame["created_at"], utc=True)
    posts_["is_repost"] = posts_["is_repost"].astype(bool)
    return posts_, inter


def cohort_overview(viewer: Viewer, cohort: str, since: datetime, now: datetime) -> dict:
    """What ``viewer`` may see of ``cohort``: weekly percentile bands always; the per-member
    leaderboard only with member access. Raises AccessDenied for a cohort they may not see."""
    every, cohorts_ = directory()
    level = access.require_cohort(viewer, cohort, every, cohorts_)
    members = tuple(sorted(int(i) for i, cs in zip(every["leader_id"], every["cohorts"]) if cohort in cs))
    posts_, inter = _cached_activity(members, since, data_version())
    weekly = weekly_activity(posts_, since, now, leaders=every.loc[every["leader_id"].isin(members), "leader"])
    out = {
        "access": level,
        "members": len(members),
        "bands": percentile_bands(weekly),
        "leaderboard": None,
        "own": None,
    }
    if level is CohortAccess.MEMBERS:
        out["leaderboard"] = summary(posts_, inter).sort_values("answered", ascending=False, na_position="last")
    if viewer.leader_id in members:
        own_name = every.loc[every["leader_id"] == viewer.leader_id, "leader"].iloc[0]
        own = weekly[weekly["leader"] == own_name].groupby("week", as_index=False)["count"].sum()
        out["own"] = own
    return out


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
    a, p, L, ra = T.accounts, T.posts, T.leaders, T.collection_run_accounts
    post_stats = (
        select(p.c.account_id, func.count().label("posts"), func.max(p.c.created_at).label("last_post"))
        .group_by(p.c.account_id)
        .subquery()
    )
    ok_runs = (
        select(ra.c.account_id, func.max(ra.c.finished_at).label("last_ok"))
        .where(ra.c.error.is_(None))
        .group_by(ra.c.account_id)
        .subquery()
    )
    last_run = (
        select(ra.c.account_id, func.max(ra.c.id).label("last_id")).group_by(ra.c.account_id).subquery()
    )
    q = (
        select(a.c.id.label("account_id"), a.c.leader_id, L.c.name.label("leader"), a.c.platform,
               a.c.handle.label("account"), func.coalesce(post_stats.c.posts, 0).label("posts"),
               post_stats.c.last_post, ok_runs.c.last_ok, ra.c.error.label("last_error"))
        .join(L, L.c.id == a.c.leader_id)
        .outerjoin(post_stats, post_stats.c.account_id == a.c.id)
        .outerjoin(ok_runs, ok_runs.c.account_id == a.c.id)
        .outerjoin(last_run, last_run.c.account_id == a.c.id)
        .outerjoin(ra, and_(ra.c.id == last_run.c.last_id))
        .where(L.c.active.is_(True))
        .order_by(L.c.name, a.c.platform)
    )
    with store().engine.connect() as conn:
        res = conn.execute(q)
        frame = pd.DataFrame(res.all(), columns=list(res.keys()))
    for col in ("last_post", "last_ok"):
        frame[col] = pd.to_datetime(frame[col], utc=True)
    return frame


def accounts_overview(viewer: Viewer, now: datetime | None = None) -> pd.DataFrame:
    scope = _health_scope(viewer)
    frame = _cached_accounts(data_version())
    frame = frame[frame["leader_id"].isin(scope)].reset_index(drop=True)
    return frame.assign(stale=stale_accounts(frame, now))


def stale_accounts(accounts: pd.DataFrame, now: datetime | None = None, days: int = STALE_DAYS) -> pd.Series:
    """True where no new post or no successful collection in ``days`` days."""
    cutoff = pd.Timestamp(now or datetime.now(UTC)) - pd.Timedelta(days=days)
    old_post = accounts["last_post"].isna() | (accounts["last_post"] < cutoff)
    old_run = accounts["last_ok"].isna() | (accounts["last_ok"] < cutoff)
    return (old_post | old_run).astype(bool)


# ---------------------------------------------------------------- writes (admins and consultants)
def add_leader(viewer: Viewer, spec: registry.LeaderSpec):
    """Add a leader with their accounts, or add accounts (and cohorts) to a leader of the same
    name whom the viewer may see. A consultant is assigned the leaders they add."""
    if not viewer.manages_leaders:
        raise AccessDenied("only admins and consultants may add leaders")
    s = store()
    existing = {l.name: l.id for l in s.leaders(include_inactive=True)}.get(spec.name)
    if existing is not None:
        _require(viewer, (existing,))  # extending someone else's leader is refused like reading them
    leader = registry.add_leader(s, spec, update_existing=existing is not None)
    if viewer.role is Role.CONSULTANT and existing is None:
        with s.engine.begin() as conn:
            user_id = conn.execute(select(T.users.c.id).where(T.users.c.name == viewer.name)).scalar_one()
            conn.execute(T.user_leaders.insert().values(user_id=user_id, leader_id=leader.id))
    clear_caches()
    return leader


def remove_leader(viewer: Viewer, leader_id: int) -> None:
    if not viewer.manages_leaders:
        raise AccessDenied("only admins and consultants may remove leaders")
    _require(viewer, (leader_id,))
    store().deactivate_leader(leader_id)
    clear_caches()


def remove_account(viewer: Viewer, account_id: int) -> None:
    if not viewer.manages_leaders:
        raise AccessDenied("only admins and consultants may remove accounts")
    owner = [a.leader_id for a in store().accounts() if a.id == account_id]
    if not owner:
        raise AccessDenied(f"no account {account_id} for {viewer.name}")
    _require(viewer, owner)
    store().remove_account(account_id)
    clear_caches()


# ---------------------------------------------------------------- pure helpers
def safe_urls(frame: pd.DataFrame) -> pd.DataFrame:
    """Only http(s) links survive: a ``javascript:`` or ``data:`` URL from a source never
    reaches a link column or button."""
    ok = frame["url"].astype("string").str.match(r"(?i)^https?://", na=False)
    frame["url"] = frame["url"].astype(object).where(ok.to_numpy(), None)
    return frame


def since_days(days: int, now: datetime | None = None) -> datetime:
    """Midnight UTC ``days`` ago: a stable cache key within a day."""
    now = now or datetime.now(UTC)
    return (now - timedelta(days=days)).replace(hour=0, minute=0, second=0, microsecond=0)


def today_end(now: datetime | None = None) -> datetime:
    """End of today (UTC): the right edge of every time axis."""
    now = now or datetime.now(UTC)
    return now.replace(hour=23, minute=59, second=59, microsecond=0)


def post_kind(posts: pd.DataFrame) -> pd.Series:
    """post | reply (to someone else) | thread (reply to oneself) | repost."""
    reply = posts["reply_parent_id"].notna().to_numpy()
    to_self = (posts["reply_parent_author_id"] == posts["author_id"]).to_numpy()
    kind = np.where(reply & to_self, "thread", np.where(reply, "reply", "post"))
    kind = np.where(posts["is_repost"].to_numpy(dtype=bool), "repost", kind)
    return pd.Series(kind, index=posts.index, dtype=object)


def _week_start(times: pd.Series) -> pd.Series:
    return times.dt.tz_convert(None).dt.to_period("W-SUN").dt.start_time


def weekly_activity(
    posts: pd.DataFrame, start: datetime | None = None, end: datetime | None = None, leaders=None
) -> pd.DataFrame:
    """Posts per leader, ISO week (Monday) and kind; every week from ``start`` to ``end``
    (default: the first and last post) appears, with 0 where nothing was posted; ``leaders``
    (names) adds leaders who posted nothing."""
    if posts.empty and leaders is None:
        return pd.DataFrame(columns=["leader", "week", "kind", "count"])
    frame = posts.assign(kind=post_kind(posts), week=_week_start(posts["created_at"]))
    counts = frame.groupby(["leader", "week", "kind"]).size().rename("count").reset_index()
    if counts.empty and not (start and end):
        return pd.DataFrame(columns=["leader", "week", "kind", "count"])
    first = _week_start(pd.Series([pd.Timestamp(start)])).iloc[0] if start else counts["week"].min()
    last = _week_start(pd.Series([pd.Timestamp(end)])).iloc[0] if end else counts["week"].max()
    weeks = pd.date_range(first, last, freq="W-MON")
    names = pd.unique(pd.concat([counts["leader"], pd.Series(list(leaders) if leaders is not None else [], dtype=object)]))
    kinds = counts["kind"].unique() if not counts.empty else ["post"]
    full = pd.MultiIndex.from_product([names, weeks, kinds], names=["leader", "week", "kind"])
    return counts.set_index(["leader", "week", "kind"]).reindex(full, fill_value=0).reset_index()


def percentile_bands(weekly: pd.DataFrame) -> pd.DataFrame:
    """Per week: the 25th, 50th and 75th percentile and mean of members' post counts."""
    if weekly.empty:
        return pd.DataFrame(columns=["week", "p25", "p50", "p75", "mean"])
    per_member = weekly.groupby(["week", "leader"])["count"].sum().unstack("leader")
    values = per_member.to_numpy(dtype=float)
    p25, p50, p75 = np.percentile(values, [25, 50, 75], axis=1)
    return pd.DataFrame(
        {"week": per_member.index, "p25": p25, "p50": p50, "p75": p75, "mean": values.mean(axis=1)}
    ).reset_index(drop=True)


def summary(posts: pd.DataFrame, interactions: pd.DataFrame) -> pd.DataFrame:
    """Simple activity counts per leader (the full scores live in coaching)."""
    kinds = post_kind(posts)
    answered_ids = set(posts["reply_parent_id"].dropna())
    replies_in = interactions[interactions["kind"] == "reply"]
    by_leader = pd.DataFrame(
        {
            "posts": posts.groupby("leader").size(),
            "replies_out": posts[kinds == "reply"].groupby("leader").size(),
            "incoming": replies_in.groupby("leader").size(),
            "answered": replies_in.assign(a=replies_in["interaction_id"].isin(answered_ids)).groupby("leader")["a"].mean(),
            "people": interactions.groupby("leader")["author_id"].nunique(),
            "last_post": posts.groupby("leader")["created_at"].max(),
        }
    )
    if by_leader.empty:
        return pd.DataFrame(columns=["leader", *by_leader.columns])
    return by_leader.fillna({"posts": 0, "replies_out": 0, "incoming": 0, "people": 0}).reset_index(names="leader")


def period_summary(posts: pd.DataFrame, interactions: pd.DataFrame, start: datetime, end: datetime) -> dict:
    """Counts for one leader within [start, end): posts, replies_out, incoming, answered, people."""
    p = posts[(posts["created_at"] >= start) & (posts["created_at"] < end)]
    i = interactions[(interactions["created_at"] >= start) & (interactions["created_at"] < end)]
    kinds = post_kind(p)
    replies_in = i[i["kind"] == "reply"]
    # an answer may come after the period ends: look in every loaded post
    answered = replies_in["interaction_id"].isin(set(posts["reply_parent_id"].dropna()))
    return {
        "posts": int(len(p)),
        "replies_out": int((kinds == "reply").sum()),
        "incoming": int(len(replies_in)),
        "answered": float(answered.mean()) if len(replies_in) else None,
        "people": int(i["author_id"].nunique()),
    }


def conversations_waiting(posts: pd.DataFrame, interactions: pd.DataFrame, now: datetime | None = None) -> pd.DataFrame:
    """Incoming replies the leader has not answered, newest first, with their age."""
    now = pd.Timestamp(now or datetime.now(UTC))
    replies = interactions[(interactions["kind"] == "reply") & ~interactions["hidden"].astype(bool)]
    answered = set(posts["reply_parent_id"].dropna())
    open_ = replies[~replies["interaction_id"].isin(answered)].sort_values("created_at", ascending=False)
    author = open_["author_handle"].fillna(open_["author_name"]).fillna(open_["author_id"])
    return pd.DataFrame(
        {
            "created_at": open_["created_at"],
            "age": now - open_["created_at"],
            "author": author,
            "text": open_["text"],
            "url": open_["url"],
        }
    ).reset_index(drop=True)
