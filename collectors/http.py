"""What every collector shares for talking to a source: a global request budget and retries.

:class:`RequestBudget` is handed to collectors as ``CollectContext.acquire``: calling
it blocks until one more request to ``host`` fits the budget (a token bucket per
host, e.g. the public AppView's ~3000 requests / 5 minutes) and until any pause
the source asked for (HTTP 429 ``Retry-After``, ``RateLimit-Remaining: 0``) is over.
It is thread-safe, so one budget serves all the runner's worker threads.

:func:`backoff_delay` is full-jitter exponential backoff for retries of timeouts,
connection resets and 5xx answers.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field


@dataclass
class _Bucket:
    tokens: float
    updated: float
    paused_until: float = 0.0


@dataclass
class RequestBudget:
    """Token bucket per host: ``rate`` requests per ``per`` seconds, bursts up to ``burst``."""

    rate: float = 3000
    per: float = 300.0
    burst: float = 50
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    _buckets: dict[str, _Bucket] = field(default_factory=dict, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    #: requests granted per host (for reports)
    granted: dict[str, int] = field(default_factory=dict, init=False)
    waited: float = field(default=0.0, init=False)

    def __call__(self, host: str) -> None:
        self.acquire(host)

    def acquire(self, host: str) -> None:
        while True:
            with self._lock:
                now = self.clock()
                bucket = self._buckets.get(host)
                if bucket is None:
                    bucket = self._buckets[host] = _Bucket(tokens=self.burst, updated=now)
                bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate / self.per)
                bucket.updated = now
                if now < bucket.paused_until:
                    wait = bucket.paused_until - now
                elif bucket.tokens >= 1 - 1e-9:
                    bucket.tokens = max(0.0, bucket.tokens - 1)
                    self.granted[host] = self.granted.get(host, 0) + 1
                    return
                else:
                    wait = max(1e-4, (1 - bucket.tokens) * self.per / self.rate)
            self.waited += wait
            self.sleep(min(wait, 60.0))

    def pause(self, host: str, seconds: float) -> None:
        """Hold every request to ``host`` for ``seconds`` (the source asked us to slow down)."""
        with self._lock:
            now = self.clock()
            bucket = self._buckets.setdefault(host, _Bucket(tokens=0, updated=now))
            bucket.paused_until = max(bucket.paused_until, now + max(0.0, seconds))

    def observe(self, host: str, headers: Mapping[str, str]) -> None:
        """Read ``RateLimit-*`` headers of a successful answer; pause when the window is used up."""
        remaining = _int(headers.get("ratelimit-remaining"))
        reset = _int(headers.get("ratelimit-reset"))
        if remaining is not None and remaining <= 0 and reset is not None:
            self.pause(host, max(0.0, reset - time.time()))


def _int(value) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def backoff_delay(attempt: int, base: float = 0.5, cap: float = 30.0, rng: random.Random | None = None) -> float:
    """Full-jitter exponential backoff: uniform in [0, min(cap, base * 2**attempt)]."""
    return (rng or random).uniform(0, min(cap, base * (2**attempt)))
