"""Facts per leader × ISO week: what every component needs, kept once and assembled for any window.

Pure: frames in, frames out (the store keeps the result, see :mod:`lasna.facts`).

A week's facts are small numeric *records*, one per own post and one per incoming message of the
leader whose server-seen time (``indexed_at``) falls in that week (Monday 00:00 in the programme time
zone), with everything a component needs already resolved across weeks:

* own post: time, flags (repost, substantive dialogue, crediting, 1sg, 1pl, results, root, question,
  gated by its own settings, reply-to-other), the first hidden incoming reply under it (gating),
  the first reply from others under it and the leader's first reply after that (re-entry), its
  thread and the number of others' messages in that thread up to it (back-and-forth threads), the
  parent author (interlocutors, reciprocity); its mentions are records of their own;
* incoming: time, whether it merits an answer (the one definition, :func:`merits_answer`), the
  leader's earliest answer time, stance, author;
* first contacts: per (leader, account) the first time the leader replied to that account
  (new interlocutors), kept apart because it is a minimum over the whole history.

Every time is kept, so a window's components are exact for any window, not only for week-aligned
ones: :func:`window_components` returns the frame :func:`coaching.metrics.compute_components` returns
(the equality is tested for every demo leader). Accounts are compared by a 64-bit hash of their id.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from coaching.features import emoji_only_flags
from coaching.metrics import (
    ANSWER_WINDOW_DAYS,
    COMPONENT_COLUMNS,
    DAY_NS,
    HOUR_NS,
    MERIT_KINDS,
    MONTH_DAYS,
    WEEK_NS,
    Period,
    burstiness,
    _km_medians,
    to_ns,
)

#: Bumped whenever the records below change meaning; stored with every fact row.
FACTS_VERSION = "1"
NONE_T = np.iinfo(np.int64).max  # "never" for a time

# own-post flags
P_REPOST, P_DIALOGUE, P_CREDIT, P_FPS, P_FPP, P_RESULTS, P_ROOT, P_QUESTION, P_GATED, P_RTO = (1 << i for i in range(10))
# incoming flags
I_MERIT, I_REPLY = 1, 2
STANCES = {"critical": 1, "supportive": 2, "neutral": 3}

POST_DTYPE = np.dtype([("t", "<i8"), ("f", "<u2"), ("hid_t", "<i8"), ("fo_t", "<i8"), ("re_t", "<i8"),
                       ("th", "<i8"), ("cumo", "<i4"), ("pa", "<i8")])
INTER_DTYPE = np.dtype([("t", "<i8"), ("f", "<u1"), ("ans_t", "<i8"), ("stance", "<i1"), ("au", "<i8")])
MENTION_DTYPE = np.dtype([("t", "<i8"), ("acc", "<i8")])
#: per record, the ids behind it (evidence): posts, incoming, mentions
POST_IDS = ("post_id", "thread_id", "pa_name")
INTER_IDS = ("interaction_id", "answer_id", "au_name")
MENTION_IDS = ("acc_name",)


# --- helpers ----------------------------------------------------------------------------------------------
def account_hash(values) -> np.ndarray:
    """64-bit hash of ids (``None``/NaN → 0): accounts and threads are compared by it."""
    arr = pd.Series(values, dtype=object).to_numpy(dtype=object)
    if len(arr) == 0:
        return np.zeros(0, np.int64)
    missing = pd.isna(arr)
    h = pd.util.hash_array(np.where(missing, "", arr).astype(object), categorize=True).view(np.int64)
    h = np.where(h == 0, 1, h)
    return np.where(missing, 0, h)


def week_start(t_ns: np.ndarray, tz: str) -> np.ndarray:
    """Local Monday (``datetime64[D]``) of each instant in ``tz`` (the ISO week the fact belongs to)."""
    t_ns = np.asarray(t_ns, dtype=np.int64)
    if len(t_ns) == 0:
        return np.zeros(0, "datetime64[D]")
    loc = pd.DatetimeIndex(t_ns.astype("datetime64[ns]"), tz="UTC").tz_convert(tz).tz_localize(None).normalize()
    return (loc - pd.to_timedelta(loc.day_of_week, unit="D")).to_numpy().astype("datetime64[D]")


def _flag(frame: pd.DataFrame, col: str) -> np.ndarray:
    if col not in frame:
        return np.zeros(len(frame), bool)
    return frame[col].fillna(False).to_numpy().astype(bool)


def _count_le(key_o: np.ndarray, t_o: np.ndarray, key_q: np.ndarray, t_q: np.ndarray) -> np.ndarray:
    """For each query (key, t): how many (key_o, t_o) have the same key and t_o ≤ t."""
    if len(key_q) == 0 or len(key_o) == 0:
        return np.zeros(len(key_q), np.int64)
    codes, _ = pd.factorize(np.concatenate([key_o, key_q]))
    co, cq = codes[: len(key_o)].astype(np.int64), codes[len(key_o):].astype(np.int64)
    tr = np.unique(np.concatenate([t_o, t_q]))
    ro, rq = np.searchsorted(tr, t_o), np.searchsorted(tr, t_q)
    span = np.int64(len(tr) + 1)
    o = np.sort(co * span + ro)
    return np.searchsorted(o, cq * span + rq, side="right") - np.searchsorted(o, cq * span, side="left")


def merits_answer(interactions: pd.DataFrame, own_authors: pd.DataFrame | None = None,
                  known_ids=None) -> np.ndarray:
    """THE definition of an incoming message that merits the leader's answer (response rate,
    reciprocity, conversations waiting): a reply, mention or comment, not a reply to another
    commenter's reply (``parent_id`` among the known incoming ids), not hidden, not deleted, not
    written by one of the leader's own accounts, not emoji-only."""
    if len(interactions) == 0:
        return np.zeros(0, bool)
    kind = interactions["kind"]
    keep = kind.isin(MERIT_KINDS).to_numpy().copy()
    ids = set(interactions["interaction_id"]) if known_ids is None else known_ids
    to_other = interactions["parent_id"].isin(ids).to_numpy() & kind.isin(("reply", "comment")).to_numpy()
    keep &= ~to_other
    keep &= ~_flag(interactions, "hidden") & ~_flag(interactions, "deleted")
    if own_authors is not None and len(own_authors):
        own = pd.MultiIndex.from_frame(own_authors[["leader_id", "author_id"]].astype({"leader_id": "int64"}))
        pair = pd.MultiIndex.from_arrays([interactions["leader_id"].astype("int64"), interactions["author_id"]])
        keep &= ~(pair.isin(own) & interactions["author_id"].notna().to_numpy())
    rows = np.flatnonzero(keep)
    if len(rows) and "text" in interactions:
        keep[rows] = ~emoji_only_flags(interactions["text"].iloc[rows].fillna("").astype(str))
    return keep


