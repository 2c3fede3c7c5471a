"""The Bluesky collector: one leader's account, incrementally, from the public AppView.

One run for one account:

1. Resolve the handle to a DID once and store it as the account's identity: the first
   ``getAuthorFeed`` page, asked for by handle, names it (``getProfile`` only when that
   page is empty); afterwards follow handle changes from the author shown on the feed.
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
   the post deleted. Stored replies under a post whose replies the thread showed in
   full (not cut off by the depth limit) that are gone from it are marked deleted.
4. ``getQuotes`` only for own posts in the horizon whose ``quoteCount`` changed since
   their quotes were last fetched: other people's quote posts are Interactions of
   kind ``quote``; stored ones no longer listed are marked deleted.

Steps 3 and 4 are saved together with the deletions found in step 2 and the
account's state (in batches of at most ``FLUSH_EVERY`` fetches), so an unchanged
account costs one feed request and three small reads.

Everything is an idempotent upsert keyed by at:// URIs, so a rerun after a crash
converges to the same store as a clean run.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

from collectors.base import CollectContext, register
from collectors.bluesky import normalize as norm
from collectors.bluesky.client import AppView, NotFound, sdk_client
from lasna import settings
from lasna.errors import CollectorError
from lasna.store import BatchResult
from lasna.types import GAP_REASONS, Account, AccountOutcome, Interaction, Leader, Platform, Post

log = logging.getLogger(__name__)

PAGE_LIMIT = 100
#: thread / quote fetches saved per transaction (bounds what a crash makes us fetch again)
FLUSH_EVERY = 50
#: getQuotes pages read per post; beyond that the listing is incomplete and nothing is marked deleted
MAX_QUOTE_PAGES = 10
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
        base_url = self.appview or settings.get("bsky_appview")
        options = dict(self.client_options)
        client = None
        if ctx.shared is not None:
            # one SDK client per worker thread for the whole run: connections are reused across
            # accounts, and no thread waits on (or scans) a pool shared with 63 others
            timeout = options.pop("timeout", 20.0)
            client = ctx.shared.get(
                ("bluesky", base_url, id(ctx.transport), timeout, threading.get_ident()),
                lambda: sdk_client(base_url, transport=ctx.transport, timeout=timeout),
                lambda c: c.request.close(),
            )
        api = AppView(base_url, transport=ctx.transport, acquire=ctx.acquire, client=client, **options)
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

    def _save(self, **kwargs: Any) -> BatchResult:
        result = self.store.save_batch(self.account, **kwargs)
        self.new_posts += result.new_posts
        self.new_interactions += result.new_interactions
        for uri in result.vanished_interaction_ids:
            log.info("bluesky %s: %s is gone from the source, marked deleted", self.account.handle, uri)
        return result

    def _follow_handle(self, handle: str | None) -> None:
        if handle and handle != "handle.invalid" and handle != self.account.handle:
            log.info("bluesky %s: handle changed to %s", self.account.handle, handle)
            self.store.set_account_identity(self.account.id, self.account.stable_id, handle)
            self.account = replace(self.account, handle=handle)

    def _resolve(self) -> norm.FeedPage | None:
        """Learn the account's DID, once: from its first feed page, asked for by handle (every
        item there is the account's own post or its repost), or with getProfile when that page
        names no one. Returns the page when it was used, so the sweep does not ask for it again.
        """
        page: norm.FeedPage | None = norm.normalize_author_feed(
            self.api.get_author_feed(self.account.handle, None, PAGE_LIMIT)
        )
        authors = dict(page.author_handles)
        if len(authors) == 1:
            [(did, handle)] = authors.items()
        else:
            page = None
            profile = self.api.get_profile(self.account.handle)
            did, handle = profile.get("did"), profile.get("handle")
        if not isinstance(did, str) or not did.startswith("did:"):
            raise CollectorError(f"the AppView gave no DID for {self.account.handle}")
        self.store.set_account_identity(self.account.id, did)
        self.account = replace(self.account, stable_id=did)
        self._follow_handle(handle)
        return page

    def collect(self) -> None:
        first_page = None if self.account.stable_id else self._resolve()
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
            if first_page is not None:
                page, first_page = first_page, None
            else:
                page = norm.normalize_author_feed(self.api.get_author_feed(did, cursor, PAGE_LIMIT))
            for uri, reason in page.skipped:
                self.skipped += 1
                log.warning("bluesky %s: skipped feed item %s: %s", self.account.handle, uri, reason)
                if uri:
                    seen.add(uri)
            posts = [p for p in page.posts if p.author_id == did]
            seen.update(p.id for p in posts)
            self._follow_handle(dict(page.author_handles).get(did))
            times = [t for t in page.sort_times if t is not None]
            oldest = min(times) if times else None
            past_horizon = oldest is not None and oldest < cutoff
            if past_horizon or page.cursor is None:
                horizon_covered = True
            feed_end = page.cursor is None
            too_old = oldest is not None and oldest < backfill_floor
            state_update: dict[str, str | None] = {}
            if not backfill_done and (jumped or resume is None):
                state_update["backfill_cursor"] = page.cursor
            if not backfill_done and (feed_end or too_old):
                state_update["backfill_done"] = "1"
                backfill_done = True
            known = self._save(posts=posts, state=state_update or None).known_post_ids
            if feed_end or too_old:
                break
            if past_horizon and any(p.id in known and _sort_time(p) < cutoff for p in posts):
                if backfill_done:
                    break
                if resume and not jumped:
                    log.info("bluesky %s: resuming backfill", self.account.handle)
                    cursor, jumped = resume, True
                    continue
            cursor = page.cursor

        batch = _Batch()
        horizon = self.store.horizon_posts(self.account, cutoff)
        if horizon_covered:
            margin = cutoff + _MARGIN
            batch.deleted_post_ids = sorted(p.id for p in horizon if p.created_at >= margin and p.id not in seen)
            batch.gone.update(batch.deleted_post_ids)
            for uri in batch.deleted_post_ids:
                log.info("bluesky %s: %s no longer in the feed, marked deleted", self.account.handle, uri)
        self._threads([(p.id, p.reply_count) for p in horizon if p.thread_changed], batch)
        self._quotes([(p.id, p.quote_count) for p in horizon if p.quotes_changed], batch)
        self._save(**batch.kwargs(), state={"did": did, "last_collected_at": now.isoformat()})

    def _flush(self, batch: _Batch) -> None:
        if batch.fetches >= FLUSH_EVERY:
            self._save(**batch.kwargs())
            batch.clear()

    def _threads(self, changed: list[tuple[str, int]], batch: _Batch) -> None:
        """Fetch the threads of own posts (newest first) whose reply count changed."""
        did = self.account.stable_id
        done: dict[str, int] = {}
        # oldest first: roots come before the replies below them, whose subtrees they cover
        for uri, count in reversed(changed):
            if done.get(uri) == count or uri in batch.gone:
                continue  # covered by an enclosing thread fetched in this run, or deleted
            try:
                output = self.api.get_post_thread(uri)
            except NotFound:
                output = None
            thread = norm.normalize_thread(output, did, uri) if output is not None else None
            if thread is not None and thread.blocked:
                batch.reply_losses.setdefault(uri, {}).update({**dict.fromkeys(GAP_REASONS, 0), "blocked": count})
            if thread is None or not thread.found:
                log.info("bluesky %s: thread %s not found, marked deleted", self.account.handle, uri)
                batch.delete_post(uri)
                continue
            for bad_uri, reason in thread.skipped:
                self.skipped += 1
                log.warning("bluesky %s: skipped reply %s: %s", self.account.handle, bad_uri, reason)
            checked = dict(thread.checked)
            done.update(checked)
            batch.posts += thread.own_posts
            batch.interactions += thread.replies
            batch.threads_checked.update(checked)
            batch.reply_listings.update(thread.listed)
            for post_uri, found in thread.losses:
                batch.reply_losses.setdefault(post_uri, {}).update(found)
            batch.fetches += 1
            self._flush(batch)

    def _quotes(self, changed: list[tuple[str, int]], batch: _Batch) -> None:
        """Fetch the quote posts of own posts whose quote count changed."""
        did = self.account.stable_id
        for uri, count in changed:
            if uri in batch.gone:
                continue
            cursor: str | None = None
            listed: list[str] = []
            detached = 0
            for _ in range(MAX_QUOTE_PAGES):
                try:
                    page = norm.normalize_quotes(self.api.get_quotes(uri, cursor), did, uri)
                except NotFound:
                    break
                for bad_uri, reason in page.skipped:
                    self.skipped += 1
                    log.warning("bluesky %s: skipped quote %s: %s", self.account.handle, bad_uri, reason)
                batch.interactions += page.quotes
                detached += page.detached
                listed += page.seen
                cursor = page.cursor
                if cursor is None or not page.seen:
                    batch.quote_listings[uri] = listed  # every quote there is: judge deletions
                    break
            batch.quotes_checked[uri] = count
            batch.reply_losses.setdefault(uri, {})["detached"] = detached
            batch.fetches += 1
            self._flush(batch)


@dataclass
class _Batch:
    """What the thread and quote fetches of one account add up to before it is saved."""

    posts: list[Post] = field(default_factory=list)
    interactions: list[Interaction] = field(default_factory=list)
    deleted_post_ids: list[str] = field(default_factory=list)
    threads_checked: dict[str, int] = field(default_factory=dict)
    quotes_checked: dict[str, int] = field(default_factory=dict)
    reply_listings: dict[str, tuple[str, ...]] = field(default_factory=dict)
    quote_listings: dict[str, list[str]] = field(default_factory=dict)
    #: post -> {reason: replies (or quotes) the fetch could not collect} (the coverage ledger)
    reply_losses: dict[str, dict[str, int]] = field(default_factory=dict)
    fetches: int = 0
    #: every post found deleted in this run (kept across flushes: never fetch their quotes)
    gone: set[str] = field(default_factory=set)

    def delete_post(self, uri: str) -> None:
        self.deleted_post_ids.append(uri)
        self.gone.add(uri)
        self.fetches += 1

    def kwargs(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k not in ("fetches", "gone")}

    def clear(self) -> None:
        gone = self.gone
        self.__init__()  # type: ignore[misc]
        self.gone = gone


register(Platform.BLUESKY, BlueskyCollector)
