"""The one clock: which instant a window ends, in the programme's time zone.

Every window (``lasna score``, ``tips``, ``waiting``, ``goals``, ``report``, ``sessions`` and every
dashboard page) ends at the end of a day in the programme time zone (setting ``programme_timezone``,
Europe/Helsinki by default): the current day unless a date is given. Weekly and monthly buckets start
at that zone's Monday / first-of-month midnight. Nothing here imports pandas.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from lasna import settings


def programme_tz() -> str:
    return settings.get("programme_timezone")


def today(now: datetime | None = None) -> date:
    """The current date in the programme time zone."""
    now = now or datetime.now(UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    return now.astimezone(ZoneInfo(programme_tz())).date()


def day_end(d: date) -> datetime:
    """The last second of day ``d`` in the programme time zone, as an aware UTC datetime (windows
    include the whole day)."""
    tz = ZoneInfo(programme_tz())
    nxt = datetime.combine(d + timedelta(days=1), time(0), tzinfo=tz)
    return (nxt - timedelta(seconds=1)).astimezone(UTC)


def window_end(at: datetime | date | None = None) -> datetime:
    """The end of the window containing ``at`` (default now): the end of that day in the programme
    time zone. A date means the end of that date."""
    if isinstance(at, date) and not isinstance(at, datetime):
        return day_end(at)
    return day_end(today(at))


__all__ = ["day_end", "programme_tz", "today", "window_end"]
