"""A small fake Bluesky AppView: AppView-shaped JSON for many synthetic accounts.

Used by the fault/crash tests and by ``benchmarks/collect.py``. The JSON has the
shape of what the real AppView returns (recorded in tests/fixtures/bluesky).
It serves ``app.bsky.actor.getProfile``, ``app.bsky.feed.getAuthorFeed`` (offset
cursors, newest first), ``app.bsky.feed.getPostThread`` and ``app.bsky.feed.getQuotes``, either in-process
(:func:`mock_transport` for ``httpx.MockTransport``) or on loopback
(:func:`serve`, a threaded ``http.server`` with injected latency).

    python benchmarks/fake_appview.py --accounts 5 --posts 50 --latency 0.05   # prints the base URL
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import httpx

NOW = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)


def iso(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


@dataclass
class Reply:
    uri: str
    did: str
    handle: str
    text: str
    created_at: datetime


@dataclass
class FakePost:
    uri: str
    created_at: datetime
    text: str
    likes: int = 0
    replies: list[Reply] = field(default_factory=list)
    quotes: list[Reply] = field(default_factory=list)  # quote posts of this post
    deleted: bool = False


@dataclass
class FakeAccount:
    did: str
    handle: str
    posts: list[FakePost]  # newest first
    version: int = 0


class World:
    def __init__(
        self,
        accounts: int = 3,
        posts: int = 40,
        *,
        now: datetime = NOW,
        spacing_hours: float = 36.0,
        reply_every: int = 10,
        replies_per_post: int = 2,
    ) -> None:
        self.now = now
        self.lock = threading.Lock()
        self.requests: Counter[str] = Counter()
        self.accounts: list[FakeAccount] = []
        self._cache: dict[tuple, bytes] = {}
        for a in range(accounts):
            did = f"did:plc:fake{a:020d}"
            items = []
            for i in range(posts):
                rkey = f"3p{a:05d}{i:06d}"
                created = now - timedelta(hours=spacing_hours * i + 1)
                post = FakePost(f"at://{did}/app.bsky.feed.post/{rkey}", created, f"Post {i} by leader {a}", likes=i % 7)
                if reply_every and i % reply_every == 0:
                    for r in range(replies_per_post):
                        rdid = f"did:plc:fan{r:023d}"
                        post.replies.append(
                            Reply(f"at://{rdid}/app.bsky.feed.post/3r{a:05d}{i:06d}{r}", rdid, f"fan{r}.test",
                                  f"Reply {r} to post {i}", created + timedelta(minutes=5 + r))
                        )
                items.append(post)
            self.accounts.append(FakeAccount(did, f"leader{a}.test", items))
        self.by_actor = {}
        self._index()

    def _index(self) -> None:
        self.by_actor = {}
        for acct in self.accounts:
            self.by_actor[acct.did] = acct
            self.by_actor[acct.handle] = acct
        self.by_uri = {p.uri: (acct, p) for acct in self.accounts for p in acct.posts}

    # ------------------------------------------------------------ mutations (tests)
    def add_reply(self, account: int, post: int, text: str = "a new reply") -> str:
        with self.lock:
            acct = self.accounts[account]
            target = acct.posts[post]
            n = len(target.replies)
            rdid = "did:plc:newfan00000000000000000"
            uri = f"at://{rdid}/app.bsky.feed.post/3new{account:04d}{post:05d}{n:03d}"
            target.replies.append(Reply(uri, rdid, "newfan.test", text, self.now))
            acct.version += 1
            return uri

    def delete_reply(self, account: int, post: int, index: int = 0) -> str:
        """The replier deletes their reply: it vanishes from the thread and the reply count drops."""
        return self._remove(account, post, "replies", index)

    def add_quote(self, account: int, post: int, *, by_leader: bool = False, text: str = "worth reading") -> str:
        """Someone (or with ``by_leader`` the leader themself) quotes one of the leader's posts."""
        with self.lock:
            acct = self.accounts[account]
            target = acct.posts[post]
            did, handle = (acct.did, acct.handle) if by_leader else ("did:plc:quoter0000000000000000", "quoter.test")
            uri = f"at://{did}/app.bsky.feed.post/3q{account:04d}{post:05d}{len(target.quotes):03d}"
            target.quotes.append(Reply(uri, did, handle, text, self.now))
            acct.version += 1
            return uri

    def delete_quote(self, account: int, post: int, index: int = 0) -> str:
        return self._remove(account, post, "quotes", index)

    def _remove(self, account: int, post: int, what: str, index: int) -> str:
        with self.lock:
            acct = self.accounts[account]
            gone = getattr(acct.posts[post], what).pop(index)
            acct.version += 1
            return gone.uri

    def delete_post(self, account: int, post: int) -> str:
        with self.lock:
            acct = self.accounts[account]
            acct.posts[post].deleted = True
            acct.version += 1
            return acct.posts[post].uri

    def rename(self, account: int, handle: str) -> None:
        with self.lock:
            self.accounts[account].handle = handle
            self.accounts[account].version += 1
            self._index()

    # ------------------------------------------------------------ views
    def _author(self, acct: FakeAccount) -> dict:
        return {"did": acct.did, "handle": acct.handle, "displayName": f"Leader {acct.handle}", "labels": []}

    def _post_view(self, acct: FakeAccount, post: FakePost) -> dict:
        return {
            "uri": post.uri,
            "cid": "bafy" + post.uri[-12:],
            "author": self._author(acct),
            "record": {"$type": "app.bsky.feed.post", "text": post.text, "langs": ["fi"], "createdAt": iso(post.created_at)},
            "replyCount": len(post.replies),
            "repostCount": 0,
            "likeCount": post.likes,
            "quoteCount": len(post.quotes),
            "indexedAt": iso(post.created_at + timedelta(seconds=1)),
            "labels": [],
        }

    def _reply_node(self, root: FakePost, reply: Reply) -> dict:
        return {
            "$type": "app.bsky.feed.defs#threadViewPost",
            "post": {
                "uri": reply.uri,
                "cid": "bafy" + reply.uri[-12:],
                "author": {"did": reply.did, "handle": reply.handle, "displayName": reply.handle.split(".")[0].title(), "labels": []},
                "record": {"$type": "app.bsky.feed.post", "text": reply.text, "createdAt": iso(reply.created_at),
                           "reply": {"root": {"uri": root.uri, "cid": "c"}, "parent": {"uri": root.uri, "cid": "c"}}},
                "replyCount": 0, "repostCount": 0, "likeCount": 0, "quoteCount": 0,
                "indexedAt": iso(reply.created_at + timedelta(seconds=1)), "labels": [],
            },
            "replies": [],
        }

    def _quote_view(self, quoted: FakePost, quote: Reply) -> dict:
        return {
            "uri": quote.uri,
            "cid": "bafy" + quote.uri[-12:],
            "author": {"did": quote.did, "handle": quote.handle, "displayName": quote.handle.split(".")[0].title(),
                       "labels": []},
            "record": {"$type": "app.bsky.feed.post", "text": quote.text, "createdAt": iso(quote.created_at),
                       "embed": {"$type": "app.bsky.embed.record", "record": {"uri": quoted.uri, "cid": "c"}}},
            "embed": {"$type": "app.bsky.embed.record#view",
                      "record": {"$type": "app.bsky.embed.record#viewRecord", "uri": quoted.uri}},
            "replyCount": 0, "repostCount": 0, "likeCount": 0, "quoteCount": 0,
            "indexedAt": iso(quote.created_at + timedelta(seconds=1)), "labels": [],
        }

    def prewarm(self, limit: int = 100) -> None:
        """Render every feed page and thread once, so serving costs (almost) no CPU later."""
        for acct in self.accounts:
            offset = 0
            while True:
                self.handle("app.bsky.feed.getAuthorFeed", {"actor": acct.did, "limit": str(limit), "cursor": str(offset)})
                offset += limit
                if offset >= len(acct.posts):
                    break
            for post in acct.posts:
                if post.replies:
                    self.handle("app.bsky.feed.getPostThread", {"uri": post.uri})
        self.requests.clear()

    def handle(self, nsid: str, params: dict[str, str]) -> tuple[int, bytes]:
        with self.lock:
            self.requests[nsid] += 1
            if nsid == "app.bsky.actor.getProfile":
                acct = self.by_actor.get(params.get("actor", ""))
                if acct is None:
                    return _error("InvalidRequest", "Profile not found")
                return 200, json.dumps({"did": acct.did, "handle": acct.handle, "postsCount": len(acct.posts)}).encode()
            if nsid == "app.bsky.feed.getAuthorFeed":
                acct = self.by_actor.get(params.get("actor", ""))
                if acct is None:
                    return _error("InvalidRequest", "Profile not found")
                offset = int(params.get("cursor") or 0)
                params = {**params, "cursor": str(offset)}
                limit = min(100, int(params.get("limit") or 50))
                key = ("feed", acct.did, acct.version, offset, limit)
                body = self._cache.get(key)
                if body is None:
                    live = [p for p in acct.posts if not p.deleted]
                    page = live[offset : offset + limit]
                    out: dict = {"feed": [{"post": self._post_view(acct, p)} for p in page]}
                    if offset + limit < len(live):
                        out["cursor"] = str(offset + limit)
                    body = self._cache[key] = json.dumps(out).encode()
                return 200, body
            if nsid == "app.bsky.feed.getPostThread":
                found = self.by_uri.get(params.get("uri", ""))
                if found is None or found[1].deleted:
                    return _error("NotFound", f"Post not found: {params.get('uri')}")
                acct, post = found
                key = ("thread", post.uri, acct.version)
                body = self._cache.get(key)
                if body is None:
                    thread = {"$type": "app.bsky.feed.defs#threadViewPost", "post": self._post_view(acct, post),
                              "replies": [self._reply_node(post, r) for r in post.replies]}
                    body = self._cache[key] = json.dumps({"thread": thread}).encode()
                return 200, body
            if nsid == "app.bsky.feed.getQuotes":
                found = self.by_uri.get(params.get("uri", ""))
                quoted = found[1] if found is not None and not found[1].deleted else None
                quotes = quoted.quotes if quoted is not None else []
                offset = int(params.get("cursor") or 0)
                limit = min(100, int(params.get("limit") or 50))
                out = {"uri": params.get("uri", ""),
                       "posts": [self._quote_view(quoted, q) for q in quotes[offset : offset + limit]]}
                if offset + limit < len(quotes):
                    out["cursor"] = str(offset + limit)
                return 200, json.dumps(out).encode()
            return 501, json.dumps({"error": "MethodNotImplemented", "message": nsid}).encode()


