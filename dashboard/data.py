"""Loaders for the dashboard: cached calls into the store, and pure frame shaping.

Pages call these and nothing else that does I/O. Pure helpers (``weekly_activity``,
``summary``) are plain functions over frames so they can be tested without Streamlit.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import streamlit as st

from lasna.store import Store

CACHE_TTL = 300  # seconds; collection runs are at most hourly


@st.cache_resource
def store() -> Store:
    return Store.open()


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def leaders() -> pd.DataFrame:
    return store().leaders_frame()


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def cohorts() -> pd.DataFrame:
    return pd.DataFrame(
        [{"cohort": c.name, "visibility": c.visibility.value, "cohort_id": c.id} for c in store().cohorts()],
        columns=["cohort", "visibility", "cohort_id"],
    )


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def posts(leader_ids: tuple[int, ...], since: datetime | None = None) -> pd.DataFrame:
    return store().posts_frame(list(leader_ids), since=since)


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def interactions(leader_ids: tuple[int, ...], since: datetime | None = None) -> pd.DataFrame:
    return store().interactions_frame(list(leader_ids), since=since)


@st.cache_data(ttl=60, show_spinner=False)
def runs() -> pd.DataFrame:
    return store().runs_frame()


@st.cache_data(ttl=60, show_spinner=False)
def run_accounts(run_ids: tuple[str, ...]) -> pd.DataFrame:
    return store().run_accounts_frame(list(run_ids))


@st.cache_data(ttl=60, show_spinner=False)
def accounts_overview() -> pd.DataFrame:
    """One row per account: leader, platform, handle, stored posts and the newest post time."""
    s = store()
    names = {l.id: l.name for l in s.leaders(include_inactive=True)}
    rows = [
        {"account_id": a.id, "leader": names.get(a.leader_id, "?"), "platform": str(a.platform), "account": a.handle}
        for a in s.accounts()
    ]
    frame = pd.DataFrame(rows, columns=["account_id", "leader", "platform", "account"])
    all_posts = s.posts_frame()
    stats = all_posts.groupby("account_id").agg(posts=("post_id", "size"), last_post=("created_at", "max"))
    return frame.join(stats, on="account_id").fillna({"posts": 0})


def since_days(days: int, now: datetime | None = None) -> datetime:
    """Midnight UTC ``days`` ago: a stable cache key within a day."""
    now = now or datetime.now(UTC)
    return (now - timedelta(days=days)).replace(hour=0, minute=0, second=0, microsecond=0)


def today_end(now: datetime | None = None) -> datetime:
    """End of today (UTC): the right edge of every time axis."""
    now = now or datetime.now(UTC)
    return now.replace(hour=23, minute=59, second=59, microsecond=0)


def post_kind(posts: pd.DataFrame) -> pd.Series:
    """post | reply (to someone else) | thread (reply to oneself) | repost."""
    reply = posts["reply_parent_id"].notna()
    to_self = posts["reply_parent_author_id"] == posts["author_id"]
    kind = pd.Series("post", index=posts.index)
    kind[reply & ~to_self] = "reply"
    kind[reply & to_self] = "thread"
    kind[posts["is_repost"]] = "repost"
    return kind


def _week_start(times: pd.Series) -> pd.Series:
    return times.dt.tz_convert(None).dt.to_period("W-SUN").dt.start_time


def weekly_activity(
    posts: pd.DataFrame, start: datetime | None = None, end: datetime | None = None
) -> pd.DataFrame:
    """Posts per leader, ISO week (Monday) and kind; every week from ``start`` to ``end``
    (default: the first and last post) appears, with 0 where nothing was posted."""
    if posts.empty:
        return pd.DataFrame(columns=["leader", "week", "kind", "count"])
    frame = posts.assign(kind=post_kind(posts), week=_week_start(posts["created_at"]))
    counts = frame.groupby(["leader", "week", "kind"]).size().rename("count").reset_index()
    first = _week_start(pd.Series([pd.Timestamp(start)])).iloc[0] if start else counts["week"].min()
    last = _week_start(pd.Series([pd.Timestamp(end)])).iloc[0] if end else counts["week"].max()
    weeks = pd.date_range(first, last, freq="W-MON")
    full = pd.MultiIndex.from_product(
        [counts["leader"].unique(), weeks, counts["kind"].unique()], names=["leader", "week", "kind"]
    )
    return counts.set_index(["leader", "week", "kind"]).reindex(full, fill_value=0).reset_index()


def summary(posts: pd.DataFrame, interactions: pd.DataFrame) -> pd.DataFrame:
    """Simple activity counts per leader (the full scores live in coaching)."""
    kinds = post_kind(posts)
    answered_ids = set(posts["reply_parent_id"].dropna())
    replies_in = interactions[interactions["kind"] == "reply"]
    by_leader = pd.DataFrame(
        {
            "posts": posts.groupby("leader").size(),
            "replies_out": posts[kinds == "reply"].groupby("leader").size(),
            "incoming": replies_in.groupby("leader").size(),
            "answered": replies_in.assign(a=replies_in["interaction_id"].isin(answered_ids)).groupby("leader")["a"].mean(),
            "people": interactions.groupby("leader")["author_id"].nunique(),
            "last_post": posts.groupby("leader")["created_at"].max(),
        }
    )
    return by_leader.fillna({"posts": 0, "replies_out": 0, "incoming": 0, "people": 0}).reset_index(names="leader")
