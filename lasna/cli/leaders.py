"""`lasna leaders ...`: the leader registry."""

from __future__ import annotations

import inspect
import json
from pathlib import Path

import typer

from lasna import sources
from lasna.cli.common import console, open_store

app = typer.Typer(help="Add, list, remove and import the leaders Läsnä follows.", no_args_is_help=True)


def add(name: str, *, cohort: list[str] | None = None, language: str = "fi", **accounts) -> None:
    """Add a leader and their public accounts."""
    from lasna import registry

    spec = registry.LeaderSpec.parse(name, language=language, cohorts=cohort or [], **accounts)
    store = open_store()
    leader = registry.add_leader(store, spec)
    accounts_added = store.accounts(leader_id=leader.id)
    console().print(f"Added {leader.name} with {len(accounts_added)} account(s).")
    if not accounts_added:
        from lasna.cli.common import err_console

        options = " / ".join(spec.option for spec in sources.ADDABLE if spec.option)
        err_console().print(f"[yellow]warning:[/] {leader.name} has no accounts, so nothing will be collected; add one "
                          f"with: lasna leaders add {json.dumps(leader.name, ensure_ascii=False)} {options}",
                          highlight=False, soft_wrap=True)


def _add_signature() -> inspect.Signature:
    """One option per addable source, from the source specifications (lasna/sources.py)."""
    keyword = inspect.Parameter.KEYWORD_ONLY
    params = [
        inspect.Parameter("name", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=str,
                          default=typer.Argument(..., help="The leader's name as it should appear in reports.")),
    ]
    for spec in sources.ADDABLE:
        assert spec.key and spec.option  # addable() keeps only sources with both
        params.append(inspect.Parameter(
            spec.key, keyword, annotation=list[str] | None if spec.many else str | None,
            default=typer.Option(None, spec.option, help=spec.help),
        ))
    params += [
        inspect.Parameter("cohort", keyword, annotation=list[str] | None,
                          default=typer.Option(None, "--cohort", help="Cohort/programme to join (repeatable).")),
        inspect.Parameter("language", keyword, annotation=str,
                          default=typer.Option("fi", "--language", help="The leader's main language: fi or en.")),
    ]
    return inspect.Signature(params)


add.__signature__ = _add_signature()  # type: ignore[attr-defined]
app.command("add")(add)


@app.command("list")
def list_(
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
    include_inactive: bool = typer.Option(False, "--all", help="Include removed (inactive) leaders."),
) -> None:
    """List leaders, their cohorts and accounts."""
    store = open_store()
    leaders = store.leaders(include_inactive=include_inactive)
    accounts = store.accounts()
    rows = []
    for leader in leaders:
        rows.append(
            {
                "name": leader.name,
                "language": leader.language,
                "cohorts": list(leader.cohorts),
                "demo": leader.demo,
                "accounts": [
                    {"platform": str(a.platform), "handle": a.handle, "stable_id": a.stable_id}
                    for a in accounts
                    if a.leader_id == leader.id
                ],
            }
        )
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    from rich.table import Table

    table = Table("Leader", "Lang", "Cohorts", "Accounts")
    for leader in leaders:
        table.add_row(
            leader.name + (" (demo)" if leader.demo else ""),
            leader.language,
            ", ".join(leader.cohorts),
            "\n".join(f"{a.platform}: {a.handle}" for a in accounts if a.leader_id == leader.id),
        )
    console().print(table)


@app.command("remove")
def remove(
    name: str = typer.Argument(..., help="The leader's name."),
    forget: bool = typer.Option(
        False, "--forget", help="Delete ALL of the leader's data from every table (cannot be undone)."
    ),
) -> None:
    """Stop following a leader; with --forget, delete everything stored about them."""
    store = open_store()
    leader_id = store.leader(name).id
    assert leader_id is not None  # read from the store
    if forget:
        from lasna.pipeline import after_removal
        from lasna.store.removal import Removal

        removal = Removal()
        deleted = store.forget_leader(leader_id, removal=removal)
        after_removal(store, removal)
        total = sum(deleted.values())
        console().print(f"Forgot {name}: deleted {total} row(s) ({', '.join(f'{k} {v}' for k, v in deleted.items() if v)}).")
    else:
        store.deactivate_leader(leader_id)
        console().print(f"Removed {name} from collection; history kept (use --forget to delete it).")


@app.command("import")
def import_(file: Path = typer.Argument(..., help="Roster file (TOML), see docs/ROSTER.md.")) -> None:
    """Create or extend leaders and cohorts from a roster file (all validated before anything is written)."""
    from lasna import registry

    roster = registry.read_roster(file)
    store = open_store()
    leaders = registry.import_roster(store, roster)
    console().print(f"Imported {len(leaders)} leader(s) and {len(roster.cohorts)} cohort setting(s) from {file}.")
