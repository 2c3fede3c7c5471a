"""Boundaries: only lasna/store speaks SQL. The dashboard and the coaching core import neither
SQLAlchemy nor the store's schema (the purity test covers coaching's other I/O)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = ("sqlalchemy", "lasna.store.schema", "lasna.store.facts")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
            out |= {f"{node.module}.{a.name}" for a in node.names}
    return out


@pytest.mark.parametrize("path", sorted([*ROOT.glob("dashboard/**/*.py"), *ROOT.glob("coaching/*.py"),
                                         ROOT / "lasna" / "facts.py", ROOT / "lasna" / "coach_service.py"]),
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_no_sql_outside_the_store(path):
    bad = {m for m in _imports(path) if any(m == f or m.startswith(f + ".") for f in FORBIDDEN)}
    assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}: put the query in lasna/store"
