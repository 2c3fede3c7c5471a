"""`lasna enrich`: compute the stored enrichment that is missing or stale (catch-up after a version change,
an interrupted run, or rows stored without the ingest hook). Resumable and safe while collecting."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import typer

from lasna.cli.common import err_console, open_store

if TYPE_CHECKING:
    from lasna.enrich import EnrichResult
    from lasna.store import Store


def register(app: typer.Typer) -> None:
    app.command("enrich")(enrich_cmd)


def catch_up(store: Store, leader_ids: list[int] | None = None) -> EnrichResult:
    """Enrich what is missing or stale (with a progress bar on a terminal), then refresh the weeks' facts."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from lasna import enrich, pipeline

    bar = Progress(TextColumn("enriching"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   console=err_console(), transient=True, disable=not err_console().is_terminal)
    task = bar.add_task("enrich", total=None)

    def progress(done: int, total: int) -> None:
        bar.update(task, completed=done, total=total)

    with bar:
        result = enrich.enrich_pending(store, leader_ids, progress=progress)
    pipeline.refresh_facts(store, result.touched, result.links)
    return result


def enrich_cmd(
    leader: list[str] = typer.Option(None, "--leader", help="Only this leader (repeatable); default all."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object with what was enriched."),
) -> None:
    """Enrich posts and incoming messages whose derived fields are missing or of an older version
    (language, features, post type, reply stance, answer links), then refresh the weeks' facts
    (exit 0: done, 2: usage error)."""
    store = open_store()
    ids = [i for name in dict.fromkeys(leader) if (i := store.leader(name).id) is not None] if leader else None  # unknown name: exit 2
    result = catch_up(store, ids)
    if as_json:
        typer.echo(json.dumps(result.as_json(), ensure_ascii=False))
        return
    typer.echo(f"enriched {result.posts} post(s) and {result.interactions} incoming message(s) in "
               f"{result.seconds:.1f} s; {len(result.touched)} leader-week(s) touched")
    if result.relabelled:
        typer.echo(f"{result.relabelled} short post(s) followed their account's majority language")
    if result.skipped_leaders:
        typer.echo(f"{len(result.skipped_leaders)} leader(s) were being enriched by another process")
