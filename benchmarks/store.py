"""Store write speed: bulk `save_batch` against a row-at-a-time baseline, measured in the same run.

    python benchmarks/store.py [--posts 20000] [--database URL]

The baseline inserts the same posts one statement per row inside one transaction
(what a naive collector loop would do). Re-ingesting the same batch (the unchanged
refresh case) is timed too. Figures are printed as ratios against the baseline.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

from lasna.store import Store
from lasna.store import schema as t
from lasna.types import Platform, Post


def make_posts(n: int, did: str) -> list[Post]:
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    return [
        Post(
            id=f"at://{did}/app.bsky.feed.post/{i:08d}",
            platform=Platform.BLUESKY,
            author_id=did,
            created_at=t0 + timedelta(minutes=i),
            text=f"Post number {i}: mitä mieltä olette? https://example.fi/{i}",
            links=(f"https://example.fi/{i}",),
            tags=("johtaminen",),
            like_count=i % 50,
            reply_count=i % 7,
        )
        for i in range(n)
    ]


def baseline_row_at_a_time(store: Store, account, posts: list[Post]) -> None:
    with store.engine.begin() as conn:
        for p in posts:
            row = asdict(p)
            row.update(platform=str(p.platform), account_id=account.id, leader_id=account.leader_id)
            for key in ("mentions", "links", "tags"):
                row[key] = list(row[key])
            exists = conn.execute(t.posts.select().where(t.posts.c.id == p.id)).first()
            if exists is None:
                conn.execute(t.posts.insert().values(**row))
            else:
                conn.execute(t.posts.update().where(t.posts.c.id == p.id).values(**row))


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=20_000)
    parser.add_argument("--database", help="database URL (default: a temporary SQLite file)")
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="lasna-bench-")
    url = args.database or f"sqlite:///{Path(tmp) / 'bench.db'}"
    store = Store.open(url)
    stamp = int(time.time())
    bulk_leader = store.add_leader(f"bench bulk {stamp}")
    base_leader = store.add_leader(f"bench base {stamp}")
    bulk_acc = store.add_account(bulk_leader.id, Platform.BLUESKY, f"bulk{stamp}.bsky.social")
    base_acc = store.add_account(base_leader.id, Platform.BLUESKY, f"base{stamp}.bsky.social")
    bulk_posts = make_posts(args.posts, f"did:plc:bulk{stamp}")
    base_posts = make_posts(args.posts, f"did:plc:base{stamp}")

    base_first = timed(lambda: baseline_row_at_a_time(store, base_acc, base_posts))
    base_again = timed(lambda: baseline_row_at_a_time(store, base_acc, base_posts))
    bulk_first = timed(lambda: store.save_batch(bulk_acc, posts=bulk_posts, state={"cursor": "x"}))
    bulk_again = timed(lambda: store.save_batch(bulk_acc, posts=bulk_posts, state={"cursor": "x"}))

    n = args.posts
    print(f"store write benchmark on {store.engine.dialect.name}, {n:,} posts")
    print(f"{'case':<32}{'seconds':>10}{'posts/s':>12}{'vs baseline':>14}")
    for label, secs, base in [
        ("baseline first ingest (per row)", base_first, base_first),
        ("save_batch first ingest (bulk)", bulk_first, base_first),
        ("baseline re-ingest (per row)", base_again, base_again),
        ("save_batch re-ingest (bulk)", bulk_again, base_again),
    ]:
        print(f"{label:<32}{secs:>10.2f}{n / secs:>12,.0f}{base / secs:>13.1f}x")
    store.forget_leader(bulk_leader.id)
    store.forget_leader(base_leader.id)


if __name__ == "__main__":
    main()
