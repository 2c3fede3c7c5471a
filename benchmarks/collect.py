"""Benchmark: `lasna collect` (Bluesky) against a fake AppView on loopback, vs a naive baseline.

    python benchmarks/collect.py                       # 1,000 accounts x 200 posts, 50 ms latency
    python benchmarks/collect.py --accounts 100 --posts 200

The fake AppView (benchmarks/fake_appview.py) runs in its own process with the
injected latency on every request; it renders all its responses before the clock
starts, so on a small machine its CPU does not eat into the collector's. Measured in one run:

1. full refresh: an empty store, the runner collects every account (concurrently);
2. unchanged refresh: the same again with nothing new at the source;
3. baseline: sequential and stateless — for each account resolve the handle, page
   the whole author feed, fetch the thread of every post in the horizon that has
   replies, normalise (no storing). Sequential time is linear in the number of
   accounts, so by default it runs on a sample (--baseline-sample) and is scaled up;
   --baseline-sample 0 runs it on every account.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from collectors.bluesky import normalize as norm  # noqa: E402
from collectors.bluesky.collector import BlueskyCollector  # noqa: E402
from collectors.http import RequestBudget  # noqa: E402
from collectors.runner import run_collection  # noqa: E402
from lasna import registry  # noqa: E402
from lasna.store import Store  # noqa: E402
from lasna.types import Platform  # noqa: E402


def start_appview(accounts: int, posts: int, latency: float) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "benchmarks" / "fake_appview.py"), "--accounts", str(accounts),
         "--posts", str(posts), "--latency", str(latency), "--prewarm"],
        stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    url = proc.stdout.readline().strip()
    if not url.startswith("http"):
        proc.kill()
        raise SystemExit("fake AppView did not start")
    return proc, url


def baseline(url: str, handles: list[str], horizon_days: int) -> tuple[float, int]:
    """Sequential, stateless: re-pull every feed and every thread with replies in the horizon."""
    cutoff = datetime.now(UTC) - timedelta(days=horizon_days)
    requests = 0
    started = time.perf_counter()
    with httpx.Client(base_url=url, timeout=30) as client:
        def get(nsid, **params):
            nonlocal requests
            requests += 1
            response = client.get(f"/xrpc/{nsid}", params=params)
            response.raise_for_status()
            return response.json()

        for handle in handles:
            did = get("app.bsky.actor.getProfile", actor=handle)["did"]
            cursor = None
            posts = []
            while True:
                params = {"actor": did, "limit": 100, "filter": "posts_with_replies"}
                if cursor:
                    params["cursor"] = cursor
                page = norm.normalize_author_feed(get("app.bsky.feed.getAuthorFeed", **params))
                posts.extend(page.posts)
                cursor = page.cursor
                if not cursor:
                    break
            for post in posts:
                if post.reply_count and post.created_at >= cutoff:
                    norm.normalize_thread(get("app.bsky.feed.getPostThread", uri=post.id, depth=100), did, post.id)
    return time.perf_counter() - started, requests


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--posts", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.05, help="seconds added to every request")
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--baseline-sample", type=int, default=100, help="accounts the baseline runs on (0 = all)")
    parser.add_argument("--database", help="store URL (default: a temporary SQLite file)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()

    proc, url = start_appview(args.accounts, args.posts, args.latency)
    tmp = tempfile.TemporaryDirectory()
    try:
        store = Store.open(args.database or f"sqlite:///{tmp.name}/bench.db")
        handles = [f"leader{i}.test" for i in range(args.accounts)]
        for i, handle in enumerate(handles):
            registry.add_leader(store, registry.LeaderSpec.parse(f"Bench {i:05d}", bluesky=handle))
        os.environ["LASNA_BSKY_APPVIEW"] = url
        horizon = 60
        figures: dict = {"accounts": args.accounts, "posts_per_account": args.posts, "latency_s": args.latency,
                         "concurrency": args.concurrency}
        budget = lambda: RequestBudget(rate=1e9, per=1, burst=1e9)  # noqa: E731  (no rate limit on loopback)
        registry_ = {Platform.BLUESKY: BlueskyCollector}
        for name in ("full", "unchanged"):
            started, cpu = time.perf_counter(), time.process_time()
            report = run_collection(store, concurrency=args.concurrency, budget=budget(), registry=registry_)
            wall = time.perf_counter() - started
            cpu = time.process_time() - cpu
            failed = [o for o in report.outcomes if not o.ok]
            requests = sum(o.requests for o in report.outcomes)
            figures[name] = {
                "wall_s": round(wall, 2),
                "cpu_s": round(cpu, 2),
                "requests": requests,
                "requests_per_account": round(requests / args.accounts, 3),
                "new_posts": sum(o.new_posts for o in report.outcomes),
                "new_interactions": sum(o.new_interactions for o in report.outcomes),
                "failed_accounts": len(failed),
                "at_public_appview_budget_s": round(requests / 10.0, 1),  # 3000 requests / 300 s
            }
            if failed:
                figures[name]["first_error"] = failed[0].error
        sample = handles if args.baseline_sample <= 0 else handles[: args.baseline_sample]
        b_wall, b_requests = baseline(url, sample, horizon)
        scale = args.accounts / len(sample)
        figures["baseline"] = {
            "measured_accounts": len(sample),
            "wall_s_measured": round(b_wall, 2),
            "wall_s": round(b_wall * scale, 2),
            "requests": round(b_requests * scale),
            "requests_per_account": round(b_requests / len(sample), 3),
            "extrapolated": len(sample) != args.accounts,
        }
        figures["speedup_full"] = round(figures["baseline"]["wall_s"] / figures["full"]["wall_s"], 1)
        figures["speedup_unchanged"] = round(figures["baseline"]["wall_s"] / figures["unchanged"]["wall_s"], 1)
        figures["targets"] = {
            "unchanged_requests_per_account<=1.1": figures["unchanged"]["requests_per_account"] <= 1.1,
            "speedup_full>=15": figures["speedup_full"] >= 15,
        }
    finally:
        proc.kill()
        proc.wait()
        tmp.cleanup()
    if args.json:
        print(json.dumps(figures, indent=1))
        return
    f, u, b = figures["full"], figures["unchanged"], figures["baseline"]
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    print(f"fake AppView: {args.accounts} accounts x {args.posts} posts, {args.latency * 1000:.0f} ms latency; "
          f"concurrency {args.concurrency}")
    print(f"full refresh:      {f['wall_s']:8.2f} s (CPU {f['cpu_s']} s)  {f['requests']:7d} requests  ({f['requests_per_account']} / account)"
          f"  {f['new_posts']} posts, {f['new_interactions']} interactions, {f['failed_accounts']} failed")
    print(f"unchanged refresh: {u['wall_s']:8.2f} s (CPU {u['cpu_s']} s)  {u['requests']:7d} requests  ({u['requests_per_account']} / account)")
    print(f"baseline (sequential, stateless): {b['wall_s']:8.2f} s  {b['requests']} requests"
          + (f"  (measured on {b['measured_accounts']} accounts: {b['wall_s_measured']} s, scaled)" if b["extrapolated"] else ""))
    print(f"speed-up over baseline: full refresh {figures['speedup_full']}x, unchanged refresh {figures['speedup_unchanged']}x")
    print(f"at the public AppView budget (10 req/s): full {f['at_public_appview_budget_s']} s, unchanged {u['at_public_appview_budget_s']} s")
    print("targets:", ", ".join(f"{k}: {'met' if v else 'NOT met'}" for k, v in figures["targets"].items()))


if __name__ == "__main__":
    main()
