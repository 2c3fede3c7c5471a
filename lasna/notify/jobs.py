"""The two scheduled jobs: ``lasna digest send`` and ``lasna alerts check``.

Each run works in two phases:

1. **compose** – for every recipient that is due, the message is rendered and put in the outbox under a
   unique key (``digest:<user id>:<ISO week>`` or ``alert:<user id>:<conversation id>``); a key already
   there is never composed again, so a rerun composes nothing;
2. **deliver** – every due outbox message is claimed (``state = 'sending'``, committed), handed to the
   SMTP server, and marked ``sent`` as soon as the server accepted it. Failures are kept with their error
   and retried by later runs with exponential backoff; a message whose run died while sending is taken
   up again by the next run (at once when the dead run's process is known to be gone, else when its
   lease ends). See docs/NOTIFY.md for the one remaining duplicate window.

Numbers come only from :class:`lasna.coach_service.CoachService`; what a recipient sees is decided by
:mod:`lasna.access` (the dashboard's rules).
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd

from lasna import access, settings
from lasna import users as users_mod
from lasna.errors import NotFoundError
from lasna.notify import content, render
from lasna.notify.hours import BusinessHours, digest_due, iso_week, may_alert, programme_timezone, WEEKDAYS
from lasna.notify.prefs import Preferences, all_preferences
from lasna.notify.smtp import DeliveryError, Mailer, build_message, from_settings, message_id, valid_address
from lasna.store import Store, now_utc
from lasna.store import notify as outbox
from lasna.users import Role, User

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BACKOFF_FIRST = timedelta(minutes=5)
BACKOFF_MAX = timedelta(hours=12)
LEASE = timedelta(minutes=15)  # a 'sending' claim older than this is taken up again


def backoff(attempts: int) -> timedelta:
    """Wait before the next try after ``attempts`` failed tries: 5 min, 10, 20 … at most 12 h."""
    return min(BACKOFF_FIRST * (2 ** max(attempts - 1, 0)), BACKOFF_MAX)


@dataclass
class Note:
    user: str
    kind: str
    status: str  # composed | exists | sent | failed | dead | skipped | cancelled | would-send
    detail: str = ""
    key: str | None = None

    def to_dict(self) -> dict:
        return {"user": self.user, "kind": self.kind, "status": self.status, "detail": self.detail, "key": self.key}


@dataclass
class RunResult:
    kind: str
    period: str
    dry_run: bool
    notes: list[Note] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for n in self.notes if n.status == status)

    @property
    def ok(self) -> bool:
        return not any(n.status in ("failed", "dead") for n in self.notes)

    def to_dict(self) -> dict:
        return {"kind": self.kind, "period": self.period, "dry_run": self.dry_run, "ok": self.ok,
                **{s: self.count(s) for s in ("composed", "sent", "failed", "dead", "skipped", "cancelled",
                                               "would-send")},
                "notes": [n.to_dict() for n in self.notes]}


# ---------------------------------------------------------------------- shared pieces
def _now(now: datetime | None) -> datetime:
    if now is None:
        return now_utc()
    return now if now.tzinfo else now.replace(tzinfo=UTC)


def _language(user: User, prefs: Preferences, leaders: pd.DataFrame) -> str:
    if prefs.lang in render.LANGS:
        return prefs.lang
    if user.role is Role.EXECUTIVE and user.leader_id is not None:
        row = leaders[leaders["leader_id"] == user.leader_id]
        if len(row) and row["language"].iloc[0] in render.LANGS:
            return str(row["language"].iloc[0])
    lang = settings.get("language")
    return lang if lang in render.LANGS else "fi"


def _cohorts_frame(store: Store) -> pd.DataFrame:
    return pd.DataFrame([{"cohort": c.name, "visibility": c.visibility.value, "cohort_id": c.id}
                         for c in store.cohorts()], columns=["cohort", "visibility", "cohort_id"])


def visible_leader_ids(store: Store, user: User, leaders: pd.DataFrame) -> frozenset[int]:
    """The leaders whose own data ``user`` may see: the dashboard's rule (lasna.access)."""
    return access.detail_leader_ids(access.Viewer.from_user(user), leaders, _cohorts_frame(store))


def _select_users(store: Store, names: Sequence[str]) -> tuple[list[User], bool]:
    everyone = users_mod.list_users(store)
    if not names:
        return everyone, False
    by_name = {u.name: u for u in everyone}
    missing = [n for n in names if n not in by_name]
    if missing:
        raise NotFoundError(f"no user named {missing[0]!r}", hint="see `lasna users list`")
    return [by_name[n] for n in dict.fromkeys(names)], True


