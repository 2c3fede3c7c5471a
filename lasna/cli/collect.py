"""`lasna collect`: one collection run over the leaders' accounts (for cron / systemd timers)."""

from __future__ import annotations

import json
import logging
import sys

import typer

from lasna.cli.common import console, err_console, open_store
from lasna.errors import InputError, LasnaError
from lasna.sources import collect_sources
from lasna.types import AccountOutcome


def register(app: typer.Typer) -> None:
    app.command("collect")(collect)


def _line(o: AccountOutcome) -> str:
    status = f"[red]FAILED: {o.error}[/]" if o.error else "[green]ok[/]"
    return (
        f"{o.leader} · {o.platform}:{o.account} — {o.new_posts} new post(s), "
        f"{o.new_interactions} new interaction(s), {o.requests} request(s) — {status}"
    )


def collect(
    leader: list[str] = typer.Option(None, "--leader", help="Collect only this leader (repeatable)."),
    source: str = typer.Option("all", "--source", help=", ".join(collect_sources()) + " (from lasna/sources.py)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object with every account's outcome."),
    wait: bool = typer.Option(False, "--wait", help="If another run holds the lock, wait for it instead of exiting."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log requests, retries and skipped records."),
) -> None:
    """Collect new posts and replies for every account (exit 0: all ok, 1: some accounts failed,
    2: usage error, 3: could not run — database down, read-only or full; --json prints JSON always)."""
    from sqlalchemy.exc import SQLAlchemyError

    from lasna.errors import StoreError, store_failure

    try:
        _collect(leader, source, as_json, wait, verbose)
    except (StoreError, SQLAlchemyError, OSError) as exc:  # OSError: e.g. no room for the lock file
        failure = exc if isinstance(exc, StoreError) else store_failure(exc)
        if as_json:
            from lasna.settings import mask_text

            typer.echo(json.dumps({
                "run_id": None, "ok": False, "could_not_run": True, "error": mask_text(str(failure)),
                "exit_code": failure.exit_code, "accounts": [],
            }, ensure_ascii=False))
        raise failure from None
    except LasnaError as exc:
        if as_json:
            typer.echo(json.dumps({
                "run_id": None, "ok": False, "could_not_run": True, "error": str(exc),
                "exit_code": exc.exit_code, "accounts": [],
            }, ensure_ascii=False))
        raise


def _collect(leader: list[str], source: str, as_json: bool, wait: bool, verbose: bool) -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from collectors.runner import run_collection
    from lasna.settings import SecretFilter

    SOURCES = collect_sources()

    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    for handler in logging.getLogger().handlers:
        handler.addFilter(SecretFilter())
    if not verbose:
        logging.getLogger("httpx").setLevel(logging.WARNING)
    if source not in SOURCES:
        raise InputError(f"unknown source {source!r}", hint=f"use {', '.join(SOURCES)}")
    store = open_store()
    interactive = err_console().is_terminal and not as_json
    progress = (  # on stderr: stdout keeps only the outcome lines (and --json) for scripts
        Progress(TextColumn("collecting"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err_console(),
                 transient=True)
        if interactive
        else None
    )
    task = None

    def on_start(total: int) -> None:
        nonlocal task
        if progress is not None:
            task = progress.add_task("collect", total=total)

    def on_outcome(outcome: AccountOutcome) -> None:
        if as_json:
            return
        console().print(_line(outcome), highlight=False, soft_wrap=True)
        if progress is not None and task is not None:
            progress.advance(task)

    if progress is not None:
        progress.start()
    try:
        report = run_collection(
            store, leaders=leader or None, source=source, wait=wait, on_start=on_start, on_outcome=on_outcome
        )
    finally:
        if progress is not None:
            progress.stop()
    if report.already_running:
        message = "already running: another `lasna collect` holds the lock; nothing done (use --wait to queue)"
        if as_json:
            typer.echo(json.dumps({"run_id": None, "ok": True, "already_running": True, "accounts": []}))
        err_console().print(message)
        raise typer.Exit(0)
    for platform in report.unsupported:
        err_console().print(f"note: no {platform} collector installed; those accounts were not collected")
    if report.busy:
        err_console().print(f"note: {len(report.busy)} account(s) were collected by another runner")
    if as_json:
        typer.echo(json.dumps(report.as_json(), ensure_ascii=False))
    else:
        failed = [o for o in report.outcomes if not o.ok]
        console().print(
            f"Run {report.run_id}: {len(report.outcomes)} account(s), {len(failed)} failed, "
            f"{sum(o.new_posts for o in report.outcomes)} new post(s), "
            f"{sum(o.new_interactions for o in report.outcomes)} new interaction(s).",
            highlight=False,
        )
    raise typer.Exit(0 if report.ok else 1)
