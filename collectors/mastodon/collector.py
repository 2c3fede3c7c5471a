"""Mastodon collector: the leader's own statuses (with replies and boosts) and replies to them.

Requests per run, for an account already resolved:

1. ``GET /api/v1/accounts/:id/statuses?limit=40`` — the newest page, always, so the
   reply/like/boost counts of recent posts stay fresh (that is how we notice new replies);
2. further pages back (``max_id`` from the ``Link: rel="next"`` header) bounded by
   ``since_id`` = the newest status already stored, so a quiet account costs one request;
   the first run pages back to ``thread_horizon_days`` (at most ``max_pages`` pages);
3. ``GET /api/v1/statuses/:id`` for the parent of a new reply to someone whose URI we
   have not seen (capped), so ``reply_parent_id`` is a real ActivityPub id;
4. ``GET /api/v1/statuses/:id/context`` only for own statuses whose ``replies_count``
   differs from the count when their thread was last read (``Store.threads_to_check``).

State: ``mastodon_id`` (instance-local account id), ``since_id``.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable
from datetime import timedelta
from urllib.parse import urlsplit

from collectors.base import CollectContext, register
from collectors.common import foreign_ids, parse_time
from collectors.safehttp import SafeHttp
from collectors.mastodon.client import MastodonAPI, NotFound
from collectors.mastodon.normalize import IdMap, account_stable_id, normalize_context, normalize_status
from lasna import settings
from lasna.errors import AccountGone, MalformedPayload
from lasna.types import Account, AccountOutcome, Leader, Platform, Post

log = logging.getLogger(__name__)
RELOOKUP = timedelta(days=1)
_SAFE_ID = re.compile(r"^[0-9A-Za-z_-]{1,64}$")  # what may go into an API path
_TRAILING_ID = re.compile(r"/(?:statuses|objects|notice|@[^/]+)/([0-9A-Za-z]+)/?$")


def _id_key(value: str) -> tuple[int, str]:
    """Mastodon ids are numeric strings (snowflakes) that sort by time; compare by length, then text."""
    return (len(value), value)


def instance_base(account: Account) -> str:
    """``https://host`` for ``user@host``; an explicit account URL wins (intranet/test instances)."""
    if account.url:
        parts = urlsplit(account.url)
        if parts.scheme in ("http", "https") and parts.netloc:
            return f"{parts.scheme}://{parts.netloc}"
    user, _, host = account.handle.removeprefix("@").partition("@")
    if not host:
        raise AccountGone(f"malformed Mastodon address {account.handle!r}", hint="write it as @user@instance.social")
    return f"https://{host}"


MAX_LOCAL_IDS = 500


def _remember_local_ids(saved: str | None, raw: list[dict], self_local_id: str) -> dict[str, str]:
    """URI -> instance-local id of the leader's newest statuses, kept in the account state.

    Pleroma/Akkoma status URIs (``/objects/<uuid>``) do not contain the local id the API
    needs, so a post's thread could not be read once the post left the newest page.
    """
    try:
        known = json.loads(saved) if saved else {}
    except ValueError:
        known = {}
    if not isinstance(known, dict):
        known = {}
    for status in sorted(raw, key=lambda s: _id_key(s["id"])):
        account = status.get("account")
        uri = status.get("uri")
        if isinstance(account, dict) and account.get("id") == self_local_id and isinstance(uri, str) and not status.get("reblog"):
            known.pop(uri[:500], None)
            known[uri[:500]] = status["id"]
    items = [(k, v) for k, v in known.items() if isinstance(k, str) and isinstance(v, str) and _SAFE_ID.match(v)]
    return dict(items[-MAX_LOCAL_IDS:])


def account_domain(account: Account, api: MastodonAPI) -> str:
    """The domain of accounts local to the leader's instance: the one in ``user@domain``, else the API host."""
    domain = account.handle.removeprefix("@").partition("@")[2].strip().lower()
    return domain or urlsplit(api.base).hostname or api.host


