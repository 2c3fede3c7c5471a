"""The Bluesky collector: one leader's account, incrementally, from the public AppView.

One run for one account:

1. Resolve the handle to a DID once (``getProfile``) and store it as the account's
   identity; afterwards follow handle changes from the author shown on the feed.
2. Page ``getAuthorFeed`` (``posts_with_replies``, 100 per page) from the newest item.
   Each page is saved at once (posts + progress state in one transaction). The sweep
   stops at the first page that reaches past the thread horizon and holds an item
   already stored, so an unchanged account costs one request while every post in
   the horizon gets fresh counts and posts that vanished from it are marked deleted.
   The very first run backfills the whole feed (up to the retention period); a crash
   mid-backfill resumes from the stored cursor.
3. ``getPostThread`` only for own posts in the horizon whose ``replyCount`` differs
   from the count when their thread was last fetched. Replies by others anywhere
   below are Interactions; the leader's own posts found there are Posts; the thread
   is marked checked in the same transaction. A thread that answers notFound marks
   the post deleted.

Everything is an idempotent upsert keyed by at:// URIs, so a rerun after a crash
converges to the same store as a clean run.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from datetime import timedelta
from typing import Any

from collectors.base import CollectContext, register
from collectors.bluesky import normalize as norm
from collectors.bluesky.client import AppView, NotFound
from lasna import settings
from lasna.errors import CollectorError
from lasna.types import Account, AccountOutcome, Leader, Platform, Post

log = logging.getLogger(__name__)

PAGE_LIMIT = 100
#: a post is counted as "in the horizon" for deletion checks only this far inside it
_MARGIN = timedelta(days=1)


def _sort_time(post: Post):
    return min(t for t in (post.created_at, post.indexed_at) if t is not None)


class BlueskyCollector:
    platform = Platform.BLUESKY

    def __init__(self, appview: str | None = None, **client_options: Any) -> None:
        self.appview = appview
        self.client_options = client_options

    def collect(self, account: Account, leader: Leader, ctx: CollectContext) -> AccountOutcome:
        api = AppView(
            self.appview or settings.get("bsky_appview"),
            transport=ctx.transport,
            acquire=ctx.acquire,
            **self.client_options,
        )
        run = _Run(api, account, leader, ctx)
        try:
            run.collect()
        except Exception as exc:
            exc.partial = run.outcome(error=str(exc))  # type: ignore[attr-defined]
            raise
        finally:
            api.close()
        return run.outcome()


class _Run:
    def __init__(self, api: AppView, account: Account, leader: Leader, ctx: CollectContext) -> None:
        self.api = api
        self.account = account
        self.leader = leader
        self.ctx = ctx
        self.store = ctx.store
        self.new_posts = 0
        self.new_interactions = 0
        self.skipped = 0

    def outcome(self, error: str | None = None) -> AccountOutcome:
        return AccountOutcome(
            leader=self.leader.name,
            platform=Platform.BLUESKY,
            account=self.account.handle,
            new_posts=self.new_posts,
            new_interactions=self.new_interactions,
            requests=self.api.requests,
            error=error,
        )

    def _save(self, **kwargs: Any) -> None:
        result = self.store.save_batch(self.account, **kwargs)
        self.new_posts += result.new_posts
        self.new_interactions += result.new_interactions

    def _follow_handle(self, handle: str | None) -> None:
        if handle and handle != "handle.invalid" and handle != self.account.handle:
            log.info("bluesky %s: handle changed to %s", self.account.handle, handle)
            self.store.set_account_identity(self.account.id, self.account.stable_id, handle)
            self.account = replace(self.account, handle=handle)

    def collect(self) -> None:
        if not self.account.stable_id:
            profile = self.api.get_profile(self.account.handle)
            did = profile.get("did")
            if not isinstance(did, str) or not did.startswith("did:"):
                raise CollectorError(f"getProfile for {self.account.handle} returned no DID")
            self.store.set_account_identity(self.account.id, did)
            self.account = replace(self.account, stable_id=did)
            self._follow_handle(profile.get("handle"))
        did = self.account.stable_id
        now = self.ctx.now
        cutoff = now - timedelta(days=settings.get("thread_horizon_days"))
        backfill_floor = now - timedelta(days=settings.get("retention_days"))
        state = self.store.get_state(self.account)
        backfill_done = state.get("backfill_done") == "1"
        resume = state.get("backfill_cursor") or None

        seen: set[str] = set()
        cursor: str | None = None
        jumped = False
        horizon_covered = False
        while True:
            page = norm.normalize_author_feed(self.api.get_author_feed(did, cursor, PAGE_LIMIT))
            for uri, reason in page.skipped:
                self.skipped += 1
                log.warning("bluesky %s: skipped feed item %s: %s", self.account.handle, uri, reason)
                if uri:
                    seen.add(uri)
            posts = [p for p in page.posts if p.author_id == did]
            seen.update(p.id for p in posts)
            self._follow_handle(dict(page.author_handles).get(did))
            known = self.store.known_post_ids(self.account, [p.id for p in posts])
            times = [t for t in page.sort_times if t is not None]
            oldest = min(times) if times else None
            past_horizon = oldest is not None and oldest < cutoff
            if past_horizon or page.cursor is None:
                horizon_covered = True
            reached_known = past_horizon and any(p.id in known and _sort_time(p) < cutoff for p in posts)
            feed_end = page.cursor is None
            too_old = oldest is not None and oldest < backfill_floor
            state_update: dict[str, str | None] = {}
            if not backfill_done and (jumped or resume is None):
                state_update["backfill_cursor"] = page.cursor
            if not backfill_done and (feed_end or too_old):
                state_update["backfill_done"] = "1"
                backfill_done = True
            self._save(posts=posts, state=state_update or None)
            if feed_end or too_old:
                break
            if reached_known:
                if backfill_done:
                    break
                if resume and not jumped:
                    log.info("bluesky %s: resuming backfill", self.account.handle)
                    cursor, jumped = resume, True
                    continue
            cursor = page.cursor

        deleted: list[str] = []
        if horizon_covered:
            deleted = sorted(self.store.post_ids_since(self.account, cutoff + _MARGIN) - seen)
            for uri in deleted:
                log.info("bluesky %s: %s no longer in the feed, marked deleted", self.account.handle, uri)
        self._save(
            deleted_post_ids=deleted,
            state={"did": did, "last_collected_at": now.isoformat()},
        )
        self._threads(cutoff)

    def _threads(self, cutoff) -> None:
        did = self.account.stable_id
        done: dict[str, int] = {}
        # oldest first: roots come before the replies below them, whose subtrees they cover
        for uri, count in reversed(self.store.threads_to_check(self.account, cutoff)):
            if done.get(uri) == count:
                continue  # covered by an enclosing thread fetched in this run
            try:
                output = self.api.get_post_thread(uri)
            except NotFound:
                log.info("bluesky %s: thread %s not found, marked deleted", self.account.handle, uri)
                self._save(deleted_post_ids=[uri])
                continue
            thread = norm.normalize_thread(output, did, uri)
            if not thread.found:
                self._save(deleted_post_ids=[uri])
                continue
            for bad_uri, reason in thread.skipped:
                self.skipped += 1
                log.warning("bluesky %s: skipped reply %s: %s", self.account.handle, bad_uri, reason)
            checked = dict(thread.checked)
            done.update(checked)
            self._save(posts=thread.own_posts, interactions=thread.replies, threads_checked=checked or None)


register(Platform.BLUESKY, BlueskyCollector)
