"""`lasna enrich`: compute the stored enrichment that is missing or stale (catch-up after a version change,
an interrupted run, or rows stored without the ingest hook). Resumable and safe while collecting."""

from __future__ import annotations

import json

import typer

from lasna.cli.common import err_console, open_store


def register(app: typer.Typer) -> None:
    app.command("enrich")(enrich_cmd)


def enrich_cmd(
    leader: list[str] = typer.Option(None, "--leader", help="Only this leader (repeatable); default all."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object with what was enriched."),
) -> None:
    """Enrich posts and incoming messages whose derived fields are missing or of an older version
    (language, features, post type, reply stance, answer links), then refresh the weeks' facts
    (exit 0: done, 2: usage error)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from lasna import enrich, pipeline

    store = open_store()
    ids = [i for name in dict.fromkeys(leader) if (i := store.leader(name).id) is not None] if leader else None  # unknown name: exit 2
    bar = Progress(TextColumn("enriching"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   console=err_console, transient=True, disable=not err_console.is_terminal)
    task = bar.add_task("enrich", total=None)

    def progress(done: int, total: int) -> None:
        bar.update(task, completed=done, total=total)

    with bar:
        result = enrich.enrich_pending(store, ids, progress=progress)
    pipeline.refresh_facts(store, result.touched)
    if as_json:
        typer.echo(json.dumps(result.as_json(), ensure_ascii=False))
        return
    typer.echo(f"enriched {result.posts} post(s) and {result.interactions} incoming message(s) in "
               f"{result.seconds:.1f} s; {len(result.touched)} leader-week(s) touched")
    if result.relabelled:
        typer.echo(f"{result.relabelled} short post(s) followed their account's majority language")
    if result.skipped_leaders:
        typer.echo(f"{len(result.skipped_leaders)} leader(s) were being enriched by another process")
