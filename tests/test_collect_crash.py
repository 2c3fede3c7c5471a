"""Kill `lasna collect` with SIGKILL at random points, rerun: the store equals a clean run's."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time

import pytest
from clihelp import cli_env, run_cli
from sqlalchemy import func, select

from benchmarks.fake_appview import World, serve
from lasna import registry
from lasna.store import Store
from lasna.store import schema as t

pytestmark = pytest.mark.slow


def make_db(path, world):
    url = f"sqlite:///{path}"
    store = Store.open(url)
    for i, acct in enumerate(world.accounts):
        registry.add_leader(store, registry.LeaderSpec.parse(f"Leader {i}", bluesky=acct.handle))
    store.close()
    return url


def snapshot(url):
    store = Store.open(url)
    posts = store.posts_frame(include_deleted=True).sort_values("post_id").reset_index(drop=True)
    interactions = store.interactions_frame(include_deleted=True).sort_values("interaction_id").reset_index(drop=True)
    accounts = [(a.handle, a.stable_id) for a in store.accounts()]
    store.close()
    return posts, interactions, accounts


def post_count(url):
    store = Store.open(url, upgrade=False)
    with store.engine.connect() as conn:
        n = conn.execute(select(func.count()).select_from(t.posts)).scalar_one()
    store.close()
    return n


def test_sigkill_at_random_points_then_rerun_equals_clean_run(tmp_path):
    world = World(accounts=6, posts=250, reply_every=10)
    server, url = serve(world, latency=0.06)
    try:
        clean = make_db(tmp_path / "clean.db", world)
        env = cli_env(clean, LASNA_BSKY_APPVIEW=url, LASNA_CONCURRENCY="2")
        proc = run_cli(["collect", "--json"], env)
        assert proc.returncode == 0, proc.stderr
        expected = snapshot(clean)
        assert len(expected[0]) == 6 * 250 and len(expected[1]) > 0

        crashy = make_db(tmp_path / "crashy.db", world)
        env = cli_env(crashy, LASNA_BSKY_APPVIEW=url, LASNA_CONCURRENCY="2")
        rng = random.Random(20261122)
        killed_mid_run = 0
        for _ in range(3):
            before = post_count(crashy)
            child = subprocess.Popen([sys.executable, "-m", "lasna.cli", "collect", "--json"], env=env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            deadline = time.monotonic() + 60
            # wait until this run has written something, then kill it after a random extra delay
            while child.poll() is None and post_count(crashy) == before and time.monotonic() < deadline:
                time.sleep(0.05)
            time.sleep(rng.uniform(0.0, 0.8))
            if child.poll() is None:
                child.send_signal(signal.SIGKILL)
                killed_mid_run += 1
            child.wait(timeout=30)
            if post_count(crashy) == 6 * 250 and child.returncode == 0:
                break
        assert killed_mid_run >= 1, "no run was killed mid-way; slow the fake AppView down"
        proc = run_cli(["collect", "--json"], env)
        assert proc.returncode == 0, proc.stderr
        got = snapshot(crashy)
        assert got[2] == expected[2]
        assert got[0].equals(expected[0])
        assert got[1].equals(expected[1])
        assert got[0].post_id.is_unique and got[1].interaction_id.is_unique
        unfinished = Store.open(crashy).runs_frame().finished_at.isna().sum()
        assert 1 <= unfinished <= killed_mid_run  # at least one run really died mid-way
    finally:
        server.shutdown()
