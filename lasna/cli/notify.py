"""`lasna digest send` and `lasna alerts check`: e-mail digests and alerts (for cron / systemd timers).

Exit 0: everything due was sent (or nothing was due); 1: some messages failed and wait for the next run;
2: usage or configuration error (nothing written).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import typer

from lasna.cli.common import console, err_console, open_store
from lasna.errors import InputError

digest_app = typer.Typer(help="Weekly e-mail digests.", no_args_is_help=True)
alerts_app = typer.Typer(help="E-mail alerts when someone has waited too long for an answer.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(digest_app, name="digest")
    app.add_typer(alerts_app, name="alerts")


def _parse_now(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InputError(f"--now {value!r} is not an ISO date-time (e.g. 2026-12-07T07:30:00+02:00)") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


_STYLE = {"sent": "green", "composed": "cyan", "would-send": "cyan", "failed": "red", "dead": "bold red",
          "skipped": "yellow", "cancelled": "yellow", "exists": "dim"}


def _report(result, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(result.to_dict(), ensure_ascii=False, default=str))
    else:
        for note in result.notes:
            style = _STYLE.get(note.status, "white")
            detail = f" — {note.detail}" if note.detail else ""
            console().print(f"{note.user} · {note.kind}: [{style}]{note.status}[/]{detail}", highlight=False,
                          soft_wrap=True, markup=True)
        summary = result.to_dict()
        what = "would send" if result.dry_run else "sent"
        count = summary["would-send"] if result.dry_run else summary["sent"]
        console().print(f"{result.kind} {result.period}: {count} {what}, {summary['failed'] + summary['dead']} failed, "
                      f"{summary['skipped']} skipped.", highlight=False)
    raise typer.Exit(0 if result.ok else 1)


@digest_app.command("send")
def digest_send(
    user: list[str] = typer.Option(None, "--user", help="Only this user, whatever their weekday (repeatable)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show who would get what; write and send nothing."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object with every user's outcome."),
    now: str = typer.Option(None, "--now", hidden=True, help="Run as if at this time (ISO 8601)."),
) -> None:
    """Compose and send this week's digest to every user whose digest day has come (once per week)."""
    from lasna.notify import send_digests

    moment = _parse_now(now)
    store = open_store()
    _report(send_digests(store, users=user or (), dry_run=dry_run, now=moment), as_json)


@alerts_app.command("check")
def alerts_check(
    dry_run: bool = typer.Option(False, "--dry-run", help="Show which alerts are due; write and send nothing."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object with every alert's outcome."),
    now: str = typer.Option(None, "--now", hidden=True, help="Run as if at this time (ISO 8601)."),
) -> None:
    """Alert executives about questions and critical replies waiting longer than their threshold."""
    from lasna.notify import check_alerts

    moment = _parse_now(now)
    store = open_store()
    _report(check_alerts(store, dry_run=dry_run, now=moment), as_json)


__all__ = ["register", "err_console"]