class MastodonCollector:
    platform = Platform.MASTODON

    def __init__(
        self,
        *,
        sleep: Callable[[float], None] = time.sleep,
        max_wait: float = 60.0,
        max_pages: int = 10,
        max_threads: int = 60,
        max_parent_lookups: int = 20,
        backoff: float = 1.0,
        http_options: dict | None = None,
    ) -> None:
        self.sleep = sleep
        self.max_wait = max_wait
        self.max_pages = max_pages
        self.max_threads = max_threads
        self.max_parent_lookups = max_parent_lookups
        self.backoff = backoff
        self.http_options = http_options or {}

    def collect(self, account: Account, leader: Leader, ctx: CollectContext) -> AccountOutcome:
        http = SafeHttp(transport=ctx.transport, acquire=ctx.acquire, **self.http_options)
        api = MastodonAPI(
            http, instance_base(account), sleep=self.sleep, max_wait=self.max_wait, backoff=self.backoff
        )
        try:
            return self._collect(account, leader, ctx, api)
        finally:
            http.close()

    # ------------------------------------------------------------------ steps
    def _resolve(self, account: Account, ctx: CollectContext, api: MastodonAPI, state: dict) -> tuple[str, str]:
        """Local id and URI of the account; looked up again once a day to notice moves and suspensions."""
        checked = parse_time(state.get("looked_up_at"))
        if state.get("mastodon_id") and account.stable_id and checked and ctx.now - checked < RELOOKUP:
            return state["mastodon_id"], account.stable_id
        user = account.handle.removeprefix("@").split("@")[0]
        try:
            data, _ = api.get("/api/v1/accounts/lookup", {"acct": user})
        except NotFound:
            raise AccountGone(
                f"{api.host} has no account {account.handle}", hint="check the spelling, or whether it moved"
            ) from None
        if not isinstance(data, dict) or not isinstance(data.get("id"), str) or not _SAFE_ID.match(data["id"]):
            raise MalformedPayload(f"{api.host} answered the account lookup with something that is not an Account")
        self._check_alive(data, account, api)
        stable = account_stable_id(data, account_domain(account, api))
        if stable is None:
            raise MalformedPayload(f"{api.host}: account {account.handle} has neither acct nor url")
        if stable != account.stable_id:
            ctx.store.set_account_identity(account.id, stable)
        state["looked_up_at"] = ctx.now.isoformat()
        return data["id"], stable

    @staticmethod
    def _check_alive(data: dict, account: Account, api: MastodonAPI) -> None:
        if data.get("suspended"):
            raise AccountGone(f"{account.handle} is suspended on {api.host}")
        moved = data.get("moved")
        if isinstance(moved, dict):
            target = moved.get("acct") or moved.get("url") or "another account"
            raise AccountGone(f"{account.handle} has moved to {target}", hint="update the leader's Mastodon address")

    def _statuses(self, api: MastodonAPI, local_id: str, since_id: str | None, horizon) -> list[dict]:
        path = f"/api/v1/accounts/{local_id}/statuses"
        params: dict[str, str | int] = {"limit": 40}
        out: list[dict] = []
        seen: set[str] = set()
        for page in range(self.max_pages):
            try:
                data, fetched = api.get(path, params)
            except NotFound:
                raise AccountGone(f"{api.host} no longer serves the statuses of this account") from None
            if not isinstance(data, list):
                raise MalformedPayload(f"{api.host} answered the statuses request with something that is not a list")
            fresh = [
                s for s in data if isinstance(s, dict) and isinstance(s.get("id"), str) and _SAFE_ID.match(s["id"]) and s["id"] not in seen
            ]
            seen.update(s["id"] for s in fresh)
            out.extend(fresh)
            short_page = len(data) < 40
            if not fresh:
                break
            oldest = min((s["id"] for s in fresh), key=_id_key)
            if since_id and _id_key(oldest) <= _id_key(since_id):
                break
            if not since_id:
                created = [parse_time(s.get("created_at")) for s in fresh]
                if any(c is not None and c < horizon for c in created):
                    break
            if short_page:  # the server has nothing older (or nothing more newer than since_id)
                break
            max_id = api.next_max_id(fetched)
            if not max_id or _id_key(max_id) > _id_key(oldest):
                break
            if not _SAFE_ID.match(max_id):
                break
            params = {"limit": 40, "max_id": max_id}
            if since_id:
                params["since_id"] = since_id
        return out

    def _collect(self, account: Account, leader: Leader, ctx: CollectContext, api: MastodonAPI) -> AccountOutcome:
        store = ctx.store
        state = store.get_state(account)
        local_id, self_uri = self._resolve(account, ctx, api, state)
        account = Account(account.platform, account.handle, self_uri, account.url, account.id, account.leader_id)
        horizon = ctx.now - timedelta(days=settings.get("thread_horizon_days"))
        since_id = state.get("since_id")
        raw = self._statuses(api, local_id, since_id, horizon)
        ids = IdMap(host=account_domain(account, api))
        ids.accounts[local_id] = self_uri
        for status in raw:
            ids.learn(status)
        # resolve parents of new replies to other people that we have not seen
        lookups = 0
        for status in raw:
            parent = status.get("in_reply_to_id")
            if not isinstance(parent, str) or not _SAFE_ID.match(parent) or parent in ids.statuses or status.get("reblog"):
                continue
            if since_id and _id_key(status["id"]) <= _id_key(since_id):
                continue  # stored already; its parent was resolved then
            if lookups >= self.max_parent_lookups:
                break
            lookups += 1
            try:
                data, _ = api.get(f"/api/v1/statuses/{parent}")
                ids.learn(data)
            except NotFound:
                pass  # the parent was deleted: a marker id remains
        posts: list[Post] = []
        skipped = 0
        for status in raw:
            try:
                post = normalize_status(status, ids=ids)
            except MalformedPayload as exc:
                skipped += 1
                log.warning("%s: skipped a status: %s", account.handle, exc)
                continue
            if post.author_id != self_uri:
                skipped += 1  # a server that mixes in other people's statuses
                continue
            posts.append(post)
        clash = foreign_ids(store, account, [p.id for p in posts])
        posts = [p for p in posts if p.id not in clash]
        newest = max((s["id"] for s in raw), key=_id_key, default=None)
        local_ids = _remember_local_ids(state.get("local_ids"), raw, local_id)
        new_state: dict[str, str | None] = {
            "mastodon_id": local_id, "looked_up_at": state.get("looked_up_at"), "local_ids": json.dumps(local_ids),
        }
        if newest and (not since_id or _id_key(newest) > _id_key(since_id)):
            new_state["since_id"] = newest
        new_state["skipped"] = str(skipped + len(clash)) if skipped or clash else None
        result = store.save_batch(account, posts=posts, state=new_state)
        new_posts, new_interactions = result.new_posts, 0
        local_by_uri = {uri: local for local, uri in ids.statuses.items()}
        for post_id, reply_count in store.threads_to_check(account, horizon)[: self.max_threads]:
            local = local_by_uri.get(post_id) or local_ids.get(post_id)
            if local is None:
                match = _TRAILING_ID.search(urlsplit(post_id).path)
                local = match.group(1) if match else None
            if local is None or not _SAFE_ID.match(local):
                store.save_batch(account, threads_checked={post_id: reply_count})
                continue
            try:
                context, fetched = api.get(f"/api/v1/statuses/{local}/context")
            except NotFound:
                store.save_batch(account, deleted_post_ids=[post_id], threads_checked={post_id: reply_count})
                continue
            refreshing = bool(getattr(fetched, "headers", {}).get("mastodon-async-refresh"))
            thread = normalize_context(context, focal_uri=post_id, self_local_id=local_id, ids=ids, focal_local_id=local,
                                       focal_replies=reply_count, refreshing=refreshing)
            own = [p for p in thread.own_posts if p.author_id == self_uri]
            clash = foreign_ids(store, account, [p.id for p in own], [i.id for i in thread.interactions])
            batch = store.save_batch(
                account,
                posts=[p for p in own if p.id not in clash],
                interactions=[i for i in thread.interactions if i.id not in clash and i.author_id != self_uri],
                threads_checked={post_id: reply_count},
                reply_losses=thread.losses,
                reply_listings=thread.listings,
            )
            new_posts += batch.new_posts
            new_interactions += batch.new_interactions
        return AccountOutcome(
            leader.name,
            self.platform,
            account.handle,
            new_posts=new_posts,
            new_interactions=new_interactions,
            requests=api.requests,
        )


register(Platform.MASTODON, MastodonCollector)
