"""`lasna erase --author ID_OR_HANDLE`: erase one third party (GDPR art. 17) from every table."""

from __future__ import annotations

import typer

from lasna.cli.common import console, open_store


def register(app: typer.Typer) -> None:
    app.command("erase")(erase)


def erase(
    author: str = typer.Option(
        ..., "--author", help="The person's stable id (DID, account URI) or handle (@name.bsky.social, @u@host)."
    ),
    yes: bool = typer.Option(False, "--yes", help="Do not ask for confirmation."),
) -> None:
    """Erase a person who replied to or mentioned leaders: their rows go, mentions of them are
    pseudonymised, and collectors never store them again. A leader: `leaders remove --forget`."""
    store = open_store()
    if not yes and not typer.confirm(f"Erase everything stored by or about {author}? This cannot be undone"):
        raise typer.Exit(2)
    from lasna.pipeline import after_removal
    from lasna.store.removal import Removal

    removal = Removal()
    counts = store.erase_author(author, removal=removal)
    after_removal(store, removal)
    removed = counts.get("interactions", 0) + counts.get("posts", 0)
    console().print(
        f"Erased: {removed} item(s) they wrote deleted, {counts.get('pseudonymised', 0)} other row(s) "
        "pseudonymised; future collections skip them. The audit log records that an erasure happened.",
        highlight=False, soft_wrap=True,
    )
