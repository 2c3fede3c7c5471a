"""Item 13: an outage is not a partial failure. With the database down, read-only or full every
command prints one line (no traceback) and exits 3 ("could not run"); `collect --json` always
prints one JSON object; 1 stays "some accounts failed"."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from lasna.errors import EXIT_COULD_NOT_RUN
from lasna.store import Store

from .cli import lasna, one_line_error

COMMANDS = [
    ("db", "status"),
    ("leaders", "add", "Liisa Virtanen"),
    ("leaders", "list"),
    ("db", "retention", "--days", "30"),
    ("audit",),
]


def _inproc(capsys, db: str, *args: str) -> tuple[int, str, str]:
    """Run the CLI in this process (cheaper than a subprocess; the exit code is main()'s)."""
    from lasna.cli import main

    capsys.readouterr()
    code = main(["--database", db, *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def _one_line(err: str) -> str:
    lines = [x for x in err.splitlines() if x.strip()]
    assert "Traceback" not in err and len(lines) == 1, err
    return lines[0]


def _collect_json(db: str, cwd: Path | None = None) -> tuple[int, dict, str]:
    proc = lasna("collect", "--json", db=db, cwd=cwd)
    lines = [x for x in proc.stdout.splitlines() if x.strip()]
    assert len(lines) == 1, f"collect --json printed {proc.stdout!r} (stderr {proc.stderr[-1500:]!r})"
    assert "Traceback" not in proc.stderr
    return proc.returncode, json.loads(lines[0]), proc.stderr


def _migrated_sqlite(path: Path) -> str:
    url = f"sqlite:///{path}"
    Store.open(url).close()
    return url


def test_read_only_sqlite_file(tmp_path, capsys):
    path = tmp_path / "ro.db"
    _migrated_sqlite(path)
    Store.open(f"sqlite:///{path}").add_leader("Olemassa")
    ro = f"sqlite:///file:{path}?mode=ro&uri=true"
    proc = lasna("leaders", "add", "Liisa Virtanen", db=ro)  # the real program, its real exit code
    assert proc.returncode == EXIT_COULD_NOT_RUN, proc.stderr
    assert "read-only" in one_line_error(proc)
    for args in (("users", "add", "u", "--role", "admin", "--email", "u@example.fi", "--no-password"),
                 ("db", "retention")):
        code, _, err = _inproc(capsys, ro, *args)
        assert code == EXIT_COULD_NOT_RUN and "read-only" in _one_line(err)
    code, report, _ = _collect_json(ro, cwd=tmp_path)  # a file: URL puts the run lock under the cwd
    assert code == EXIT_COULD_NOT_RUN and report["could_not_run"] is True and report["ok"] is False
    code, _, err = _inproc(capsys, ro, "db", "status")  # reading still works, or fails in one line
    assert code in (0, EXIT_COULD_NOT_RUN)
    if code:
        _one_line(err)


def test_garbage_database_file_is_one_line(tmp_path, capsys):
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"this is not a database" * 100)
    for args in (("db", "status"), ("leaders", "list")):
        code, _, err = _inproc(capsys, f"sqlite:///{garbage}", *args)
        assert code == EXIT_COULD_NOT_RUN
        _one_line(err)


@pytest.fixture
def small_disk(tmp_path):
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode:
        pytest.skip(f"cannot mount a small tmpfs here (needs root): {done.stderr.decode()[:200]}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def test_full_disk_sqlite(small_disk, capsys):
    url = _migrated_sqlite(small_disk / "full.db")
    with open(small_disk / "filler", "wb") as fh:  # take every byte left
        try:
            while True:
                fh.write(b"\0" * 65536)
                fh.flush()
        except OSError:
            pass
    for args in (("leaders", "add", "Liisa Virtanen " + "x" * 50), ("users", "add", "u", "--role", "admin",
                                                                      "--email", "u@example.fi", "--no-password")):
        code, _, err = _inproc(capsys, url, *args)
        assert code == EXIT_COULD_NOT_RUN, (args, err)
        _one_line(err)
    code, report, _ = _collect_json(url)
    # the run record cannot be written: could not run (never "ok", never exit 1)
    assert code == EXIT_COULD_NOT_RUN and report["could_not_run"] is True


@pytest.mark.postgres
def test_postgres_server_stopped(postgres_url, tmp_path, capsys):
    from pg_server import PostgresServer

    server = PostgresServer()
    url = server.start()
    try:
        Store.open(url).close()
    finally:
        server._run(str(server.bin / "pg_ctl"), "-D", str(server.root / "data"), "-m", "immediate", "-w", "stop")
    try:
        secret_url = url.replace("lasna@", "lasna:Salainen-Sana-42@")
        for args in COMMANDS:
            code, out, err = _inproc(capsys, secret_url, *args)
            assert code == EXIT_COULD_NOT_RUN, (args, err)
            line = _one_line(err)
            assert "Salainen-Sana-42" not in err + out
            assert "cannot be reached" in line or "cannot open" in line
        code, report, stderr = _collect_json(secret_url)
        assert code == EXIT_COULD_NOT_RUN and report["could_not_run"] is True
        assert "Salainen-Sana-42" not in json.dumps(report) + stderr
    finally:
        shutil.rmtree(server.root, ignore_errors=True)


@pytest.mark.postgres
def test_postgres_read_only_database(postgres_url, capsys):
    name = f"ro_{uuid.uuid4().hex[:10]}"
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = postgres_url.rsplit("/", 1)[0] + f"/{name}"
    Store.open(url).close()
    with admin.connect() as conn:
        conn.execute(text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on'))
    admin.dispose()
    code, _, err = _inproc(capsys, url, "leaders", "add", "Liisa Virtanen")
    assert code == EXIT_COULD_NOT_RUN, err
    assert "read-only" in _one_line(err)
    assert _inproc(capsys, url, "db", "status")[0] == 0  # reading is fine
    code, report, _ = _collect_json(url)
    assert code == EXIT_COULD_NOT_RUN and report["could_not_run"] is True


def test_documented_units_alert_on_could_not_run():
    doc = (Path(__file__).resolve().parents[2] / "docs" / "COLLECTING.md").read_text(encoding="utf-8")
    assert "exit 3" in doc.lower() or "**3**" in doc
    assert "OnFailure=" in doc
    service = doc[doc.index("[Service]"):]
    success = [x for x in service.splitlines() if x.startswith("SuccessExitStatus=")]
    assert success and "3" not in success[0].split("=", 1)[1].split()


def test_exit_codes_are_distinct():
    from lasna import errors

    assert len({errors.EXIT_OK, errors.EXIT_PARTIAL, errors.EXIT_USAGE, errors.EXIT_COULD_NOT_RUN}) == 4
    assert errors.StoreError("x").exit_code == errors.EXIT_COULD_NOT_RUN
    assert os.environ.get("LASNA_DATABASE_URL")  # the autouse fixture isolates every test
