"""Unauthenticated reads from a Bluesky AppView through the ``atproto`` SDK, with retries.

The SDK does the HTTP through :func:`collectors.safehttp.guarded_transport`, the same guard
as the feed and Mastodon collectors: every hop of a redirect is checked again at connect time
(private, loopback and link-local addresses are refused — except the AppView origin the
operator configured, so a devnet on loopback works — unless ``allow_private_urls`` is on), the
answer is cut at ``MAX_BYTES`` after decoding, and each attempt has one deadline covering
connect, headers and body. (``transport=`` lets tests and benchmarks swap in an
``httpx.MockTransport``; it is wrapped by the same size and redirect guard.) The SDK raises its own
exceptions; this module turns them into :mod:`lasna.errors`, retries what is
worth retrying (timeouts, resets, 5xx, truncated JSON, 429 after the advised
wait) with jittered backoff, and never retries other 4xx answers. Answers are
handed on as the raw JSON ``dict`` so the pure normaliser sees exactly what the
AppView sent.
"""

from __future__ import annotations

import logging
import ssl
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx
from atproto import Client, models
from atproto_client import exceptions as atx
from atproto_client.request import Request

from collectors.http import backoff_delay
from collectors.safehttp import MAX_BYTES, deadline, guarded_transport
from lasna.errors import AccountGone, CollectorError, MalformedPayload, RateLimited, SourceUnavailable

log = logging.getLogger(__name__)

_SSL: ssl.SSLContext | None = None


def _ssl_context() -> ssl.SSLContext:
    """One verifying SSL context for every client (building one costs ~50 ms of CPU)."""
    global _SSL
    if _SSL is None:
        _SSL = httpx.create_ssl_context()
    return _SSL

#: XRPC error names that mean the account itself is gone / not visible any more.
_GONE = {"AccountTakedown", "AccountDeactivated", "BlockedActor", "BlockedByActor", "ProfileNotFound"}
_GONE_MESSAGES = ("profile not found", "could not find repo", "actor not found", "unable to resolve handle")


class NotFound(CollectorError):
    """The requested record does not exist (deleted post)."""


#: one attempt (all redirect hops, headers and body) must be done within this many seconds
DEADLINE = 30.0


def sdk_client(
    base_url: str,
    *,
    transport: httpx.BaseTransport | None = None,
    timeout: float = 20.0,
    max_bytes: int = MAX_BYTES,
    allow_private: bool | None = None,
) -> Client:
    """One ``atproto`` client with its own guarded httpx connection pool (see the module doc)."""
    guarded = guarded_transport(
        allow_private=allow_private, trusted_urls=[base_url], verify=_ssl_context(), max_bytes=max_bytes,
        deadline_seconds=DEADLINE, inner=transport,
    )
    kwargs: dict[str, Any] = {"timeout": timeout, "verify": _ssl_context(), "transport": guarded}
    return Client(base_url=base_url.rstrip("/"), request=Request(**kwargs))


