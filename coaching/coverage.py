"""Coverage ledger: how complete the replies behind a responsiveness figure are.

Pure. For each of a leader's own posts the platform reports a reply count (``reply_count``, stored at
collection time); the collector stores the replies it could fetch (``interactions`` whose ``parent_id`` is
the post, and the leader's own replies under it). The ledger compares the two per leader, account and
period, and says what is known about the gap:

* ``hidden``      — replies the leader hid (Bluesky threadgate ``hiddenReplies``, or collected and flagged);
* ``deleted``     — collected replies since deleted by their authors;
* ``explained``   — other known losses the collectors report (``losses``, stored in ``reply_losses``), by
  reason (:data:`GAP_REASONS`): ``blocked`` (shown as ``#blockedPost``), ``not_found`` (``#notFoundPost``:
  deleted, or its author's account gone), ``depth_cut`` (replies below the depth the thread was fetched to,
  or a Mastodon context cut at its logged-out limit), ``other_instance`` (a Mastodon server still fetching
  replies from other instances), ``withheld`` (counted by the platform, left out of a complete listing:
  blocks between authors, moderation, limited servers);
* ``unexplained`` — reported but neither collected nor explained.

``coverage`` = collected / reported (capped at 1; None when the platform reports no replies). A row is
**low coverage** when at least :data:`MIN_REPORTED` replies are reported and coverage is below
:data:`LOW_COVERAGE` (0.8): a response rate over such a sample may be far from the truth, so views show
the flag next to every responsiveness figure.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lasna.types import GAP_REASONS as _GAP_REASONS

#: Below this share of reported replies collected, a leader/account/period (or a thread) is flagged.
LOW_COVERAGE = 0.8
#: Too few reported replies make the share meaningless: no flag below this many.
MIN_REPORTED = 10
#: Reasons a reply the platform counts is not collected (they explain the gap, in this order).
GAP_REASONS = _GAP_REASONS
#: Every reason a collector may report: the gap reasons, and ``detached`` — quotes of the post whose
#: author detached them (Bluesky postgate); quotes are not replies, so it is shown but explains no gap.
LOSS_REASONS = (*GAP_REASONS, "detached")
REPLY_KINDS = ("reply", "comment")

#: Per-post input: the store's ``Store.coverage_threads`` or :func:`threads_from_frames`.
THREAD_COLUMNS: dict[str, str] = {
    "post_id": "the leader's post",
    "leader_id": "leader",
    "account_id": "account it was posted from",
    "platform": "platform",
    "created_at": "when it was posted (UTC)",
    "seen_at": "when the platform's server saw it (UTC; None: use created_at)",
    "reply_count": "replies the platform reports",
    "hidden_replies": "replies the leader hid (platform)",
    "replies_collected": "incoming replies collected under it (any state)",
    "hidden_collected": "collected replies flagged hidden",
    "deleted_collected": "collected replies since deleted",
    "own_replies": "the leader's own replies under it (the platform counts them too)",
}

LEDGER_COLUMNS: dict[str, str] = {
    "leader_id": "leader",
    "account_id": "account",
    "platform": "platform",
    "period": "period start (month or week, UTC) or 'all'",
    "posts": "own posts with a reply count",
    "reported": "replies the platform reports",
    "collected": "replies collected (incoming + the leader's own)",
    "hidden": "hidden by the leader (reported by the platform or flagged on collected replies)",
    "deleted": "collected, since deleted",
    "blocked": "shown as blocked in the thread",
    "not_found": "shown as not found in the thread (deleted)",
    "depth_cut": "below the depth the thread was fetched to / beyond the listing limit",
    "other_instance": "on other Mastodon instances, not (yet) fetched by the leader's server",
    "withheld": "counted by the platform but left out of a complete listing",
    "detached": "quotes the leader detached (not replies: explains no gap)",
    "explained": "sum of the gap reasons, at most the gap",
    "unexplained": "reported, not collected and not explained",
    "coverage": "collected / reported, capped at 1 (None without reported replies)",
    "low_coverage": f"coverage < {LOW_COVERAGE} with at least {MIN_REPORTED} reported replies",
}


def threads_from_frames(posts: pd.DataFrame, interactions: pd.DataFrame) -> pd.DataFrame:
    """The per-post input (:data:`THREAD_COLUMNS`) from posts and interactions frames (``lasna.frames``),
    for views that already hold the frames."""
    p = posts
    if "is_repost" in p:
        p = p[~p["is_repost"].fillna(False).astype(bool)]
    p = p.drop_duplicates("post_id")
    inter = interactions
    if len(inter) and "kind" in inter:
        inter = inter[inter["kind"].isin(REPLY_KINDS)]
    inter = inter.drop_duplicates("interaction_id") if len(inter) else inter

    def count(frame, key, flag=None):
        if len(frame) == 0:
            return pd.Series(dtype="int64")
        f = frame
        if flag is not None:
            f = f[f[flag].fillna(False).astype(bool)] if flag in f else f.iloc[0:0]
        return f.groupby(key).size()

    own = posts[posts["reply_parent_id"].notna()] if "reply_parent_id" in posts else posts.iloc[0:0]
    out = pd.DataFrame({
        "post_id": p["post_id"].to_numpy(),
        "leader_id": p["leader_id"].to_numpy() if "leader_id" in p else None,
        "account_id": p["account_id"].to_numpy() if "account_id" in p else None,
        "platform": p["platform"].to_numpy() if "platform" in p else None,
        "created_at": p["created_at"].to_numpy() if "created_at" in p else None,
        "seen_at": p["indexed_at"].to_numpy() if "indexed_at" in p else None,
        "reply_count": p["reply_count"].fillna(0).astype("int64").to_numpy() if "reply_count" in p else 0,
        "hidden_replies": p["hidden_replies"].fillna(0).astype("int64").to_numpy() if "hidden_replies" in p else 0,
    })
    ids = out["post_id"]
    out["replies_collected"] = ids.map(count(inter, "parent_id")).fillna(0).astype("int64").to_numpy()
    out["hidden_collected"] = ids.map(count(inter, "parent_id", "hidden")).fillna(0).astype("int64").to_numpy()
    out["deleted_collected"] = ids.map(count(inter, "parent_id", "deleted")).fillna(0).astype("int64").to_numpy()
    out["own_replies"] = ids.map(count(own, "reply_parent_id")).fillna(0).astype("int64").to_numpy()
    return out


def _losses_per_post(losses: pd.DataFrame | None) -> pd.DataFrame:
    """post_id and one column per reason (:data:`LOSS_REASONS`) from long rows (post_id, reason, n)."""
    cols = ["post_id", *LOSS_REASONS]
    if losses is None or len(losses) == 0:
        return pd.DataFrame(columns=cols)
    known = losses[losses["reason"].isin(LOSS_REASONS)]
    wide = known.pivot_table(index="post_id", columns="reason", values="n", aggfunc="sum", fill_value=0)
    return wide.reindex(columns=list(LOSS_REASONS), fill_value=0).reset_index().reindex(columns=cols)


def thread_coverage(threads: pd.DataFrame, losses: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per post: reported, collected, hidden, deleted, explained, unexplained, coverage, low_coverage."""
    t = threads.drop(columns=[c for c in LOSS_REASONS if c in threads]).merge(
        _losses_per_post(losses), on="post_id", how="left")
    for reason in LOSS_REASONS:
        t[reason] = t[reason].fillna(0).astype("int64")
    reported = t["reply_count"].fillna(0).astype("int64").to_numpy()
    collected = (t["replies_collected"].fillna(0) + t["own_replies"].fillna(0)).astype("int64").to_numpy()
    hidden_seen = t["hidden_collected"].fillna(0).astype("int64").to_numpy()
    hidden = np.maximum(t["hidden_replies"].fillna(0).astype("int64").to_numpy(), hidden_seen)
    explained = t[list(GAP_REASONS)].sum(axis=1).astype("int64").to_numpy()
    # hidden replies the platform reports but that were not collected explain part of the gap
    hidden_missing = np.maximum(hidden - hidden_seen, 0)
    missing = np.maximum(reported - collected, 0)
    t["reported"] = reported
    t["collected"] = collected
    t["hidden"] = hidden
    t["deleted"] = t["deleted_collected"].fillna(0).astype("int64").to_numpy()
    t["explained"] = np.minimum(explained, missing)
    t["unexplained"] = np.maximum(missing - hidden_missing - t["explained"].to_numpy(), 0)
    t["coverage"] = _coverage(collected, reported)
    t["low_coverage"] = _low(collected, reported)
    return t