def _error(name: str, message: str) -> tuple[int, bytes]:
    return 400, json.dumps({"error": name, "message": message}).encode()


def split(url: str) -> tuple[str, dict[str, str]]:
    parts = urlsplit(url)
    nsid = parts.path.rsplit("/", 1)[-1]
    return nsid, {k: v[-1] for k, v in parse_qs(parts.query).items()}


def mock_transport(world: World) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        nsid, params = split(str(request.url))
        status, body = world.handle(nsid, params)
        return httpx.Response(status, content=body, headers={"content-type": "application/json"})

    return httpx.MockTransport(handler)


def serve(
    world: World, latency: float = 0.0, port: int = 0, *, rendezvous: int = 0
) -> tuple[ThreadingHTTPServer, str]:
    """Start the fake AppView on 127.0.0.1 in a daemon thread; returns (server, base URL).

    ``rendezvous=N`` holds the first N ``getProfile`` requests until all N have arrived
    (tests use it to make N collector processes overlap however slowly each starts).
    """
    barrier = threading.Barrier(rendezvous, timeout=120) if rendezvous else None
    arrived = [0]
    arrived_lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out in separate writes

        def do_GET(self) -> None:  # noqa: N802
            if latency:
                time.sleep(latency)
            nsid, params = split(self.path)
            if barrier is not None and nsid == "app.bsky.actor.getProfile":
                with arrived_lock:
                    arrived[0] += 1
                    waits = arrived[0] <= barrier.parties
                if waits:
                    barrier.wait()
            status, body = world.handle(nsid, params)
            self.send_response(status)
            self.send_header("content-type", "application/json; charset=utf-8")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    server.request_queue_size = 256
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--accounts", type=int, default=3)
    parser.add_argument("--posts", type=int, default=40)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--prewarm", action="store_true", help="render all responses before serving")
    args = parser.parse_args()
    world = World(args.accounts, args.posts)
    if args.prewarm:
        world.prewarm()
    server, url = serve(world, args.latency, args.port)
    print(url, flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        server.shutdown()


if __name__ == "__main__":
    sys.exit(main())