class AppView:
    """One account's view of the AppView: retries, error mapping and its own request count.

    ``client`` lets the accounts of a run reuse SDK clients and their connections
    (a new client and connection per account cost more CPU than its requests);
    without it the AppView makes its own and closes it in :meth:`close`.
    """

    def __init__(
        self,
        base_url: str,
        *,
        transport: httpx.BaseTransport | None = None,
        acquire: Callable[[str], None] = lambda host: None,
        timeout: float = 20.0,
        max_attempts: int = 4,
        backoff_base: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
        client: Client | None = None,
        deadline: float = DEADLINE,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.host = urlsplit(self.base_url).netloc or self.base_url
        self._owns_client = client is None
        self.client = client or sdk_client(self.base_url, transport=transport, timeout=timeout)
        self.acquire = acquire
        self.max_attempts = max(1, max_attempts)
        self.backoff_base = backoff_base
        self.sleep = sleep
        self.deadline = deadline
        self.requests = 0

    def close(self) -> None:
        if self._owns_client:
            self.client.request.close()

    # ------------------------------------------------------------ endpoints
    def get_profile(self, actor: str) -> dict[str, Any]:
        return self.query("app.bsky.actor.getProfile", models.AppBskyActorGetProfile.Params(actor=actor))

    def get_author_feed(self, actor: str, cursor: str | None = None, limit: int = 100) -> dict[str, Any]:
        params = models.AppBskyFeedGetAuthorFeed.Params(
            actor=actor, cursor=cursor, limit=limit, filter="posts_with_replies"
        )
        return self.query("app.bsky.feed.getAuthorFeed", params)

    def get_post_thread(self, uri: str, depth: int = 100) -> dict[str, Any]:
        params = models.AppBskyFeedGetPostThread.Params(uri=uri, depth=depth, parent_height=0)
        return self.query("app.bsky.feed.getPostThread", params)

    def get_quotes(self, uri: str, cursor: str | None = None, limit: int = 100) -> dict[str, Any]:
        params = models.AppBskyFeedGetQuotes.Params(uri=uri, cursor=cursor, limit=limit)
        return self.query("app.bsky.feed.getQuotes", params)

    # ------------------------------------------------------------ the retry loop
    def query(self, nsid: str, params: Any) -> dict[str, Any]:
        last: Exception | None = None
        for attempt in range(self.max_attempts):
            self.acquire(self.host)
            self.requests += 1
            try:
                with deadline(self.deadline):  # connect, every redirect hop, headers and body
                    response = self.client.invoke_query(nsid, params=params)
            except atx.RateLimitExceededError as exc:
                wait = exc.retry_after
                if wait is None and exc.reset_at is not None:
                    wait = max(0.0, exc.reset_at.timestamp() - time.time())
                wait = backoff_delay(attempt, self.backoff_base) if wait is None else wait
                pause = getattr(self.acquire, "pause", None)
                if pause is not None:
                    pause(self.host, wait)  # everyone waits, not just this account
                last = RateLimited(f"{nsid}: rate limited by {self.host}", retry_after=wait)
                log.warning("%s: 429 from %s, waiting %.1fs (attempt %d)", nsid, self.host, wait, attempt + 1)
                if attempt + 1 < self.max_attempts:
                    if pause is None:
                        self.sleep(wait)
                    continue
                raise last from exc
            except atx.BadRequestError as exc:
                raise _bad_request(nsid, exc) from exc
            except atx.UnauthorizedError as exc:
                raise SourceUnavailable(f"{nsid}: {self.host} refused an unauthenticated read ({exc})",
                                        hint="is LASNA_BSKY_APPVIEW a public AppView?") from exc
            except atx.NetworkError as exc:  # timeouts, resets, refused, 409/413/502
                last = SourceUnavailable(
                    f"{nsid}: the AppView at {self.base_url} did not answer ({_describe(exc)})",
                    hint="check LASNA_BSKY_APPVIEW and the network",
                )
            except httpx.TransportError as exc:  # protocol errors the SDK passes through unwrapped
                last = SourceUnavailable(
                    f"{nsid}: the connection to {self.base_url} broke ({type(exc).__name__})",
                    hint="check LASNA_BSKY_APPVIEW and the network",
                )
            except atx.RequestException as exc:
                status = exc.response.status_code if exc.response is not None else 0
                if status < 500:
                    raise CollectorError(f"{nsid}: {self.host} answered HTTP {status} ({exc})") from exc
                last = SourceUnavailable(f"{nsid}: {self.host} answered HTTP {status}")
            except ValueError as exc:  # truncated / invalid JSON body
                last = MalformedPayload(f"{nsid}: invalid JSON from {self.host} ({str(exc)[:80]})")
            else:
                observe = getattr(self.acquire, "observe", None)
                if observe is not None:
                    observe(self.host, response.headers)
                content = response.content
                if not isinstance(content, Mapping):
                    last = MalformedPayload(f"{nsid}: {self.host} answered something that is not a JSON object")
                else:
                    return dict(content)
            if attempt + 1 < self.max_attempts:
                delay = backoff_delay(attempt, self.backoff_base)
                log.info("%s: %s; retry %d in %.2fs", nsid, last, attempt + 1, delay)
                self.sleep(delay)
        assert last is not None
        raise last


def _describe(exc: atx.NetworkError) -> str:
    if exc.response is not None:
        return f"HTTP {exc.response.status_code}"
    cause = exc.__cause__ or exc.__context__
    return type(cause).__name__ if cause else type(exc).__name__


def _bad_request(nsid: str, exc: atx.BadRequestError) -> CollectorError:
    content = exc.response.content if exc.response is not None else None
    error = getattr(content, "error", None) or ""
    message = getattr(content, "message", None) or ""
    if error == "NotFound" or (nsid.endswith("getPostThread") and "not found" in message.lower()):
        return NotFound(f"{nsid}: {message or error}")
    if error in _GONE or any(m in message.lower() for m in _GONE_MESSAGES):
        return AccountGone(f"the account is gone or hidden ({error or 'InvalidRequest'}: {message})")
    return CollectorError(f"{nsid}: HTTP 400 {error}: {message}")
