"""Per-user notification preferences: digest on/off and weekday, alerts on/off and threshold, language,
quiet hours. A user without stored preferences gets :class:`Preferences`' defaults."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace

from lasna import users as users_mod
from lasna.errors import InputError
from lasna.notify.hours import WEEKDAYS, parse_clock, parse_weekday
from lasna.store import Store
from lasna.store import notify as notify_store

LANGS = ("fi", "en")
MAX_THRESHOLD_HOURS = 24 * 14


@dataclass(frozen=True)
class Preferences:
    digest: bool = True
    digest_weekday: int = 0  # Monday
    alerts: bool = True
    threshold_hours: float = 24.0
    lang: str | None = None  # None: the executive's leader's language, else the `language` setting
    quiet_start: str | None = None  # "HH:MM" programme time
    quiet_end: str | None = None

    def to_dict(self) -> dict:
        out = asdict(self)
        out["digest_weekday"] = WEEKDAYS[self.digest_weekday]
        return out


def all_preferences(store: Store) -> dict[int, Preferences]:
    return {uid: Preferences(**values) for uid, values in notify_store.preferences(store).items()}


def get_preferences(store: Store, user_id: int) -> Preferences:
    return all_preferences(store).get(user_id, Preferences())


def _switch(value: str | bool | None, what: str) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    low = value.strip().lower()
    if low in ("on", "yes", "true", "1"):
        return True
    if low in ("off", "no", "false", "0"):
        return False
    raise InputError(f"{what} must be on or off, not {value!r}")


def parse_quiet(value: str) -> tuple[str | None, str | None]:
    """'22:00-07:00' → ("22:00", "07:00"); 'off' → (None, None)."""
    if value.strip().lower() in ("off", "none", ""):
        return None, None
    start, sep, end = value.partition("-")
    if not sep:
        raise InputError(f"quiet hours must be HH:MM-HH:MM or off, not {value!r}")
    a, b = parse_clock(start), parse_clock(end)
    return a.strftime("%H:%M"), b.strftime("%H:%M")


def set_preferences(
    store: Store, name: str, *, digest: str | bool | None = None, weekday: str | int | None = None,
    alerts: str | bool | None = None, threshold: float | None = None, lang: str | None = None,
    quiet: str | None = None,
) -> Preferences:
    """Change some of a user's preferences (None: unchanged); every value is checked before anything
    is written."""
    user = users_mod.get_user(store, name)
    current = get_preferences(store, user.id)
    changes: dict = {}
    if (d := _switch(digest, "--digest")) is not None:
        changes["digest"] = d
    if weekday is not None:
        changes["digest_weekday"] = parse_weekday(weekday)
    if (a := _switch(alerts, "--alerts")) is not None:
        changes["alerts"] = a
    if threshold is not None:
        if not 0 < float(threshold) <= MAX_THRESHOLD_HOURS:
            raise InputError(f"--threshold must be between 0 and {MAX_THRESHOLD_HOURS} hours")
        changes["threshold_hours"] = float(threshold)
    if lang is not None:
        if lang not in LANGS:
            raise InputError(f"--lang must be fi or en, not {lang!r}")
        changes["lang"] = lang
    if quiet is not None:
        changes["quiet_start"], changes["quiet_end"] = parse_quiet(quiet)
    updated = replace(current, **changes)
    if changes:
        notify_store.save_preferences(store, user.id, asdict(updated))
    return updated
