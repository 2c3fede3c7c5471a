"""Frozen domain types shared by collectors, coaching, dashboard and the store.

Identity is always the stable id at the source (a Bluesky DID, a fediverse
``acct:user@domain`` key, a feed URL), never a display handle: handles change, ids do not.
The platforms themselves are specified in :mod:`lasna.sources`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime


class Platform(str, enum.Enum):
    BLUESKY = "bluesky"
    MASTODON = "mastodon"
    FEED = "feed"
    LINKEDIN = "linkedin"
    JSONL = "jsonl"

    def __str__(self) -> str:
        return self.value


class InteractionKind(str, enum.Enum):
    REPLY = "reply"  # a reply to one of the leader's posts (or deeper in the leader's thread)
    MENTION = "mention"  # a post that mentions the leader without replying
    COMMENT = "comment"  # a comment on a blog/video/LinkedIn post
    QUOTE = "quote"  # a quote post of the leader's post

    def __str__(self) -> str:
        return self.value


class Visibility(str, enum.Enum):
    """Who in a cohort sees what."""

    ALL = "all"  # members see each other's scores
    AGGREGATES = "aggregates"  # members see only cohort aggregates
    CONSULTANT = "consultant"  # only consultants and admins see the cohort

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Leader:
    name: str
    language: str = "fi"
    id: int | None = None
    cohorts: tuple[str, ...] = ()
    demo: bool = False


@dataclass(frozen=True)
class Cohort:
    name: str
    visibility: Visibility = Visibility.AGGREGATES
    id: int | None = None


@dataclass(frozen=True)
class Account:
    """A leader's presence on one platform.

    ``handle`` is what people see and what the user typed; ``stable_id`` is the
    identity at the source (DID for Bluesky), filled in once resolved.
    """

    platform: Platform
    handle: str
    stable_id: str | None = None
    url: str | None = None
    id: int | None = None
    leader_id: int | None = None


#: Why a reply the platform counts was not collected (collectors report them per post: the coverage
#: ledger, ``coaching.coverage``): shown as blocked / not found in the thread, below the depth or past
#: the listing limit the thread was fetched with, on another instance the leader's server has not
#: fetched yet, or left out of a complete listing by the platform.
GAP_REASONS = ("blocked", "not_found", "depth_cut", "other_instance", "withheld")


@dataclass(frozen=True)
class Post:
    """One of the leader's own posts (including replies, quotes and reposts)."""

    id: str  # stable id/URI at the source (at:// URI, ActivityPub id, feed guid, ...)
    platform: Platform
    author_id: str  # stable id of the leader's account at the source
    created_at: datetime  # client-set time
    indexed_at: datetime | None = None  # server-seen time (Bluesky indexedAt); use for latency
    text: str = ""
    lang: str | None = None
    url: str | None = None
    reply_parent_id: str | None = None
    reply_root_id: str | None = None
    reply_parent_author_id: str | None = None
    quote_of_id: str | None = None
    is_repost: bool = False
    repost_of_id: str | None = None
    mentions: tuple[str, ...] = ()
    links: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    like_count: int = 0
    reply_count: int = 0
    repost_count: int = 0
    quote_count: int = 0
    replies_restricted: bool = False  # Bluesky threadgate (or similar)
    quotes_disabled: bool = False  # Bluesky postgate
    hidden_replies: int = 0
    deleted: bool = False


@dataclass(frozen=True)
class Interaction:
    """Something someone else addressed to a leader: a reply, a mention, a comment."""

    id: str  # stable id of the other person's post
    platform: Platform
    kind: InteractionKind
    author_id: str  # stable id of the person (DID, acct:user@domain, ...)
    created_at: datetime
    indexed_at: datetime | None = None
    author_handle: str | None = None
    author_name: str | None = None
    text: str = ""
    lang: str | None = None
    url: str | None = None
    parent_id: str | None = None  # the post it answers
    root_id: str | None = None
    hidden: bool = False  # hidden by the leader (Bluesky postgate hiddenReplies)
    deleted: bool = False
    # Filled in by the store on read: the leader's post that answered this one, if any.
    answered_by: str | None = None


@dataclass(frozen=True)
class CollectionRun:
    run_id: str
    started_at: datetime
    finished_at: datetime | None = None
    source: str = "all"
    ok: bool | None = None
    accounts: int = 0
    failed_accounts: int = 0


@dataclass(frozen=True)
class AccountOutcome:
    """What one collection run did for one account."""

    leader: str
    platform: Platform
    account: str
    new_posts: int = 0
    new_interactions: int = 0
    requests: int = 0
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class Goal:
    leader_id: int
    metric: str  # component or composite key, e.g. "response_rate"
    target: float
    start: date
    deadline: date
    id: int | None = None
    description: str = ""
    created_by: str | None = None


@dataclass(frozen=True)
class SessionNote:
    """A sparring session a consultant held with a leader."""

    leader_id: int
    held_on: date
    period_start: date
    period_end: date
    baseline_start: date | None = None
    baseline_end: date | None = None
    notes: str = ""
    actions: tuple[str, ...] = ()
    next_session: date | None = None
    consultant: str | None = None
    id: int | None = None
    created_at: datetime | None = field(default=None, compare=False)


@dataclass(frozen=True)
class TipFeedback:
    """A leader dismissed a coaching tip or marked it done; it then stays away for a while."""

    leader_id: int
    tip_key: str
    action: str  # "dismissed" | "done"
    at: datetime


class Role(str, enum.Enum):
    """What a dashboard user may see: everything (admin), their cohorts and leaders (consultant), or
    their own leader (executive)."""

    ADMIN = "admin"
    CONSULTANT = "consultant"
    EXECUTIVE = "executive"

    def __str__(self) -> str:
        return self.value
