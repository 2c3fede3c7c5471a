"""The leader registry: validating what users type, and the roster file.

Everything is validated before anything is written, so a bad line in a roster
or a malformed handle leaves the store untouched.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from lasna.errors import InputError
from lasna.store import Store
from lasna.types import Leader, Platform, Visibility

LANGUAGES = ("fi", "en")
_DID = re.compile(r"^did:(plc:[a-z2-7]{24}|web:[a-zA-Z0-9.\-:%]+)$")
# https://atproto.com/specs/handle: dot-separated labels, TLD not starting with a digit
_HANDLE = re.compile(
    r"^([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$"
)
_MASTODON_USER = re.compile(r"^[A-Za-z0-9_]+([.-]+[A-Za-z0-9_]+)*$")


def normalize_bluesky(value: str) -> tuple[str, str | None]:
    """Return (handle, did-or-None) for a Bluesky handle or DID the user typed."""
    raw = value.strip()
    if raw.startswith("did:"):
        if not _DID.match(raw):
            raise InputError(f"malformed Bluesky DID {raw!r}", hint="a DID looks like did:plc:<24 letters/digits>")
        return raw, raw
    handle = raw.removeprefix("@").lower()
    if handle.startswith(("http://", "https://")):
        path = urlsplit(handle).path.strip("/").split("/")
        if len(path) >= 2 and path[0] == "profile":
            return normalize_bluesky(path[1])
        raise InputError(f"not a Bluesky profile URL: {raw!r}", hint="use https://bsky.app/profile/<handle>")
    if "." not in handle:
        if re.fullmatch(r"[a-z0-9][a-z0-9-]{0,62}", handle):
            raise InputError(f"malformed Bluesky handle {raw!r}",
                             hint=f"did you forget `.bsky.social` ({handle}.bsky.social)?")
        raise InputError(f"malformed Bluesky handle {raw!r}", hint="a handle looks like name.bsky.social")
    if not _HANDLE.match(handle):
        raise InputError(f"malformed Bluesky handle {raw!r}", hint="a handle looks like name.bsky.social")
    return handle, None


def normalize_mastodon(value: str) -> str:
    """Return ``user@host`` for ``@user@host``, ``user@host`` or ``https://host/@user``."""
    raw = value.strip()
    if raw.startswith(("http://", "https://")):
        parts = urlsplit(raw)
        segment = parts.path.strip("/").split("/")[0] if parts.path.strip("/") else ""
        if not segment.startswith("@") or not parts.hostname:
            raise InputError(f"not a Mastodon profile URL: {raw!r}", hint="use https://host/@user or @user@host")
        user, host = segment[1:], parts.hostname
    else:
        pieces = raw.removeprefix("@").split("@")
        if len(pieces) != 2:
            raise InputError(f"malformed Mastodon address {raw!r}", hint="write it as @user@instance.social")
        user, host = pieces
    host = host.lower()
    if not _MASTODON_USER.match(user) or not _HANDLE.match(host):
        raise InputError(f"malformed Mastodon address {raw!r}", hint="write it as @user@instance.social")
    return f"{user}@{host}"


def normalize_feed_url(value: str) -> str:
    raw = value.strip()
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https"):
        raise InputError(f"feed URL must start with http:// or https://: {raw!r}")
    if not parts.hostname:
        raise InputError(f"feed URL has no host: {raw!r}")
    if _local_host(parts.hostname):
        from lasna import settings

        if not settings.get("allow_private_urls"):
            raise InputError(f"feed URL {raw!r} points to a local or private address",
                             hint="allowed only with the allow_private_urls setting (LASNA_ALLOW_PRIVATE_URLS=1)")
    return raw


def _local_host(host: str) -> bool:
    """A host that is local by its name or address alone (no DNS lookup here; the collector
    checks what a name resolves to before every request)."""
    import ipaddress

    host = host.lower().rstrip(".")
    if host == "localhost" or host.endswith((".localhost", ".local", ".internal", ".lan", ".home.arpa")):
        return True
    try:
        ip = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return not ip.is_global


def normalize_language(value: str | None) -> str:
    lang = (value or "fi").strip().lower()
    if lang not in LANGUAGES:
        raise InputError(f"unsupported language {value!r}", hint="use fi or en")
    return lang


