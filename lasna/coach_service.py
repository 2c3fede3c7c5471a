"""Glue between the store and the pure coaching layer, used by the CLI and the dashboard.

``CoachService(store, today=...)`` reads scores from the stored facts (:func:`lasna.facts.score_window`,
cached per window), loads one leader's posts and messages only when that leader's tips, waiting
conversations or report need them, and exposes the coaching API:

* :meth:`tips` / :meth:`dismiss_tip` — this week's tips (fi/en) and their feedback,
* :meth:`waiting` — conversations waiting for an answer,
* :meth:`add_goal` / :meth:`goal_progress` — goals and their status,
* :meth:`record_session` / :meth:`session_report` / :meth:`session_history` — sparring sessions,
* :meth:`cohort_view` — aggregates, percentile bands and the interaction network under a visibility mode,
* :meth:`leader_report` — everything above for one leader, ready for ``coaching.reports`` renderers.

Leaders may be given by name or id everywhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from functools import cached_property
from typing import TYPE_CHECKING

import pandas as pd

from coaching import goals as goals_mod
from coaching import sessions as sessions_mod
from coaching import tips as tips_mod
from coaching.score_adapter import (
    COMPOSITES,
    MetricValue,
    ScoreReport,
    composite_components,
    component_values,
    composite_values,
    peer_medians,
)
from coaching.waiting import conversations_waiting
from lasna import facts
from lasna.errors import InputError, NotFoundError
from lasna.store import Store
from lasna.types import Goal, Leader, SessionNote
from lasna.window import day_end, window_end

if TYPE_CHECKING:
    from coaching import cohorts as cohorts_mod
    from coaching import reports as reports_mod

DEFAULT_DAYS = 90


def _day_end(d: date) -> pd.Timestamp:
    """End of day ``d`` in the programme time zone (windows include the whole day; :mod:`lasna.window`)."""
    return pd.Timestamp(day_end(d))


def _id(leader: Leader) -> int:
    """A stored leader's id (every leader read from the store has one)."""
    assert leader.id is not None, leader.name
    return leader.id


def _cohort_min_others() -> int:
    """k for cohort aggregates: the ``cohort_min_others`` setting, never below the floor."""
    from coaching import cohorts as cohorts_mod

    from lasna import settings

    try:
        return max(int(settings.get("cohort_min_others")), cohorts_mod.MIN_OTHERS)
    except Exception:  # noqa: BLE001 - an invalid value must not lower k
        return cohorts_mod.MIN_OTHERS


