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
