"""The leader registry: validating what users type, and the roster file.

Everything is validated before anything is written, so a bad line in a roster
or a malformed handle leaves the store untouched.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from lasna import textcheck
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
    if textcheck.problem(raw, identifier=True) or " " in raw:
        raise InputError(f"feed URL contains spaces or control characters: {raw[:100]!r}")
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
        for label, value in (("name", name), *(("cohort", c) for c in cohorts or [])):
            why = textcheck.problem(value or "", identifier=True)
            if why:
                raise InputError(f"the {label} {why}")
        return cls(
            name=name,
            language=normalize_language(language),
            cohorts=[c.strip() for c in (cohorts or []) if c.strip()],
            bluesky=normalize_bluesky(bluesky) if bluesky else None,
            mastodon=normalize_mastodon(mastodon) if mastodon else None,
            feeds=[normalize_feed_url(f) for f in (feeds or [])],
        )


def _check_accounts_visible(store: Store, spec: LeaderSpec, visible: Collection[int]) -> None:
    """Refuse, without naming anyone, an account that already belongs to a leader outside ``visible``
    (the store's own message names the owner, which only someone who may see them should read)."""
    wanted: list[tuple[Platform, str]] = []
    if spec.bluesky and spec.bluesky[1]:
        wanted.append((Platform.BLUESKY, spec.bluesky[1]))
    wanted += [(Platform.FEED, feed) for feed in spec.feeds]
    if not wanted:
        return
    taken = {(str(a.platform), a.stable_id): a.leader_id for a in store.accounts() if a.stable_id}
    for platform, stable_id in wanted:
        owner = taken.get((str(platform), stable_id))
        if owner is not None and owner not in visible:
            raise InputError(f"this {platform} account is already followed for another leader",
                             hint="ask an admin if it should move")


def add_leader(store: Store, spec: LeaderSpec, *, update_existing: bool = False, demo: bool = False,
               visible_leaders: Collection[int] | None = None, actor: str | None = None) -> Leader:
    """Create (or with ``update_existing``, extend) a leader and their accounts in one transaction.
    ``visible_leaders``: the leaders the person adding may see (None: all, e.g. the CLI); a clash
    with anyone else's account is then refused without naming them."""
    if visible_leaders is not None:
        _check_accounts_visible(store, spec, frozenset(int(i) for i in visible_leaders))
    with store.engine.begin() as conn:
        _apply(store, conn, spec, update_existing=update_existing, demo=demo, actor=actor)
    return store.leader(spec.name)


def _apply(store: Store, conn, spec: LeaderSpec, *, update_existing: bool, demo: bool, actor: str | None) -> None:
    existing = store._leader_id(conn, spec.name)
    if existing is not None and not update_existing:
        raise InputError(f"a leader named {spec.name!r} already exists", hint="choose another name")
    if existing is not None:
        leader_id = existing
        store._update_leader(conn, leader_id, language=spec.language, cohorts=spec.cohorts)
        store._audit(conn, "leader.update", "leader", leader_id, actor=actor)
    else:
        leader_id = store._add_leader(conn, spec.name, language=spec.language, cohorts=spec.cohorts, demo=demo).id
        store._audit(conn, "leader.add", "leader", leader_id, actor=actor)
    if spec.bluesky:
        handle, did = spec.bluesky
        store._add_account(conn, leader_id, Platform.BLUESKY, handle, stable_id=did)
    if spec.mastodon:
        user, host = spec.mastodon.split("@")
        store._add_account(conn, leader_id, Platform.MASTODON, spec.mastodon, url=f"https://{host}/@{user}")
    for feed in spec.feeds:
        store._add_account(conn, leader_id, Platform.FEED, feed, stable_id=feed, url=feed)


@dataclass
class Roster:
    cohorts: dict[str, Visibility]
    leaders: list[LeaderSpec]


def _text(value, what: str, *, required: bool = False, limit: int = 2000) -> str | None:
    """A roster value that must be text: a number, list, table, date or boolean is refused."""
    if value is None:
        if required:
            raise InputError(f"{what} is required")
        return None
    if not isinstance(value, str):
        raise InputError(f"{what} must be text (in quotes), not {_toml_type(value)}")
    if len(value) > limit or any(ord(ch) < 32 and ch not in "\t" for ch in value):
        raise InputError(f"{what} is too long or contains control characters")
    return value


def _texts(value, what: str) -> list[str]:
    """A roster value that must be a list of text (``cohorts = ["A"]``, not ``cohorts = "A"``)."""
    if value is None:
        return []
    if not isinstance(value, list):
        hint = f'write {what} = ["{value}"]' if isinstance(value, str) else None
        raise InputError(f"{what} must be a list of text, not {_toml_type(value)}", hint=hint)
    return [_text(v, f"{what}[{i}]") for i, v in enumerate(value, 1)]


def _toml_type(value) -> str:
    names = {bool: "true/false", int: "a number", float: "a number", str: "text", list: "a list", dict: "a table"}
    return names.get(type(value), type(value).__name__)


def _tables(data: dict, key: str, path: Path) -> list[dict]:
    entries = data.get(key, [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise InputError(f"{path}: {key} entries must be [[{key}]] tables, not {_toml_type(entries)}",
                         hint=f"start each entry with a [[{key}]] line")
    return entries


def read_roster(path: Path) -> Roster:
    """Parse and validate a whole roster TOML file (see docs/ROSTER.md), types included, before
    anything is written; raises InputError naming the entry."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"roster file not found: {path}") from None
    except IsADirectoryError:
        raise InputError(f"{path} is a folder, not a roster file") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path} is not valid TOML: {' '.join(str(exc).split())}") from None
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
    unknown = set(data) - {"cohort", "leader"}
    if unknown:
        raise InputError(f"{path}: unknown section(s) {sorted(unknown)}", hint="use [[cohort]] and [[leader]]")
    cohorts: dict[str, Visibility] = {}
    for i, entry in enumerate(_tables(data, "cohort", path), 1):
        try:
            extra = set(entry) - {"name", "visibility"}
            if extra:
                raise InputError(f"unknown key(s) {sorted(extra)}", hint="allowed: name, visibility")
            name = (_text(entry.get("name"), "name", required=True, limit=200) or "").strip()
            if not name:
                raise InputError("has no name")
            visibility = _text(entry.get("visibility", "aggregates"), "visibility")
            try:
                cohorts[name] = Visibility(visibility)
            except ValueError:
                raise InputError(
                    f"unknown visibility {visibility!r}", hint="use all, aggregates or consultant"
                ) from None
        except InputError as exc:
            raise InputError(f"{path}: cohort #{i}: {exc.message}", hint=exc.hint) from None
    leaders: list[LeaderSpec] = []
    seen: set[str] = set()
    allowed = {"name", "language", "cohorts", "bluesky", "mastodon", "feeds"}
    for i, entry in enumerate(_tables(data, "leader", path), 1):
        shown = entry.get("name") if isinstance(entry.get("name"), str) else "?"
        label = f"{path}: leader #{i} ({shown[:80]})"
        extra = set(entry) - allowed
        if extra:
            raise InputError(f"{label}: unknown key(s) {sorted(extra)}", hint=f"allowed: {', '.join(sorted(allowed))}")
        try:
            feeds = entry.get("feeds", [])
            spec = LeaderSpec.parse(
                _text(entry.get("name"), "name", required=True),
                language=_text(entry.get("language"), "language"),
                cohorts=_texts(entry.get("cohorts"), "cohorts"),
                bluesky=_text(entry.get("bluesky"), "bluesky"),
                mastodon=_text(entry.get("mastodon"), "mastodon"),
                feeds=[feeds] if isinstance(feeds, str) else _texts(feeds, "feeds"),
            )
        except InputError as exc:
            raise InputError(f"{label}: {exc.message}", hint=exc.hint) from None
        if spec.name in seen:
            raise InputError(f"{label}: the name appears twice in the file")
        seen.add(spec.name)
        leaders.append(spec)
    return Roster(cohorts=cohorts, leaders=leaders)


def import_roster(store: Store, roster: Roster, *, actor: str | None = None) -> list[Leader]:
    """Apply a validated roster in ONE transaction: cohorts and leaders are created or extended
    (never removed); if any entry fails while writing (e.g. an account that belongs to another
    leader), nothing of the roster is written."""
    with store.engine.begin() as conn:
        for name, visibility in roster.cohorts.items():
            cohort_id = store._ensure_cohort(conn, name, visibility)
            store._audit(conn, "cohort.set", "cohort", cohort_id, actor=actor)
        for spec in roster.leaders:
            try:
                _apply(store, conn, spec, update_existing=True, demo=False, actor=actor)
            except InputError as exc:
                raise InputError(f"leader {spec.name!r}: {exc.message}; nothing was imported", hint=exc.hint) from None
        store._audit(conn, "roster.import", actor=actor)
    wanted = {spec.name for spec in roster.leaders}
    return [leader for leader in store.leaders(include_inactive=True) if leader.name in wanted]
