"""What the importers share: the report, id namespacing, account creation, the write."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from collectors.common import foreign_ids
from lasna import pipeline
from lasna import textcheck
from lasna.errors import InputError
from lasna.store import Store
from lasna.types import Account, Interaction, Leader, Platform, Post

_ABSOLUTE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:[^\s]+$")


@dataclass(frozen=True)
class RowError:
    line: int  # 1-based line (JSONL) or record number (CSV, header = line 1)
    message: str
    file: str = ""

    def __str__(self) -> str:
        where = f"{self.file}:" if self.file else "line "
        return f"{where}{self.line}: {self.message}"


@dataclass
class ImportReport:
    leader: str
    account: str
    posts: int = 0  # valid posts read
    interactions: int = 0
    new_posts: int = 0  # of which new to the store
    new_interactions: int = 0
    skipped: int = 0  # rows left out on purpose (e.g. not public), not errors
    errors: list[RowError] = field(default_factory=list)
    written: bool = False
    notes: list[str] = field(default_factory=list)


def namespaced(value: str, prefix: str) -> str:
    """Absolute URIs (https://…, at://…, urn:…) are global already; other ids get ``prefix``."""
    value = value.strip()
    return value if _ABSOLUTE.match(value) else f"{prefix}{value}"


def ensure_account(store: Store, leader: Leader, platform: Platform, handle: str) -> Account:
    found = pending_account(store, leader, platform, handle)
    return found if found.id is not None else store.add_account(leader.id, platform, handle)


def pending_account(store: Store, leader: Leader, platform: Platform, handle: str) -> Account:
    """The leader's import account, or an unsaved one that :func:`write` creates in the same
    transaction as the rows (so a failed import leaves no empty account behind)."""
    for account in store.accounts(leader_id=leader.id, platform=platform):
        if account.handle == handle:
            return account
    return Account(platform, handle, leader_id=leader.id)


def write(
    store: Store,
    account: Account,
    report: ImportReport,
    posts: Sequence[Post],
    interactions: Sequence[Interaction],
    state: dict[str, str | None],
) -> None:
    """Write the import in one transaction (account included), after checking every value can be
    stored at all (NUL, lone surrogates): an InputError leaves the store untouched."""
    bad = textcheck.storable_problems([*posts, *interactions])
    if bad:
        ident, field_name, why = bad[0]
        raise InputError(
            f"{len(bad)} row(s) cannot be stored; first: {ident!r} field {field_name!r} {why}; nothing was imported"
        )
    clash = foreign_ids(store, account, [p.id for p in posts], [i.id for i in interactions])
    if clash:
        report.notes.append(f"left out {len(clash)} row(s) whose ids belong to another account")
    result = store.save_batch(
        account,
        posts=[p for p in posts if p.id not in clash],
        interactions=[i for i in interactions if i.id not in clash],
        state=state,
    )
    report.new_posts, report.new_interactions, report.written = result.new_posts, result.new_interactions, True
    pipeline.after_ingest(store, [account.leader_id])


def refuse_if_invalid(report: ImportReport, skip_invalid: bool, what: str) -> None:
    if report.errors and not skip_invalid:
        raise InvalidRows(report, what)


class InvalidRows(InputError):
    """Some rows are invalid and --skip-invalid was not given: nothing was written."""

    def __init__(self, report: ImportReport, what: str) -> None:
        n = len(report.errors)
        super().__init__(
            f"{n} invalid row(s) in {what}; nothing was imported",
            hint="fix them, or pass --skip-invalid to import the valid rows",
        )
        self.report = report
