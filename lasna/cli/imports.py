"""`lasna import ...`: bring in data that no public API offers (LinkedIn archive, JSONL)."""

from __future__ import annotations

from pathlib import Path

import typer

from lasna.cli.common import console, err_console, open_store, progress

app = typer.Typer(help="Import a leader's posts from files: a LinkedIn data export or JSONL.", no_args_is_help=True)

MAX_SHOWN = 20


def _show(report, *, dry: bool = False) -> None:
    from collectors.imports.common import ImportReport

    assert isinstance(report, ImportReport)
    for error in report.errors[:MAX_SHOWN]:
        err_console().print(f"[yellow]invalid[/] {error}", highlight=False, soft_wrap=True)
    if len(report.errors) > MAX_SHOWN:
        err_console().print(f"… and {len(report.errors) - MAX_SHOWN} more invalid row(s)")
    for note in report.notes:
        console().print(note, highlight=False, soft_wrap=True)
    if report.written:
        console().print(
            f"Imported for {report.leader}: {report.posts} post(s) ({report.new_posts} new), "
            f"{report.interactions} interaction(s) ({report.new_interactions} new)"
            + (f"; skipped {len(report.errors)} invalid row(s)" if report.errors else "")
            + ".",
            highlight=False,
            soft_wrap=True,
        )


def _run(fn, *args, **kwargs) -> None:
    """Run one importer; whatever fails, no account it created stays behind empty."""
    from collectors.imports.common import InvalidRows

    store = open_store()
    before = {a.id for a in store.accounts()}
    try:
        with progress("Importing") as step:
            report = fn(store, *args, **kwargs)
            step()
    except BaseException as exc:
        for account in store.accounts():
            if account.id is not None and account.id not in before:
                store.remove_account_if_empty(account.id)
        if isinstance(exc, InvalidRows):
            _show(exc.report)
        raise
    _show(report)


@app.command("linkedin")
def linkedin(
    export: Path = typer.Argument(..., help="The LinkedIn archive (Basic_LinkedInDataExport_*.zip) or its unpacked folder."),
    leader: str = typer.Option(..., "--leader", help="The leader (as in `lasna leaders list`) the archive belongs to."),
    skip_invalid: bool = typer.Option(False, "--skip-invalid", help="Import the valid rows even if some are invalid."),
) -> None:
    """Import Shares.csv (own posts) and Comments.csv (own comments) from a LinkedIn data export."""
    from collectors.imports.linkedin import import_linkedin

    _run(import_linkedin, export, leader, skip_invalid=skip_invalid)


@app.command("jsonl")
def jsonl(
    file: Path = typer.Argument(..., help="A JSON Lines file; schema in docs/SOURCES.md."),
    leader: str = typer.Option(..., "--leader", help="The leader (as in `lasna leaders list`) the posts belong to."),
    account: str = typer.Option("import", "--account", help="Name of the source within the leader (keeps ids apart)."),
    skip_invalid: bool = typer.Option(False, "--skip-invalid", help="Import the valid lines even if some are invalid."),
) -> None:
    """Import posts and interactions from JSONL; invalid lines are listed with their line numbers."""
    from collectors.imports.jsonl import import_jsonl

    _run(import_jsonl, file, leader, account_handle=account, skip_invalid=skip_invalid)