# --- records (the facts of weeks) ------------------------------------------------------------------------
def week_records(
    posts: pd.DataFrame,
    interactions: pd.DataFrame,
    *,
    tz: str,
    post_types: pd.DataFrame | None = None,
    own_authors: pd.DataFrame | None = None,
    known_interaction_ids=None,
    weeks: pd.DataFrame | None = None,
) -> dict[str, pd.DataFrame]:
    """Records of the given weeks (``weeks``: leader_id, week; default every week present).

    ``posts`` carry the feature columns (:data:`coaching.features.FEATURE_COLUMNS`) and
    ``interactions`` a ``stance`` column when known. Both must hold every row that a record of those
    weeks refers to (answers, replies under its posts, earlier messages in its threads; see
    :func:`lasna.facts.refresh_weeks`). ``own_authors`` (leader_id, author_id) and
    ``known_interaction_ids`` default to what ``posts`` / ``interactions`` show.

    Returns frames ``posts``, ``interactions``, ``mentions`` (columns leader_id, week, the record
    fields and the ids behind them) and ``weeks`` (leader_id, week, first_t: the week's earliest post
    time incl. reposts, for tenure).
    """
    P = posts[posts["indexed_at"].notna() & ~_flag(posts, "deleted")].drop_duplicates("post_id").reset_index(drop=True)
    inter = interactions if len(interactions) else interactions.assign(stance=pd.Series(dtype=object))
    IN = inter[inter["indexed_at"].notna() & ~_flag(inter, "deleted")].drop_duplicates("interaction_id") \
        .reset_index(drop=True)
    pt = to_ns(P["indexed_at"]) if len(P) else np.zeros(0, np.int64)
    it = to_ns(IN["indexed_at"]) if len(IN) else np.zeros(0, np.int64)
    p_lid = P["leader_id"].to_numpy().astype(np.int64)
    i_lid = IN["leader_id"].to_numpy().astype(np.int64)
    repost = _flag(P, "is_repost")
    rto = _flag(P, "reply_to_other") & ~repost
    pid = P["post_id"].astype(object).to_numpy()
    iid = IN["interaction_id"].astype(object).to_numpy()
    p_thread = P["reply_root_id"].where(P["reply_root_id"].notna(), P["reply_parent_id"]).astype(object)
    i_thread = IN["root_id"].where(IN["root_id"].notna(), IN["parent_id"]).astype(object)

    # --- incoming: answers (the leader's earliest own non-repost reply to it)
    cand = P[P["reply_parent_id"].notna().to_numpy() & ~repost][["leader_id", "reply_parent_id", "post_id"]] \
        .assign(t=pt[P["reply_parent_id"].notna().to_numpy() & ~repost])
    first_ans = cand.sort_values("t", kind="stable").drop_duplicates(["leader_id", "reply_parent_id"])
    ans = IN[["leader_id", "interaction_id"]].merge(
        first_ans.rename(columns={"reply_parent_id": "interaction_id", "post_id": "answer_id"}),
        on=["leader_id", "interaction_id"], how="left")
    ans_t = ans["t"].fillna(-1).to_numpy().astype(np.int64)
    ans_t = np.where(ans["t"].isna().to_numpy(), NONE_T, ans_t)
    if own_authors is None:
        own_authors = P[["leader_id", "author_id"]].drop_duplicates()
    merit = merits_answer(IN, own_authors, known_interaction_ids if known_interaction_ids is not None
                          else set(inter["interaction_id"]))
    is_reply_in = IN["kind"].isin(("reply", "comment")).to_numpy() if "kind" in IN else np.ones(len(IN), bool)
    stance = IN["stance"].map(STANCES).fillna(0).to_numpy().astype(np.int8) if "stance" in IN else \
        np.zeros(len(IN), np.int8)

    # --- own posts: flags
    if post_types is not None and len(post_types):
        lab = post_types.drop_duplicates("post_id").set_index("post_id")["label"]
        results = (P["post_id"].map(lab) == "results").to_numpy() | _flag(P, "has_link")
    else:
        results = _flag(P, "has_link") | _flag(P, "results_marker")
    f = np.zeros(len(P), np.uint16)
    for bit, mask in ((P_REPOST, repost), (P_DIALOGUE, rto & ~_flag(P, "low_substance")),
                      (P_CREDIT, _flag(P, "crediting")), (P_FPS, _flag(P, "first_person_singular")),
                      (P_FPP, _flag(P, "first_person_plural")), (P_RESULTS, results), (P_ROOT, _flag(P, "is_root")),
                      (P_QUESTION, _flag(P, "question")),
                      (P_GATED, _flag(P, "replies_restricted") | _flag(P, "quotes_disabled")
                       | (P["hidden_replies"].fillna(0).to_numpy() > 0 if "hidden_replies" in P else False)),
                      (P_RTO, rto)):
        f |= np.where(mask, bit, 0).astype(np.uint16)

    # hidden incoming under a post (its root or parent), any leader: the earliest time
    hid = IN[_flag(IN, "hidden")]
    hid_t_ = pd.concat([pd.Series(it[_flag(IN, "hidden")], index=hid["root_id"].to_numpy()),
                        pd.Series(it[_flag(IN, "hidden")], index=hid["parent_id"].to_numpy())])
    hid_t_ = hid_t_[hid_t_.index.notna()].groupby(level=0).min()
    hid_t = P["post_id"].map(hid_t_).fillna(-1).to_numpy().astype(np.int64)
    hid_t = np.where(P["post_id"].isin(hid_t_.index).to_numpy(), hid_t, NONE_T)

    # re-entry: others' first reply under a root, then the leader's first reply under it after that
    others = pd.DataFrame({"leader_id": i_lid[is_reply_in], "post_id": i_thread.to_numpy()[is_reply_in],
                           "t": it[is_reply_in]}).dropna(subset=["post_id"])
    fo = others.groupby(["leader_id", "post_id"])["t"].min()
    key = pd.MultiIndex.from_arrays([p_lid, pid])
    has_fo = key.isin(fo.index) & _flag(P, "is_root")
    fo_t = np.full(len(P), NONE_T, np.int64)
    if has_fo.any():
        fo_t[has_fo] = fo.reindex(key[has_fo]).to_numpy().astype(np.int64)
    lr = P[rto & P["reply_root_id"].notna().to_numpy()][["leader_id", "reply_root_id"]] \
        .assign(t=pt[rto & P["reply_root_id"].notna().to_numpy()]).rename(columns={"reply_root_id": "post_id"})
    roots = pd.DataFrame({"leader_id": p_lid[has_fo], "post_id": pid[has_fo], "fo_t": fo_t[has_fo]})
    re = lr.merge(roots, on=["leader_id", "post_id"])
    re = re[re["t"] > re["fo_t"]].groupby(["leader_id", "post_id"])["t"].min()
    re_t = np.full(len(P), NONE_T, np.int64)
    if len(re):
        hit = key.isin(re.index)
        re_t[hit] = re.reindex(key[hit]).to_numpy().astype(np.int64)

    # back-and-forth: others' messages in the leader's threads up to each of the leader's replies
    th = np.where(rto, account_hash(p_thread.to_numpy()), 0)
    i_th = account_hash(i_thread.to_numpy())
    ok_o = i_thread.notna().to_numpy()
    cumo = np.zeros(len(P), np.int64)
    if rto.any():
        cumo[rto] = _count_le(i_lid[ok_o] * 1_000_003 ^ i_th[ok_o], it[ok_o],
                              p_lid[rto] * 1_000_003 ^ th[rto], pt[rto])
    pa_name = P["reply_parent_author_id"].where(rto, None).astype(object) if "reply_parent_author_id" in P else \
        pd.Series([None] * len(P), dtype=object)
    pa = account_hash(pa_name.to_numpy())

    week_p = week_start(pt, tz)
    week_i = week_start(it, tz)
    post_rec = pd.DataFrame({"leader_id": p_lid, "week": week_p, "t": pt, "f": f, "hid_t": hid_t, "fo_t": fo_t,
                             "re_t": re_t, "th": th, "cumo": cumo.astype(np.int32), "pa": pa,
                             "post_id": pid, "thread_id": np.where(rto, p_thread.to_numpy(), None),
                             "pa_name": pa_name.to_numpy()})
    inter_rec = pd.DataFrame({"leader_id": i_lid, "week": week_i, "t": it,
                              "f": (np.where(merit, I_MERIT, 0) | np.where(is_reply_in, I_REPLY, 0)).astype(np.uint8),
                              "ans_t": ans_t, "stance": stance, "au": account_hash(IN["author_id"].to_numpy()),
                              "interaction_id": iid, "answer_id": ans["answer_id"].astype(object).to_numpy(),
                              "au_name": IN["author_id"].astype(object).to_numpy()})
    # mentions of own non-repost posts
    ment = P["mentions"] if "mentions" in P else pd.Series([[]] * len(P), dtype=object)
    lens = np.fromiter((len(v) if isinstance(v, (list, tuple, np.ndarray)) else 0 for v in ment), np.int64,
                       count=len(ment))
    lens = np.where(repost, 0, lens)
    rows = np.repeat(np.arange(len(P)), lens)
    names = [x for v, n in zip(ment.tolist(), lens.tolist()) if n for x in v]
    ment_rec = pd.DataFrame({"leader_id": p_lid[rows], "week": week_p[rows], "t": pt[rows],
                             "acc": account_hash(names), "acc_name": pd.Series(names, dtype=object)})
    # canonical order (time, then id): facts of a week do not depend on the order rows were loaded in
    post_rec = post_rec.sort_values(["leader_id", "t", "post_id"], kind="stable").reset_index(drop=True)
    inter_rec = inter_rec.sort_values(["leader_id", "t", "interaction_id"], kind="stable").reset_index(drop=True)
    ment_rec = ment_rec.assign(_n=ment_rec["acc_name"].astype(str)).sort_values(["leader_id", "t", "_n"], kind="stable") \
        .drop(columns="_n").reset_index(drop=True)
    wk = post_rec.groupby(["leader_id", "week"], sort=False)["t"].min().rename("first_t").reset_index()
    out = {"posts": post_rec, "interactions": inter_rec, "mentions": ment_rec, "weeks": wk}
    if weeks is not None:
        want = pd.MultiIndex.from_frame(weeks[["leader_id", "week"]].astype({"leader_id": "int64"}))
        for name, frame in out.items():
            idx = pd.MultiIndex.from_arrays([frame["leader_id"].astype("int64"), frame["week"]])
            out[name] = frame[idx.isin(want)].reset_index(drop=True)
    return out