class _Service:
    """The coaching service, built on first use only (a rerun with nothing to compose loads nothing)."""

    def __init__(self, store: Store, now: datetime, factory: Callable | None = None) -> None:
        self.store, self.now, self.factory = store, now, factory
        self._svc = None

    def get(self):
        if self._svc is None:
            if self.factory is not None:
                self._svc = self.factory(self.store, self.now)
            else:
                from lasna.coach_service import CoachService

                self._svc = CoachService(self.store, today=self.now)
        return self._svc


def _stances(svc) -> dict[str, str]:
    inter = svc.interactions
    if "stance" not in inter or not len(inter):
        return {}
    return dict(zip(inter["interaction_id"].astype(str), inter["stance"].astype(str)))


def _week_ago(svc):
    return svc.report(until=svc.now - pd.Timedelta(days=7)).composites


# ---------------------------------------------------------------------- digest content (reads the service)
def executive_digest(svc, user: User, leader_id: int, lang: str, week: str) -> content.ExecutiveDigest:
    leader = svc.leader(leader_id)
    waiting = svc.waiting(leader_id)
    return content.ExecutiveDigest(
        recipient=user.name, leader=leader.name, leader_id=leader_id, week=week,
        scores=content.scores(svc.report().composites, _week_ago(svc), leader_id),
        tips=content.tip_items(svc.tips(leader_id, lang=lang, limit=content.MAX_TIPS).tips),
        waiting=content.waiting_items(waiting, stances=_stances(svc)), waiting_total=len(waiting),
        goals=content.goal_items(svc.goal_progress(leader_id)),
    )


def consultant_digest(svc, user: User, leader_ids: Sequence[int], week: str, today) -> content.ConsultantDigest:
    current, before = svc.report().composites, _week_ago(svc)
    rows, sessions = [], []
    for leader_id in sorted(leader_ids):
        leader = svc.leader(leader_id)
        waiting = svc.waiting(leader_id)
        row_scores = content.scores(current, before, leader_id)
        rows.append(content.LeaderRow(
            leader=leader.name, leader_id=leader_id, scores=row_scores, moved=content.biggest_move(row_scores),
            waiting=len(waiting), longest_hours=float(waiting["age_hours"].max()) if len(waiting) else None))
        upcoming = content.upcoming_sessions(svc.session_history(leader_id), leader.name, leader_id, today)
        if upcoming is not None:
            sessions.append(upcoming)
    return content.ConsultantDigest(recipient=user.name, week=week, rows=tuple(rows), sessions=tuple(sessions))


def _message(key: str, kind: str, user: User, period: str, lang: str, rendered: render.Rendered,
             sender: str) -> dict[str, Any]:
    return {"key": key, "kind": kind, "user_id": user.id, "period": period, "recipient": user.email, "lang": lang,
            "subject": rendered.subject, "body_text": rendered.text, "body_html": rendered.html,
            "message_id": message_id(key, sender or "lasna@lasna.invalid")}


# ---------------------------------------------------------------------- delivery
def _claimer() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def recover_abandoned(store: Store, now: datetime, kind: str | None = None) -> int:
    """'sending' claims of a process on this host that no longer exists: due now (their run died
    between claiming and recording the outcome)."""
    host, released = socket.gethostname(), 0
    for row in outbox.stale_claims(store, kind=kind):
        claimer_host, _, pid = (row["claimed_by"] or "").rpartition(":")
        if claimer_host == host and pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            released += outbox.release_claim(store, row["id"], row["attempts"], now)
    return released


def deliver(store: Store, mailer: Mailer, rows: Sequence[dict], now: datetime, result: RunResult,
            names: dict[int, str]) -> None:
    claimer = _claimer()
    for row in rows:
        user = names.get(row["user_id"], str(row["user_id"]))
        if not outbox.claim(store, row, claimer, now + LEASE):
            continue  # another run took it meanwhile
        attempts = row["attempts"] + 1
        msg = build_message(sender=mailer.config.sender, reply_to=mailer.config.reply_to, recipient=row["recipient"],
                            subject=row["subject"], text=row["body_text"], html=row["body_html"],
                            msg_id=row["message_id"], lang=row["lang"], kind=row["kind"])
        try:
            mailer.send(msg, row["recipient"])
        except DeliveryError as exc:
            dead = attempts >= MAX_ATTEMPTS
            outbox.mark_failed(store, row["id"], attempts, str(exc), now + backoff(attempts), dead=dead)
            result.notes.append(Note(user, row["kind"], "dead" if dead else "failed",
                                     f"{exc} (attempt {attempts})", row["key"]))
            continue
        outbox.mark_sent(store, row["id"], attempts, now_utc())
        result.notes.append(Note(user, row["kind"], "sent", row["recipient"], row["key"]))


