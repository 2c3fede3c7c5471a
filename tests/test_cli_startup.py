"""Every command pays the CLI's start-up: help, version and argument errors must not import the heavy
libraries (pandas, scikit-learn, SQLAlchemy, Streamlit, ...) that only some commands need."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("pandas", "numpy", "sklearn", "scipy", "streamlit", "atproto", "plotly", "sqlalchemy", "alembic",
         "feedparser", "fpdf", "networkx", "pyarrow")

PROBE = """
import atexit, json, sys
def report():
    sys.__stderr__.write("MODULES=" + json.dumps(sorted(m for m in {heavy!r} if m in sys.modules)) + "\\n")
atexit.register(report)
sys.argv = ["lasna", *{args!r}]
from lasna.cli import main
main()
"""


def _heavy_modules_after(args: list[str]) -> tuple[int, list[str]]:
    code = PROBE.format(heavy=HEAVY, args=args)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env={"LASNA_DATABASE_URL": "sqlite:////nonexistent/never-opened.db", "PATH": "/usr/bin:/bin"})
    line = next(l for l in done.stderr.splitlines() if l.startswith("MODULES="))
    return done.returncode, json.loads(line.removeprefix("MODULES="))


@pytest.mark.parametrize("args", [["version"], ["--help"], ["leaders", "--help"], ["score", "--help"],
                                  ["score", "--by", "year"], ["users", "add", "x", "--role", "nobody"]])
def test_light_commands_import_no_heavy_library(args):
    code, heavy = _heavy_modules_after(args)
    assert heavy == [], f"`lasna {' '.join(args)}` imported {heavy}"
    assert code in (0, 2)


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
    code = PROBE.format(heavy=("alembic", "sqlalchemy"), args=["leaders", "list"])
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env={"LASNA_DATABASE_URL": f"sqlite:///{db}", "PATH": "/usr/bin:/bin"})
    line = next(l for l in done.stderr.splitlines() if l.startswith("MODULES="))
    assert done.returncode == 0, done.stderr
    assert json.loads(line.removeprefix("MODULES=")) == ["sqlalchemy"]


def test_a_store_behind_head_is_still_migrated(tmp_path):
    from lasna.store import Store, migrate

    db = tmp_path / "old.db"
    store = Store.open(f"sqlite:///{db}")
    migrate.downgrade(store.engine, "0010_auth")
    store.close()
    assert not migrate.at_head(Store.open(f"sqlite:///{db}", upgrade=False).engine)
    assert Store.open(f"sqlite:///{db}").revision() == migrate.head_revision()
