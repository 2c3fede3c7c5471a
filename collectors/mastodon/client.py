"""A small client for Mastodon's public REST API, over :class:`collectors.safehttp.SafeHttp`.

Rate limits: Mastodon sends ``X-RateLimit-Limit/Remaining/Reset`` (reset is an
ISO-8601 time). When ``Remaining`` reaches 0 we wait for the reset before the
next request if that is at most ``max_wait`` seconds away, else raise
:class:`RateLimited`. A 429 is handled the same way (``Retry-After`` or reset),
5xx answers are retried twice with a short backoff.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from collectors.common import parse_time
from collectors.safehttp import Fetched, SafeHttp
from lasna.errors import MalformedPayload, RateLimited, SourceUnavailable

_LINK = re.compile(r'<([^>]*)>\s*;\s*rel="?([a-zA-Z ]+)"?')


class NotFound(SourceUnavailable):
    """The API answered 404/410 for this path (the caller decides what that means)."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def parse_links(header: str) -> dict[str, str]:
    links: dict[str, str] = {}
    for url, rels in _LINK.findall(header or "")[:10]:
        for rel in rels.split():
            links.setdefault(rel, url)
    return links


class MastodonAPI:
    def __init__(
        self,
        http: SafeHttp,
        base_url: str,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        max_wait: float = 60.0,
        retries: int = 2,
        backoff: float = 1.0,
    ) -> None:
        self.http = http
        self.base = base_url.rstrip("/")
        self.host = urlsplit(self.base).netloc
        self.hostname = urlsplit(self.base).hostname or self.host
        self.sleep = sleep
        self.clock = clock
        self.max_wait = max_wait
        self.retries = retries
        self.backoff = backoff
        self._resume_at: datetime | None = None

    @property
    def requests(self) -> int:
        return self.http.requests

    def _wait_seconds(self, fetched: Fetched) -> float | None:
        retry_after = fetched.headers.get("retry-after", "").strip()
        if retry_after.isdigit():
            return float(retry_after)
        reset = parse_time(fetched.headers.get("x-ratelimit-reset"))
        if reset is not None:
            return max(0.0, (reset - self.clock()).total_seconds())
        return None

    def _pause(self, seconds: float | None, why: str) -> None:
        if seconds is None:
            seconds = self.max_wait + 1
        if seconds > self.max_wait:
            raise RateLimited(
                f"{self.host} rate limit reached ({why}); resets in {seconds:.0f} s",
                retry_after=seconds,
                hint="the next collection run will continue from where this one stopped",
            )
        if seconds > 0:
            # the runner's shared budget (CollectContext.acquire) can hold every worker that
            # talks to this instance, not just this account; else we sleep here
            pause = getattr(self.http.acquire, "pause", None)
            if pause is not None:
                pause(self.hostname, seconds)
            else:
                self.sleep(seconds)

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> tuple[Any, Fetched]:
        """GET an API path and decode JSON; raises NotFound for 404/410."""
        url = f"{self.base}{path}"
        for attempt in range(self.retries + 1):
            if self._resume_at is not None:
                wait = (self._resume_at - self.clock()).total_seconds()
                self._resume_at = None
                self._pause(wait, "no requests remaining")
            fetched = self.http.get(url, params=params, headers={"Accept": "application/json"}, max_bytes=5 * 1024 * 1024)
            remaining = fetched.headers.get("x-ratelimit-remaining", "").strip()
            if remaining.isdigit() and int(remaining) == 0:
                reset = parse_time(fetched.headers.get("x-ratelimit-reset"))
                self._resume_at = reset
            status = fetched.status
            if status == 429:
                if attempt < self.retries:
                    self._pause(self._wait_seconds(fetched), "HTTP 429")
                    self._resume_at = None
                    continue
                raise RateLimited(f"{self.host} keeps answering 429", retry_after=self._wait_seconds(fetched))
            if status >= 500:
                if attempt < self.retries:
                    self.sleep(self.backoff * (attempt + 1))
                    continue
                raise SourceUnavailable(f"{self.host} answered HTTP {status} (after {attempt + 1} tries)")
            if status in (404, 410):
                raise NotFound(f"{self.host} has no {path} (HTTP {status})", status)
            if status in (401, 403):
                raise SourceUnavailable(
                    f"{self.host} refused public access to {path} (HTTP {status})",
                    hint="the instance may require sign-in for its API (limited federation / authorized fetch)",
                )
            if status != 200:
                raise SourceUnavailable(f"{self.host} answered HTTP {status} for {path}")
            try:
                return json.loads(fetched.body), fetched
            except (ValueError, RecursionError) as exc:
                raise MalformedPayload(f"{self.host} sent invalid JSON for {path}: {str(exc)[:120]}") from None
        raise SourceUnavailable(f"{self.host}: giving up on {path}")  # pragma: no cover

    def next_max_id(self, fetched: Fetched) -> str | None:
        """``max_id`` of the rel="next" Link (same host only), for paging backwards."""
        link = parse_links(fetched.headers.get("link", "")).get("next")
        if not link:
            return None
        parts = urlsplit(link)
        if parts.netloc and parts.netloc != self.host:
            return None
        values = parse_qs(parts.query).get("max_id")
        return values[0] if values else None
