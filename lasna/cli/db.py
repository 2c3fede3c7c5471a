"""`lasna db ...`: schema migrations, status and retention."""

from __future__ import annotations

import json

import typer

from lasna.cli.common import console, open_store, state

app = typer.Typer(help="Database: migrate, inspect, apply retention.", no_args_is_help=True)


@app.command("upgrade")
def upgrade() -> None:
    """Migrate the database schema to the newest version (also done automatically on first use), then
    recompute the derived fields a new Läsnä version changed (``lasna enrich``) and the weekly facts and
    coverage ledger it added or changed, so that no page view or command after an upgrade pays for them."""
    from lasna.cli.enrich import catch_up
    from lasna.pipeline import ensure_current
    from lasna.store import Store

    store = Store.open(state.database_url, upgrade=False)
    before = store.revision()
    store.upgrade()
    console().print(f"Database {store.url}: {before or 'empty'} → {store.revision()}")
    result = catch_up(store)
    if result.posts or result.interactions:
        console().print(f"Derived fields brought up to date: {result.posts} post(s), {result.interactions} incoming "
                      f"message(s) in {result.seconds:.1f} s.")
    if ensure_current(store):
        console().print("Weekly facts rebuilt for the new version.")


@app.command("status")
def status(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Show where the database is, its schema revision and row counts."""
    from lasna.store import Store, migrate

    store = Store.open(state.database_url, upgrade=False)
    revision = store.revision()
    info: dict[str, object] = {"url": store.url, "revision": revision, "head": migrate.head_revision()}
    rows = store.counts() if revision else {}
    if revision:
        info["rows"] = rows
    if as_json:
        typer.echo(json.dumps(info, indent=2))
        return
    console().print(f"database: {info['url']}\nrevision: {info['revision'] or 'none'} (newest {info['head']})")
    for table, count in rows.items():
        console().print(f"  {table:<25} {count:>9}")


@app.command("retention")
def retention(
    days: int = typer.Option(
        None, "--days", min=1, help="Keep this many days, at least 1 (default: LASNA_RETENTION_DAYS, 730)."
    ),
) -> None:
    """Delete collected posts, interactions and run records older than the retention period
    (and audit records older than LASNA_AUDIT_RETENTION_DAYS)."""
    store = open_store()
    from lasna.store.removal import Removal

    removal = Removal()
    deleted = store.apply_retention(days, removal=removal)
    console().print("Deleted " + ", ".join(f"{v} {k}" for k, v in deleted.items()) + ".")
    from lasna.pipeline import after_removal

    if after_removal(store, removal):
        console().print("Weekly facts rebuilt without the deleted rows.")
