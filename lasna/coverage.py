"""Coverage ledger for views: the store's reply counts vs collected replies (coaching/coverage.py),
kept as facts per leader × account × ISO week (``leader_week_coverage``).

Every stored batch marks the own posts whose reply count, collected replies or reported losses may have
changed (``coverage_dirty``, in the batch's transaction); :func:`refresh` recomputes the weeks holding
them (called by ``lasna.facts.refresh_weeks`` after each batch, and before every read). :func:`rebuild`
recomputes everything — after retention, an erasure or a migration changed the source tables behind
the facts' back (:func:`ensure_current` notices: the row counts differ from those recorded).

One call for every view that shows a responsiveness figure (``lasna score --json``, the dashboard,
reports): :func:`summary` gives per leader the replies reported and collected, the share, what explains
the gap and the low-coverage flag (threshold ``coaching.coverage.LOW_COVERAGE``); :func:`ledger` the rows
per leader × account × week.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from coaching import coverage as _c
from lasna.window import programme_tz

#: Changes when the way coverage facts are computed changes (stored facts are then rebuilt).
COVERAGE_VERSION = "cov-1"


def _week_bounds(week: date, tz: str) -> tuple[datetime, datetime]:
    z = ZoneInfo(tz)
    return (datetime.combine(week, time(0), tzinfo=z).astimezone(UTC),
            datetime.combine(week + timedelta(days=7), time(0), tzinfo=z).astimezone(UTC))


def refresh(store, weeks: Iterable[tuple[int, date]] = ()) -> set[tuple[int, date]]:
    """Recompute the coverage facts of every (leader, week) holding a post marked changed, and of the
    ``weeks`` given (those of own posts since deleted: a removal); returns them."""
    marked = store.coverage_dirty_posts()
    keys: set[tuple[int, date]] = {(int(lid), w) for lid, w in weeks}
    if not marked and not keys:
        return set()
    tz = programme_tz()
    own = store.coverage_post_times(marked)
    if len(own):
        seen = own["seen_at"].where(own["seen_at"].notna(), own["created_at"])
        from coaching.facts import week_start
        from coaching.metrics import to_ns

        weeks = week_start(to_ns(seen), tz)
        keys |= {(int(lid), pd.Timestamp(w).date()) for lid, w in zip(own["leader_id"], weeks)}
    threads = store.coverage_threads_in_ranges([(lid, *_week_bounds(w, tz)) for lid, w in sorted(keys)])
    rows = _c.week_rows(threads, store.coverage_losses(threads["post_id"].tolist()), tz)
    # a row whose seen time moved into another week: keep only rows of the recomputed keys
    if len(rows):
        rows = rows[[(int(lid), w) in keys for lid, w in zip(rows["leader_id"], rows["week_start"])]]
    store.save_coverage_weeks(keys, rows, marked, version=COVERAGE_VERSION)
    return keys


def rebuild(store) -> int:
    """Every leader's coverage facts from scratch (one transaction). Returns the number of rows."""
    marked = store.coverage_dirty_posts()
    threads = store.coverage_all_threads()
    rows = _c.week_rows(threads, store.coverage_losses(), programme_tz())
    store.save_coverage_weeks([], rows, marked, clear=True, version=COVERAGE_VERSION)
    return len(rows)


def mark_current(store) -> None:
    """Record the coverage facts as written for the rows as they are now, writing no week (a removal
    whose rows' coverage went with them)."""
    store.save_coverage_weeks(set(), pd.DataFrame(), [], version=COVERAGE_VERSION)


def is_current(store, *, fresh: bool = False) -> bool:
    now, stored = store.coverage_source(fresh=fresh)
    return stored == f"{now}|{COVERAGE_VERSION}"


def ensure_current(store) -> None:
    """Rebuild when the source tables changed behind the facts' back, else refresh the marked posts."""
    if not is_current(store) and not is_current(store, fresh=True):  # a reused count may be a moment old
        rebuild(store)
    else:
        refresh(store)


def _weeks_of(since: datetime | None, until: datetime | None, tz: str) -> tuple[date | None, date | None]:
    from coaching.facts import week_start

    def monday(v: datetime) -> date:
        ns = np.array([pd.Timestamp(v).value if pd.Timestamp(v).tzinfo else pd.Timestamp(v, tz="UTC").value])
        return pd.Timestamp(week_start(ns, tz)[0]).date()

    first = monday(since) if since is not None else None
    last = monday(until - timedelta(microseconds=1)) if until is not None else None
    return first, last


def ledger(store, leader_ids: Sequence[int] | None = None, *, since: datetime | None = None,
           until: datetime | None = None, by: str | None = "week") -> pd.DataFrame:
    """Rows of ``coaching.coverage.LEDGER_COLUMNS`` from the stored facts of the weeks overlapping
    [since, until) (``by="week"``), or per leader × account over them all (``by=None``)."""
    ensure_current(store)
    first, last = _weeks_of(since, until, programme_tz())
    weeks = store.coverage_weeks(list(leader_ids) if leader_ids is not None else None, first, last)
    if by is None and len(weeks):
        weeks = weeks.groupby(["leader_id", "account_id", "platform"], dropna=False).sum(numeric_only=True) \
            .reset_index().assign(week_start=first or weeks["week_start"].min())
    rows = _c.ledger_from_weeks(weeks)
    if by is None and len(rows):
        rows["period"] = "all"
    return rows


def summary(store, leader_ids: Sequence[int] | None = None, *, since: datetime | None = None,
            until: datetime | None = None) -> dict[int, dict]:
    """Per leader: reported, collected, coverage, hidden, deleted, explained (and by reason),
    unexplained, low_coverage, the low rows per account and week, and the threshold used — from the
    coverage facts of the weeks overlapping [since, until)."""
    return summaries(store, leader_ids, [(since, until)])[0]


def summaries(store, leader_ids: Sequence[int] | None, windows: Sequence[tuple[datetime | None, datetime | None]],
              ) -> list[dict[int, dict]]:
    """:func:`summary` of each (since, until) window — the rows :func:`ledger` reads per week — with the facts
    brought current and their weeks read once for all of them (a page showing a period and its baseline)."""
    ensure_current(store)
    tz = programme_tz()
    bounds = [_weeks_of(since, until, tz) for since, until in windows]
    firsts, lasts = [b[0] for b in bounds], [b[1] for b in bounds]
    first = None if not bounds or None in firsts else min(f for f in firsts if f is not None)
    last = None if not bounds or None in lasts else max(w for w in lasts if w is not None)
    weeks = store.coverage_weeks(list(leader_ids) if leader_ids is not None else None, first, last)
    out = []
    for lo, hi in bounds:  # the rows :func:`ledger` reads for this window (week_start in lo..hi)
        keep = np.ones(len(weeks), bool)
        if lo is not None and len(weeks):
            keep &= (weeks["week_start"] >= lo).to_numpy(bool)
        if hi is not None and len(weeks):
            keep &= (weeks["week_start"] <= hi).to_numpy(bool)
        found = _c.leader_summary(_c.ledger_from_weeks(weeks[keep].reset_index(drop=True)))
        for lid in leader_ids or []:
            found.setdefault(int(lid), _c.empty_summary())
        out.append(found)
    return out
