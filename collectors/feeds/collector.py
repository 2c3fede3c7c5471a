"""RSS/Atom collector: conditional GET, auto-discovery, parse, upsert.

State kept per account (``collection_state``): ``feed_url`` (after discovery),
``etag``, ``last_modified``, ``checked_at``, ``warning``. An unchanged feed costs
one conditional request answered ``304 Not Modified``; nothing but state is written.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from collectors.base import CollectContext, register
from collectors.common import foreign_ids
from collectors.feeds.discover import discover_feeds
from collectors.feeds.parse import NotAFeed, looks_like_html, parse_feed
from collectors.safehttp import Fetched, SafeHttp
from lasna.errors import AccountGone, MalformedPayload, RateLimited, SourceUnavailable
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

    def __init__(self, *, http_factory: Callable[[CollectContext], SafeHttp] | None = None, **http_options) -> None:
        self.http_factory = http_factory
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
        fetched = http.get(url, headers=headers)
        _check_status(fetched, url)
        new_state: dict[str, str | None] = {"checked_at": ctx.now.isoformat()}
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
        posts = parsed.posts
        clash = foreign_ids(ctx.store, account, [p.id for p in posts])
        if clash:
            parsed.warnings.append(f"dropped {len(clash)} entries whose ids belong to another account")
            posts = [p for p in posts if p.id not in clash]
        for warning in parsed.warnings:
            log.warning("%s (%s): %s", leader.name, url, warning)
        new_state["etag"] = fetched.headers.get("etag")
        new_state["last_modified"] = fetched.headers.get("last-modified")
        new_state["warning"] = "; ".join(parsed.warnings)[:1000] or None
        result = ctx.store.save_batch(account, posts=posts, state=new_state)
        return AccountOutcome(
            leader.name, self.platform, account.handle, new_posts=result.new_posts, requests=http.requests
        )


register(Platform.FEED, FeedCollector)