def first_contacts(posts: pd.DataFrame) -> pd.DataFrame:
    """leader_id, acc (hash), acc_name, first_t: the first time each leader replied to each account
    (own non-repost replies to someone else, not deleted) — the new-interlocutor facts."""
    P = posts[posts["indexed_at"].notna() & ~_flag(posts, "deleted")].drop_duplicates("post_id")
    rto = _flag(P, "reply_to_other") & ~_flag(P, "is_repost") & P["reply_parent_author_id"].notna().to_numpy()
    sub = P[rto]
    frame = pd.DataFrame({"leader_id": sub["leader_id"].astype("int64").to_numpy(),
                          "acc_name": sub["reply_parent_author_id"].astype(object).to_numpy(),
                          "first_t": to_ns(sub["indexed_at"]) if len(sub) else np.zeros(0, np.int64)})
    frame = frame.groupby(["leader_id", "acc_name"], as_index=False, sort=False)["first_t"].min()
    frame["acc"] = account_hash(frame["acc_name"].to_numpy())
    return frame[["leader_id", "acc", "acc_name", "first_t"]]


# --- window assembly --------------------------------------------------------------------------------------
def _size(frame: pd.DataFrame) -> pd.Series:
    """Rows per (leader_id, bucket), always with a two-level index."""
    if len(frame) == 0:
        return pd.Series([], dtype=np.int64, index=pd.MultiIndex.from_arrays(
            [np.zeros(0, np.int64), np.zeros(0, np.int64)], names=["leader_id", "bucket"]))
    return frame.groupby(["leader_id", "bucket"], sort=False).size()


