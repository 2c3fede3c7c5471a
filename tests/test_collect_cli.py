"""`lasna collect` end to end as a subprocess, against a fake AppView on loopback."""

from __future__ import annotations

import fcntl
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from clihelp import cli_env, collect_json, run_cli

from benchmarks.fake_appview import World, serve
from lasna import registry
from lasna.store import Store


@pytest.fixture
def appview():
    world = World(accounts=3, posts=30, reply_every=10)
    server, url = serve(world, latency=0.0)
    yield world, url
    server.shutdown()


@pytest.fixture
def db(tmp_path):
    return tmp_path / "lasna.db", f"sqlite:///{tmp_path / 'lasna.db'}"


def add_leaders(env, world):
    store = Store.open(env["LASNA_DATABASE_URL"])
    for i, acct in enumerate(world.accounts):
        registry.add_leader(store, registry.LeaderSpec.parse(f"Leader {i}", bluesky=acct.handle))
    store.close()


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_collect_json_shape_and_exit_codes(appview, db):
    world, url = appview
    path, dburl = db
    env = cli_env(dburl, LASNA_BSKY_APPVIEW=url)
    add_leaders(env, world)
    code, out = collect_json(env)
    assert code == 0
    assert set(out) == {"run_id", "ok", "accounts"} and out["ok"] is True
    assert [a["leader"] for a in out["accounts"]] == ["Leader 0", "Leader 1", "Leader 2"]
    for a in out["accounts"]:
        assert set(a) == {"leader", "platform", "account", "new_posts", "new_interactions", "requests", "error"}
        assert a["new_posts"] == 30 and a["error"] is None and a["requests"] > 0
    code, out = collect_json(env, "--leader", "Leader 1", "--source", "bluesky")
    assert code == 0 and [a["leader"] for a in out["accounts"]] == ["Leader 1"]
    assert out["accounts"][0]["requests"] == 1
    runs = Store.open(dburl).runs_frame()
    assert len(runs) == 2 and runs.ok.all()
    # usage / configuration errors: exit 2, nothing collected
    assert run_cli(["collect", "--source", "myspace"], env).returncode == 2
    assert run_cli(["collect", "--leader", "Nobody"], env).returncode == 2
    assert run_cli(["collect"], {**env, "LASNA_CONCURRENCY": "lots"}).returncode == 2
    assert len(Store.open(dburl).runs_frame()) == 2
    # human output
    proc = run_cli(["collect"], env)
    assert proc.returncode == 0 and "Leader 2" in proc.stdout and "3 account(s), 0 failed" in proc.stdout


def test_unreachable_appview_exits_1_and_loses_nothing(appview, db):
    world, url = appview
    path, dburl = db
    env = cli_env(dburl, LASNA_BSKY_APPVIEW=url)
    add_leaders(env, world)
    assert collect_json(env)[0] == 0
    store = Store.open(dburl)
    posts_before = store.posts_frame(include_deleted=True)
    interactions_before = store.interactions_frame(include_deleted=True)
    state_before = [store.get_state(a) for a in store.accounts()]

    dead = f"http://127.0.0.1:{closed_port()}"
    started = time.monotonic()
    code, out = collect_json({**env, "LASNA_BSKY_APPVIEW": dead})
    assert code == 1 and out["ok"] is False
    assert time.monotonic() - started < 60
    assert len(out["accounts"]) == 3
    for a in out["accounts"]:
        assert "did not answer" in a["error"] and dead in a["error"] and "LASNA_BSKY_APPVIEW" in a["error"]
        assert a["new_posts"] == 0 and a["requests"] == 4  # bounded retries
    assert store.posts_frame(include_deleted=True).equals(posts_before)
    assert store.interactions_frame(include_deleted=True).equals(interactions_before)
    assert not store.posts_frame(include_deleted=True).deleted.any()
    assert [store.get_state(a) for a in store.accounts()] == state_before
    rows = store.run_accounts_frame([out["run_id"]])
    assert len(rows) == 3 and rows.error.notna().all()


def test_overlapping_runs_on_sqlite_lock(appview, db):
    world, url = appview
    path, dburl = db
    env = cli_env(dburl, LASNA_BSKY_APPVIEW=url)
    add_leaders(env, world)
    lock = os.open(str(path) + ".collect.lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(lock, fcntl.LOCK_EX)
    try:
        proc = run_cli(["collect"], env)
        assert proc.returncode == 0 and "already running" in proc.stderr
        assert len(Store.open(dburl).posts_frame()) == 0
        waiting = subprocess.Popen([sys.executable, "-m", "lasna.cli", "collect", "--json", "--wait"], env=env,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(2.0)
        assert waiting.poll() is None, "--wait must block while the lock is held"
    finally:
        os.close(lock)
    stdout, stderr = waiting.communicate(timeout=60)
    assert waiting.returncode == 0, stderr
    assert '"ok": true' in stdout and len(Store.open(dburl).posts_frame()) == 90


def test_collect_has_help_and_docs():
    env = cli_env("sqlite:////nonexistent-never-opened.db")
    proc = run_cli(["collect", "--help"], env)
    assert proc.returncode == 0 and "--wait" in proc.stdout and "--json" in proc.stdout
    assert Path(__file__).resolve().parent.parent.joinpath("docs", "COLLECTING.md").is_file()
