"""Load the bundled demo dataset (``data/demo/demo.json.gz``) through the store API.

The data are fictional and marked as demo (``leaders.demo``). Times are shifted by
whole weeks so that the demo always ends in the week before the current one;
loading again changes nothing (upserts by stable id; creation times never move).
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from lasna import pipeline
from lasna.errors import InputError
from lasna.resources import data_path
from lasna.store import Store
from lasna.types import Interaction, InteractionKind, Platform, Post, Visibility

DEMO_FILE = data_path("demo", "demo.json.gz")


@dataclass(frozen=True)
class DemoResult:
    leaders: int
    posts: int
    interactions: int
    new_posts: int
    new_interactions: int


def read_demo(path: Path = DEMO_FILE) -> dict[str, Any]:
    if not path.exists():
        raise InputError(f"demo data not found at {path}", hint="run from a Läsnä checkout (pip install -e .)")
    return json.loads(gzip.decompress(path.read_bytes()))


def week_shift(anchor: datetime, today: datetime) -> timedelta:
    """Whole weeks that move ``anchor`` to the Monday of ``today``'s week (never backwards)."""
    monday = (today - timedelta(days=today.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
    weeks = max(0, (monday - anchor).days // 7)
    return timedelta(weeks=weeks)


def _time(value: str | None, shift: timedelta) -> datetime | None:
    """An optional timestamp of the demo file, moved by ``shift``."""
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00")) + shift


def _required_time(value: str, shift: timedelta) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) + shift


def _post(raw: dict[str, Any], platform: Platform, shift: timedelta) -> Post:
    return Post(
        id=raw["id"],
        platform=platform,
        author_id=raw["author_id"],
        created_at=_required_time(raw["created_at"], shift),
        indexed_at=_time(raw.get("indexed_at"), shift),
        text=raw.get("text", ""),
        lang=raw.get("lang"),
        url=raw.get("url"),
        reply_parent_id=raw.get("reply_parent_id"),
        reply_root_id=raw.get("reply_root_id"),
        reply_parent_author_id=raw.get("reply_parent_author_id"),
        quote_of_id=raw.get("quote_of_id"),
        is_repost=raw.get("is_repost", False),
        repost_of_id=raw.get("repost_of_id"),
        mentions=tuple(raw.get("mentions", ())),
        links=tuple(raw.get("links", ())),
        tags=tuple(raw.get("tags", ())),
        like_count=raw.get("like_count", 0),
        reply_count=raw.get("reply_count", 0),
        repost_count=raw.get("repost_count", 0),
        quote_count=raw.get("quote_count", 0),
        replies_restricted=raw.get("replies_restricted", False),
        quotes_disabled=raw.get("quotes_disabled", False),
        hidden_replies=raw.get("hidden_replies", 0),
    )


def _interaction(raw: dict[str, Any], platform: Platform, shift: timedelta) -> Interaction:
    return Interaction(
        id=raw["id"],
        platform=platform,
        kind=InteractionKind(raw["kind"]),
        author_id=raw["author_id"],
        author_handle=raw.get("author_handle"),
        author_name=raw.get("author_name"),
        created_at=_required_time(raw["created_at"], shift),
        indexed_at=_time(raw.get("indexed_at"), shift),
        text=raw.get("text", ""),
        lang=raw.get("lang"),
        url=raw.get("url"),
        parent_id=raw.get("parent_id"),
        root_id=raw.get("root_id"),
        hidden=raw.get("hidden", False),
    )


def load_demo(store: Store, *, today: datetime | None = None, path: Path = DEMO_FILE) -> DemoResult:
    data = read_demo(path)
    shift = week_shift(_required_time(data["anchor"], timedelta(0)), today or datetime.now(UTC))
    existing = {l.name: l for l in store.leaders(include_inactive=True)}
    for cohort in data["cohorts"]:
        store.set_cohort(cohort["name"], Visibility(cohort["visibility"]))
    totals = dict(posts=0, interactions=0, new_posts=0, new_interactions=0)
    for entry in data["leaders"]:
        leader = existing.get(entry["name"])
        if leader is not None and not leader.demo:
            raise InputError(
                f"a real leader named {entry['name']!r} exists; the demo will not touch their data",
                hint="load the demo into its own database with --database or LASNA_DATABASE_URL",
            )
        if leader is None:
            leader = store.add_leader(entry["name"], language=entry["language"], cohorts=entry["cohorts"], demo=True)
        assert leader.id is not None  # read from or just written to the store
        for raw_account in entry["accounts"]:
            platform = Platform(raw_account["platform"])
            account = store.add_account(
                leader.id, platform, raw_account["handle"], stable_id=raw_account["stable_id"], url=raw_account["url"]
            )
            posts = [_post(p, platform, shift) for p in raw_account["posts"]]
            interactions = [_interaction(i, platform, shift) for i in raw_account["interactions"]]
            result = store.save_batch(account, posts=posts, interactions=interactions)
            pipeline.after_ingest(store, [leader.id])
            totals["posts"] += len(posts)
            totals["interactions"] += len(interactions)
            totals["new_posts"] += result.new_posts
            totals["new_interactions"] += result.new_interactions
    return DemoResult(leaders=len(data["leaders"]), **totals)