def _rate_rows(out: list, name: str, keys: pd.DataFrame, x: pd.Series, n: pd.Series, evidence=None) -> None:
    """keys: leader_id, bucket rows; x, n aligned on the MultiIndex (leader_id, bucket)."""
    if len(keys) == 0:
        return
    idx = pd.MultiIndex.from_frame(keys)
    xx = x.reindex(idx, fill_value=0).to_numpy(dtype=float)
    nn = n.reindex(idx, fill_value=0).to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        raw = np.where(nn > 0, xx / np.where(nn > 0, nn, 1), np.nan)
    _add(out, name, idx, raw, xx, nn, evidence)


def _add(out: list, name: str, idx: pd.MultiIndex, raw, x, n, evidence=None) -> None:
    """Append the rows of component ``name`` for the (leader_id, bucket) pairs ``idx`` to ``out`` (as
    arrays; :func:`window_components` makes one frame of all of them)."""
    if len(idx) == 0:
        return
    if evidence is not None:
        got = evidence.reindex(idx)
        ev = [v if isinstance(v, list) else [] for v in got.tolist()]
    else:
        ev = [[] for _ in range(len(idx))]
    out.append((name, idx.get_level_values(0).to_numpy().astype(np.int64),
                idx.get_level_values(1).to_numpy().astype(np.int64), np.asarray(raw, float), np.asarray(x, float),
                np.asarray(n, float), ev))


def _evidence(frame: pd.DataFrame, mask: np.ndarray, col: str, k: int, order: str = "t") -> pd.Series | None:
    """Up to ``k`` ids (``col``) per (leader_id, bucket) among ``mask``, earliest ``order`` first (ties in
    row order). Only rows carrying ids take part (the leaders whose evidence was asked for), so the
    grouping runs over a few rows in plain Python rather than through a pandas group-by."""
    if col not in frame or not mask.any():
        return None
    values = frame[col].to_numpy(dtype=object)
    rows = np.flatnonzero(mask & pd.notna(values))
    if len(rows) == 0:
        return None
    lid = frame["leader_id"].to_numpy()[rows].astype(np.int64)
    bucket = frame["bucket"].to_numpy()[rows].astype(np.int64)
    key = frame[order].to_numpy()[rows]
    if key.dtype.kind not in "iufb":  # e.g. account names: their sorted order
        key = pd.factorize(key, sort=True)[0]
    picked: dict[tuple[int, int], list[str]] = {}
    for i in np.lexsort((key, bucket, lid)):  # stable: ties keep the rows' order
        got = picked.setdefault((int(lid[i]), int(bucket[i])), [])
        if len(got) < k:
            got.append(str(values[rows[i]]))
    index = pd.MultiIndex.from_tuples(list(picked), names=["leader_id", "bucket"])
    return pd.Series(list(picked.values()), index=index, dtype=object)


