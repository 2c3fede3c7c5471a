"""A throwaway PostgreSQL server for tests (or $LASNA_TEST_POSTGRES_URL).

Starts a private cluster with the newest /usr/lib/postgresql/*/bin on a free
loopback port (as the `postgres` user when run as root) and removes it at the end.
Skips when no PostgreSQL binaries or no psycopg are available.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time

import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def postgres_url():
    env_url = os.environ.get("LASNA_TEST_POSTGRES_URL")
    if env_url:
        yield env_url
        return
    pytest.importorskip("psycopg")
    bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if not bins:
        pytest.skip("no PostgreSQL binaries (/usr/lib/postgresql/*/bin) and no LASNA_TEST_POSTGRES_URL")
    bindir = os.path.dirname(bins[-1])
    root = tempfile.mkdtemp(prefix="lasna-pg-")
    data = os.path.join(root, "data")
    port = _free_port()
    prefix: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        os.chmod(root, 0o755)
        prefix = ["runuser", "-u", "postgres", "--"]

    def run(*cmd, check=True):
        return subprocess.run([*prefix, *cmd], capture_output=True, text=True, check=check, timeout=120)

    try:
        run(f"{bindir}/initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8")
        run(f"{bindir}/pg_ctl", "-D", data, "-l", os.path.join(root, "pg.log"), "-w", "-o",
            f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100", "start")
    except subprocess.CalledProcessError as exc:
        shutil.rmtree(root, ignore_errors=True)
        pytest.skip(f"could not start PostgreSQL: {exc.stderr[-500:]}")
    try:
        for _ in range(50):
            if run(f"{bindir}/pg_isready", "-h", "127.0.0.1", "-p", str(port), check=False).returncode == 0:
                break
            time.sleep(0.1)
        run(f"{bindir}/createdb", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "lasna")
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/lasna"
    finally:
        run(f"{bindir}/pg_ctl", "-D", data, "-m", "immediate", "stop", check=False)
        shutil.rmtree(root, ignore_errors=True)
