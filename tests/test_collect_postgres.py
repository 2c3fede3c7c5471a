"""On PostgreSQL several `lasna collect` processes share the accounts without overlap, and the weekly
facts they refresh side by side equal a full rebuild."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from clihelp import cli_env
from facts_helpers import facts_snapshot

from benchmarks.fake_appview import World, serve
from collectors.base import CollectContext  # noqa: F401
from lasna import facts, registry
from lasna.store import Store

pytestmark = pytest.mark.postgres


def test_two_processes_share_accounts_without_overlap(postgres_url):
    world = World(accounts=10, posts=120, reply_every=10)
    # each process works on one account at a time, and the first profile request of each
    # waits for the other's: both processes are collecting at once, however slowly they start
    server, url = serve(world, latency=0.05, rendezvous=2)
    try:
        store = Store.open(postgres_url)
        for i, acct in enumerate(world.accounts):
            registry.add_leader(store, registry.LeaderSpec.parse(f"PG Leader {i}", bluesky=acct.handle))
        env = cli_env(postgres_url, LASNA_BSKY_APPVIEW=url, LASNA_CONCURRENCY="1")
        procs = [
            subprocess.Popen([sys.executable, "-m", "lasna.cli", "collect", "--json"], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)
        ]
        outs = []
        for p in procs:
            stdout, stderr = p.communicate(timeout=120)
            assert p.returncode == 0, stderr
            outs.append(json.loads(stdout))
        done = [[a["account"] for a in out["accounts"]] for out in outs]
        assert all(done), f"both processes should have worked: {done}"
        assert not set(done[0]) & set(done[1]), "an account was collected twice"
        assert sorted(done[0] + done[1]) == sorted(a.handle for a in world.accounts)
        assert len(store.posts_frame()) == 10 * 120
        rows = store.run_accounts_frame()
        assert len(rows) == 10 and rows.error.isna().all()
        # both processes enriched and refreshed their batches' weeks at once: the facts are current and
        # equal what one process rebuilding everything computes
        assert facts.is_current(store)
        refreshed = facts_snapshot(store)
        assert refreshed["weeks"], "the collectors wrote no facts"
        facts.rebuild(store)
        assert facts_snapshot(store) == refreshed
        # a later run still collects everything (claims are per run, not forever)
        again = subprocess.run([sys.executable, "-m", "lasna.cli", "collect", "--json"], env=env,
                               capture_output=True, text=True, timeout=120)
        assert again.returncode == 0 and len(json.loads(again.stdout)["accounts"]) == 10
        assert all(a["requests"] == 1 for a in json.loads(again.stdout)["accounts"])
    finally:
        server.shutdown()
