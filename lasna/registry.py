"""The leader registry: validating what users type, and the roster file.

Everything is validated before anything is written, so a bad line in a roster
or a malformed handle leaves the store untouched.
"""

from __future__ import annotations

import tomllib
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from lasna import sources, textcheck
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
        for label, value in (("name", name), *(("cohort", c) for c in cohorts or [])):
            why = textcheck.problem(value or "", identifier=True)
            if why:
                raise InputError(f"the {label} {why}")
        drafts: list[sources.AccountDraft] = []
        for key, given in accounts.items():
            spec = sources.spec_for_key(key)
            values = [given] if isinstance(given, str) else list(given or [])
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


def _check_accounts_visible(store: Store, spec: LeaderSpec, visible: Collection[int]) -> None:
    """Refuse, without naming anyone, an account that already belongs to a leader outside ``visible``
    (the store's own message names the owner, which only someone who may see them should read)."""
    wanted = [(a.platform, a.stable_id) for a in spec.accounts if a.stable_id]
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
    store.save_leaders([spec], update_existing=update_existing, demo=demo, actor=actor)
    return store.leader(spec.name)


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
    return [_required_text(v, f"{what}[{i}]") for i, v in enumerate(value, 1)]


def _required_text(value, what: str) -> str:
    text = _text(value, what, required=True)
    assert text is not None  # _text raises for a missing required value
    return text


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
    specs = {spec.key: spec for spec in sources.addable() if spec.key}
    allowed = {"name", "language", "cohorts", *specs}
    for i, entry in enumerate(_tables(data, "leader", path), 1):
        given_name = entry.get("name")
        shown = given_name if isinstance(given_name, str) else "?"
        label = f"{path}: leader #{i} ({shown[:80]})"
        extra = set(entry) - allowed
        if extra:
            raise InputError(f"{label}: unknown key(s) {sorted(extra)}", hint=f"allowed: {', '.join(sorted(allowed))}")
        try:
            accounts: dict[str, str | list[str] | None] = {}
            for key, source in specs.items():
                value = entry.get(key)
                if source.many:  # a single text is accepted for a repeatable source
                    accounts[key] = [value] if isinstance(value, str) else _texts(value, key)
                else:
                    accounts[key] = _text(value, key)
            spec = LeaderSpec.parse(
                _required_text(given_name, "name"),
                language=_text(entry.get("language"), "language"),
                cohorts=_texts(entry.get("cohorts"), "cohorts"),
                **accounts,
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
    store.save_leaders(roster.leaders, cohorts=roster.cohorts, update_existing=True, actor=actor, roster=True)
    wanted = {spec.name for spec in roster.leaders}
    return [leader for leader in store.leaders(include_inactive=True) if leader.name in wanted]
