"""A collection run started from the dashboard (Collection health), in a background thread.

It calls the same runner as `lasna collect` (``collectors.runner.run_collection``): the same lock
(a second start while a run holds it reports "already running"), the same outcomes. One job at a
time per server process; every session sees its progress. Admins only.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime

import streamlit as st

from lasna.access import Viewer
from lasna.errors import AccessDenied
from lasna.users import Role


@dataclass
class CollectJob:
    scope: str  # a leader's name, or "" for everyone
    started: datetime = field(default_factory=lambda: datetime.now(UTC))
    total: int | None = None
    outcomes: list = field(default_factory=list)
    finished: datetime | None = None
    error: str | None = None
    already_running: bool = False
    run_id: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def done(self) -> bool:
        return self.finished is not None

    def snapshot(self) -> dict:
        with self.lock:
            return {"scope": self.scope, "started": self.started, "total": self.total, "done": len(self.outcomes),
                    "outcomes": list(self.outcomes), "finished": self.finished, "error": self.error,
                    "already_running": self.already_running, "run_id": self.run_id}


@st.cache_resource(show_spinner=False)
def _jobs() -> dict:
    return {"current": None, "guard": threading.Lock()}


def current() -> CollectJob | None:
    return _jobs()["current"]


def require_admin(viewer: Viewer) -> None:
    if viewer.role is not Role.ADMIN:
        raise AccessDenied("only administrators start collections")


def start(viewer: Viewer, leader: str | None = None) -> CollectJob:
    """Start collecting one leader's accounts (or every account) unless a job is already running."""
    require_admin(viewer)
    jobs = _jobs()
    with jobs["guard"]:
        job = jobs["current"]
        if job is not None and not job.done:
            return job
        job = CollectJob(scope=leader or "")
        jobs["current"] = job
    threading.Thread(target=_run, args=(job,), name="lasna-dashboard-collect", daemon=True).start()
    return job


def _run(job: CollectJob) -> None:
    from collectors import runner
    from dashboard import data

    def on_start(total: int) -> None:
        with job.lock:
            job.total = total

    def on_outcome(outcome) -> None:
        with job.lock:
            job.outcomes.append(outcome)

    try:
        report = runner.run_collection(data.store(), leaders=[job.scope] if job.scope else None,
                                       on_start=on_start, on_outcome=on_outcome)
        with job.lock:
            job.already_running = report.already_running
            job.run_id = report.run_id
    except Exception as exc:  # noqa: BLE001 - shown to the admin as one line, never a traceback
        with job.lock:
            job.error = str(exc) or type(exc).__name__
    finally:
        with job.lock:
            job.finished = datetime.now(UTC)
        data.clear_caches()