@dataclass
class LeaderSpec:
    """A validated leader entry (from the command line or a roster file)."""

    name: str
    language: str = "fi"
    cohorts: list[str] = field(default_factory=list)
    bluesky: tuple[str, str | None] | None = None
    mastodon: str | None = None
    feeds: list[str] = field(default_factory=list)

    @classmethod
    def parse(
        cls,
        name: str,
        *,
        language: str | None = None,
        cohorts: list[str] | None = None,
        bluesky: str | None = None,
        mastodon: str | None = None,
        feeds: list[str] | None = None,
    ) -> LeaderSpec:
        name = (name or "").strip()
        if not name:
            raise InputError("a leader needs a name")
        if len(name) > 200:
            raise InputError("a leader's name may be at most 200 characters")
        return cls(
            name=name,
            language=normalize_language(language),
            cohorts=[c.strip() for c in (cohorts or []) if c.strip()],
            bluesky=normalize_bluesky(bluesky) if bluesky else None,
            mastodon=normalize_mastodon(mastodon) if mastodon else None,
            feeds=[normalize_feed_url(f) for f in (feeds or [])],
        )


def add_leader(store: Store, spec: LeaderSpec, *, update_existing: bool = False, demo: bool = False) -> Leader:
    """Create (or with ``update_existing``, extend) a leader and their accounts in one transaction."""
    with store.engine.begin() as conn:
        existing = {l.name: l for l in store.leaders(include_inactive=True)}.get(spec.name)
        if existing and not update_existing:
            raise InputError(f"a leader named {spec.name!r} already exists", hint="choose another name")
        if existing:
            leader_id = existing.id
            store._update_leader(conn, leader_id, language=spec.language, cohorts=spec.cohorts)
        else:
            leader_id = store._add_leader(conn, spec.name, language=spec.language, cohorts=spec.cohorts, demo=demo).id
        if spec.bluesky:
            handle, did = spec.bluesky
            store._add_account(conn, leader_id, Platform.BLUESKY, handle, stable_id=did)
        if spec.mastodon:
            user, host = spec.mastodon.split("@")
            store._add_account(conn, leader_id, Platform.MASTODON, spec.mastodon, url=f"https://{host}/@{user}")
        for feed in spec.feeds:
            store._add_account(conn, leader_id, Platform.FEED, feed, stable_id=feed, url=feed)
    return store.leader(spec.name)


@dataclass
class Roster:
    cohorts: dict[str, Visibility]
    leaders: list[LeaderSpec]


def read_roster(path: Path) -> Roster:
    """Parse and validate a roster TOML file (see docs/ROSTER.md); raises InputError naming the entry."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"roster file not found: {path}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path} is not valid TOML: {exc}") from exc
    unknown = set(data) - {"cohort", "leader"}
    if unknown:
        raise InputError(f"{path}: unknown section(s) {sorted(unknown)}", hint="use [[cohort]] and [[leader]]")
    cohorts: dict[str, Visibility] = {}
    for i, entry in enumerate(data.get("cohort", []), 1):
        name = str(entry.get("name", "")).strip()
        if not name:
            raise InputError(f"{path}: cohort #{i} has no name")
        try:
            cohorts[name] = Visibility(entry.get("visibility", "aggregates"))
        except ValueError:
            raise InputError(
                f"{path}: cohort {name!r} has unknown visibility {entry.get('visibility')!r}",
                hint="use all, aggregates or consultant",
            ) from None
    leaders: list[LeaderSpec] = []
    seen: set[str] = set()
    allowed = {"name", "language", "cohorts", "bluesky", "mastodon", "feeds"}
    for i, entry in enumerate(data.get("leader", []), 1):
        label = f"{path}: leader #{i} ({entry.get('name', '?')})"
        extra = set(entry) - allowed
        if extra:
            raise InputError(f"{label}: unknown key(s) {sorted(extra)}", hint=f"allowed: {', '.join(sorted(allowed))}")
        feeds = entry.get("feeds", [])
        if isinstance(feeds, str):
            feeds = [feeds]
        try:
            spec = LeaderSpec.parse(
                str(entry.get("name", "")),
                language=entry.get("language"),
                cohorts=list(entry.get("cohorts", [])),
                bluesky=entry.get("bluesky"),
                mastodon=entry.get("mastodon"),
                feeds=list(feeds),
            )
        except InputError as exc:
            raise InputError(f"{label}: {exc.message}", hint=exc.hint) from None
        if spec.name in seen:
            raise InputError(f"{label}: the name appears twice in the file")
        seen.add(spec.name)
        leaders.append(spec)
    return Roster(cohorts=cohorts, leaders=leaders)


def import_roster(store: Store, roster: Roster) -> list[Leader]:
    """Apply a validated roster: cohorts and leaders are created or extended (never removed)."""
    for name, visibility in roster.cohorts.items():
        store.set_cohort(name, visibility)
    return [add_leader(store, spec, update_existing=True) for spec in roster.leaders]
