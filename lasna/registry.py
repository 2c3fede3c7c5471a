"""The leader registry: validating what users type, and the roster file.

Everything is validated before anything is written, so a bad line in a roster
or a malformed handle leaves the store untouched.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from lasna import sources
from lasna.errors import InputError
from lasna.store import Store
from lasna.types import Leader, Visibility

LANGUAGES = ("fi", "en")
# account syntax lives with each source's specification (lasna/sources.py); re-exported for callers
normalize_bluesky = sources.normalize_bluesky
normalize_mastodon = sources.normalize_mastodon
normalize_feed_url = sources.normalize_feed_url


def normalize_language(value: str | None) -> str:
    lang = (value or "fi").strip().lower()
    if lang not in LANGUAGES:
        raise InputError(f"unsupported language {value!r}", hint="use fi or en")
    return lang


@dataclass
class LeaderSpec:
    """A validated leader entry (from the command line, a roster file or the dashboard form)."""

    name: str
    language: str = "fi"
    cohorts: list[str] = field(default_factory=list)
    accounts: list[sources.AccountDraft] = field(default_factory=list)

    @classmethod
    def parse(
        cls,
        name: str,
        *,
        language: str | None = None,
        cohorts: list[str] | None = None,
        **accounts: str | list[str] | None,
    ) -> LeaderSpec:
        """``accounts``: one keyword per addable source (``bluesky=``, ``mastodon=``, ``feeds=`` …,
        see :data:`lasna.sources.ADDABLE`); a repeatable source takes a list."""
        name = (name or "").strip()
        if not name:
            raise InputError("a leader needs a name")
        if len(name) > 200:
            raise InputError("a leader's name may be at most 200 characters")
        drafts: list[sources.AccountDraft] = []
        for key, value in accounts.items():
            spec = sources.spec_for_key(key)
            values = [value] if isinstance(value, str) else list(value or [])
            if len(values) > 1 and not spec.many:
                raise InputError(f"only one {spec.label} account per leader", hint=f"write it as {spec.syntax}")
            drafts.extend(spec.account(str(v)) for v in values if str(v).strip())
        return cls(
            name=name,
            language=normalize_language(language),
            cohorts=[c.strip() for c in (cohorts or []) if c.strip()],
            accounts=drafts,
        )

    def handles(self, platform) -> list[str]:
        return [a.handle for a in self.accounts if a.platform == platform]


def add_leader(store: Store, spec: LeaderSpec, *, update_existing: bool = False, demo: bool = False) -> Leader:
    """Create (or with ``update_existing``, extend) a leader and their accounts in one transaction."""
    with store.engine.begin() as conn:
        existing = {x.name: x for x in store.leaders(include_inactive=True)}.get(spec.name)
        if existing and not update_existing:
            raise InputError(f"a leader named {spec.name!r} already exists", hint="choose another name")
        if existing:
            leader_id = existing.id
            store._update_leader(conn, leader_id, language=spec.language, cohorts=spec.cohorts)
        else:
            leader_id = store._add_leader(conn, spec.name, language=spec.language, cohorts=spec.cohorts, demo=demo).id
        for account in spec.accounts:
            store._add_account(conn, leader_id, account.platform, account.handle, stable_id=account.stable_id, url=account.url)
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
    keys = [spec.key for spec in sources.addable() if spec.key]
    allowed = {"name", "language", "cohorts", *keys}
    for i, entry in enumerate(data.get("leader", []), 1):
        label = f"{path}: leader #{i} ({entry.get('name', '?')})"
        extra = set(entry) - allowed
        if extra:
            raise InputError(f"{label}: unknown key(s) {sorted(extra)}", hint=f"allowed: {', '.join(sorted(allowed))}")
        try:
            spec = LeaderSpec.parse(
                str(entry.get("name", "")),
                language=entry.get("language"),
                cohorts=list(entry.get("cohorts", [])),
                **{key: entry[key] for key in keys if entry.get(key) is not None},
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
