"""The ``lasna`` command line: a thin layer over the library.

Library errors (:class:`lasna.errors.LasnaError`) become one line on stderr and
an exit code (2: usage/config, nothing written; 1: failure of the outside world).
Each command group lives in its own module and is registered here.
"""

from __future__ import annotations

import sys

import typer

from lasna import __version__
from lasna.cli import coach, collect, db, demo, imports, leaders, score, users
from lasna.cli import notify as notify_cli
from lasna.cli.common import err_console, state
from lasna.errors import LasnaError

app = typer.Typer(
    name="lasna",
    help="Läsnä: measure how openly and responsively leaders communicate in public, and coach them.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def _root(
    database: str = typer.Option(
        None, "--database", help="Database URL (overrides LASNA_DATABASE_URL and the config file).", metavar="URL"
    ),
) -> None:
    state.database_url = database


@app.command()
def version() -> None:
    """Print the Läsnä version."""
    typer.echo(__version__)


@app.command("settings")
def show_settings(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Show every setting, its current value and the environment variable that sets it."""
    import json

    from lasna import settings as lasna_settings

    rows = lasna_settings.describe()
    if as_json:
        typer.echo(json.dumps(rows, indent=2, default=str))
        return
    typer.echo(f"config file: {lasna_settings.config_path()}")
    for row in rows:
        typer.echo(f"{row['name']:<22} {str(row['value']):<45} {row['env']}\n{'':<22} {row['help']}")


app.add_typer(leaders.app, name="leaders")
app.add_typer(db.app, name="db")
app.add_typer(imports.app, name="import")
app.add_typer(users.app, name="users")
demo.register(app)
collect.register(app)
score.register(app)
coach.register(app)
notify_cli.register(app)


def main(argv: list[str] | None = None) -> int:
    try:
        app(args=argv, prog_name="lasna", standalone_mode=True)
    except LasnaError as exc:
        err_console.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        return exc.exit_code
    except SystemExit as exc:  # click's normal exit path
        return int(exc.code or 0) if not isinstance(exc.code, str) else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