@dataclass
class Window:
    """What every metric family reads: the window's own posts (``P``, with ``bucket``), the incoming
    messages that merit an answer (``IN``, with ``answered`` / ``within``), the leader's dialogue
    replies (``D``), mentions, first contacts and first post times."""

    period: Period
    k: int
    P: pd.DataFrame
    IN: pd.DataFrame
    D: pd.DataFrame
    mentions: pd.DataFrame
    contacts: pd.DataFrame
    contacts_exist: bool
    first_post: pd.Series
    stance_known: bool

    @cached_property
    def n_posts(self) -> pd.Series:
        return _size(self.P)

    @cached_property
    def active(self) -> pd.DataFrame:
        return self.n_posts.index.to_frame(index=False)


@dataclass(frozen=True)
class Family:
    name: str
    components: tuple[str, ...]
    compute: Callable[[Window, list], None]


#: Metric families, in output order. A new metric is one function here (registered with
#: :func:`family`) plus its definition in :mod:`coaching.definitions`.
FAMILIES: dict[str, Family] = {}


def family(name: str, components: tuple[str, ...]):
    """Register ``fn(window, out)`` as the family computing ``components`` (it appends rows to ``out``
    with :func:`_rate_rows` / :func:`_add`)."""
    def register(fn):
        FAMILIES[name] = Family(name, tuple(components), fn)
        return fn
    return register


def registered_components() -> list[str]:
    return [c for f in FAMILIES.values() for c in f.components]


K = ["leader_id", "bucket"]


@family("own_posts", ("dialogue_share", "crediting", "personal_voice", "we_voice", "results", "questions",
                      "gated_share"))
def _own_posts(w: Window, out: list) -> None:
    P, k = w.P, w.k
    pf = P["f"].to_numpy()
    for name, bit in (("dialogue_share", P_DIALOGUE), ("crediting", P_CREDIT), ("personal_voice", P_FPS),
                      ("we_voice", P_FPP), ("results", P_RESULTS)):
        m = (pf & bit) > 0
        _rate_rows(out, name, w.active, _size(P[m]), w.n_posts, _evidence(P, m, "post_id", k))
    root = (pf & P_ROOT) > 0
    n_roots = _size(P[root])
    root_keys = n_roots.index.to_frame(index=False)
    gated = root & (((pf & P_GATED) > 0) | (P["hid_t"].to_numpy() <= w.period.until))
    for name, m in (("questions", root & ((pf & P_QUESTION) > 0)), ("gated_share", gated)):
        _rate_rows(out, name, root_keys, _size(P[m]), n_roots, _evidence(P, m, "post_id", k))


@family("responsiveness", ("response_rate", "critical_response_rate", "supportive_response_rate",
                           "response_time"))
def _responsiveness(w: Window, out: list) -> None:
    IN, k, period = w.IN, w.k, w.period
    within, answered = IN["within"].to_numpy(), IN["answered"].to_numpy()
    n_in = _size(IN)
    in_keys = n_in.index.to_frame(index=False)
    n_within = _size(IN[within])
    _rate_rows(out, "response_rate", in_keys, n_within, n_in, _evidence(IN, ~within, "interaction_id", k))
    if w.stance_known:
        st = IN["stance"].to_numpy()
        for name, code in (("critical_response_rate", 1), ("supportive_response_rate", 2)):
            lab = st == code
            n_lab = _size(IN[lab])
            _rate_rows(out, name, n_lab.index.to_frame(index=False), _size(IN[lab & within]), n_lab,
                       _evidence(IN, lab & ~within, "interaction_id", k))
    if len(IN):
        It, At = IN["t"].to_numpy(), IN["ans_t"].to_numpy()
        dur = np.where(answered, At - It, period.until - It) / HOUR_NS
        idx = pd.MultiIndex.from_frame(in_keys)
        codes = idx.get_indexer(pd.MultiIndex.from_frame(IN[K]))
        medv = _km_medians(dur, answered, codes.astype(np.int64), len(idx))
        nw = n_within.reindex(idx, fill_value=0).to_numpy(dtype=float)
        _add(out, "response_time", idx, medv, np.where(nw > 0, nw, np.nan), n_in.reindex(idx).to_numpy(),
             _evidence(IN, answered, "answer_id", k))


@family("re_entry", ("re_entry",))
def _re_entry(w: Window, out: list) -> None:
    P, until = w.P, w.period.until
    root = (P["f"].to_numpy() & P_ROOT) > 0
    in_R = root & (P["fo_t"].to_numpy() <= until)
    reentered = in_R & (P["re_t"].to_numpy() <= until)
    n_R = _size(P[in_R])
    _rate_rows(out, "re_entry", n_R.index.to_frame(index=False), _size(P[reentered]), n_R,
               _evidence(P, in_R & ~reentered, "post_id", w.k))


