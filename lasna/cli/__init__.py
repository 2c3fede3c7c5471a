"""The ``lasna`` command line: a thin layer over the library.

Library errors (:class:`lasna.errors.LasnaError`) become one line on stderr and
an exit code (:mod:`lasna.errors`: 0 ok; 1 a failure of the outside world, e.g. some
accounts could not be collected; 2 usage/config/input, nothing written; 3 could not run at
all — the database is down, read-only, full or unknown). Secrets are masked in every line.
Each command group lives in its own module and is registered here.
"""

from __future__ import annotations

import sys

import typer

from lasna import __version__
from lasna.cli import audit, coach, collect, db, demo, enrich, erase, imports, leaders, score, users
from lasna.cli import notify as notify_cli
from lasna.cli.common import err_console, state
from lasna.errors import EXIT_COULD_NOT_RUN, LasnaError, store_failure

app = typer.Typer(
    name="lasna",
    help="Läsnä: measure how openly and responsively leaders communicate in public, and coach them.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    # plain help and usage errors (Click's layout: the same text without Rich's boxes): Typer's Rich help
    # imports Rich's Markdown, traceback and layout modules and doubles the cost of `--help` (0.25 -> 0.11 s CPU)
    rich_markup_mode=None,
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
    for row in rows:  # secrets are masked by describe()
        typer.echo(f"{row['name']:<22} {str(row['value']):<45} {row['env']}\n{'':<22} {row['help']}")


app.add_typer(leaders.app, name="leaders")
app.add_typer(db.app, name="db")
app.add_typer(imports.app, name="import")
app.add_typer(users.app, name="users")
demo.register(app)
collect.register(app)
score.register(app)
coach.register(app)
enrich.register(app)
audit.register(app)
erase.register(app)
notify_cli.register(app)


def _error(message: str) -> None:
    from rich.markup import escape

    from lasna.settings import mask_text

    line = " ".join(mask_text(message).split())  # one line, no secrets
    err_console().print(f"[bold red]error:[/] {escape(line)}", highlight=False, soft_wrap=True)


def _is_database_error(exc: BaseException) -> bool:
    """A SQLAlchemy error, recognised without importing SQLAlchemy (commands that never touch the store
    must start fast): if one was raised, the module is loaded already."""
    exc_module = sys.modules.get("sqlalchemy.exc")
    return exc_module is not None and isinstance(exc, exc_module.SQLAlchemyError)



def main(argv: list[str] | None = None) -> int:
    from lasna.settings import install_secret_masking

    install_secret_masking()
    try:
        app(args=argv, prog_name="lasna", standalone_mode=True)
    except LasnaError as exc:
        _error(str(exc))
        return exc.exit_code
    except OSError as exc:  # e.g. the disk filled up while writing a file
        _error(f"could not run: {exc.strerror or exc}" + (f": {exc.filename}" if exc.filename else ""))
        return EXIT_COULD_NOT_RUN
    except Exception as exc:
        if not _is_database_error(exc):
            raise
        failure = store_failure(exc)  # the database went away / read-only / full mid-command
        _error(str(failure))
        return failure.exit_code
    except SystemExit as exc:  # click's normal exit path
        return int(exc.code or 0) if not isinstance(exc.code, str) else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