class CoachService:
    """``today``: a date (windows end at the end of that day) or an instant (windows end at the end of
    its day; conversations waiting are aged up to the instant itself). Default: now."""

    def __init__(self, store: Store, *, today: datetime | date | None = None, days: int = DEFAULT_DAYS) -> None:
        self.store = store
        if today is None or isinstance(today, datetime):
            instant = today or datetime.now(UTC)
            instant = instant if instant.tzinfo else instant.replace(tzinfo=UTC)
            self.now = pd.Timestamp(window_end(instant)).tz_convert("UTC")
            self.instant = pd.Timestamp(instant).tz_convert("UTC")
        else:
            self.now = _day_end(today)
            self.instant = self.now
        self.days = days
        self._reports: dict[tuple, ScoreReport] = {}
        self._frames: dict[tuple, tuple[pd.DataFrame, pd.DataFrame]] = {}
        self._checked = False
        self._records: dict = {}  # facts read for this service's windows (lasna.facts.window_records)

    # ------------------------------------------------------------------ frames (per leader, on demand)
    @cached_property
    def leaders(self) -> pd.DataFrame:
        return self.store.leaders_frame()

    def frames(self, leader_ids: Sequence[int], since: pd.Timestamp | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Posts (with features) and interactions (with stance) of ``leader_ids`` since ``since``
        (default: their whole history), from stored enrichment."""
        key = (tuple(sorted(int(i) for i in leader_ids)), None if since is None else pd.Timestamp(since).value)
        if key not in self._frames:
            # stored rows are selected by creation time; a day's margin keeps every row seen since `since`
            since_dt = None if since is None else (pd.Timestamp(since) - pd.Timedelta(days=1)).to_pydatetime()
            from lasna import scoring_service

            self._frames[key] = scoring_service.enriched_history(self.store, list(key[0]), since_dt)
        return self._frames[key]

    def leader_frames(self, leader_id: int) -> tuple[pd.DataFrame, pd.DataFrame]:
        return self.frames([leader_id])

    # every active leader's rows (loaded on first use; the coaching paths above need one leader only)
    @property
    def posts(self) -> pd.DataFrame:
        return self.frames([int(i) for i in self.leaders["leader_id"]])[0]

    @property
    def interactions(self) -> pd.DataFrame:
        return self.frames([int(i) for i in self.leaders["leader_id"]])[1]

    posts_with_features = posts

    def leader(self, who: str | int | Leader) -> Leader:
        if isinstance(who, Leader):
            return who
        if isinstance(who, int) or (isinstance(who, str) and who.isdigit()):
            return self.store.leader_by_id(int(who))
        return self.store.leader(who)

    def cohort_members(self, leader: Leader) -> list[int]:
        if not leader.cohorts:
            return [int(i) for i in self.leaders["leader_id"]]
        mask = self.leaders["cohorts"].map(lambda cs: bool(set(cs) & set(leader.cohorts)))
        return [int(i) for i in self.leaders.loc[mask, "leader_id"]]

    # ------------------------------------------------------------------ scores (cached per window)
    def report(self, until: pd.Timestamp | None = None, days: int | None = None, by: str | None = None,
               evidence_for: int | None = None) -> ScoreReport:
        """Scores for the window from the facts: every leader's, or with ``evidence_for`` that leader's and
        their cohort peers' (with the evidence ids of that leader) — read from the facts of those leaders
        and their reference groups only."""
        until = pd.Timestamp(until) if until is not None else self.now
        days = days or self.days
        key = (until.value, days, by, evidence_for)
        if key not in self._reports:
            asked = None if evidence_for is None else self.cohort_members(self.leader(evidence_for))
            if asked is not None and evidence_for is not None and evidence_for not in asked:
                asked = [*asked, evidence_for]
            self._reports[key] = facts.score_window(
                self.store, asked, until=until, days=days, by=by, leaders=self.leaders,
                evidence_for=() if evidence_for is None else (evidence_for,), check_current=not self._checked,
                records_cache=self._records)
            self._checked = True  # the facts were checked against the stored rows once for this service
        return self._reports[key]

    def headline_composites(self) -> dict[str, pd.DataFrame]:
        """Every leader's composites for the dashboard: ``current`` (this window), ``previous``
        (the window before) and ``trend`` (by month over both). Same reports as the tips use."""
        out = {"current": self.report().composites, "previous": self.baseline_report().composites,
               "trend": self.report(days=2 * self.days, by="month").composites}
        return {name: frame.assign(period_start=pd.to_datetime(frame["bucket"], utc=True))
                for name, frame in out.items()}

    def leader_composites(self, who, *, trend: bool = True) -> dict[str, pd.DataFrame]:
        """One leader's composites as :meth:`headline_composites` gives them (``current``, ``previous``
        and, with ``trend``, ``trend``), read from the facts of the leader's reference group only:
        ``current`` and ``previous`` are the reports the tips use (:meth:`context`), so a page showing
        both reads them once."""
        lid = _id(self.leader(who)) if not isinstance(who, int) else int(who)
        # the trend first: its months hold both windows, whose facts then come from its read (records_cache)
        trend_report = self.report(days=2 * self.days, by="month", evidence_for=lid) if trend else None
        out = {"current": self.report(evidence_for=lid), "previous": self.baseline_report(evidence_for=lid)}
        if trend_report is not None:
            out["trend"] = trend_report
        return {name: rep.composites[rep.composites["leader_id"] == lid].reset_index(drop=True)
                .assign(period_start=lambda f: pd.to_datetime(f["bucket"], utc=True))
                for name, rep in out.items()}

    def cohort_composites(self, cohort: str) -> pd.DataFrame:
        """The current window's composites of a cohort's members (the numbers of :meth:`report` for
        them), read from the facts of the members and their reference groups only."""
        members = [int(i) for i in self.leaders.loc[self.leaders["cohorts"].map(lambda cs: cohort in cs), "leader_id"]]
        key = (self.now.value, self.days, None, ("cohort", cohort))
        if key not in self._reports:
            self._reports[key] = facts.score_window(self.store, members, until=self.now, days=self.days,
                                                    leaders=self.leaders, evidence_for=())
        return self._reports[key].composites

    def baseline_report(self, days: int | None = None, evidence_for: int | None = None) -> ScoreReport:
        days = days or self.days
        return self.report(self.now - pd.Timedelta(days=days), days, evidence_for=evidence_for)

    # ------------------------------------------------------------------ tips
    def context(self, who, *, goals: Sequence[goals_mod.GoalProgress] | None = None) -> tips_mod.TipContext:
        leader = self.leader(who)
        cur = self.report(evidence_for=_id(leader))
        peers = peer_medians(cur, self.cohort_members(leader))
        posts, inter = self.leader_frames(_id(leader))
        return tips_mod.build_context(
            _id(leader), current=component_values(cur, _id(leader)),
            baseline=component_values(self.baseline_report(evidence_for=_id(leader)), _id(leader)), posts=posts,
            interactions=inter, today=self.now, days=self.days, peers=peers,
            goals=self.goal_progress(leader) if goals is None else goals, leader=leader.name,
        )

    def tips(self, who, *, lang: str = "fi", limit: int = tips_mod.DEFAULT_LIMIT,
             snooze_days: int = tips_mod.DEFAULT_SNOOZE_DAYS) -> tips_mod.TipSet:
        leader = self.leader(who)
        ctx = self.context(leader)
        return tips_mod.weekly_tips(ctx, lang=lang, feedback=self.store.tip_feedback(_id(leader)),
                                    snooze_days=snooze_days, limit=limit)

    def dismiss_tip(self, who, tip_key: str, action: str = "dismissed", by: str | None = None) -> None:
        if tip_key not in tips_mod.RULES:
            raise InputError(f"unknown tip {tip_key!r}", hint="keys: " + ", ".join(tips_mod.RULES))
        self.store.add_tip_feedback(_id(self.leader(who)), tip_key, action, at=self.now.to_pydatetime(), by=by)

    # ------------------------------------------------------------------ conversations waiting
    def waiting(self, who, *, max_age_days: float | None = 30) -> pd.DataFrame:
        leader = self.leader(who)
        posts, inter = self.leader_frames(_id(leader))
        return conversations_waiting(posts, inter, leader_id=_id(leader), now=self.instant, max_age_days=max_age_days)

    # ------------------------------------------------------------------ goals
    def add_goal(self, who, metric: str, target: float, deadline: date, *, start: date | None = None,
                 description: str = "", created_by: str | None = None) -> Goal:
        leader = self.leader(who)
        goal = Goal(leader_id=_id(leader), metric=metric, target=float(target), start=start or self.now.date(),
                    deadline=deadline, description=description, created_by=created_by)
        try:
            goals_mod.validate_goal(goal)
        except ValueError as exc:
            raise InputError(str(exc), hint="metrics: see `lasna metrics` or coaching.definitions.METRICS") from exc
        return self.store.add_goal(goal)

    def _value_at(self, leader_id: int, metric: str, until: pd.Timestamp, days: int):
        rep = self.report(until, days, evidence_for=leader_id)
        if metric in COMPOSITES:
            vals = component_values(rep, leader_id)
            n = min((v.n for k, v in vals.items() if k in composite_components(metric)), default=0)
            v = composite_values(rep, leader_id).get(metric)
            return MetricValue(metric, v, n) if v is not None else None
        return component_values(rep, leader_id).get(metric)

    def goal_progress(self, who) -> list[goals_mod.GoalProgress]:
        leader = self.leader(who)
        out = []
        window = goals_mod.GOAL_WINDOW_DAYS
        for g in self.store.goals(_id(leader)):
            as_of = min(self.now, _day_end(g.deadline))
            current = self._value_at(_id(leader), g.metric, as_of, window) if self.now.date() >= g.start else None
            baseline = self._value_at(_id(leader), g.metric, _day_end(g.start - timedelta(days=1)), window)
            out.append(goals_mod.evaluate_goal(g, current=current, baseline=baseline, today=self.now.date()))
        return out

    # ------------------------------------------------------------------ sparring sessions
    def record_session(self, who, *, period_start: date, period_end: date, baseline_start: date | None = None,
                       baseline_end: date | None = None, notes: str = "", actions: Sequence[str] = (),
                       next_session: date | None = None, consultant: str | None = None,
                       held_on: date | None = None) -> SessionNote:
        leader = self.leader(who)
        if period_end < period_start:
            raise InputError("the period under review ends before it starts")
        if baseline_start is None or baseline_end is None:
            span = (period_end - period_start).days + 1
            baseline_end = period_start - timedelta(days=1)
            baseline_start = baseline_end - timedelta(days=span - 1)
        note = SessionNote(leader_id=_id(leader), held_on=held_on or self.now.date(), period_start=period_start,
                           period_end=period_end, baseline_start=baseline_start, baseline_end=baseline_end,
                           notes=notes, actions=tuple(actions), next_session=next_session, consultant=consultant)
        return self.store.add_session(note)

    def session_history(self, who) -> list[SessionNote]:
        return self.store.sessions(_id(self.leader(who)))

    def session_report(self, who, session_id: int | None = None, *, lang: str = "fi") -> sessions_mod.SessionReport:
        leader = self.leader(who)
        history = self.store.sessions(_id(leader))
        if not history:
            raise NotFoundError(f"no sparring sessions for {leader.name}", hint="record one with `lasna sessions add`")
        note = next((s for s in history if s.id == session_id), None) if session_id else history[-1]
        if note is None:
            raise NotFoundError(f"no sparring session {session_id} for {leader.name}")
        return self._assemble_session(leader, note, history, lang)

    def _period_report(self, start: date, end: date, evidence_for: int | None = None) -> ScoreReport:
        days = (end - start).days + 1
        return self.report(_day_end(end), days, evidence_for=evidence_for)

    def _assemble_session(self, leader: Leader, note: SessionNote, history, lang: str) -> sessions_mod.SessionReport:
        cur = self._period_report(note.period_start, note.period_end, _id(leader))
        b_start = note.baseline_start or (note.period_start - (note.period_end - note.period_start) - timedelta(days=1))
        b_end = note.baseline_end or (note.period_start - timedelta(days=1))
        base = self._period_report(b_start, b_end, _id(leader))
        posts, inter = self.leader_frames(_id(leader))
        return sessions_mod.assemble_session(
            note, leader=leader.name,
            current=component_values(cur, _id(leader)), baseline=component_values(base, _id(leader)),
            current_composites=composite_values(cur, _id(leader)), baseline_composites=composite_values(base, _id(leader)),
            posts=posts, interactions=inter,
            history=history, lang=lang,
        )

    # ------------------------------------------------------------------ cohorts
    def weekly(self, weeks: int = 26, leader_id: int | None = None) -> ScoreReport:
        """Scores by week over the last ``weeks`` weeks: every leader's, or with ``leader_id`` that leader's
        and their cohort peers' (read from the facts of that leader's reference group only)."""
        return self.report(self.now, weeks * 7, by="week", evidence_for=leader_id)

    def cohort_view(self, cohort: str, *, role: str = "member", viewer: str | int | None = None,
                    weeks: int = 26, lang: str = "fi") -> cohorts_mod.CohortView:
        from coaching import cohorts as cohorts_mod

        found = {c.name: c for c in self.store.cohorts()}
        if cohort not in found:
            raise NotFoundError(f"no cohort named {cohort!r}", hint="see `lasna leaders list`")
        viewer_id = _id(self.leader(viewer)) if viewer is not None else None
        members = self.leaders[self.leaders["cohorts"].map(lambda cs: cohort in cs)]
        since = self.now - pd.Timedelta(days=weeks * 7)
        posts, inter = self.frames([int(i) for i in members["leader_id"]], since)
        return cohorts_mod.cohort_view(
            cohort, members, found[cohort].visibility, role=role, viewer_leader_id=viewer_id,
            weekly=self.weekly(weeks), posts=posts[posts["indexed_at"] > since],
            interactions=inter[inter["indexed_at"] > since], lang=lang,
            min_others=_cohort_min_others(),
        )

    # ------------------------------------------------------------------ reports
    def leader_report(self, who, *, session_id: int | None = None, lang: str = "fi",
                      weeks: int = 26) -> reports_mod.LeaderReport:
        from coaching import reports as reports_mod

        leader = self.leader(who)
        history = self.store.sessions(_id(leader))
        session = None
        if session_id is not None:
            session = self.session_report(leader, session_id, lang=lang)
        # the weekly trend first: its weeks hold this period's and the baseline's, read once (records_cache)
        weekly = self.weekly(weeks, _id(leader)).composites
        cur, base = self.report(evidence_for=_id(leader)), self.baseline_report(evidence_for=_id(leader))
        goals = self.goal_progress(leader)
        ctx = self.context(leader, goals=goals)
        tipset = tips_mod.weekly_tips(ctx, lang=lang, feedback=self.store.tip_feedback(_id(leader)))
        start = (self.now - pd.Timedelta(days=self.days)).date()
        return reports_mod.build_report(
            leader=leader.name, leader_id=_id(leader), lang=lang, generated=self.now.to_pydatetime(),
            period=(start + timedelta(days=1), self.now.date()),
            baseline_period=((self.now - pd.Timedelta(days=2 * self.days)).date() + timedelta(days=1), start),
            current=component_values(cur, _id(leader)), baseline=component_values(base, _id(leader)),
            current_composites=composite_values(cur, _id(leader)), baseline_composites=composite_values(base, _id(leader)),
            weekly=weekly[weekly["leader_id"] == _id(leader)],
            tips=tipset, waiting=ctx.waiting, goals=goals, session=session, sessions=history,
            **self._reference(leader, cur), coverage=self.coverage(_id(leader)),
        )

    def coverage(self, leader_id: int) -> dict:
        """The coverage ledger's summary of the window for one leader (lasna.coverage, from its facts)."""
        from lasna import coverage

        return coverage.summary(self.store, [leader_id], since=(self.now - pd.Timedelta(days=self.days)).to_pydatetime(),
                                until=self.now.to_pydatetime())[int(leader_id)]

    def _reference(self, leader: Leader, report: ScoreReport) -> dict:
        """Who the percentiles compare the leader with (for the report's summary page)."""
        if report.meta.get("reference") == "cohort" and leader.cohorts:
            return {"reference": ", ".join(leader.cohorts), "reference_size": len(self.cohort_members(leader))}
        return {"reference": "all", "reference_size": len(self.leaders)}


__all__ = ["CoachService", "DEFAULT_DAYS"]
