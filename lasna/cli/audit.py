"""`lasna audit`: the audit log — who viewed, exported, changed or erased what, and when."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import typer

from lasna.cli.common import console, open_store
from lasna.errors import InputError


def register(app: typer.Typer) -> None:
    app.command("audit")(audit)


def _since(value: str | None) -> datetime | None:
    if value is None:
        return None
    raw = value.strip()
    if raw[:-1].isdigit() and raw[-1:] in ("d", "h"):
        amount = int(raw[:-1])
        return datetime.now(UTC) - (timedelta(days=amount) if raw[-1] == "d" else timedelta(hours=amount))
    try:
        when = datetime.fromisoformat(raw)
    except ValueError:
        raise InputError(f"--since must be a date (2026-01-31), a time or an age like 7d / 12h, not {value!r}") from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def audit(
    since: str = typer.Option(None, "--since", help="Only records since this date/time or age (7d, 12h)."),
    action: str = typer.Option(None, "--action", help="Only this action or family (leader, erase.author…)."),
    actor: str = typer.Option(None, "--actor", help="Only records by this login (or cli:<user>)."),
    limit: int = typer.Option(1000, "--limit", min=1, help="At most this many records, newest first."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON (one array)."),
) -> None:
    """List the audit log, newest first (kept for LASNA_AUDIT_RETENTION_DAYS; no content, ever)."""
    store = open_store()
    events = store.audit_events(since=_since(since), action=action, actor=actor, limit=limit)
    if as_json:
        typer.echo(json.dumps([e.as_json() for e in events], ensure_ascii=False, indent=2))
        return
    if not events:
        console().print("No audit records" + (f" since {since}" if since else "") + ".")
        return
    for e in events:
        target = ""
        if e.target_kind:
            target = f"{e.target_kind}" + (f" #{e.target_id}" if e.target_id else "")
            target += f" ({e.target_label})" if e.target_label else ""
        console().print(
            f"{e.at:%Y-%m-%d %H:%M:%S} UTC  {e.actor:<20} {e.action:<16} {target}  [dim]{e.via}[/]",
            highlight=False, soft_wrap=True,
        )
