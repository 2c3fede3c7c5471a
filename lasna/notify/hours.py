"""The programme's clock for notifications: time zone, ISO week of a digest, business and quiet hours.

Pure functions (no I/O) except :func:`programme_timezone`, which reads the settings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from lasna.errors import ConfigError, InputError

DEFAULT_TIMEZONE = "Europe/Helsinki"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def programme_timezone() -> ZoneInfo:
    """The programme time zone: the facts clock's setting when the registry has one, else Helsinki."""
    from lasna import settings

    name = DEFAULT_TIMEZONE
    for key in ("programme_timezone", "timezone", "time_zone"):
        if key in settings.SETTINGS:
            name = str(settings.get(key)) or DEFAULT_TIMEZONE
            break
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"unknown time zone {name!r}") from exc


def iso_week(moment: datetime, tz: ZoneInfo) -> str:
    """'2026-W49': the ISO week of ``moment`` in the programme time zone (a digest's period)."""
    year, week, _ = moment.astimezone(tz).isocalendar()
    return f"{year}-W{week:02d}"


def week_start(moment: datetime, tz: ZoneInfo) -> date:
    local = moment.astimezone(tz).date()
    return local - timedelta(days=local.weekday())


def parse_weekday(value: str | int) -> int:
    """'mon'..'sun', 'ma'..'su', English or Finnish day names, or 0..6 → 0..6."""
    if isinstance(value, int) or str(value).strip().isdigit():
        day = int(value)
        if 0 <= day <= 6:
            return day
        raise InputError(f"weekday {value!r} is not 0..6")
    full = str(value).strip().lower()
    low = full[:3]
    fi = {"maa": 0, "tii": 1, "kes": 2, "tor": 3, "per": 4, "lau": 5, "sun": 6}
    short_fi = ("ma", "ti", "ke", "to", "pe", "la", "su")
    if low in WEEKDAYS:
        return WEEKDAYS.index(low)
    if full in short_fi:
        return short_fi.index(full)
    if low in fi:
        return fi[low]
    raise InputError(f"unknown weekday {value!r}", hint="use mon, tue, wed, thu, fri, sat or sun")


def parse_clock(value: str) -> time:
    m = re.fullmatch(r"\s*(\d{1,2})[:.](\d{2})\s*", value or "")
    if not m or int(m.group(1)) > 24 or int(m.group(2)) > 59:
        raise InputError(f"expected a time of day HH:MM, got {value!r}")
    hour, minute = int(m.group(1)), int(m.group(2))
    return time(23, 59, 59) if hour == 24 else time(hour, minute)


@dataclass(frozen=True)
class BusinessHours:
    days: frozenset[int]
    start: time
    end: time

    @classmethod
    def parse(cls, spec: str) -> BusinessHours:
        """'mon-fri 08:00-18:00', 'mon,wed,fri 9:00-17:00', 'all 00:00-24:00'."""
        m = re.fullmatch(r"\s*(\S+)\s+(\d{1,2}[:.]\d{2})\s*-\s*(\d{1,2}[:.]\d{2})\s*", spec or "")
        if not m:
            raise ConfigError(f"notify_business_hours {spec!r} is not 'DAYS HH:MM-HH:MM' (e.g. mon-fri 08:00-18:00)")
        try:
            days: set[int] = set()
            for part in m.group(1).lower().split(","):
                if part in ("all", "daily"):
                    days |= set(range(7))
                elif "-" in part:
                    a, b = (parse_weekday(x) for x in part.split("-", 1))
                    days |= set(range(a, b + 1)) if a <= b else set(range(a, 7)) | set(range(0, b + 1))
                else:
                    days.add(parse_weekday(part))
            start, end = parse_clock(m.group(2)), parse_clock(m.group(3))
        except InputError as exc:
            raise ConfigError(f"notify_business_hours: {exc}") from exc
        if end <= start:
            raise ConfigError("notify_business_hours must end after it starts on the same day")
        return cls(frozenset(days), start, end)

    def contains(self, moment: datetime, tz: ZoneInfo) -> bool:
        local = moment.astimezone(tz)
        return local.weekday() in self.days and self.start <= local.time().replace(tzinfo=None) < self.end


def in_quiet_hours(moment: datetime, tz: ZoneInfo, start: str | None, end: str | None) -> bool:
    """True inside [start, end) local time; a window may wrap midnight (22:00-07:00)."""
    if not start or not end:
        return False
    a, b, now = parse_clock(start), parse_clock(end), moment.astimezone(tz).time().replace(tzinfo=None)
    if a == b:
        return False
    return a <= now < b if a < b else (now >= a or now < b)


def may_alert(moment: datetime, tz: ZoneInfo, business: BusinessHours, quiet_start: str | None,
              quiet_end: str | None) -> bool:
    """Alerts go out only within business hours and outside the recipient's quiet hours."""
    return business.contains(moment, tz) and not in_quiet_hours(moment, tz, quiet_start, quiet_end)


def digest_due(moment: datetime, tz: ZoneInfo, weekday: int) -> bool:
    """A weekly digest is due from the recipient's weekday on, until the week ends (a missed day
    catches up on the next run; the outbox key keeps it to one per week)."""
    return moment.astimezone(tz).weekday() >= weekday
