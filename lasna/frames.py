"""The pandas frames the store hands to coaching: the contract between I/O and logic.

``coaching/`` never touches the store; it receives frames with exactly these
columns. Timestamps are timezone-aware UTC (``datetime64[ns, UTC]``); list-valued
columns (mentions, links, tags) hold Python lists of strings.
"""

from __future__ import annotations

import pandas as pd

#: One row per own post of a leader (replies, quotes and reposts included).
POST_COLUMNS: dict[str, str] = {
    "post_id": "stable id/URI of the post at its source",
    "leader_id": "integer id of the leader",
    "leader": "leader's name",
    "account_id": "integer id of the leader's account",
    "platform": "bluesky | mastodon | feed | linkedin | jsonl",
    "author_id": "stable id of the leader's account at the source (DID, ...)",
    "created_at": "client-set creation time, UTC",
    "indexed_at": "server-seen time, UTC (falls back to created_at)",
    "text": "plain text",
    "lang": "language code if known",
    "url": "web link to the post",
    "reply_parent_id": "id of the post this replies to, or None",
    "reply_root_id": "id of the thread root, or None",
    "reply_parent_author_id": "stable id of the parent post's author, or None",
    "quote_of_id": "id of the quoted post, or None",
    "is_repost": "True for reposts/boosts (not the leader's own text)",
    "repost_of_id": "id of the reposted post, or None",
    "mentions": "list of mentioned stable ids/handles",
    "links": "list of linked URLs",
    "tags": "list of hashtags without #",
    "like_count": "likes/favourites",
    "reply_count": "replies as counted by the source",
    "repost_count": "reposts/boosts",
    "quote_count": "quotes",
    "replies_restricted": "True if replies were restricted (threadgate)",
    "quotes_disabled": "True if quoting was disabled (postgate)",
    "hidden_replies": "number of replies the leader hid",
    "deleted": "True if the post was deleted at the source",
}

#: One row per incoming reply/mention/comment addressed to a leader.
INTERACTION_COLUMNS: dict[str, str] = {
    "interaction_id": "stable id of the other person's post",
    "leader_id": "integer id of the leader addressed",
    "leader": "leader's name",
    "account_id": "integer id of the leader's account",
    "platform": "bluesky | mastodon | feed | linkedin | jsonl",
    "kind": "reply | mention | comment | quote",
    "author_id": "stable id of the person",
    "author_handle": "display handle of the person (may change)",
    "author_name": "display name of the person",
    "created_at": "client-set creation time, UTC",
    "indexed_at": "server-seen time, UTC (falls back to created_at)",
    "text": "plain text",
    "lang": "language code if known",
    "url": "web link",
    "parent_id": "id of the post it answers (usually the leader's)",
    "root_id": "id of the thread root",
    "hidden": "True if the leader hid it",
    "deleted": "True if deleted at the source",
}

#: One row per leader.
LEADER_COLUMNS: dict[str, str] = {
    "leader_id": "integer id",
    "leader": "name",
    "language": "fi | en",
    "cohorts": "list of cohort names",
    "demo": "True for bundled demo leaders",
}

TIME_COLUMNS = ("created_at", "indexed_at")
LIST_COLUMNS = ("mentions", "links", "tags")
BOOL_POST_COLUMNS = ("is_repost", "replies_restricted", "quotes_disabled", "deleted")
INT_POST_COLUMNS = ("like_count", "reply_count", "repost_count", "quote_count", "hidden_replies")


def conform(frame: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    """Return ``frame`` with exactly ``columns`` in order and canonical dtypes."""
    out = frame.reindex(columns=list(columns))
    for col in TIME_COLUMNS:
        if col in out:
            out[col] = pd.to_datetime(out[col], utc=True).dt.as_unit("ns")
    if "indexed_at" in out and "created_at" in out:
        out["indexed_at"] = out["indexed_at"].fillna(out["created_at"])
    for col in LIST_COLUMNS:
        if col in out:
            out[col] = out[col].map(lambda v: list(v) if isinstance(v, (list, tuple)) else [])
    for col in (*BOOL_POST_COLUMNS, "hidden"):
        if col in out:
            # missing → False; an all-missing column may arrive as float64, so cast first
            out[col] = out[col].astype(object).where(out[col].notna(), False).astype(bool)
    for col in INT_POST_COLUMNS:
        if col in out:
            out[col] = out[col].fillna(0).astype("int64")
    for col in ("leader_id", "account_id"):
        if col in out:
            out[col] = out[col].astype("int64")
    return out.reset_index(drop=True)


def empty_posts() -> pd.DataFrame:
    return conform(pd.DataFrame(columns=list(POST_COLUMNS)), POST_COLUMNS)


def empty_interactions() -> pd.DataFrame:
    return conform(pd.DataFrame(columns=list(INTERACTION_COLUMNS)), INTERACTION_COLUMNS)


def repost_target(uri) -> str | None:
    """Where a repost points, as a link a person can open (at:// post URIs become bsky.app links)."""
    if not isinstance(uri, str) or not uri:
        return None
    if uri.startswith("at://"):
        parts = uri[5:].split("/")
        if len(parts) == 3 and parts[1] == "app.bsky.feed.post":
            return f"https://bsky.app/profile/{parts[0]}/post/{parts[2]}"
    return uri
