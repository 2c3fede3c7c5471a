"""Settings: a registry of named, documented settings.

Each value is resolved in this order: explicit override (a CLI flag) >
``LASNA_<NAME>`` environment variable > the config file > the default.
The config file is TOML (``$LASNA_CONFIG`` or ``<user config dir>/lasna/config.toml``)
with the setting names as keys, e.g. ``database_url = "postgresql+psycopg://..."``.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lasna.errors import ConfigError

APP_NAME = "lasna"


def user_data_dir() -> Path:
    import platformdirs  # here, not at the top: `lasna version` and `--help` do not need it

    return Path(platformdirs.user_data_dir(APP_NAME))


def default_database_url() -> str:
    return f"sqlite:///{user_data_dir() / 'lasna.db'}"


def _bool(value: str | bool) -> bool:
    if isinstance(value, bool):
        return value
    low = str(value).strip().lower()
    if low in {"1", "true", "yes", "on"}:
        return True
    if low in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"expected a yes/no value, got {value!r}")


def _rate(value: str | tuple[float, float]) -> tuple[float, float]:
    if isinstance(value, (tuple, list)):
        parsed = (float(value[0]), float(value[1]))
    else:
        requests, _, seconds = str(value).partition("/")
        parsed = (float(requests), float(seconds or 1))
    if parsed[0] <= 0 or parsed[1] <= 0:
        raise ValueError(f"expected REQUESTS/SECONDS with positive numbers, got {value!r}")
    return parsed


def _choice(*allowed: str) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        low = str(value).strip().lower()
        if low not in allowed:
            raise ValueError(f"expected one of {', '.join(allowed)}, got {value!r}")
        return low

    return parse


def _timezone(value: Any) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    name = str(value).strip()
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {value!r} (use an IANA name such as Europe/Helsinki)") from exc
    return name


def _session_hours(value: Any) -> int:
    hours = int(value)
    if not 1 <= hours <= 720:
        raise ValueError(f"expected 1 to 720 hours, got {value!r}")
    return hours


def _min_others(value: Any) -> int:
    k = int(value)
    if k < 5:  # may be raised, never lowered below the documented floor
        raise ValueError(f"expected 5 or more (the floor cannot be lowered), got {value!r}")
    return k


@dataclass(frozen=True)
class Setting:
    name: str
    default: Callable[[], Any] | Any
    help: str
    parse: Callable[[Any], Any] = str
    #: the value (or the password inside a URL) is never printed or logged: see :func:`masked`
    secret: bool = False

    @property
    def env_var(self) -> str:
        return f"LASNA_{self.name.upper()}"

    def default_value(self) -> Any:
        return self.default() if callable(self.default) else self.default


SETTINGS: dict[str, Setting] = {
    s.name: s
    for s in [
        Setting(
            "database_url",
            default_database_url,
            "SQLAlchemy URL of the store: a SQLite file (default, in the user data directory) "
            "or postgresql+psycopg://user:pass@host/db for shared deployments.",
            secret=True,
        ),
        Setting(
            "bsky_appview",
            "https://public.api.bsky.app",
            "Base URL of the Bluesky AppView used for unauthenticated public reads.",
        ),
        Setting(
            "allow_private_urls",
            False,
            "Allow feed and instance URLs that resolve to loopback/private addresses (tests, intranets).",
            _bool,
        ),
        Setting("retention_days", 730, "Delete collected posts and interactions older than this.", int),
        Setting(
            "audit_retention_days",
            1095,
            "Keep audit log records (who viewed, exported, changed or erased what) this many days.",
            int,
        ),
        Setting("thread_horizon_days", 60, "Re-check replies only for posts younger than this.", int),
        Setting("language", "fi", "Default UI and report language (fi or en).", str),
        Setting(
            "score_reference",
            "cohort",
            "Percentiles within the leader's cohort(s) (leaders without one: among all) or among all leaders.",
            _choice("cohort", "all"),
        ),
        Setting(
            "programme_timezone",
            "Europe/Helsinki",
            "Time zone of the programme: a day and an ISO week (facts, windows, weekly buckets) start at "
            "midnight here; every window ends at the end of the current day in this zone.",
            _timezone,
        ),
        Setting(
            "dashboard_session_hours",
            12,
            "How long a dashboard sign-in lasts (hours, 1-720); sign-out and a password change end it earlier.",
            _session_hours,
        ),
        Setting(
            "cohort_min_others",
            5,
            "Cohort aggregates need at least this many members besides the viewer (k-anonymity; 5 or more, "
            "never less).",
            _min_others,
        ),
        Setting(
            "sso_allow_unverified_email",
            False,
            "Accept single sign-on identities whose e-mail the identity provider has not verified "
            "(logged as a warning on every such sign-in; keep off unless your provider never sends email_verified).",
            _bool,
        ),
        Setting("concurrency", 8, "How many accounts a collection run works on at once.", int),
        Setting(
            "request_budget",
            (3000.0, 300.0),
            "Requests per seconds to one source host, shared by every account of a run "
            "(REQUESTS/SECONDS; the public Bluesky AppView allows about 3000 per 5 minutes).",
            _rate,
        ),
        # e-mail digests and alerts (lasna.notify, docs/NOTIFY.md)
        Setting(
            "smtp_url",
            "",
            "Mail server for digests and alerts: smtp://user:pass@host:587 (STARTTLS) or smtps://user:pass@host:465. "
            "A secret: shown masked.",
            secret=True,
        ),
        Setting("smtp_sender", "", "From address of digests and alerts, e.g. 'Läsnä <lasna@example.org>'."),
        Setting("smtp_reply_to", "", "Reply-To address of digests and alerts (empty: none)."),
        Setting("smtp_ca_file", "", "Extra CA certificate file (PEM) to trust for the mail server (empty: system CAs)."),
        Setting("dashboard_url", "", "Public address of the dashboard; digests link each number to its page there."),
        Setting(
            "notify_business_hours",
            "mon-fri 08:00-18:00",
            "When alerts may be sent, in the programme time zone (DAYS HH:MM-HH:MM).",
        ),
    ]
}


def config_path() -> Path:
    env = os.environ.get("LASNA_CONFIG")
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


def _config_file() -> Mapping[str, Any]:
    path = config_path()
    if not path.exists():
        return {}
    import tomllib

    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read config file {path}: {exc}") from exc


def get(name: str, override: Any = None) -> Any:
    """Resolve one setting: override > environment > config file > default."""
    try:
        setting = SETTINGS[name]
    except KeyError:
        raise ConfigError(f"unknown setting {name!r}") from None
    if override is not None:
        raw, origin = override, "command line"
    elif setting.env_var in os.environ:
        raw, origin = os.environ[setting.env_var], setting.env_var
    else:
        file_values = _config_file()
        if name in file_values:
            raw, origin = file_values[name], str(config_path())
        else:
            return setting.default_value()
    try:
        return setting.parse(raw)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"setting {name} from {origin} is invalid: {exc}") from exc


MASK = "***"
# scheme://user:password@host — the password part, in any URL-shaped string
_URL_PASSWORD = re.compile(r"(?P<head>\b[a-zA-Z][a-zA-Z0-9+.\-]*://[^:/@\s]*:)(?P<secret>[^@\s]*)(?P<at>@)")
_QUERY_SECRET = re.compile(r"(?i)(?P<head>[?&](?:password|passwd|pass|pwd|token|secret|api_key|apikey)=)[^&#\s]*")


def mask_text(text: str) -> str:
    """``text`` with passwords in URLs (``postgresql://u:pw@h``, ``smtp://u:pw@h``) and secret query
    parameters (``?password=…``) replaced by ``***``: for every message that may carry a URL."""
    if not isinstance(text, str):
        return text
    text = _URL_PASSWORD.sub(lambda m: m["head"] + (MASK if m["secret"] else "") + m["at"], text)
    return _QUERY_SECRET.sub(lambda m: m["head"] + MASK, text)


def masked(name: str, value: Any) -> Any:
    """How setting ``name`` may be shown: a secret's password parts (or the whole of a secret that
    is not a URL) masked; other settings unchanged."""
    setting = SETTINGS.get(name)
    if setting is None or not setting.secret or value in (None, ""):
        return value
    if isinstance(value, str) and "://" in value:
        return mask_text(value)
    return MASK


class SecretFilter(logging.Filter):
    """A logging filter (put it on handlers) that masks passwords in URLs in every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed record is logged as it is
            return True
        masked_message = mask_text(message)
        if masked_message != message:
            record.msg, record.args = masked_message, None
        return True


_MASKING_INSTALLED = False


def install_secret_masking() -> None:
    """Mask secrets in every log record this process creates, whatever handler prints it
    (the CLI calls this at start; the dashboard process should too). Idempotent."""
    global _MASKING_INSTALLED
    if _MASKING_INSTALLED:
        return
    previous = logging.getLogRecordFactory()
    keep = SecretFilter()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        keep.filter(record)
        return record

    logging.setLogRecordFactory(factory)
    _MASKING_INSTALLED = True


def describe() -> list[dict[str, Any]]:
    """All settings with their current value (secrets masked) and where to set them (`lasna settings`)."""
    return [
        {"name": s.name, "env": s.env_var, "value": masked(s.name, get(s.name)), "help": s.help, "secret": s.secret}
        for s in SETTINGS.values()
    ]
