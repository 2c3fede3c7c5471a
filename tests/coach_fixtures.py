"""The demo loaded once per test session into a temporary SQLite store, for the coaching tests.

A module-level cache (not a conftest fixture) so several test modules share one load (~5 s) and one
feature computation without touching the shared conftest.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

from lasna.demo import load_demo, read_demo
from lasna.store import Store

TODAY = datetime(2026, 11, 22, 12, tzinfo=UTC)


@lru_cache(maxsize=1)
def demo_url() -> str:
    folder = Path(tempfile.mkdtemp(prefix="lasna-coach-"))
    atexit.register(shutil.rmtree, folder, True)
    url = f"sqlite:///{folder / 'demo.db'}"
    store = Store.open(url)
    load_demo(store, today=TODAY)
    store.close()
    return url


@lru_cache(maxsize=1)
def demo_store() -> Store:
    return Store.open(demo_url())


@lru_cache(maxsize=1)
def demo_service():
    """A CoachService on the shared demo store (read-mostly: tests that write use their own leader/keys)."""
    from lasna.coach_service import CoachService

    return CoachService(demo_store(), today=TODAY)


@lru_cache(maxsize=1)
def styles() -> dict[str, str]:
    return {l["name"]: l["style"] for l in read_demo()["leaders"]}


def leaders_with(style: str) -> list[str]:
    return [n for n, s in styles().items() if s == style]
