"""Every command pays the CLI's start-up: help, version and argument errors must not import the heavy
libraries (pandas, scikit-learn, SQLAlchemy, Streamlit, ...) that only some commands need."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("pandas", "numpy", "sklearn", "scipy", "streamlit", "atproto", "plotly", "sqlalchemy", "alembic",
         "feedparser", "fpdf", "networkx", "pyarrow", "pydantic")

PROBE = """
import atexit, json, sys
def report():
    sys.__stderr__.write("MODULES=" + json.dumps(sorted(m for m in {heavy!r} if m in sys.modules)) + "\\n")
atexit.register(report)
sys.argv = ["lasna", *{args!r}]
from lasna.cli import main
sys.exit(main())
"""


def _modules_after(args: list[str], watched: tuple[str, ...], url: str) -> tuple[int, list[str], str]:
    """Run `lasna ARGS` in a fresh interpreter (stdout and stderr are pipes, as for a script) and return its
    exit code, which of ``watched`` it had imported when it exited, and its stderr."""
    code = PROBE.format(heavy=watched, args=args)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=180,
                          env={"LASNA_DATABASE_URL": url, "PATH": "/usr/bin:/bin"})
    line = next(l for l in done.stderr.splitlines() if l.startswith("MODULES="))
    return done.returncode, json.loads(line.removeprefix("MODULES=")), done.stderr


def _heavy_modules_after(args: list[str]) -> tuple[int, list[str]]:
    code, modules, _ = _modules_after(args, HEAVY, "sqlite:////nonexistent/never-opened.db")
    return code, modules


@pytest.mark.parametrize("args", [["version"], ["--help"], ["leaders", "--help"], ["score", "--help"],
                                  ["score", "--by", "year"], ["users", "add", "x", "--role", "nobody"]])
def test_light_commands_import_no_heavy_library(args):
    code, heavy = _heavy_modules_after(args)
    assert heavy == [], f"`lasna {' '.join(args)}` imported {heavy}"
    assert code in (0, 2)


def test_version_does_not_even_import_rich():
    """`lasna version` prints one line with typer.echo: Rich (consoles, tables, progress bars) is imported by
    the commands that draw with it, on first use (lasna.cli.common.console())."""
    code, modules, _ = _modules_after(["version"], ("rich", "typer.rich_utils"), "sqlite://")
    assert (code, modules) == (0, [])


@pytest.mark.parametrize("args", [["--help"], ["goals", "add", "--help"], ["score", "--no-such-option"]])
def test_help_and_usage_errors_are_plain_text_without_rich(args):
    code, modules, _ = _modules_after(args, ("rich", "typer.rich_utils"), "sqlite://")
    assert modules == []
    assert code == (2 if "--no-such-option" in args else 0)


def test_the_probe_sees_rich_when_a_command_prints_an_error():
    """The probe above can fail: an argument error is printed through Rich's stderr console."""
    code, modules, _ = _modules_after(["score", "--by", "year"], ("rich",), "sqlite://")
    assert (code, modules) == (2, ["rich"])


#: What reading commands on a SQLite store must not pay for: the PostgreSQL dialect and driver, migrations,
#: the validation library of Typer 0.29, Rich's progress bars (stderr is no terminal here), the trained models,
#: the dashboard, the collectors' clients and the PDF writer.
NOT_FOR_A_SQLITE_READ = ("sqlalchemy.dialects.postgresql", "psycopg", "alembic", "pydantic", "rich.progress",
                         "sklearn", "scipy", "streamlit", "plotly", "networkx", "atproto", "feedparser", "httpx",
                         "fpdf")


@pytest.mark.parametrize("args", [["tips"], ["score"], ["report", "--format", "html"], ["report", "--format", "csv"],
                                  ["waiting"], ["goals", "list"]])
def test_coaching_commands_import_only_what_they_use(args, tmp_path):
    from tests.coach_fixtures import TODAY, demo_url, read_demo

    leader = read_demo()["leaders"][0]["name"]
    extra = ["--out", str(tmp_path / "report")] if args[0] == "report" else []
    extra += ["--today", TODAY.date().isoformat()] if args[0] != "score" else ["--until", TODAY.date().isoformat()]
    code, modules, err = _modules_after([*args, "--leader", leader, *extra], NOT_FOR_A_SQLITE_READ, demo_url())
    assert code == 0, err
    assert modules == [], f"`lasna {' '.join(args)}` imported {modules}"


def test_the_postgresql_dialect_is_still_there_for_postgresql():
    """The dialect module is imported on demand (lasna/store/dialect.py) and gives PostgreSQL's upsert."""
    from sqlalchemy import create_engine
    from sqlalchemy.dialects import postgresql, sqlite

    from lasna.store import dialect
    from lasna.store import schema as t

    for url, kind in (("postgresql+psycopg://nobody@localhost/never-connected", postgresql.Insert),
                      ("sqlite://", sqlite.Insert)):
        engine = create_engine(url)  # no connection is made: only the dialect is asked
        statement = dialect.insert(engine, t.leaders).on_conflict_do_nothing()  # type: ignore[arg-type]
        assert isinstance(statement, kind)


def test_a_store_command_does_import_the_store():
    """The probe itself can fail: a command that opens the store shows SQLAlchemy."""
    _, heavy = _heavy_modules_after(["db", "status"])
    assert "sqlalchemy" in heavy


def test_script_head_read_from_the_files_is_alembics_head():
    from lasna.store import migrate

    assert migrate.script_head() == migrate.head_revision()


def test_a_read_command_on_a_store_at_head_does_not_import_alembic(tmp_path):
    """Opening a store whose schema is current checks the stamp with one query; Alembic (and Mako,
    Pygments with it) is imported only when the schema has to change."""
    from lasna.store import Store

    db = tmp_path / "l.db"
    Store.open(f"sqlite:///{db}").close()  # created and migrated here
    code, modules, err = _modules_after(["leaders", "list"], ("alembic", "sqlalchemy",
                                                              "sqlalchemy.dialects.postgresql"), f"sqlite:///{db}")
    assert code == 0, err
    assert modules == ["sqlalchemy"]


def test_a_store_behind_head_is_still_migrated(tmp_path):
    from lasna.store import Store, migrate

    db = tmp_path / "old.db"
    store = Store.open(f"sqlite:///{db}")
    migrate.downgrade(store.engine, "0010_auth")
    store.close()
    assert not migrate.at_head(Store.open(f"sqlite:///{db}", upgrade=False).engine)
    assert Store.open(f"sqlite:///{db}").revision() == migrate.head_revision()
