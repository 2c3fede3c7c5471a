"""Dialect-specific SQL, imported for the database in use only.

``INSERT ... ON CONFLICT`` is spelt by each dialect's own ``insert()``. Importing SQLAlchemy's PostgreSQL
dialect costs a command on a SQLite store about 0.1 s CPU, so the module is imported when a PostgreSQL
connection asks for it (and the SQLite one, already loaded by its engine, for SQLite).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Connection


def insert(conn: Connection, table: Any) -> Any:
    """The dialect's ``insert(table)``: it has ``on_conflict_do_nothing`` / ``on_conflict_do_update``."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert(table)
    from sqlalchemy.dialects import sqlite

    return sqlite.insert(table)
