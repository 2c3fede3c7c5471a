"""Conversations waiting: incoming replies and mentions the leader has not answered yet.

Pure: posts + interactions frames (``lasna.frames``) in, a frame out. An interaction is *waiting* when

* it is a reply, mention or comment (quotes are not questions to the leader), and a reply is to the
  leader, not to another person's reply under the leader's post (that is their conversation),
* it is not hidden by the leader, not deleted and not emoji-only (no words: "❤️", "👍!"),
* it is not written by one of the leader's own accounts,
* no own post of the leader replies to it (``link_answers`` from the scoring core),
* it arrived within ``max_age_days`` before ``now`` (older threads have gone cold).

Newest first. ``age_hours`` is measured from ``indexed_at`` (server-seen time) to ``now``.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd

from coaching.score_adapter import MERIT_KINDS, emoji_only, link_answers

WAITING_COLUMNS: dict[str, str] = {
    "interaction_id": "id of the other person's post",
    "leader_id": "leader addressed",
    "leader": "leader's name",
    "kind": "reply | mention | comment",
    "author": "display name, else handle, else stable id",
    "author_id": "stable id of the person",
    "author_handle": "handle of the person",
    "text": "what they wrote",
    "url": "link to their post",
    "parent_id": "the leader's post they answered (None for mentions)",
    "indexed_at": "when it arrived (UTC)",
    "age_hours": "hours waiting until `now`",
    "is_question": "True when the text asks something ('?')",
}

DEFAULT_MAX_AGE_DAYS = 30


def _now(now, interactions: pd.DataFrame) -> pd.Timestamp:
    if now is not None:
        ts = pd.Timestamp(now)
        return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
    if len(interactions) and interactions["indexed_at"].notna().any():
        return pd.Timestamp(interactions["indexed_at"].max())
    return pd.Timestamp.now(tz="UTC")


def conversations_waiting(
    posts: pd.DataFrame,
    interactions: pd.DataFrame,
    *,
    leader_id: int | None = None,
    now: datetime | pd.Timestamp | None = None,
    max_age_days: float | None = DEFAULT_MAX_AGE_DAYS,
) -> pd.DataFrame:
    """Unanswered incoming messages, newest first (columns: :data:`WAITING_COLUMNS`)."""
    inter = interactions
    if leader_id is not None:
        inter = inter[inter["leader_id"] == leader_id]
        posts = posts[posts["leader_id"] == leader_id]
    now_ts = _now(now, inter)
    if len(inter) == 0:
        return pd.DataFrame(columns=list(WAITING_COLUMNS))
    inter = inter.drop_duplicates("interaction_id")
    linked = link_answers(posts, inter) if "answered_by" not in inter else inter
    keep = linked["answered_by"].isna().to_numpy().copy()
    keep &= linked["kind"].isin(MERIT_KINDS).to_numpy()
    to_other = linked["kind"].isin(("reply", "comment")) & linked["parent_id"].isin(set(inter["interaction_id"]))
    keep &= ~to_other.to_numpy()
    for col in ("hidden", "deleted"):
        if col in linked:
            keep &= ~linked[col].fillna(False).astype(bool).to_numpy()
    own = set(zip(posts["leader_id"], posts["author_id"])) if len(posts) else set()
    keep &= ~np.array([(l, a) in own for l, a in zip(linked["leader_id"], linked["author_id"])], dtype=bool)
    t = pd.to_datetime(linked["indexed_at"], utc=True)
    keep &= (t <= now_ts).to_numpy()
    if max_age_days is not None:
        keep &= (t > now_ts - pd.Timedelta(days=max_age_days)).to_numpy()
    w = linked.loc[keep].copy()
    if len(w):
        w = w.loc[~emoji_only(w["text"].tolist())]
    if len(w) == 0:
        return pd.DataFrame(columns=list(WAITING_COLUMNS))
    author = w["author_name"].where(w["author_name"].notna() & (w["author_name"].astype(str) != ""),
                                    w["author_handle"])
    w["author"] = author.where(author.notna(), w["author_id"])
    w["age_hours"] = (now_ts - pd.to_datetime(w["indexed_at"], utc=True)).dt.total_seconds() / 3600.0
    w["is_question"] = w["text"].fillna("").str.contains("?", regex=False)
    w = w.sort_values(["indexed_at", "interaction_id"], ascending=[False, True], kind="stable")
    return w.reindex(columns=list(WAITING_COLUMNS)).reset_index(drop=True)


def pick_first(waiting: pd.DataFrame) -> pd.Series | None:
    """The message to answer first: the newest question, else the newest message."""
    if waiting is None or len(waiting) == 0:
        return None
    q = waiting[waiting["is_question"].astype(bool)]
    return (q if len(q) else waiting).iloc[0]
