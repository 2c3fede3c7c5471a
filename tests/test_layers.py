"""Dependencies point inward, and only the store speaks SQL.

- ``coaching/`` imports no I/O library (tests/test_coaching_purity.py checks what it loads);
- nothing outside ``lasna/store`` imports SQLAlchemy or the table definitions, or reaches for
  ``store.engine``: a query belongs in the store, behind a method with a name.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("lasna", "collectors", "coaching", "dashboard")
#: modules that may still speak SQL directly, each with the reason; empty is the goal
ALLOWED: dict[str, str] = {}


def _sql_uses(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.split(".")[0] == "sqlalchemy" and a.name != "sqlalchemy.exc"]
        elif isinstance(node, ast.ImportFrom) and node.module:
            # catching the driver's errors (sqlalchemy.exc) is not speaking SQL
            if (node.module.split(".")[0] == "sqlalchemy" and node.module != "sqlalchemy.exc") \
                    or node.module == "lasna.store.schema":
                found.append(node.module)
            if node.module == "lasna.store" and any(a.name == "schema" for a in node.names):
                found.append("lasna.store.schema")
        elif isinstance(node, ast.Attribute) and node.attr == "engine" and not (
                isinstance(node.value, ast.Name) and node.value.id == "self"):
            found.append(f"line {node.lineno}: .engine")
    return found


def _modules():
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if not rel.startswith("lasna/store/"):
                yield rel, path


def test_only_the_store_speaks_sql():
    offenders = {rel: uses for rel, path in _modules() if rel not in ALLOWED and (uses := _sql_uses(path))}
    assert offenders == {}, "move these queries into lasna/store: " + repr(offenders)


def test_the_allow_list_only_names_modules_that_still_need_it():
    stale = [rel for rel in ALLOWED if not _sql_uses(ROOT / rel)]
    assert stale == [], f"remove from ALLOWED: {stale}"


def test_the_checker_sees_sql():
    """The check itself can fail: the store module it skips is full of SQL."""
    assert _sql_uses(ROOT / "lasna/store/__init__.py")
