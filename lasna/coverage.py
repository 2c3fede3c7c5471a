"""Coverage ledger for views: the store's reply counts vs collected replies (coaching/coverage.py).

One call for every view that shows a responsiveness figure (``lasna score --json``, the dashboard, reports):
:func:`summary` gives per leader the replies reported and collected, the share, what explains the gap and
the low-coverage flag (threshold ``coaching.coverage.LOW_COVERAGE``); :func:`ledger` the rows per leader ×
account × period.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import pandas as pd

from coaching import coverage as _c


def ledger(store, leader_ids: Sequence[int] | None = None, *, since: datetime | None = None,
           until: datetime | None = None, by: str | None = "month") -> pd.DataFrame:
    """Rows of ``coaching.coverage.LEDGER_COLUMNS`` for posts created in [since, until)."""
    threads = store.coverage_threads(list(leader_ids) if leader_ids is not None else None, since=since, until=until)
    return _c.coverage_ledger(threads, by=by)


def summary(store, leader_ids: Sequence[int] | None = None, *, since: datetime | None = None,
            until: datetime | None = None) -> dict[int, dict]:
    """Per leader: reported, collected, coverage, hidden, deleted, explained, unexplained, low_coverage,
    the low rows per account and month, and the threshold used."""
    rows = ledger(store, leader_ids, since=since, until=until, by="month")
    out = _c.leader_summary(rows)
    for lid in leader_ids or []:
        out.setdefault(int(lid), {"reported": 0, "collected": 0, "coverage": None, "hidden": 0, "deleted": 0,
                                  "explained": 0, "unexplained": 0, "low_coverage": False, "low_coverage_rows": [],
                                  "threshold": _c.LOW_COVERAGE, "min_reported": _c.MIN_REPORTED})
    return out
