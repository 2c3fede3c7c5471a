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
from typing import NamedTuple
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
# A window's rows are NumPy columns (:class:`Rows`) and every (leader_id, bucket) pair is one int64 key
# (:meth:`Window.key`), so a count per pair is one ``np.unique`` instead of a pandas group-by (pandas'
# per-call costs were most of a window's time). Where the order of the pairs shows in the result (the
# rows of a component), it is the order pandas' ``groupby(sort=False)`` and ``MultiIndex.union`` give, so
# the frame equals the former pandas assembly row for row (tests/test_window_numpy.py).
class Rows:
    """Columns of equal length as NumPy arrays: what the families read of a frame, without pandas."""

    __slots__ = ("cols", "n")

    def __init__(self, cols: dict[str, np.ndarray], n: int | None = None) -> None:
        self.cols = cols
        self.n = n if n is not None else (len(next(iter(cols.values()))) if cols else 0)

    @classmethod
    def of(cls, frame: pd.DataFrame, columns: tuple[str, ...], ids: tuple[str, ...] = ()) -> Rows:
        cols = {c: frame[c].to_numpy() for c in columns if c in frame}
        cols.update({c: frame[c].to_numpy(dtype=object) for c in ids if c in frame})
        return cls(cols, len(frame))

    def __getitem__(self, name: str) -> np.ndarray:
        return self.cols[name]

    def __contains__(self, name: object) -> bool:
        return name in self.cols

    def __len__(self) -> int:
        return self.n

    def take(self, rows: np.ndarray) -> Rows:
        """The rows a boolean mask or an index array selects, in that order."""
        n = int(np.count_nonzero(rows)) if rows.dtype == bool else len(rows)
        return Rows({c: v[rows] for c, v in self.cols.items()}, n)

    def with_columns(self, **cols: np.ndarray) -> Rows:
        return Rows({**self.cols, **cols}, self.n)


class Counts(NamedTuple):
    """Rows per key, the keys in the order of their first appearance (``groupby(sort=False).size()``)."""

    keys: np.ndarray
    n: np.ndarray


_NO_KEYS = np.zeros(0, np.int64)


def _count(keys: np.ndarray) -> Counts:
    if len(keys) == 0:
        return Counts(_NO_KEYS, _NO_KEYS)
    u, first, counts = np.unique(keys, return_index=True, return_counts=True)
    order = np.argsort(first)
    return Counts(u[order], counts[order])


def _lookup(keys: np.ndarray, src: np.ndarray, values: np.ndarray, fill: float = 0.0) -> np.ndarray:
    """``values`` (aligned with the distinct ``src``) of each of ``keys`` as floats, ``fill`` where absent
    (``Series.reindex(keys, fill_value=fill)``)."""
    out = np.full(len(keys), fill, dtype=float)
    if len(src) and len(keys):
        order = np.argsort(src)
        s = src[order]
        pos = np.minimum(np.searchsorted(s, keys), len(s) - 1)
        hit = s[pos] == keys
        out[hit] = values[order][pos[hit]]
    return out


def _at(keys: np.ndarray, counts: Counts) -> np.ndarray:
    return _lookup(keys, counts.keys, counts.n)


