"""Activity counts and shapes of loaded frames, for the dashboard's pages (pure: frames in, frames out).

The dashboard keeps no metric logic of its own: what a page shows besides the scores, tips, goals and
waiting conversations of :class:`lasna.coach_service.CoachService` comes from here —

* :func:`period_summary` / :func:`summary`: posts, replies to others, incoming messages that merit an
  answer, the share answered (the response rate's own definition, :func:`coaching.facts.activity_summary`)
  and people, for one leader and window or per leader;
* :func:`post_kind`, :func:`weekly_activity`, :func:`percentile_bands`: the weekly posts chart and the
  cohort bands;
* :func:`waiting_table`: conversations waiting, shaped for the page (arrival time and age);
* :func:`stale_accounts`: the collection health flag;
* :func:`safe_urls`: only http(s) links reach a link column or button;
* :func:`since_days` / :func:`today_end`: the page windows on the one clock (:mod:`lasna.window`).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd

from coaching.facts import activity_summary
from lasna.window import window_end

STALE_DAYS = 7
WAITING_COLUMNS = ("created_at", "age", "kind", "author", "text", "url", "is_question")


def today_end(now: datetime | None = None) -> datetime:
    """The end of today in the programme time zone (:func:`lasna.window.window_end`): every window and
    time axis ends here."""
    return window_end(now)


def since_days(days: int, now: datetime | None = None) -> datetime:
    """The start of the ``days``-day window that ends with today (:func:`today_end`): the same window the
    scores use, and a stable cache key within a day."""
    return today_end(now) - timedelta(days=days)


def safe_urls(frame: pd.DataFrame) -> pd.DataFrame:
    """Only http(s) links survive: a ``javascript:`` or ``data:`` URL from a source never reaches a link
    column or button (changes ``frame`` in place and returns it)."""
    ok = frame["url"].astype("string").str.match(r"(?i)^https?://", na=False)
    frame["url"] = frame["url"].astype(object).where(ok.to_numpy(), None)
    return frame


def post_kind(posts: pd.DataFrame) -> pd.Series:
    """post | reply (to someone else) | thread (reply to oneself) | repost."""
    reply = posts["reply_parent_id"].notna().to_numpy()
    to_self = (posts["reply_parent_author_id"] == posts["author_id"]).to_numpy()
    kind = np.where(reply & to_self, "thread", np.where(reply, "reply", "post"))
    kind = np.where(posts["is_repost"].to_numpy(dtype=bool), "repost", kind)
    return pd.Series(kind, index=posts.index, dtype=object)


def _week_start(times: pd.Series) -> pd.Series:
    return times.dt.tz_convert(None).dt.to_period("W-SUN").dt.start_time


def weekly_activity(
    posts: pd.DataFrame, start: datetime | None = None, end: datetime | None = None, leaders=None
) -> pd.DataFrame:
    """Posts per leader, ISO week (Monday) and kind; every week from ``start`` to ``end`` (default: the
    first and last post) appears, with 0 where nothing was posted; ``leaders`` (names) adds leaders who
    posted nothing."""
    if posts.empty and leaders is None:
        return pd.DataFrame(columns=["leader", "week", "kind", "count"])
    frame = posts.assign(kind=post_kind(posts), week=_week_start(posts["created_at"]))
    counts = frame.groupby(["leader", "week", "kind"]).size().rename("count").reset_index()
    if counts.empty and not (start and end):
        return pd.DataFrame(columns=["leader", "week", "kind", "count"])
    first = _week_start(pd.Series([pd.Timestamp(start)])).iloc[0] if start else counts["week"].min()
    last = _week_start(pd.Series([pd.Timestamp(end)])).iloc[0] if end else counts["week"].max()
    weeks = pd.date_range(first, last, freq="W-MON")
    names = pd.unique(pd.concat([counts["leader"],
                                 pd.Series(list(leaders) if leaders is not None else [], dtype=object)]))
    kinds = counts["kind"].unique() if not counts.empty else ["post"]
    full = pd.MultiIndex.from_product([names, weeks, kinds], names=["leader", "week", "kind"])
    return counts.set_index(["leader", "week", "kind"]).reindex(full, fill_value=0).reset_index()


def percentile_bands(weekly: pd.DataFrame, starts: pd.Series | None = None) -> pd.DataFrame:
    """Per week: the 25th, 50th and 75th percentile and mean of members' post counts, over the members
    with data that week (``starts``: leader name -> data start; :func:`coaching.cohorts.activity_bands`)."""
    from coaching.cohorts import activity_bands

    return activity_bands(weekly, starts)


def summary(posts: pd.DataFrame, interactions: pd.DataFrame) -> pd.DataFrame:
    """Activity counts per leader over everything loaded (:func:`coaching.facts.activity_summary`)."""
    return activity_summary(posts, interactions)


def period_summary(posts: pd.DataFrame, interactions: pd.DataFrame, start: datetime, end: datetime) -> dict:
    """Counts for one leader within (start, end]: posts, replies_out, incoming (merit an answer),
    answered (within 7 days: the response rate), people (:func:`coaching.facts.activity_summary`)."""
    s = activity_summary(posts, interactions, start, end)
    row = s.iloc[0] if len(s) else None

    def num(key):
        return int(row[key]) if row is not None and not pd.isna(row[key]) else 0

    answered = None if row is None or pd.isna(row["answered"]) else float(row["answered"])
    return {"posts": num("posts"), "replies_out": num("replies_out"), "incoming": num("incoming"),
            "answered": answered, "people": num("people")}


def waiting_table(frame: pd.DataFrame, now: datetime | pd.Timestamp | None = None) -> pd.DataFrame:
    """Conversations waiting (:func:`coaching.waiting.conversations_waiting`) as a page lists them:
    arrival time (server-seen), age at ``now``, kind, author, text, url (http(s) only), is_question."""
    now_ts = pd.Timestamp(now or datetime.now(UTC))
    arrived = pd.to_datetime(frame["indexed_at"], utc=True)
    out = frame.assign(created_at=arrived, age=now_ts - arrived)
    return safe_urls(out[list(WAITING_COLUMNS)].copy())


def stale_accounts(accounts: pd.DataFrame, now: datetime | None = None, days: int = STALE_DAYS) -> pd.Series:
    """True where no new post or no successful collection in ``days`` days."""
    cutoff = pd.Timestamp(now or datetime.now(UTC)) - pd.Timedelta(days=days)
    old_post = accounts["last_post"].isna() | (accounts["last_post"] < cutoff)
    old_run = accounts["last_ok"].isna() | (accounts["last_ok"] < cutoff)
    return (old_post | old_run).astype(bool)


__all__ = ["STALE_DAYS", "percentile_bands", "period_summary", "post_kind", "safe_urls", "since_days",
           "stale_accounts", "summary", "today_end", "waiting_table", "weekly_activity"]