# ---------------------------------------------------------------------- lasna digest send
def send_digests(
    store: Store, *, users: Sequence[str] = (), dry_run: bool = False, now: datetime | None = None,
    mailer: Mailer | None = None, service_factory: Callable | None = None,
) -> RunResult:
    """Compose this week's digest for every user who is due (or the named ``users``, whatever their
    weekday) and send every due digest in the outbox."""
    now = _now(now)
    tz = programme_timezone()
    week = iso_week(now, tz)
    dashboard = settings.get("dashboard_url")
    chosen, named = _select_users(store, users)
    if not dry_run and mailer is None:
        mailer = Mailer(from_settings())  # a configuration error stops the run before anything is written
    sender = mailer.config.sender if mailer else settings.get("smtp_sender")
    prefs = all_preferences(store)
    result = RunResult("digest", week, dry_run)
    svc = _Service(store, now, service_factory)
    due: list[tuple[User, Preferences, str]] = []
    for user in chosen:
        p = prefs.get(user.id, Preferences())
        key = f"digest:{user.id}:{week}"
        if not valid_address(user.email):
            result.notes.append(Note(user.name, "digest", "skipped", "no e-mail address"))
        elif not p.digest:
            result.notes.append(Note(user.name, "digest", "skipped", "digest off"))
        elif not named and not digest_due(now, tz, p.digest_weekday):
            result.notes.append(Note(user.name, "digest", "skipped", f"due on {WEEKDAYS[p.digest_weekday]}"))
        else:
            due.append((user, p, key))
    existing = outbox.existing_keys(store, [k for _, _, k in due])
    for user, p, key in due:
        if key in existing:
            result.notes.append(Note(user.name, "digest", "exists", "composed earlier", key))
            continue
        s = svc.get()
        leaders = s.leaders
        visible = visible_leader_ids(store, user, leaders)
        if not visible:
            result.notes.append(Note(user.name, "digest", "skipped", "no leaders to report on"))
            continue
        lang = _language(user, p, leaders)
        try:
            if user.role is Role.EXECUTIVE:
                own = executive_digest(s, user, next(iter(visible)), lang, week)
                rendered, leader_ids = render.render_executive(own, lang, dashboard), [own.leader_id]
            else:
                many = consultant_digest(s, user, sorted(visible), week, now.astimezone(tz).date())
                rendered, leader_ids = render.render_consultant(many, lang, dashboard), list(many.leader_ids)
        except Exception as exc:  # noqa: BLE001 - one recipient's data problem must not stop the others
            log.exception("composing the digest of %s failed", user.name)
            result.notes.append(Note(user.name, "digest", "failed", f"composing failed: {type(exc).__name__}", key))
            continue
        if dry_run:
            result.notes.append(Note(user.name, "digest", "would-send", f"{user.email}: {rendered.subject}", key))
            continue
        if outbox.add_message(store, _message(key, "digest", user, week, lang, rendered, sender), leader_ids, now=now):
            result.notes.append(Note(user.name, "digest", "composed", rendered.subject, key))
    if dry_run or mailer is None:
        return result
    names = {u.id: u.name for u in users_mod.list_users(store)}
    recover_abandoned(store, now, "digest")
    rows = outbox.due_messages(store, now, kind="digest", user_ids=[u.id for u in chosen] if named else None)
    fresh = [r for r in rows if r["period"] == week]
    for r in rows:
        if r["period"] != week:  # a digest of a past week is no news any more
            outbox.cancel(store, [r["id"]], "expired: its week is over")
            result.notes.append(Note(names.get(r["user_id"], "?"), "digest", "cancelled", "expired", r["key"]))
    try:
        deliver(store, mailer, fresh, now, result, names)
    finally:
        mailer.close()
    return result