def _positions(index: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Position of each of ``keys`` in the distinct ``index`` (every key is there)."""
    order = np.argsort(index)
    return order[np.searchsorted(index[order], keys)]


def _union(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The keys of ``MultiIndex.union`` in its order: ``a`` when ``b`` is empty or equal to it, ``b`` when
    ``a`` is empty, else sorted."""
    if len(b) == 0 or (len(a) == len(b) and bool((a == b).all())):
        return a
    if len(a) == 0:
        return b
    return np.union1d(a, b)


def _pair_groups(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Group code of each row's (a, b) pair, numbered by first appearance (``groupby([a, b],
    sort=False)``), and the first row of each group (in code order)."""
    order = np.lexsort((b, a))
    sa, sb = a[order], b[order]
    new = np.r_[True, (sa[1:] != sa[:-1]) | (sb[1:] != sb[:-1])]
    group = np.cumsum(new) - 1
    first = order[new]  # the sort is stable: a group's earliest row comes first
    rank = np.empty(len(first), np.int64)
    rank[np.argsort(first)] = np.arange(len(first))
    codes = np.empty(len(a), np.int64)
    codes[order] = rank[group]
    return codes, np.sort(first)


def _pairs_in(qa: np.ndarray, qb: np.ndarray, sa: np.ndarray, sb: np.ndarray) -> np.ndarray:
    """Whether each query pair (qa, qb) is among the pairs (sa, sb)."""
    if len(qa) == 0 or len(sa) == 0:
        return np.zeros(len(qa), bool)
    a, b = np.concatenate([sa, qa]), np.concatenate([sb, qb])
    is_set = np.r_[np.ones(len(sa), bool), np.zeros(len(qa), bool)]
    order = np.lexsort((b, a))
    oa, ob = a[order], b[order]
    group = np.cumsum(np.r_[True, (oa[1:] != oa[:-1]) | (ob[1:] != ob[:-1])]) - 1
    found = np.zeros(group[-1] + 1, bool)
    found[group[is_set[order]]] = True
    out = np.empty(len(a), bool)
    out[order] = found[group]
    return out[len(sa):]


def _first_valid(codes: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    """Per group code, the first non-missing of ``values`` in row order (pandas' ``first``), else None."""
    out = np.full(size, None, dtype=object)
    rows = np.flatnonzero(pd.notna(values))
    if len(rows):
        got, first = np.unique(codes[rows], return_index=True)
        out[got] = values[rows[first]]
    return out


Evidence = dict[int, list[str]]
_NO_EVIDENCE: list[str] = []


def _evidence(rows: Rows, mask: np.ndarray, col: str, k: int, order: str = "t") -> Evidence | None:
    """Up to ``k`` ids (``col``) per key among ``mask``, earliest ``order`` first (ties in row order).
    Only rows carrying ids take part (the leaders whose evidence was asked for), so the grouping runs
    over a few rows in plain Python."""
    if col not in rows or not mask.any():
        return None
    values = rows[col]
    sel = np.flatnonzero(mask & pd.notna(values))
    if len(sel) == 0:
        return None
    key = rows["key"][sel]
    by = rows[order][sel]
    if by.dtype.kind not in "iufb":  # e.g. account names: their sorted order
        by = pd.factorize(by, sort=True)[0]
    ranked = np.lexsort((by, key))  # stable: ties keep the rows' order
    sk = key[ranked]
    starts = np.flatnonzero(np.r_[True, sk[1:] != sk[:-1]])
    rank = np.arange(len(sk)) - np.repeat(starts, np.diff(np.r_[starts, len(sk)]))
    keep = ranked[rank < k]  # the first k of each key, in order
    picked: Evidence = {}
    for key_i, value in zip(key[keep].tolist(), values[sel[keep]].tolist()):
        picked.setdefault(key_i, []).append(str(value))
    return picked


def _key(buckets: np.ndarray, leader_id: np.ndarray, bucket: np.ndarray) -> np.ndarray:
    """One int64 per (leader_id, bucket), ordered as the pairs are (``buckets``: every bucket start, sorted)."""
    return np.asarray(leader_id, np.int64) * len(buckets) + np.searchsorted(buckets, bucket)


Out = list[tuple[str, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, list]]


@dataclass
class Window:
    """What every metric family reads: the window's own posts (``P``), the incoming messages that merit
    an answer (``IN``, with ``answered`` / ``within``), the leader's dialogue replies (``D``, in time
    order), mentions and the first contacts in the window (each with ``bucket`` and ``key``), and each
    leader's first post time. ``buckets``: every bucket start a key may hold, sorted."""

    period: Period
    k: int
    P: Rows
    IN: Rows
    D: Rows
    mentions: Rows
    contacts: Rows
    contacts_exist: bool
    first_post: pd.Series
    stance_known: bool
    buckets: np.ndarray

    def key(self, leader_id: np.ndarray, bucket: np.ndarray) -> np.ndarray:
        return _key(self.buckets, leader_id, bucket)

    def leader_of(self, keys: np.ndarray) -> np.ndarray:
        return keys // len(self.buckets)

    def bucket_of(self, keys: np.ndarray) -> np.ndarray:
        return self.buckets[keys % len(self.buckets)]

    @cached_property
    def _ends(self) -> np.ndarray:
        return self.period.bucket_end(self.buckets)

    def bucket_end(self, bucket: np.ndarray) -> np.ndarray:
        """:meth:`Period.bucket_end` of bucket starts, looked up per distinct bucket (time zone
        arithmetic once per bucket, not per row)."""
        return self._ends[np.searchsorted(self.buckets, bucket)]

    @cached_property
    def n_posts(self) -> Counts:
        return _count(self.P["key"])

    @cached_property
    def active(self) -> np.ndarray:
        return self.n_posts.keys

    def add(self, out: Out, name: str, keys: np.ndarray, raw, x, n, evidence: Evidence | None = None) -> None:
        """Append the rows of component ``name`` for ``keys`` to ``out`` (as arrays; :func:`window_components`
        makes one frame of all of them)."""
        if len(keys) == 0:
            return
        # rows without evidence share one empty list (never mutated: consumers copy; a fresh list per row
        # made the collector's passes over 10^5 lists a third of a weekly window's time)
        ev: list[list[str]] = [_NO_EVIDENCE] * len(keys)
        if evidence:
            have = np.fromiter(evidence, np.int64, len(evidence))
            for pos, key in zip(np.flatnonzero(np.isin(keys, have)).tolist(), keys[np.isin(keys, have)].tolist()):
                ev[pos] = evidence[key]
        out.append((name, self.leader_of(keys).astype(np.int64), self.bucket_of(keys).astype(np.int64),
                    np.asarray(raw, float), np.asarray(x, float), np.asarray(n, float), ev))

    def rate(self, out: Out, name: str, keys: np.ndarray, x: Counts, n: Counts,
             evidence: Evidence | None = None) -> None:
        """x / n per key (x, n: counts; keys without x count 0)."""
        if len(keys) == 0:
            return
        xx, nn = _at(keys, x), _at(keys, n)
        with np.errstate(invalid="ignore", divide="ignore"):
            raw = np.where(nn > 0, xx / np.where(nn > 0, nn, 1), np.nan)
        self.add(out, name, keys, raw, xx, nn, evidence)


@dataclass(frozen=True)
class Family:
    name: str
    components: tuple[str, ...]
    compute: Callable[[Window, Out], None]


#: Metric families, in output order. A new metric is one function here (registered with
#: :func:`family`) plus its definition in :mod:`coaching.definitions`.
FAMILIES: dict[str, Family] = {}


def family(name: str, components: tuple[str, ...]) -> Callable[[Callable[[Window, Out], None]],
                                                                Callable[[Window, Out], None]]:
    """Register ``fn(window, out)`` as the family computing ``components`` (it appends rows to ``out``
    with :meth:`Window.rate` / :meth:`Window.add`)."""
    def register(fn: Callable[[Window, Out], None]) -> Callable[[Window, Out], None]:
        FAMILIES[name] = Family(name, tuple(components), fn)
        return fn
    return register


def registered_components() -> list[str]:
    return [c for f in FAMILIES.values() for c in f.components]


@family("own_posts", ("dialogue_share", "crediting", "personal_voice", "we_voice", "results", "questions",
                      "gated_share"))
def _own_posts(w: Window, out: Out) -> None:
    P, k = w.P, w.k
    pf, key = P["f"], P["key"]
    for name, bit in (("dialogue_share", P_DIALOGUE), ("crediting", P_CREDIT), ("personal_voice", P_FPS),
                      ("we_voice", P_FPP), ("results", P_RESULTS)):
        m = (pf & bit) > 0
        w.rate(out, name, w.active, _count(key[m]), w.n_posts, _evidence(P, m, "post_id", k))
    root = (pf & P_ROOT) > 0
    n_roots = _count(key[root])
    gated = root & (((pf & P_GATED) > 0) | (P["hid_t"] <= w.period.until))
    for name, m in (("questions", root & ((pf & P_QUESTION) > 0)), ("gated_share", gated)):
        w.rate(out, name, n_roots.keys, _count(key[m]), n_roots, _evidence(P, m, "post_id", k))


@family("responsiveness", ("response_rate", "critical_response_rate", "supportive_response_rate",
                           "response_time"))
def _responsiveness(w: Window, out: Out) -> None:
    IN, k, period = w.IN, w.k, w.period
    key, within, answered = IN["key"], IN["within"], IN["answered"]
    n_in = _count(key)
    n_within = _count(key[within])
    w.rate(out, "response_rate", n_in.keys, n_within, n_in, _evidence(IN, ~within, "interaction_id", k))
    if w.stance_known:
        st = IN["stance"]
        for name, code in (("critical_response_rate", 1), ("supportive_response_rate", 2)):
            lab = st == code
            n_lab = _count(key[lab])
            w.rate(out, name, n_lab.keys, _count(key[lab & within]), n_lab,
                   _evidence(IN, lab & ~within, "interaction_id", k))
    if len(IN):
        It, At = IN["t"], IN["ans_t"]
        dur = np.where(answered, At - It, period.until - It) / HOUR_NS
        idx = n_in.keys
        medv = _km_medians(dur, answered, _positions(idx, key).astype(np.int64), len(idx))
        nw = _at(idx, n_within)
        w.add(out, "response_time", idx, medv, np.where(nw > 0, nw, np.nan), n_in.n,
              _evidence(IN, answered, "answer_id", k))


@family("re_entry", ("re_entry",))
def _re_entry(w: Window, out: Out) -> None:
    P, until = w.P, w.period.until
    root = (P["f"] & P_ROOT) > 0
    in_R = root & (P["fo_t"] <= until)
    reentered = in_R & (P["re_t"] <= until)
    n_R = _count(P["key"][in_R])
    w.rate(out, "re_entry", n_R.keys, _count(P["key"][reentered]), n_R,
           _evidence(P, in_R & ~reentered, "post_id", w.k))


@family("conversation_depth", ("exchange_share", "turns_per_thread"))
def _conversation_depth(w: Window, out: Out) -> None:
    D = w.D
    if not len(D):
        return
    # threads (leader, thread) in order of first appearance; a transition is a turn after others wrote more
    codes, first = _pair_groups(D["leader_id"], D["th"])
    size = len(first)
    by_thread = np.argsort(codes, kind="stable")
    cumo = D["cumo"][by_thread]
    same = np.r_[False, codes[by_thread][1:] == codes[by_thread][:-1]]
    prev_sorted = np.where(same, np.r_[0, cumo[:-1]], 0)
    prev = np.empty(len(D), prev_sorted.dtype)
    prev[by_thread] = prev_sorted
    trans = np.bincount(codes, weights=(D["cumo"] > prev).astype(np.int64), minlength=size)
    turns = np.bincount(codes, minlength=size)
    T = Rows({"key": D["key"][first], "t": D["t"][first],
              "thread_id": _first_valid(codes, D["thread_id"], size) if "thread_id" in D
              else np.full(size, None, dtype=object)}, size)
    exchange = trans >= 2  # two turns other → leader in the thread
    n_t = _count(T["key"])
    w.rate(out, "exchange_share", n_t.keys, _count(T["key"][exchange]), n_t,
           _evidence(T, exchange, "thread_id", w.k))
    ts = np.bincount(_positions(n_t.keys, T["key"]), weights=turns, minlength=len(n_t.keys))
    nt = n_t.n.astype(float)
    w.add(out, "turns_per_thread", n_t.keys, ts / nt, ts, nt)


@family("network", ("reciprocity", "interlocutors", "effective_interlocutors", "evenness", "new_interlocutors"))
def _network(w: Window, out: Out) -> None:
    IN, D, k, period = w.IN, w.D, w.k, w.period
    has_in = IN["au"] != 0
    in_key, in_acc, in_name, in_t = IN["key"][has_in], IN["au"][has_in], IN["au_name"][has_in], IN["t"][has_in]
    has_pa = D["pa"] != 0 if len(D) else np.zeros(0, bool)
    d_key, d_acc = (D["key"][has_pa], D["pa"][has_pa]) if len(D) else (_NO_KEYS, _NO_KEYS)
    d_name = D["pa_name"][has_pa] if len(D) else np.zeros(0, object)
    M = w.mentions
    if len(in_key):  # reciprocity: accounts the leader addressed among those who addressed the leader
        by_t = np.argsort(in_t, kind="stable")
        _, first = _pair_groups(in_key[by_t], in_acc[by_t])
        ins = by_t[first]  # each (key, account) once, at its earliest message
        both = ins[_pairs_in(in_key[ins], in_acc[ins], np.concatenate([d_key, M["key"]]),
                             np.concatenate([d_acc, M["acc"]]))]
        in_n = _count(in_key[ins])
        names = Rows({"key": in_key[both], "name": in_name[both]})
        w.rate(out, "reciprocity", in_n.keys, _count(in_key[both]), in_n,
               _evidence(names, np.ones(len(both), bool), "name", k, order="name"))
    if len(d_key):
        codes, first = _pair_groups(d_key, d_acc)
        c = np.bincount(codes, minlength=len(first))
        name = _first_valid(codes, d_name, len(first))
        # per (leader, bucket), accounts in id order (missing ids last): the entropy sums in the same
        # order as compute_components
        missing = pd.isna(name)
        rank = np.full(len(first), np.iinfo(np.int64).max, np.int64)
        if (~missing).any():
            rank[~missing] = pd.factorize(name[~missing].astype(str), sort=True)[0]
        order = np.lexsort((rank, d_key[first]))
        ck, cc, cn = d_key[first][order], c[order], name[order]
        N = _count(ck)
        idx = N.keys
        g = _positions(idx, ck)
        tot = np.bincount(g, weights=cc, minlength=len(idx))
        p = cc / tot[g]
        Hv = np.bincount(g, weights=-p * np.log(p), minlength=len(idx))
        Nv = N.n.astype(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            even = np.where(Nv >= 2, Hv / np.log(Nv), np.nan)
        ev = _evidence(Rows({"key": ck, "name": cn, "order": -cc}), np.ones(len(ck), bool), "name", k,
                       order="order")
        nan = np.full(len(idx), np.nan)
        w.add(out, "interlocutors", idx, Nv, nan, Nv, ev)
        w.add(out, "effective_interlocutors", idx, np.exp(Hv), nan, Nv)
        w.add(out, "evenness", idx, even, nan, Nv)
    if w.contacts_exist:  # new interlocutors: first reply ever to an account falls in the bucket
        C = w.contacts
        new = _count(C["key"])
        keys = _union(w.active, new.keys) if len(w.active) else new.keys
        if len(keys):
            newv = _at(keys, new)
            b = w.bucket_of(keys)
            months = (w.bucket_end(b) - np.maximum(b, period.start)) / DAY_NS / MONTH_DAYS
            w.add(out, "new_interlocutors", keys, newv / months, newv, _at(keys, w.n_posts),
                  _evidence(C, np.ones(len(C), bool), "acc_name", k))


@family("consistency", ("active_weeks", "burstiness_score", "tenure_days"))
def _consistency(w: Window, out: Out) -> None:
    P, period = w.P, w.period
    if not len(P):
        return
    bucket, key = P["bucket"], P["key"]
    bstart = np.maximum(bucket, period.start)
    nw_row = np.maximum(np.ceil((w.bucket_end(bucket) - bstart) / WEEK_NS).astype(np.int64), 1)
    wi = np.clip((P["t"] - bstart) // WEEK_NS, 0, nw_row - 1)
    _, first = _pair_groups(key, wi)
    active_w = _count(key[first])  # distinct active weeks per key
    # a leader who posted before a bucket but not in it was silent there: 0 active weeks
    fp = w.first_post.dropna()
    fp = fp[fp <= period.until]
    starts = w.buckets
    grid_l = np.repeat(fp.index.to_numpy().astype(np.int64), len(starts))
    grid_b = np.tile(starts, len(fp))
    started = np.repeat(fp.to_numpy(), len(starts)) < w.bucket_end(grid_b)
    week_keys = _union(w.active, w.key(grid_l[started], grid_b[started]))
    aw = _at(week_keys, active_w)
    bb = w.bucket_of(week_keys)
    nweeks = np.maximum(np.ceil((w.bucket_end(bb) - np.maximum(bb, period.start)) / WEEK_NS).astype(int), 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        w.add(out, "active_weeks", week_keys, aw / nweeks, aw, nweeks)
    # gaps between a key's posts in time order: mean and population σ (burstiness, Kim & Jo 2016)
    order = np.lexsort((P["t"], key))
    tf = P["t"][order].astype(float)
    sk = key[order]
    gap = np.full(len(sk), np.nan)
    gap[1:] = np.where(sk[1:] == sk[:-1], (tf[1:] - tf[:-1]) / HOUR_NS, np.nan)
    gs = pd.Series(gap).groupby(sk, sort=False)  # pandas' compensated mean and Welford variance
    mean, std = gs.mean(), gs.std(ddof=0)
    idx = w.active
    mu = _lookup(idx, mean.index.to_numpy(), mean.to_numpy(), np.nan)
    sd = _lookup(idx, std.index.to_numpy(), std.to_numpy(), np.nan)
    nps = _at(idx, w.n_posts)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.where(mu > 0, sd / mu, np.nan)
        bn = np.where(nps >= 3, burstiness(r, nps), np.nan)
    nan = np.full(len(idx), np.nan)
    w.add(out, "burstiness_score", idx, 1 - np.maximum(0, bn), nan, nps)
    ends = w.bucket_end(w.bucket_of(idx))
    fe = _lookup(w.leader_of(idx), w.first_post.index.to_numpy().astype(np.int64),
                 w.first_post.to_numpy(dtype=float), np.nan)
    w.add(out, "tenure_days", idx, (ends - fe) / DAY_NS, nan, nps)


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
    posts, inter, ment = records["posts"], records["interactions"], records["mentions"]
    pt, it, mt = posts["t"].to_numpy(), inter["t"].to_numpy(), ment["t"].to_numpy()
    P = Rows.of(posts, ("leader_id", "t", "f", "hid_t", "fo_t", "re_t", "th", "cumo", "pa"), POST_IDS) \
        .take(((posts["f"].to_numpy() & P_REPOST) == 0) & period.in_window(pt))
    IN = Rows.of(inter, ("leader_id", "t", "f", "ans_t", "stance", "au"), INTER_IDS) \
        .take(((inter["f"].to_numpy() & I_MERIT) > 0) & period.in_window(it))
    M = Rows.of(ment, ("leader_id", "t", "acc"), MENTION_IDS) \
        .take(period.in_window(mt) & (ment["acc"].to_numpy() != 0))
    ct = contacts["first_t"].to_numpy() if len(contacts) else np.zeros(0, np.int64)
    C = Rows.of(contacts, ("leader_id", "first_t"), ("acc_name",)).take(period.in_window(ct)) if len(contacts) \
        else Rows({"leader_id": _NO_KEYS, "first_t": _NO_KEYS, "acc_name": np.zeros(0, object)}, 0)
    # each row's bucket: the last bucket start at or before it (every row is inside the window, after the
    # first start; the same instants Period.bucket gives, without time zone arithmetic per row)
    buckets = np.asarray(period.buckets(), np.int64)
    P, IN, M, C = (R.with_columns(bucket=buckets[np.searchsorted(buckets, R[tc], side="right") - 1])
                   for R, tc in ((P, "t"), (IN, "t"), (M, "t"), (C, "first_t")))
    C = C.with_columns(t=C["first_t"])
    P, IN, M, C = (R.with_columns(key=_key(buckets, R["leader_id"], R["bucket"])) for R in (P, IN, M, C))
    answered = IN["ans_t"] <= period.until
    IN = IN.with_columns(answered=answered,
                         within=answered & (IN["ans_t"] - IN["t"] <= ANSWER_WINDOW_DAYS * DAY_NS))
    rto = np.flatnonzero((P["f"] & P_RTO) > 0)
    D = P.take(rto[np.argsort(P["t"][rto], kind="stable")])
    if contacts_exist is None:
        contacts_exist = bool(len(contacts) and (ct <= period.until).any())
    w = Window(period=period, k=k, P=P, IN=IN, D=D, mentions=M, contacts=C, contacts_exist=contacts_exist,
               first_post=first_post, stance_known=stance_known, buckets=buckets)
    out: Out = []
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
        "posts": pd.DataFrame({**base, **{n: pd.Series(dtype=POST_DTYPE[n]) for n in POST_DTYPE.names or ()},
                               **{c: pd.Series(dtype=object) for c in POST_IDS}}),
        "interactions": pd.DataFrame({**base, **{n: pd.Series(dtype=INTER_DTYPE[n]) for n in INTER_DTYPE.names or ()},
                                      **{c: pd.Series(dtype=object) for c in INTER_IDS}}),
        "mentions": pd.DataFrame({**base, **{n: pd.Series(dtype=MENTION_DTYPE[n]) for n in MENTION_DTYPE.names or ()},
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
