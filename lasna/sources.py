"""One specification per source platform: the single place that knows a platform.

Every list of platforms takes it from :data:`SOURCES`:

* ``collectors/runner.py``: the ``--source`` names and the collector of each platform;
* ``lasna/registry.py``: validating an account the user typed, and the roster keys;
* ``lasna leaders add``: one CLI option per addable source (``--bluesky``, ``--feed`` …);
* the dashboard's add-account form (``dashboard/views/health.py``): one field per addable source.

Adding a source (docs/SOURCES.md, "Adding a source"): a ``Platform`` member in
``lasna/types.py``, one package ``collectors/<name>/`` with a collector class, and one
:class:`SourceSpec` below. Nothing here imports a collector at start-up: the factory is a
``"module:Class"`` string loaded when a run needs it (``lasna version`` stays fast).
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from lasna import textcheck
from lasna.errors import InputError
from lasna.types import Platform


@dataclass(frozen=True)
class AccountDraft:
    """A validated account as it will be stored: what people see, the stable id if known, its URL."""

    platform: Platform
    handle: str
    stable_id: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class SourceSpec:
    platform: Platform
    #: ``lasna collect --source <source>`` (None: not collected, e.g. file imports)
    source: str | None
    #: roster key and LeaderSpec.parse keyword (None: accounts are not typed in, e.g. LinkedIn)
    key: str | None
    #: CLI option of ``lasna leaders add``
    option: str | None
    label: str
    #: how an account is written, shown as placeholder and in hints
    syntax: str
    help: str
    #: text the user typed -> AccountDraft; raises InputError with a hint
    validate: Callable[[str], AccountDraft] | None
    #: ``"module:Class"`` of the collector (called without arguments)
    collector: str | None
    #: several accounts of this kind per leader (feeds)
    many: bool = False

    def account(self, value: str) -> AccountDraft:
        if self.validate is None:
            raise InputError(f"{self.label} accounts are not added by hand")
        return self.validate(value)

    def factory(self) -> Callable[[], Any]:
        """The collector class (imported now, not at start-up)."""
        if not self.collector:
            raise InputError(f"{self.label} is not collected; it is imported from files")
        module, _, name = self.collector.partition(":")
        return getattr(importlib.import_module(module), name)


# ------------------------------------------------------------------ account syntax and validation
_DID = re.compile(r"^did:(plc:[a-z2-7]{24}|web:[a-zA-Z0-9.\-:%]+)$")
# https://atproto.com/specs/handle: dot-separated labels, TLD not starting with a digit
HOSTNAME = re.compile(
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
        if re.fullmatch(r"[a-z0-9][a-z0-9-]{0,62}", handle):  # only a well-formed name gets the suggestion
            raise InputError(f"malformed Bluesky handle {raw!r}",
                             hint=f"did you forget `.bsky.social` ({handle}.bsky.social)?")
        raise InputError(f"malformed Bluesky handle {raw!r}", hint="a handle looks like name.bsky.social")
    if not HOSTNAME.match(handle):
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
    if not _MASTODON_USER.match(user) or not HOSTNAME.match(host):
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


def _bluesky(value: str) -> AccountDraft:
    handle, did = normalize_bluesky(value)
    return AccountDraft(Platform.BLUESKY, handle, stable_id=did)


def _mastodon(value: str) -> AccountDraft:
    address = normalize_mastodon(value)
    user, host = address.split("@")
    return AccountDraft(Platform.MASTODON, address, url=f"https://{host}/@{user}")


def _feed(value: str) -> AccountDraft:
    url = normalize_feed_url(value)
    return AccountDraft(Platform.FEED, url, stable_id=url, url=url)


# ------------------------------------------------------------------ the specifications
SOURCES: tuple[SourceSpec, ...] = (
    SourceSpec(
        Platform.BLUESKY, source="bluesky", key="bluesky", option="--bluesky", label="Bluesky",
        syntax="name.bsky.social", help="Bluesky handle (name.bsky.social), DID or bsky.app profile URL.",
        validate=_bluesky, collector="collectors.bluesky.collector:BlueskyCollector",
    ),
    SourceSpec(
        Platform.MASTODON, source="mastodon", key="mastodon", option="--mastodon", label="Mastodon",
        syntax="@user@instance.social", help="Mastodon (or GoToSocial, Pleroma, Akkoma) address @user@instance.",
        validate=_mastodon, collector="collectors.mastodon.collector:MastodonCollector",
    ),
    SourceSpec(
        Platform.FEED, source="feeds", key="feeds", option="--feed", label="RSS/Atom feed",
        syntax="https://", help="RSS/Atom feed or blog URL (repeatable).",
        validate=_feed, collector="collectors.feeds.collector:FeedCollector", many=True,
    ),
    SourceSpec(
        Platform.LINKEDIN, source=None, key=None, option=None, label="LinkedIn",
        syntax="data export ZIP", help="Imported with `lasna import linkedin`.", validate=None, collector=None,
    ),
    SourceSpec(
        Platform.JSONL, source=None, key=None, option=None, label="JSON Lines",
        syntax="file.jsonl", help="Imported with `lasna import jsonl`.", validate=None, collector=None,
    ),
)

def addable() -> tuple[SourceSpec, ...]:
    """Sources a user adds accounts of (CLI options, roster keys, dashboard form fields)."""
    return tuple(spec for spec in SOURCES if spec.key)


def collected() -> tuple[SourceSpec, ...]:
    """Sources ``lasna collect`` reads."""
    return tuple(spec for spec in SOURCES if spec.source and spec.collector)


ADDABLE = addable()
COLLECTED = collected()


def collect_sources() -> dict[str, tuple[Platform, ...]]:
    """``--source`` name -> platforms, ``all`` last."""
    specs = collected()
    named = {spec.source: (spec.platform,) for spec in specs if spec.source}
    return {**named, "all": tuple(spec.platform for spec in specs)}


def spec_for_key(key: str) -> SourceSpec:
    specs = addable()
    for spec in specs:
        if spec.key == key:
            return spec
    raise InputError(f"unknown source {key!r}", hint="use one of: " + ", ".join(s.key for s in specs if s.key))