# ---------------------------------------------------------------------- lasna alerts check
def check_alerts(
    store: Store, *, dry_run: bool = False, now: datetime | None = None, mailer: Mailer | None = None,
    service_factory: Callable | None = None,
) -> RunResult:
    """One alert per conversation whose question or critical reply has waited past the executive's
    threshold, sent only in business hours outside their quiet hours; unsent alerts of conversations
    answered meanwhile are cancelled."""
    now = _now(now)
    tz = programme_timezone()
    business = BusinessHours.parse(settings.get("notify_business_hours"))
    dashboard = settings.get("dashboard_url")
    if not dry_run and mailer is None:
        mailer = Mailer(from_settings())
    sender = mailer.config.sender if mailer else settings.get("smtp_sender")
    prefs = all_preferences(store)
    result = RunResult("alert", now.isoformat(timespec="minutes"), dry_run)
    svc = _Service(store, now, service_factory)
    sendable: list[int] = []
    for user in users_mod.list_users(store):
        if user.role is not Role.EXECUTIVE:
            continue
        p = prefs.get(user.id, Preferences())
        if not p.alerts:
            continue
        if not valid_address(user.email):
            result.notes.append(Note(user.name, "alert", "skipped", "no e-mail address"))
            continue
        if not may_alert(now, tz, business, p.quiet_start, p.quiet_end):
            result.notes.append(Note(user.name, "alert", "skipped", "outside business hours or in quiet hours"))
            continue
        s = svc.get()
        visible = visible_leader_ids(store, user, s.leaders)
        if not visible:
            result.notes.append(Note(user.name, "alert", "skipped", "no leader"))
            continue
        leader_id = next(iter(visible))
        leader = s.leader(leader_id)
        lang = _language(user, p, s.leaders)
        waiting = s.waiting(leader_id)  # the dashboard's list: the coaching service's definition and horizon
        still_waiting = set(waiting["interaction_id"].astype(str)) if len(waiting) else set()
        unsent = outbox.messages(store, user_ids=[user.id], kind="alert")
        if len(unsent):
            stale = unsent[unsent["state"].isin(["pending", "failed"]) & ~unsent["period"].isin(still_waiting)]
            if len(stale) and not dry_run:
                outbox.cancel(store, [int(i) for i in stale["id"]], "answered before the alert was sent")
            for key in stale["key"]:
                result.notes.append(Note(user.name, "alert", "cancelled", "answered meanwhile", key))
        items = content.alerts_due(waiting, _stances(s), p.threshold_hours)
        keys = {f"alert:{user.id}:{item.conversation}": item for item in items}
        existing = outbox.existing_keys(store, keys)
        for key, item in keys.items():
            if key in existing:
                continue
            alert = content.Alert(recipient=user.name, leader=leader.name, leader_id=leader_id,
                                  threshold_hours=p.threshold_hours, item=item)
            rendered = render.render_alert(alert, lang, dashboard)
            if dry_run:
                result.notes.append(Note(user.name, "alert", "would-send", f"{user.email}: {rendered.subject}", key))
                continue
            message = _message(key, "alert", user, item.conversation, lang, rendered, sender)
            if outbox.add_message(store, message, [leader_id], now=now):
                result.notes.append(Note(user.name, "alert", "composed", rendered.subject, key))
        sendable.append(user.id)
    if dry_run or not sendable or mailer is None:
        if mailer is not None:
            mailer.close()
        return result
    names = {u.id: u.name for u in users_mod.list_users(store)}
    recover_abandoned(store, now, "alert")
    try:
        deliver(store, mailer, outbox.due_messages(store, now, kind="alert", user_ids=sendable), now, result, names)
    finally:
        mailer.close()
    return result


# ---------------------------------------------------------------------- status (health page, CLI)
def delivery_status(store: Store, user_ids: Sequence[int] | None = None) -> pd.DataFrame:
    """Per user and kind: messages sent, waiting to be sent, failed (with the last error and the next
    try), from the outbox."""
    frame = outbox.messages(store, user_ids=user_ids)
    cols = ["user", "kind", "sent", "pending", "failed", "last_sent", "last_error", "next_attempt_at"]
    if frame.empty:
        return pd.DataFrame(columns=cols)
    rows = []
    for (user, kind), g in frame.groupby(["user", "kind"], sort=True):
        failed = g[g["state"].isin(["failed", "dead"])]
        rows.append({
            "user": user, "kind": kind, "sent": int((g["state"] == "sent").sum()),
            "pending": int(g["state"].isin(["pending", "sending"]).sum()), "failed": len(failed),
            "last_sent": g["sent_at"].max() if g["sent_at"].notna().any() else None,
            "last_error": failed.sort_values("id")["last_error"].iloc[-1] if len(failed) else None,
            "next_attempt_at": failed["next_attempt_at"].min() if len(failed) else None,
        })
    return pd.DataFrame(rows, columns=cols)
