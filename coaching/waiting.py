"""Conversations waiting: incoming replies and mentions the leader has not answered yet.

Pure: posts + interactions frames (``lasna.frames``) in, a frame out. An interaction is *waiting* when

* it is a reply, mention or comment (quotes are not questions to the leader), and a reply is to the
  leader, not to another person's reply under the leader's post (that is their conversation),
* it is not hidden by the leader, not deleted and not emoji-only (no words: "❤️", "👍!"),
* it is not written by one of the leader's own accounts,
* no own post of the leader replies to it (``link_answers`` from the scoring core),
* it arrived within ``max_age_days`` before ``now`` (older threads have gone cold).

Ranked by **merit** (:func:`merit_scores`: how much an answer is expected — a question to the leader,
criticism, a direct request — over thanks, praise, agreement and reactions), then newest first.
``age_hours`` is measured from ``indexed_at`` (server-seen time) to ``now``.
"""

from __future__ import annotations

from datetime import datetime

import re

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
    "is_question": "True when the text asks something ('?', or a question without one: coaching.features)",
    "merit": "how much an answer is expected (higher first): question +3, criticism +2, direct request +2, "
             "thanks/praise/agreement without any of these -2, fewer than 3 words -1",
}

# --- merit: how much an answer is expected ------------------------------------------------------------------
#: Criticism cues (used when no stance label is given): complaints, blame, doubt, sarcasm markers.
CRITICISM_RE = re.compile(
    r"\b(?:not true|isn't true|wrong|worse|worst|awful|terrible|unacceptable|disappoint\w*|failed|failure|"
    r"broken|promised|never|still (?:no|not|waiting|hasn't|haven't|isn't)|nobody|no one|waste\w*|"
    r"meanwhile|funny how|with respect|contrary|question that|hasn't|haven't|can't afford|cut\w*|"
    r"reality|again\.|literally your job|instead of|"
    r"ei pidä paikkaansa|pettymys|pettynyt|väärin|huono\w*|kukaan ei|ei kukaan|vieläkään|lyhytnäköi\w*|"
    r"lavastet\w*|muodollisuus|salaisia|ehdoilla|pielee\w*|hankala uskoa|ei tämmöstä|ei tällaista|"
    r"odotin\w* enemmän|ihan sama|joo joo|rikoitte|surullista|korjaus:|mutta\b|vaikka\b|paitsi\b|"
    r"but\b|although\b|yet\b)",
    re.IGNORECASE,
)
#: Sarcasm after praise ("Tosi kiva kun ilmoitatte … eikä …", "Very nice of you to … instead of …").
SARCASM_RE = re.compile(r"\b(?:very nice of you|lovely words|tosi kiva kun|lämpimät onnittelut,)|🙄|😂", re.IGNORECASE)
#: A request or direct address to the leader.
REQUEST_RE = re.compile(
    r"\b(?:could you|can you|would you|will you|please (?:tell|explain|answer|share|clarify)|do you|did you|"
    r"have you|are you|you promised|you imply|you had|"
    r"voisitko|voisitteko|voitteko|kertoisitko|kertoisitteko|vastaatko|vastaisitteko|tarkoitatteko|"
    r"olisi kiva kuulla|toivoisin|pyydän|te puhutte|kertokaa|selittäkää|miksi ette|ettekö)\b",
    re.IGNORECASE,
)
#: Thanks, praise, agreement, wishes.
APPRECIATION_RE = re.compile(
    r"\b(?:thanks?|thank you|cheers|great|lovely|excellent|brilliant|nice|well done|congrat\w*|good luck|"
    r"agree\w*|merry|worth the wait|hope you|keep going|exactly what|"
    r"kiito\w*|kiitti|hieno\w*|mahtava\w*|loistava\w*|hyvä\b|hyvää|samaa mieltä|onnea|onnittelu\w*|"
    r"mukava\w*|ihana\w*|upea\w*|kiva\b|tsemppi\w*|jatka\w*)",
    re.IGNORECASE,
)


def merit_scores(texts, stance=None, questions=None) -> np.ndarray:
    """How much an answer is expected, per text (higher = answer first).

    +3 a question (``?``, or ``questions`` from coaching.features when given), +2 criticism (``stance ==
    "critical"`` when a stance label is given, else the cue lists above, also sarcasm), +2 a direct request
    or address, −2 thanks/praise/agreement with none of these, −1 under three words. Pure and vectorised
    over a list; ``stance`` and ``questions`` are optional aligned sequences.
    """
    from coaching.features import SHORT_WORDS, WORD_RE

    texts = ["" if not isinstance(t, str) else t for t in texts]
    out = np.zeros(len(texts), dtype=float)
    for k, t in enumerate(texts):
        q = "?" in t or (questions is not None and bool(questions[k]))
        if stance is not None and isinstance(stance[k], str):
            crit = stance[k] == "critical"
        else:
            crit = CRITICISM_RE.search(t) is not None or SARCASM_RE.search(t) is not None
        req = REQUEST_RE.search(t) is not None
        score = 3.0 * q + 2.0 * crit + 2.0 * req
        if not (q or crit or req) and APPRECIATION_RE.search(t):
            score -= 2.0
        if len(WORD_RE.findall(t)) < SHORT_WORDS:
            score -= 1.0
        out[k] = score
    return out


def precision_at_k(merit_true, scores, k: int) -> float:
    """Share of the top ``k`` by ``scores`` (stable: ties keep input order) whose true merit is 1."""
    order = np.argsort(-np.asarray(scores, dtype=float), kind="stable")[:k]
    return float(np.asarray(merit_true)[order].mean()) if len(order) else float("nan")

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
    keep &= ~np.array([(lid, a) in own for lid, a in zip(linked["leader_id"], linked["author_id"])], dtype=bool)
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
    try:  # questions without "?" ("Kerro lisää", "I wonder if …"), by the post detectors
        from coaching.features import post_features

        fq = post_features(pd.DataFrame({"post_id": w["interaction_id"].to_numpy(), "text": w["text"].to_numpy(),
                                         "author_id": w["author_id"].to_numpy()}))["question"].to_numpy()
        w["is_question"] = w["is_question"].to_numpy() | fq
    except Exception:  # pragma: no cover - language back-ends missing: '?' only
        pass
    stance = w["stance"].tolist() if "stance" in w else None
    w["merit"] = merit_scores(w["text"].tolist(), stance=stance, questions=w["is_question"].tolist())
    w = w.sort_values(["merit", "indexed_at", "interaction_id"], ascending=[False, False, True], kind="stable")
    return w.reindex(columns=list(WAITING_COLUMNS)).reset_index(drop=True)


def pick_first(waiting: pd.DataFrame) -> pd.Series | None:
    """The message to answer first: the top of the merit ranking (the newest among equals); without a
    ``merit`` column, the newest question, else the newest message."""
    if waiting is None or len(waiting) == 0:
        return None
    if "merit" in waiting and waiting["merit"].notna().any():
        order = waiting.sort_values(["merit", "indexed_at"], ascending=[False, False], kind="stable")
        return order.iloc[0]
    q = waiting[waiting["is_question"].astype(bool)]
    return (q if len(q) else waiting).iloc[0]