@family("conversation_depth", ("exchange_share", "turns_per_thread"))
def _conversation_depth(w: Window, out: list) -> None:
    D = w.D
    if not len(D):
        return
    prev = D.groupby(["leader_id", "th"], sort=False)["cumo"].shift(1).fillna(0).to_numpy()
    D = D.assign(trans=(D["cumo"].to_numpy() > prev).astype(np.int64))
    T = D.groupby(["leader_id", "th"], sort=False).agg(bucket=("bucket", "first"), t=("t", "first"),
                                                      turns=("t", "size"), trans=("trans", "sum"),
                                                      thread_id=("thread_id", "first")).reset_index()
    T["exchange"] = T["trans"] >= 2  # two turns other → leader in the thread
    n_t = _size(T)
    tk = n_t.index.to_frame(index=False)
    _rate_rows(out, "exchange_share", tk, _size(T[T["exchange"]]), n_t,
               _evidence(T, T["exchange"].to_numpy(), "thread_id", w.k))
    turn_sum = T.groupby(K)["turns"].sum()
    idx = pd.MultiIndex.from_frame(tk)
    ts = turn_sum.reindex(idx).to_numpy(dtype=float)
    nt = n_t.reindex(idx).to_numpy(dtype=float)
    _add(out, "turns_per_thread", idx, ts / nt, ts, nt)


@family("network", ("reciprocity", "interlocutors", "effective_interlocutors", "evenness", "new_interlocutors"))
def _network(w: Window, out: list) -> None:
    IN, D, k, period = w.IN, w.D, w.k, w.period
    in_acc = IN.loc[IN["au"].to_numpy() != 0, K + ["au", "au_name", "t"]].rename(columns={"au": "acc",
                                                                                       "au_name": "name"})
    d_acc = D.loc[D["pa"].to_numpy() != 0, K + ["pa", "pa_name", "t"]].rename(columns={"pa": "acc",
                                                                                     "pa_name": "name"}) \
        if len(D) else pd.DataFrame(columns=K + ["acc", "name", "t"])
    ment = w.mentions
    m_acc = ment.assign(bucket=period.bucket(ment["t"].to_numpy()))[K + ["acc", "acc_name", "t"]] \
        .rename(columns={"acc_name": "name"})
    if len(in_acc):  # reciprocity: accounts the leader addressed among those who addressed the leader
        ins = in_acc.sort_values("t", kind="stable").drop_duplicates(K + ["acc"])
        outs = pd.concat([d_acc, m_acc], ignore_index=True).drop_duplicates(K + ["acc"])
        both = ins.merge(outs[K + ["acc"]], on=K + ["acc"])
        in_n = _size(ins)
        both = both.assign(order=both["name"].astype(str))
        _rate_rows(out, "reciprocity", in_n.index.to_frame(index=False), _size(both), in_n,
                   _evidence(both, np.ones(len(both), bool), "name", k, order="order"))
    if len(D):
        cnt = d_acc.groupby(K + ["acc"], sort=False).agg(c=("t", "size"), t=("t", "min"), name=("name", "first")) \
            .reset_index()
        if len(cnt):
            # per group, accounts in id order: the entropy sums in the same order as compute_components
            cnt = cnt.assign(sname=cnt["name"].astype(str)).sort_values(K + ["sname"], kind="stable") \
                .reset_index(drop=True)
            N = _size(cnt)
            idx = N.index
            g = idx.get_indexer(pd.MultiIndex.from_frame(cnt[K]))
            c = cnt["c"].to_numpy()
            tot = np.bincount(g, weights=c, minlength=len(idx))
            p = c / tot[g]
            Hv = np.bincount(g, weights=-p * np.log(p), minlength=len(idx))
            Nv = N.to_numpy(dtype=float)
            with np.errstate(divide="ignore", invalid="ignore"):
                even = np.where(Nv >= 2, Hv / np.log(Nv), np.nan)
            cnt = cnt.assign(order=-cnt["c"])
            ev = _evidence(cnt, np.ones(len(cnt), bool), "name", k, order="order")
            nan = np.full(len(idx), np.nan)
            _add(out, "interlocutors", idx, Nv, nan, Nv, ev)
            _add(out, "effective_interlocutors", idx, np.exp(Hv), nan, Nv)
            _add(out, "evenness", idx, even, nan, Nv)
    if w.contacts_exist:  # new interlocutors: first reply ever to an account falls in the bucket
        C = w.contacts[period.in_window(w.contacts["first_t"].to_numpy())]
        C = C.assign(bucket=period.bucket(C["first_t"].to_numpy()), t=C["first_t"])
        new = _size(C)
        keys = pd.MultiIndex.from_frame(w.active).union(new.index) if len(w.active) else new.index
        if len(keys):
            newv = new.reindex(keys, fill_value=0).to_numpy(dtype=float)
            b = keys.get_level_values(1).to_numpy().astype(np.int64)
            months = (period.bucket_end(b) - np.maximum(b, period.start)) / DAY_NS / MONTH_DAYS
            _add(out, "new_interlocutors", keys, newv / months, newv,
                 w.n_posts.reindex(keys, fill_value=0).to_numpy(dtype=float),
                 _evidence(C, np.ones(len(C), bool), "acc_name", k))


