"""RSS/Atom collector: conditional GET, auto-discovery, parse, upsert.

State kept per account (``collection_state``): ``feed_url`` (after discovery),
``etag``, ``last_modified``, ``checked_at``, ``warning``. An unchanged feed costs
one conditional request answered ``304 Not Modified``; nothing but state is written.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from collectors.base import CollectContext, register
from collectors.common import foreign_ids
from collectors.feeds.discover import discover_feeds
from collectors.feeds.parse import NotAFeed, ParsedFeed, disambiguate, looks_like_html, parse_comments, parse_feed
from collectors.safehttp import Fetched, SafeHttp
from lasna import settings
from lasna.errors import AccountGone, CollectorError, MalformedPayload, RateLimited, SourceUnavailable
from lasna.types import Account, AccountOutcome, Leader, Platform

log = logging.getLogger(__name__)


def _check_status(fetched: Fetched, url: str) -> None:
    status = fetched.status
    if status in (200, 203, 304):
        return
    if status in (404, 410):
        raise AccountGone(f"the feed {url} is gone (HTTP {status})", hint="check the address on the leader's site")
    if status == 429:
        retry = fetched.headers.get("retry-after", "")
        raise RateLimited(
            f"{url} asked us to slow down (HTTP 429)", retry_after=float(retry) if retry.isdigit() else None
        )
    if status >= 500:
        raise SourceUnavailable(f"{url} answered HTTP {status}")
    raise SourceUnavailable(f"{url} answered HTTP {status}")


class FeedCollector:
    platform = Platform.FEED

    def __init__(
        self,
        *,
        http_factory: Callable[[CollectContext], SafeHttp] | None = None,
        max_comment_feeds: int = 20,
        **http_options,
    ) -> None:
        self.http_factory = http_factory
        self.max_comment_feeds = max_comment_feeds
        self.http_options = http_options

    def _http(self, ctx: CollectContext) -> SafeHttp:
        if self.http_factory:
            return self.http_factory(ctx)
        return SafeHttp(transport=ctx.transport, acquire=ctx.acquire, **self.http_options)

    def collect(self, account: Account, leader: Leader, ctx: CollectContext) -> AccountOutcome:
        http = self._http(ctx)
        try:
            return self._collect(account, leader, ctx, http)
        except MalformedPayload as exc:
            # keep the counted requests in the message; the runner records the error
            raise type(exc)(f"{exc.message} [{http.requests} request(s)]", hint=exc.hint) from None
        finally:
            http.close()

    def _collect(self, account: Account, leader: Leader, ctx: CollectContext, http: SafeHttp) -> AccountOutcome:
        state = ctx.store.get_state(account)
        url = state.get("feed_url") or account.url or account.handle
        feed_id = account.stable_id or account.handle
        headers = {"Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.5"}
        if state.get("etag"):
            headers["If-None-Match"] = state["etag"]
        if state.get("last_modified"):
            headers["If-Modified-Since"] = state["last_modified"]
        new_state: dict[str, str | None] = {"checked_at": ctx.now.isoformat()}
        fetched = http.get(url, headers=headers)
        try:
            _check_status(fetched, url)
        except AccountGone:
            home = account.url or account.handle
            if not state.get("feed_url") or home == url:
                raise
            # the feed we discovered earlier is gone: look for it again on the page the user gave
            url = home
            new_state.update(feed_url=None, etag=None, last_modified=None)
            fetched = http.get(url, headers={"Accept": headers["Accept"]})
            _check_status(fetched, url)
        if fetched.status == 304:
            ctx.store.save_batch(account, state=new_state)
            return AccountOutcome(leader.name, self.platform, account.handle, requests=http.requests)
        if looks_like_html(fetched.body, fetched.content_type):
            candidates = discover_feeds(fetched.body, fetched.url)
            if not candidates:
                raise NotAFeed(
                    f"{url} is a web page without a feed link",
                    hint="paste the RSS/Atom address, or a page with <link rel=alternate type=application/rss+xml>",
                )
            url = candidates[0]
            new_state["feed_url"] = url
            fetched = http.get(url, headers={"Accept": headers["Accept"]})
            _check_status(fetched, url)
        parsed = parse_feed(
            fetched.body,
            feed_id=feed_id,
            author_id=feed_id,
            content_type=fetched.headers.get("content-type", ""),
            base_url=fetched.url,
            now=ctx.now,
        )
        posts = self._keep_reused_guids_apart(ctx, leader, parsed)
        clash = foreign_ids(ctx.store, account, [p.id for p in posts])
        if clash:
            parsed.warnings.append(f"dropped {len(clash)} entries whose ids belong to another account")
            posts = [p for p in posts if p.id not in clash]
        new_state["etag"] = fetched.headers.get("etag")
        new_state["last_modified"] = fetched.headers.get("last-modified")
        new_state["warning"] = "; ".join(parsed.warnings)[:1000] or None
        result = ctx.store.save_batch(account, posts=posts, state=new_state)
        new_posts, new_interactions = result.new_posts, 0
        if parsed.comment_feeds:
            more_posts, new_interactions = self._comments(account, ctx, http, parsed, posts, feed_id)
            new_posts += more_posts
        for warning in parsed.warnings:
            log.warning("%s (%s): %s", leader.name, url, warning)
        return AccountOutcome(
            leader.name,
            self.platform,
            account.handle,
            new_posts=new_posts,
            new_interactions=new_interactions,
            requests=http.requests,
        )

    @staticmethod
    def _keep_reused_guids_apart(ctx: CollectContext, leader: Leader, parsed: ParsedFeed) -> list:
        """Entries reusing the id of a stored item with another link are other items (see parse.disambiguate)."""
        bases = {p.id.split("#item-", 1)[0] for p in parsed.posts}
        frame = ctx.store.posts_frame([leader.id], include_deleted=True) if leader.id is not None else None
        if frame is None or frame.empty:
            return parsed.posts
        stored = frame[frame.post_id.isin(bases)]
        known = {pid: (url if isinstance(url, str) and url else None) for pid, url in zip(stored.post_id, stored.url)}
        renamed = disambiguate(parsed.posts, known)
        authors, comment_feeds = dict(parsed.authors), dict(parsed.comment_feeds)
        parsed.authors = {new.id: authors.get(old.id) for old, new in zip(parsed.posts, renamed)}
        parsed.comment_feeds = {new.id: comment_feeds[old.id] for old, new in zip(parsed.posts, renamed) if old.id in comment_feeds}
        parsed.posts = renamed
        return renamed

    def _comments(self, account, ctx: CollectContext, http: SafeHttp, parsed: ParsedFeed, posts, feed_id: str):
        """Fetch the comment feeds (wfw:commentRss) of posts whose comment count changed."""
        horizon = ctx.now - timedelta(days=settings.get("thread_horizon_days"))
        by_id = {p.id: p for p in posts}
        new_posts = new_interactions = 0
        fetched_feeds = 0
        for post_id, count in ctx.store.threads_to_check(account, horizon):
            target = parsed.comment_feeds.get(post_id)
            post = by_id.get(post_id)
            if target is None or post is None:
                continue  # no comment feed known: nothing to fetch
            if fetched_feeds >= self.max_comment_feeds:
                break
            fetched_feeds += 1
            comments_url, post_author = target
            try:
                got = http.get(comments_url, headers={"Accept": "application/rss+xml, application/atom+xml, */*;q=0.5"})
                _check_status(got, comments_url)
                if got.status != 200:
                    raise SourceUnavailable(f"{comments_url} answered HTTP {got.status}")
                thread = parse_comments(
                    got.body,
                    post=post,
                    post_author=post_author,
                    feed_id=feed_id,
                    content_type=got.headers.get("content-type", ""),
                    base_url=got.url,
                    now=ctx.now,
                )
            except (SourceUnavailable, RateLimited) as exc:  # transient: try again on the next changed feed
                parsed.warnings.append(f"comments of {post.url or post_id} not read: {exc}")
                continue
            except CollectorError as exc:  # permanent for this count: do not ask again until it changes
                parsed.warnings.append(f"comments of {post.url or post_id} unusable: {exc}")
                ctx.store.save_batch(account, threads_checked={post_id: count})
                continue
            clash = foreign_ids(ctx.store, account, [p.id for p in thread.own], [i.id for i in thread.interactions])
            batch = ctx.store.save_batch(
                account,
                posts=[p for p in thread.own if p.id not in clash],
                interactions=[i for i in thread.interactions if i.id not in clash],
                threads_checked={post_id: count},
            )
            new_posts += batch.new_posts
            new_interactions += batch.new_interactions
        return new_posts, new_interactions


register(Platform.FEED, FeedCollector)