def _coverage(collected: np.ndarray, reported: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        cov = np.where(reported > 0, np.minimum(collected / np.maximum(reported, 1), 1.0), np.nan)
    return cov


def _low(collected: np.ndarray, reported: np.ndarray) -> np.ndarray:
    cov = _coverage(collected, reported)
    return (reported >= MIN_REPORTED) & (np.nan_to_num(cov, nan=1.0) < LOW_COVERAGE)


def coverage_ledger(threads: pd.DataFrame, *, by: str | None = "month", losses: pd.DataFrame | None = None,
                    since=None, until=None) -> pd.DataFrame:
    """The ledger (:data:`LEDGER_COLUMNS`), one row per leader × account × period (``by`` = ``"month"``,
    ``"week"`` or None for the whole window [``since``, ``until``))."""
    t = threads
    if len(t) and (since is not None or until is not None):
        ts = pd.to_datetime(t["created_at"], utc=True)
        keep = np.ones(len(t), bool)
        if since is not None:
            keep &= (ts >= _utc(since)).to_numpy()
        if until is not None:
            keep &= (ts < _utc(until)).to_numpy()
        t = t[keep]
    if len(t) == 0:
        return pd.DataFrame(columns=list(LEDGER_COLUMNS))
    per = thread_coverage(t, losses)
    ts = pd.to_datetime(per["created_at"], utc=True).dt.tz_convert(None)
    if by == "month":
        per["period"] = ts.dt.to_period("M").dt.start_time.dt.strftime("%Y-%m-%d")
    elif by == "week":
        per["period"] = ts.dt.to_period("W-SUN").dt.start_time.dt.strftime("%Y-%m-%d")
    elif by is None:
        per["period"] = "all"
    else:
        raise ValueError(f"by must be 'month', 'week' or None, not {by!r}")
    keys = ["leader_id", "account_id", "platform", "period"]
    return _aggregate(per, keys)


SUM_COLUMNS = ("reported", "collected", "hidden", "deleted", *LOSS_REASONS, "explained", "unexplained")


def _aggregate(per: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    g = per.groupby(keys, dropna=False).agg(posts=("post_id", "size"),
                                            **{c: (c, "sum") for c in SUM_COLUMNS}).reset_index()
    return with_flags(g).reindex(columns=list(LEDGER_COLUMNS)).sort_values(keys, kind="stable").reset_index(drop=True)


def with_flags(rows: pd.DataFrame) -> pd.DataFrame:
    """``coverage`` and ``low_coverage`` of ledger rows from their ``reported`` and ``collected``."""
    g = rows.copy()
    rep, col = g["reported"].to_numpy().astype("int64"), g["collected"].to_numpy().astype("int64")
    g["coverage"] = pd.Series(_coverage(col, rep), index=g.index).astype(object).where(g["reported"] > 0, None)
    g["low_coverage"] = _low(col, rep)
    return g


#: Columns of the stored coverage facts (``leader_week_coverage``), one row per leader × account × week.
WEEK_COLUMNS = ("leader_id", "account_id", "platform", "week_start", "posts", *SUM_COLUMNS)


def week_rows(threads: pd.DataFrame, losses: pd.DataFrame | None, tz: str) -> pd.DataFrame:
    """The coverage facts (:data:`WEEK_COLUMNS`) of these posts: per leader × account × ISO week of the
    post's server-seen time (``seen_at``, else ``created_at``) in the programme's zone ``tz``."""
    if threads is None or len(threads) == 0:
        return pd.DataFrame(columns=list(WEEK_COLUMNS))
    from coaching.facts import week_start
    from coaching.metrics import to_ns

    per = thread_coverage(threads, losses)
    seen = per["seen_at"] if "seen_at" in per else per["created_at"]
    seen = seen.where(seen.notna(), per["created_at"])
    per["week_start"] = week_start(to_ns(seen), tz)
    g = per.groupby(["leader_id", "account_id", "platform", "week_start"], dropna=False).agg(
        posts=("post_id", "size"), **{c: (c, "sum") for c in SUM_COLUMNS}).reset_index()
    g["week_start"] = pd.to_datetime(g["week_start"]).dt.date
    return g.reindex(columns=list(WEEK_COLUMNS))


def ledger_from_weeks(weeks: pd.DataFrame) -> pd.DataFrame:
    """Ledger rows (:data:`LEDGER_COLUMNS`, ``period`` = the week's Monday) from stored coverage facts."""
    if weeks is None or len(weeks) == 0:
        return pd.DataFrame(columns=list(LEDGER_COLUMNS))
    g = weeks.assign(period=pd.to_datetime(weeks["week_start"]).dt.strftime("%Y-%m-%d"))
    return with_flags(g).reindex(columns=list(LEDGER_COLUMNS)).sort_values(
        ["leader_id", "account_id", "period"], kind="stable").reset_index(drop=True)


def leader_summary(ledger: pd.DataFrame) -> dict[int, dict]:
    """Per leader over all rows of a ledger: reported, collected, coverage, low_coverage and the accounts
    flagged low — for JSON and captions next to responsiveness figures."""
    out: dict[int, dict] = {}
    if ledger is None or len(ledger) == 0:
        return out
    for lid, g in ledger.groupby("leader_id"):
        rep, col = int(g["reported"].sum()), int(g["collected"].sum())
        cov = _coverage(np.array([col]), np.array([rep]))[0]
        out[int(lid)] = {
            "reported": rep, "collected": col,
            "coverage": None if np.isnan(cov) else round(float(cov), 3),
            "hidden": int(g["hidden"].sum()), "deleted": int(g["deleted"].sum()),
            "explained": int(g["explained"].sum()), "unexplained": int(g["unexplained"].sum()),
            "reasons": {r: int(g[r].sum()) for r in LOSS_REASONS if r in g},
            "low_coverage": bool(_low(np.array([col]), np.array([rep]))[0]),
            "low_coverage_rows": [{"account_id": _int(r.account_id), "platform": r.platform, "period": r.period,
                                   "coverage": None if r.coverage is None else round(float(r.coverage), 3)}
                                  for r in g[g["low_coverage"]].itertuples()],
            "threshold": LOW_COVERAGE, "min_reported": MIN_REPORTED,
        }
    return out


def empty_summary() -> dict:
    """A leader's summary without reported replies."""
    return {"reported": 0, "collected": 0, "coverage": None, "hidden": 0, "deleted": 0, "explained": 0,
            "unexplained": 0, "reasons": {r: 0 for r in LOSS_REASONS}, "low_coverage": False,
            "low_coverage_rows": [], "threshold": LOW_COVERAGE, "min_reported": MIN_REPORTED}


def _int(v):
    try:
        return int(v)
    except (TypeError, ValueError):
        return None


def _utc(v) -> pd.Timestamp:
    ts = pd.Timestamp(v)
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