@family("consistency", ("active_weeks", "burstiness_score", "tenure_days"))
def _consistency(w: Window, out: list) -> None:
    P, period = w.P, w.period
    if not len(P):
        return
    bstart = np.maximum(P["bucket"].to_numpy(), period.start)
    t = P["t"].to_numpy()
    nw_row = np.maximum(np.ceil((period.bucket_end(P["bucket"].to_numpy()) - bstart) / WEEK_NS).astype(np.int64), 1)
    wi = np.clip((t - bstart) // WEEK_NS, 0, nw_row - 1)
    active_w = P.assign(wi=wi).groupby(K)["wi"].nunique()
    # a leader who posted before a bucket but not in it was silent there: 0 active weeks
    fp = w.first_post.dropna()
    fp = fp[fp <= period.until]
    grid = pd.MultiIndex.from_product([fp.index.astype(np.int64), period.buckets()], names=K)
    started = fp.reindex(grid.get_level_values(0)).to_numpy() < period.bucket_end(grid.get_level_values(1).to_numpy())
    week_index = pd.MultiIndex.from_frame(w.active).union(grid[started])
    aw = active_w.reindex(week_index, fill_value=0).to_numpy(dtype=float)
    bb = week_index.get_level_values(1).to_numpy().astype(np.int64)
    nweeks = np.maximum(np.ceil((period.bucket_end(bb) - np.maximum(bb, period.start)) / WEEK_NS).astype(int), 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        _add(out, "active_weeks", week_index, aw / nweeks, aw, nweeks)
    # gaps between a group's posts in time order: mean and population σ (burstiness, Kim & Jo 2016)
    S = P.sort_values(K + ["t"], kind="stable")
    tf = S["t"].to_numpy().astype(float)
    same = np.r_[False, (S["leader_id"].to_numpy()[1:] == S["leader_id"].to_numpy()[:-1])
                 & (S["bucket"].to_numpy()[1:] == S["bucket"].to_numpy()[:-1])]
    gap = np.full(len(S), np.nan)
    gap[1:] = np.where(same[1:], (tf[1:] - tf[:-1]) / HOUR_NS, np.nan)
    gs = pd.Series(gap).groupby([S["leader_id"].to_numpy(), S["bucket"].to_numpy()])
    idx = pd.MultiIndex.from_frame(w.active)
    mu, sd = gs.mean().reindex(idx).to_numpy(), gs.std(ddof=0).reindex(idx).to_numpy()
    nps = w.n_posts.reindex(idx).to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.where(mu > 0, sd / mu, np.nan)
        bn = np.where(nps >= 3, burstiness(r, nps), np.nan)
    nan = np.full(len(idx), np.nan)
    _add(out, "burstiness_score", idx, 1 - np.maximum(0, bn), nan, nps)
    ends = period.bucket_end(idx.get_level_values(1).to_numpy().astype(np.int64))
    fe = w.first_post.reindex(idx.get_level_values(0)).to_numpy(dtype=float)
    _add(out, "tenure_days", idx, (ends - fe) / DAY_NS, nan, nps)


def window_components(
    records: dict[str, pd.DataFrame],
    contacts: pd.DataFrame,
    first_post: pd.Series,
    period: Period,
    *,
    k: int = 5,
    stance_known: bool = True,
    contacts_exist: bool | None = None,
) -> pd.DataFrame:
    """The raw components frame (:data:`coaching.metrics.COMPONENT_COLUMNS`) of a window from the records
    of the weeks it overlaps (:func:`week_records`; records outside the window are ignored),
    the first contacts (:func:`first_contacts`) and each leader's first post time up to the window end
    (``first_post``: Series by leader_id), computed by every registered family (:data:`FAMILIES`).
    Evidence is filled where the records carry their ids. ``stance_known`` = False reproduces scoring
    without a stance column (no critical/supportive rows). ``contacts_exist``: whether any leader
    replied to anyone up to the window end (default: from ``contacts``); without any, there are no
    new-interlocutor rows at all."""
    posts = records["posts"]
    posts = posts[posts["t"] <= period.until]
    inter = records["interactions"]
    inter = inter[inter["t"] <= period.until]
    P = posts[((posts["f"].to_numpy() & P_REPOST) == 0) & period.in_window(posts["t"].to_numpy())].copy()
    P["bucket"] = period.bucket(P["t"].to_numpy())
    IN = inter[((inter["f"].to_numpy() & I_MERIT) > 0) & period.in_window(inter["t"].to_numpy())].copy()
    IN["bucket"] = period.bucket(IN["t"].to_numpy())
    It, At = IN["t"].to_numpy(), IN["ans_t"].to_numpy()
    IN["answered"] = At <= period.until
    IN["within"] = IN["answered"].to_numpy() & (At - It <= ANSWER_WINDOW_DAYS * DAY_NS)
    D = P[(P["f"].to_numpy() & P_RTO) > 0].sort_values("t", kind="stable")
    ment = records["mentions"]
    ment = ment[period.in_window(ment["t"].to_numpy()) & (ment["acc"].to_numpy() != 0)]
    if contacts_exist is None:
        contacts_exist = bool(len(contacts) and (contacts["first_t"].to_numpy() <= period.until).any())
    w = Window(period=period, k=k, P=P, IN=IN, D=D, mentions=ment, contacts=contacts,
               contacts_exist=contacts_exist, first_post=first_post, stance_known=stance_known)
    out: list[tuple] = []
    for fam in FAMILIES.values():
        fam.compute(w, out)
    if not out:
        return pd.DataFrame(columns=COMPONENT_COLUMNS)
    comp = pd.DataFrame({
        "leader_id": np.concatenate([o[1] for o in out]), "bucket": np.concatenate([o[2] for o in out]),
        "component": np.repeat(np.array([o[0] for o in out], dtype=object), [len(o[1]) for o in out]),
        "raw": np.concatenate([o[3] for o in out]), "x": np.concatenate([o[4] for o in out]),
        "n": np.concatenate([o[5] for o in out]),
        "evidence": pd.Series([e for o in out for e in o[6]], dtype=object).to_numpy(),
    })
    comp["component"] = comp["component"].astype("str")
    return comp[COMPONENT_COLUMNS]


def activity_summary(posts: pd.DataFrame, interactions: pd.DataFrame, start=None, end=None) -> pd.DataFrame:
    """Counts per leader for (start, end] by server-seen time — posts, replies_out (replies to someone
    else), incoming (messages that merit an answer: :func:`merits_answer`), answered (share of those
    answered within 7 days and by ``end``: the response rate's own definition), people (distinct
    authors of incoming), last_post. Answers are looked up in every post given."""
    def seen(f):
        col = f["indexed_at"] if "indexed_at" in f else f["created_at"]
        return to_ns(col) if len(f) else np.zeros(0, np.int64)

    lo = -np.inf if start is None else int(to_ns(pd.Series([pd.Timestamp(start)]))[0])
    hi = np.inf if end is None else int(to_ns(pd.Series([pd.Timestamp(end)]))[0])
    pt, it = seen(posts), seen(interactions)
    p = posts[(pt > lo) & (pt <= hi)]
    i = interactions[(it > lo) & (it <= hi)]
    ti = it[(it > lo) & (it <= hi)]
    repost = _flag(p, "is_repost")
    reply = p["reply_parent_id"].notna().to_numpy() & ~repost
    to_other = reply & (p["reply_parent_author_id"].astype(object) != p["author_id"].astype(object)).to_numpy() & \
        p["reply_parent_author_id"].notna().to_numpy()
    own = posts[["leader_id", "author_id"]].drop_duplicates() if len(posts) else None
    merit = merits_answer(i, own, set(interactions["interaction_id"])) if len(i) else np.zeros(0, bool)
    cand = posts[posts["reply_parent_id"].notna().to_numpy() & ~_flag(posts, "is_repost") & ~_flag(posts, "deleted")]
    first = pd.DataFrame({"leader_id": cand["leader_id"].to_numpy(), "interaction_id": cand["reply_parent_id"].to_numpy(),
                          "at": seen(cand)}).groupby(["leader_id", "interaction_id"])["at"].min()
    at = first.reindex(pd.MultiIndex.from_arrays([i["leader_id"], i["interaction_id"]])).to_numpy(dtype=float)
    within = ~np.isnan(at) & (at <= hi) & (at - ti <= ANSWER_WINDOW_DAYS * DAY_NS)
    m = i[merit].assign(a=within[merit])
    out = pd.DataFrame({
        "posts": p.groupby("leader").size(),
        "replies_out": p[to_other].groupby("leader").size(),
        "incoming": m.groupby("leader").size(),
        "answered": m.groupby("leader")["a"].mean(),
        "people": i.groupby("leader")["author_id"].nunique(),
        "last_post": p.groupby("leader")["created_at"].max(),
    })
    if out.empty:
        return pd.DataFrame(columns=["leader", *out.columns])
    return out.fillna({"posts": 0, "replies_out": 0, "incoming": 0, "people": 0}).reset_index(names="leader")


def empty_records() -> dict[str, pd.DataFrame]:
    base = {"leader_id": pd.Series(dtype=np.int64), "week": pd.Series(dtype="datetime64[s]")}
    return {
        "posts": pd.DataFrame({**base, **{n: pd.Series(dtype=POST_DTYPE[n]) for n in POST_DTYPE.names},
                               **{c: pd.Series(dtype=object) for c in POST_IDS}}),
        "interactions": pd.DataFrame({**base, **{n: pd.Series(dtype=INTER_DTYPE[n]) for n in INTER_DTYPE.names},
                                      **{c: pd.Series(dtype=object) for c in INTER_IDS}}),
        "mentions": pd.DataFrame({**base, **{n: pd.Series(dtype=MENTION_DTYPE[n]) for n in MENTION_DTYPE.names},
                                  **{c: pd.Series(dtype=object) for c in MENTION_IDS}}),
        "weeks": pd.DataFrame({**base, "first_t": pd.Series(dtype=np.int64)}),
    }


def first_post_times(records: dict[str, pd.DataFrame], until_ns: int) -> pd.Series:
    """Each leader's first post time (reposts included) up to ``until_ns`` from the records."""
    p = records["posts"]
    p = p[p["t"] <= until_ns]
    return p.groupby("leader_id")["t"].min()


__all__ = ["FACTS_VERSION", "FAMILIES", "Window", "activity_summary", "family", "registered_components", "account_hash", "empty_records", "first_contacts", "first_post_times",
           "merits_answer", "week_records", "week_start", "window_components"]
