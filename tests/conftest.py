"""Shared fixtures: stores on real SQLite files and a real PostgreSQL server."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text

from lasna.store import Store

from pg_server import PostgresServer, PostgresUnavailable

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path, monkeypatch):
    """No test reads the developer's own config or database."""
    monkeypatch.setenv("LASNA_CONFIG", str(tmp_path / "no-config.toml"))
    monkeypatch.setenv("LASNA_DATABASE_URL", f"sqlite:///{tmp_path / 'default.db'}")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """URL of a throwaway PostgreSQL server (``LASNA_TEST_POSTGRES_URL`` reuses one you run)."""
    given = os.environ.get("LASNA_TEST_POSTGRES_URL")
    if given:
        yield given
        return
    try:
        server = PostgresServer()
        url = server.start()
    except PostgresUnavailable as exc:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL must run in CI: {exc}")
        pytest.skip(f"PostgreSQL not available here: {exc}")
    try:
        yield url
    finally:
        server.stop()


def _fresh_pg_database(server_url: str) -> str:
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return server_url.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request, tmp_path) -> str:
    """A fresh, empty database URL on each engine."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'lasna.db'}"
    return _fresh_pg_database(request.getfixturevalue("postgres_url"))


@pytest.fixture
def store(db_url) -> Iterator[Store]:
    s = Store.open(db_url)
    yield s
    s.close()


@pytest.fixture
def sqlite_store(tmp_path) -> Iterator[Store]:
    s = Store.open(f"sqlite:///{tmp_path / 'lasna.db'}")
    yield s
    s.close()
