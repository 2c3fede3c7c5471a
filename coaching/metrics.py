"""Metrics per leader and period (window or week/month buckets), vectorised with pandas/numpy.

Everything here is pure: frames in, frames out. Times are ``indexed_at`` (server-seen) throughout.
The raw result is a long frame with one row per (leader_id, bucket, component): x, n, raw value and
evidence ids. Shrinkage and percentiles live in :mod:`coaching.composites`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from coaching.features import FEATURE_COLUMNS, emoji_only_flags, post_features

DAY_NS = 86_400 * 10**9
WEEK_NS = 7 * DAY_NS
HOUR_NS = 3_600 * 10**9
MONDAY0_NS = pd.Timestamp("1970-01-05").value  # a Monday
ANSWER_WINDOW_DAYS = 7
MERIT_KINDS = ("reply", "mention", "comment")
MONTH_DAYS = 30.4375

COMPONENT_COLUMNS = ["leader_id", "bucket", "component", "raw", "x", "n", "evidence"]


# --- helpers ----------------------------------------------------------------------------------------------
def to_ns(ts: pd.Series) -> np.ndarray:
    """tz-aware/naive timestamps → int64 ns since epoch (UTC)."""
    s = pd.to_datetime(ts, utc=True)
    return s.dt.tz_convert(None).to_numpy(dtype="datetime64[ns]").view("int64")


def link_answers(posts: pd.DataFrame, interactions: pd.DataFrame) -> pd.DataFrame:
    """Interactions with ``answered_by`` (post_id) and ``answered_at`` (indexed_at) added.

    The answer is the leader's own post whose ``reply_parent_id`` equals the interaction id, from the
    leader the interaction addressed, earliest by ``indexed_at``. Reposts and deleted posts never answer.
    Unanswered interactions have ``None``/``NaT``. Inputs are not modified.
    """
    out = interactions.copy()
    if len(posts) == 0 or len(out) == 0:
        out["answered_by"] = pd.Series([None] * len(out), index=out.index, dtype=object)
        out["answered_at"] = pd.Series(pd.NaT, index=out.index, dtype="datetime64[ns, UTC]")
        return out
    mask = posts["reply_parent_id"].notna()
    if "is_repost" in posts:
        mask &= ~posts["is_repost"].fillna(False).astype(bool)
    if "deleted" in posts:
        mask &= ~posts["deleted"].fillna(False).astype(bool)
    cand = posts.loc[mask, ["leader_id", "reply_parent_id", "post_id", "indexed_at"]]
    # integer keys: (leader_id, factorised id) → one int64, then a stable sort and a hash lookup
    codes, _ = pd.factorize(np.concatenate([cand["reply_parent_id"].to_numpy(),
                                            out["interaction_id"].to_numpy()]))
    m = np.int64(codes.max() + 2 if len(codes) else 2)
    ckey = cand["leader_id"].to_numpy().astype(np.int64) * m + codes[: len(cand)]
    ikey = out["leader_id"].to_numpy().astype(np.int64) * m + codes[len(cand):]
    ct = to_ns(cand["indexed_at"]) if len(cand) else np.zeros(0, np.int64)
    order = np.lexsort((ct, ckey))
    ckey_s = ckey[order]
    first = np.r_[True, ckey_s[1:] != ckey_s[:-1]] if len(ckey_s) else np.zeros(0, bool)
    sel = order[first]
    pos = pd.Index(ckey[sel]).get_indexer(ikey)
    hit = pos >= 0
    ab_arr = np.full(len(out), None, dtype=object)
    ab_arr[hit] = cand["post_id"].to_numpy(dtype=object)[sel[pos[hit]]]
    at_ns = np.full(len(out), np.iinfo(np.int64).min, dtype=np.int64)
    at_ns[hit] = ct[sel[pos[hit]]]
    out["answered_by"] = pd.Series(ab_arr, index=out.index, dtype=object)
    out["answered_at"] = pd.to_datetime(np.where(hit, at_ns, 0).astype("datetime64[ns]"), utc=True).where(hit)
    return out


def burstiness(r: np.ndarray | float, n: np.ndarray | float) -> np.ndarray:
    """Finite-size burstiness Bₙ (Kim & Jo 2016) from r = σ/μ of gaps and n = number of events."""
    r = np.asarray(r, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        a, b = np.sqrt(n + 1), np.sqrt(n - 1)
        return (a * r - b) / ((a - 2) * r + b)


def kaplan_meier_median(durations: np.ndarray, observed: np.ndarray, groups: np.ndarray | None = None):
    """Kaplan–Meier median per group (events sorted before censorings at ties).

    Returns a Series indexed by group (or a float without groups); ``inf`` when the survival curve never
    reaches 0.5, ``nan`` for an empty group.
    """
    d = np.asarray(durations, dtype=float)
    e = np.asarray(observed, dtype=bool)
    single = groups is None
    g = np.zeros(len(d), dtype=np.int64) if single else np.asarray(groups)
    if len(d) == 0:
        return float("nan") if single else pd.Series(dtype=float)
    codes, uniq = pd.factorize(g, sort=False)
    order = np.lexsort((~e, d, codes))
    c, dd, ee = codes[order], d[order], e[order]
    sizes = np.bincount(c, minlength=len(uniq))
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    pos = np.arange(len(c)) - starts[c]
    at_risk = sizes[c] - pos
    with np.errstate(divide="ignore"):
        logf = np.where(ee, np.log1p(-1.0 / at_risk), 0.0)
    cum = pd.Series(logf).groupby(c).cumsum().to_numpy()
    surv = np.exp(cum)
    hit = surv <= 0.5 + 1e-12
    med = np.full(len(uniq), np.inf)
    if hit.any():
        first = pd.Series(dd[hit]).groupby(c[hit]).first()
        med[first.index.to_numpy()] = first.to_numpy()
    if single:
        return float(med[0])
    return pd.Series(med, index=uniq)


class _Names:
    """Decodes integer codes back to ids (an Arrow dictionary or a numpy array), converting only what is asked."""

    def __init__(self, values):
        self.values = values

    def __getitem__(self, idx):
        idx = np.asarray(idx, dtype=np.int64)
        if isinstance(self.values, np.ndarray):
            return self.values[idx]
        import pyarrow as pa

        return self.values.take(pa.array(idx)).to_numpy(zero_copy_only=False).astype(object)


def _factorize_many(columns: list[pd.Series]) -> tuple[list[np.ndarray], np.ndarray]:
    """Joint integer codes (-1 = missing) for several string columns, and the decoding array.

    Uses Arrow's C++ hash table (zero-copy for Arrow-backed ``str`` columns); falls back to
    ``pandas.factorize`` for other inputs.
    """
    lengths = [len(c) for c in columns]
    try:
        import pyarrow as pa

        chunks = []
        for c in columns:
            if isinstance(c.array, pd.arrays.ArrowStringArray):
                a = pa.array(c.array)
            else:
                vals = c.to_numpy(dtype=object)
                if len(vals) and not all(isinstance(v, str) or v is None or (isinstance(v, float) and v != v)
                                         for v in vals[: min(len(vals), 1000)]):
                    raise TypeError("non-string ids")
                a = pa.array(vals, type=pa.large_string(), from_pandas=True)
            chunks.append(a.cast(pa.large_string()))
        whole = pa.concat_arrays(chunks) if chunks else pa.array([], type=pa.large_string())
        enc = whole.dictionary_encode()
        codes = enc.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
        names = _Names(enc.dictionary)
    except Exception:  # no pyarrow, or ids that are not strings: pandas hashing
        codes, names = pd.factorize(np.concatenate([c.to_numpy(dtype=object) for c in columns]))
        names = _Names(np.asarray(names, dtype=object))
    out, off = [], 0
    for n in lengths:
        out.append(codes[off:off + n])
        off += n
    return out, names


def _as_float_codes(codes: np.ndarray) -> np.ndarray:
    cc = codes.astype(np.float64)
    cc[codes < 0] = np.nan
    return cc


def _encode(posts: pd.DataFrame, inter: pd.DataFrame):
    """Replace id and account columns by integer codes (float with NaN where missing)."""
    pid = ["post_id", "reply_parent_id", "reply_root_id"]
    iid = ["interaction_id", "parent_id", "root_id"]
    posts, inter = posts.copy(), inter.copy()
    codes, id_names = _factorize_many([posts[c] for c in pid] + [inter[c] for c in iid])
    for (frame, c), cc in zip([(posts, c) for c in pid] + [(inter, c) for c in iid], codes):
        frame[c] = _as_float_codes(cc)
    ment_s = posts["mentions"] if "mentions" in posts else pd.Series([[]] * len(posts), dtype=object)
    try:
        lens = ment_s.map(len).to_numpy(dtype=np.int64)  # lists after lasna.frames.conform
    except TypeError:
        lens = np.fromiter((len(v) if isinstance(v, (list, tuple)) else 0 for v in ment_s), dtype=np.int64,
                           count=len(ment_s))
    ment = ment_s.tolist()
    m_rows = np.repeat(np.arange(len(posts)), lens)
    m_vals = pd.Series([x for v, n in zip(ment, lens) if n for x in v], dtype=object)
    acodes, acct_names = _factorize_many([posts["author_id"], posts["reply_parent_author_id"], inter["author_id"],
                                          m_vals])
    posts["author_id"] = _as_float_codes(acodes[0])
    posts["reply_parent_author_id"] = _as_float_codes(acodes[1])
    inter["author_id"] = _as_float_codes(acodes[2])
    mention_rows = pd.DataFrame({"_row": m_rows, "account": _as_float_codes(acodes[3])})
    posts["_row"] = np.arange(len(posts))
    posts = posts.drop(columns=["mentions"], errors="ignore")
    return posts, inter, mention_rows, id_names, acct_names


def _evidence(frame: pd.DataFrame, keys: list[str], id_col: str, k: int, time_col: str = "t",
              names: "_Names | None" = None) -> pd.Series:
    """Up to ``k`` ids per (leader_id, bucket), earliest first, as a Series of lists (decoded by ``names``)."""
    if len(frame) == 0 or k <= 0:
        return pd.Series(dtype=object)
    a = frame[keys[0]].to_numpy().astype(np.int64)
    b = frame[keys[1]].to_numpy().astype(np.int64)
    t = frame[time_col].to_numpy() if time_col in frame else np.zeros(len(frame), np.int64)
    g = a * 1_000_003 + b // DAY_NS  # one int key per (leader, bucket)
    order = np.lexsort((t, g))
    g, a, b = g[order], a[order], b[order]
    ids = frame[id_col].to_numpy()[order]
    new = np.ones(len(a), bool)
    new[1:] = g[1:] != g[:-1]
    starts = np.flatnonzero(new)
    grp = np.cumsum(new) - 1
    rank = np.arange(len(a)) - starts[grp]
    keep = rank < k
    ids, grp = ids[keep], grp[keep]
    ids = names[ids.astype(np.int64)] if names is not None else ids.astype(object)
    bounds = np.flatnonzero(np.r_[True, grp[1:] != grp[:-1]])
    lists = [list(x) for x in np.split(ids, bounds[1:])]
    idx = pd.MultiIndex.from_arrays([a[starts], b[starts]], names=keys)
    return pd.Series(lists, index=idx, dtype=object)


def _align(s: pd.Series | None, index: pd.Index, fill=None) -> np.ndarray | list:
    if s is None or len(s) == 0:
        return [fill] * len(index) if not isinstance(fill, (int, float)) else np.full(len(index), fill, float)
    return s.reindex(index).to_numpy() if fill is None else s.reindex(index, fill_value=fill).to_numpy()


def _rate_rows(name: str, _unused, x: pd.Series, n: pd.Series, ev: pd.Series | None) -> pd.DataFrame:
    """Rows for a rate x/n on the index of n (leader_id, bucket)."""
    idx = n.index
    if len(idx) == 0:
        return pd.DataFrame(columns=COMPONENT_COLUMNS)
    nn = n.to_numpy().astype(float)
    xx = np.asarray(_align(x, idx, 0), dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        raw = np.where(nn > 0, xx / np.where(nn > 0, nn, 1), np.nan)
    df = pd.DataFrame({"raw": raw, "x": xx, "n": nn, "evidence": _align(ev, idx)}, index=idx)
    df["component"] = name
    df.index.names = ["leader_id", "bucket"]
    return df.reset_index()


def _value_rows(name: str, value: pd.Series, n: pd.Series, x: pd.Series | None = None,
                ev: pd.Series | None = None) -> pd.DataFrame:
    idx = value.index
    if len(idx) == 0:
        return pd.DataFrame(columns=COMPONENT_COLUMNS)
    df = pd.DataFrame({"raw": value.to_numpy().astype(float),
                       "x": np.asarray(_align(x, idx, np.nan), dtype=float),
                       "n": np.asarray(_align(n, idx, 0), dtype=float),
                       "evidence": _align(ev, idx)}, index=idx)
    df["component"] = name
    df.index.names = ["leader_id", "bucket"]
    return df.reset_index()


# --- preparation ------------------------------------------------------------------------------------------
def attach_features(posts: pd.DataFrame, features: pd.DataFrame | None = None) -> pd.DataFrame:
    """Posts with the feature columns (computed unless present or given as a frame keyed by post_id)."""
    needed = [c for c in FEATURE_COLUMNS if c not in ("post_id", "is_repost")]
    if all(c in posts for c in needed):
        return posts
    if features is None:
        features = post_features(posts)
        return pd.concat([posts.reset_index(drop=True),
                          features.drop(columns=["post_id", "is_repost"]).reset_index(drop=True)], axis=1)
    f = features.drop(columns=[c for c in ("is_repost",) if c in features]).drop_duplicates("post_id")
    return posts.merge(f, on="post_id", how="left")


class Period:
    """Window [start, until] and the bucketing rule."""

    def __init__(self, until_ns: int, days: int, by: str | None):
        if by not in (None, "week", "month"):
            raise ValueError("by must be None, 'week' or 'month'")
        self.until = int(until_ns)
        self.start = int(until_ns - days * DAY_NS)
        self.days = days
        self.by = by

    def bucket(self, t: np.ndarray) -> np.ndarray:
        if self.by is None:
            return np.full(len(t), self.start, dtype=np.int64)
        if self.by == "week":
            return MONDAY0_NS + ((t - MONDAY0_NS) // WEEK_NS) * WEEK_NS
        dt = pd.DatetimeIndex(np.asarray(t, dtype="datetime64[ns]"))
        return dt.to_period("M").to_timestamp().as_unit("ns").asi8

    def buckets(self) -> np.ndarray:
        if self.by is None:
            return np.array([self.start], dtype=np.int64)
        if self.by == "week":
            first = MONDAY0_NS + ((self.start + 1 - MONDAY0_NS) // WEEK_NS) * WEEK_NS
            return np.arange(first, self.until + 1, WEEK_NS, dtype=np.int64)
        ts = pd.Timestamp(self.start + 1)
        ms = pd.date_range(pd.Timestamp(year=ts.year, month=ts.month, day=1), pd.Timestamp(self.until), freq="MS")
        return ms.as_unit("ns").asi8

    def bucket_end(self, b: np.ndarray) -> np.ndarray:
        """Exclusive end of each bucket, clipped to the window."""
        b = np.asarray(b, dtype=np.int64)
        if self.by is None:
            end = np.full(len(b), self.until, dtype=np.int64)
        elif self.by == "week":
            end = b + WEEK_NS
        else:
            nxt = (pd.DatetimeIndex(b.astype("datetime64[ns]")) + pd.offsets.MonthBegin(1)).as_unit("ns").asi8
            end = np.asarray(nxt, dtype=np.int64)
        return np.minimum(end, self.until)

    def in_window(self, t: np.ndarray) -> np.ndarray:
        return (t > self.start) & (t <= self.until)


def compute_components(
    posts: pd.DataFrame,
    interactions: pd.DataFrame,
    period: Period,
    *,
    k: int = 5,
    post_types: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Long frame of raw components per (leader_id, bucket) and the linked interactions.

    ``posts`` must already carry feature columns (see :func:`attach_features`).
    """
    K = ["leader_id", "bucket"]
    pcols = ["post_id", "leader_id", "author_id", "indexed_at", "is_repost", "reply_parent_id", "reply_root_id",
             "reply_parent_author_id", "mentions", "replies_restricted", "quotes_disabled", "hidden_replies",
             "deleted", *[c for c in FEATURE_COLUMNS if c not in ("post_id", "is_repost")]]
    icols = ["interaction_id", "leader_id", "author_id", "indexed_at", "kind", "hidden", "deleted", "text",
             "parent_id", "root_id"]
    import time as _time

    timings: dict[str, float] = {}
    _t = [_time.process_time()]

    def mark(label: str) -> None:
        now = _time.process_time()
        timings[label] = timings.get(label, 0.0) + now - _t[0]
        _t[0] = now

    original_interactions = interactions
    posts = posts[[c for c in pcols if c in posts]].drop_duplicates("post_id").reset_index(drop=True)
    for c in ("is_repost", "replies_restricted", "quotes_disabled", "deleted", *FEATURE_COLUMNS):
        if c in posts and c not in ("post_id", "lang_detected", "n_words"):
            posts[c] = posts[c].fillna(False).astype(bool)  # empty frames come as object dtype
    interactions = interactions[[c for c in icols if c in interactions]].reset_index(drop=True)
    interactions["_irow"] = np.arange(len(interactions))
    if len(interactions):
        interactions["emoji_only"] = emoji_only_flags(interactions["text"])
    else:
        interactions["emoji_only"] = np.zeros(0, bool)
    interactions = interactions.drop(columns=["text"], errors="ignore")
    # Integer codes for ids and accounts: every join below runs on int64/float64 keys, not strings.
    mark("slim + emoji flags")
    posts, interactions, mention_rows, id_names, acct_names = _encode(posts, interactions)
    mark("encode ids")
    if "deleted" in posts:
        posts = posts[~posts["deleted"].astype(bool)]
    posts = posts[posts["indexed_at"].notna()]
    inter = interactions.drop_duplicates("interaction_id")
    if "deleted" in inter:
        inter = inter[~inter["deleted"].astype(bool)]
    inter = inter[inter["indexed_at"].notna()]

    pt_all = to_ns(posts["indexed_at"])
    upto = pt_all <= period.until
    posts, pt_all = posts[upto], pt_all[upto]
    it_all = to_ns(inter["indexed_at"])
    inter = inter[it_all <= period.until]
    it_all = it_all[it_all <= period.until]

    own_ids = posts[["leader_id", "author_id"]].drop_duplicates()
    mark("filter")
    linked = link_answers(posts, inter)
    mark("link answers")

    # ---- own posts in window (P)
    P = posts.loc[~posts["is_repost"].astype(bool).to_numpy()]
    Pt = pt_all[~posts["is_repost"].astype(bool).to_numpy()]
    w = period.in_window(Pt)
    P = P.loc[w]
    P = P.assign(t=Pt[w], bucket=period.bucket(Pt[w]))
    if post_types is not None and len(post_types):
        lab = post_types.drop_duplicates("post_id").set_index("post_id")["label"]
        pid_str = pd.Series(id_names[P["post_id"].to_numpy().astype(np.int64)])
        results_flag = (pid_str.map(lab) == "results").to_numpy() | P["has_link"].to_numpy()
    else:
        results_flag = P["has_link"].to_numpy() | P["results_marker"].to_numpy()
    P = P.assign(
        dialogue=P["reply_to_other"].to_numpy() & ~P["low_substance"].to_numpy(),
        results=results_flag,
        gated=P["replies_restricted"].to_numpy() | P["quotes_disabled"].to_numpy()
        | (P["hidden_replies"].to_numpy() > 0),
    )
    rows: list[pd.DataFrame] = []
    g = P.groupby(K, sort=False)
    n_posts = g.size()
    for name, flag in (("dialogue_share", "dialogue"), ("crediting", "crediting"),
                       ("personal_voice", "first_person_singular"), ("we_voice", "first_person_plural"),
                       ("results", "results")):
        sel = P[P[flag]]
        rows.append(_rate_rows(name, None, sel.groupby(K, sort=False).size(), n_posts,
                               _evidence(sel, K, "post_id", k, names=id_names)))
    roots = P[P["is_root"]]
    n_roots = roots.groupby(K, sort=False).size()
    # hidden incoming replies under a root also count as gating
    hidden_roots = set()
    if "hidden" in inter and len(inter):
        hid = inter[inter["hidden"].astype(bool)]
        hidden_roots = set(hid["root_id"].dropna()) | set(hid["parent_id"].dropna())
    gated = roots["gated"].to_numpy() | roots["post_id"].isin(hidden_roots).to_numpy() if len(roots) else np.zeros(0, bool)
    roots = roots.assign(gated=gated)
    for name, flag in (("questions", "question"), ("gated_share", "gated")):
        sel = roots[roots[flag]]
        rows.append(_rate_rows(name, None, sel.groupby(K, sort=False).size(), n_roots,
                               _evidence(sel, K, "post_id", k, names=id_names)))

    mark("own-post shares")
    # ---- incoming that merit an answer
    I = linked
    It = to_ns(I["indexed_at"])
    keep = period.in_window(It)
    if "kind" in I:
        keep &= I["kind"].isin(MERIT_KINDS).to_numpy()
    if "hidden" in I:
        keep &= ~I["hidden"].astype(bool).to_numpy()
    if len(I):
        # not the leader's own accounts
        big = np.int64(max(np.nanmax(I["author_id"].to_numpy(), initial=0),
                           np.nanmax(own_ids["author_id"].to_numpy(), initial=0)) + 2)
        ikey = I["leader_id"].to_numpy().astype(np.int64) * big + np.nan_to_num(I["author_id"].to_numpy(), nan=-1).astype(np.int64)
        okey = own_ids["leader_id"].to_numpy().astype(np.int64) * big + \
            np.nan_to_num(own_ids["author_id"].to_numpy(), nan=-1).astype(np.int64)
        mine = np.isin(ikey, okey) & I["author_id"].notna().to_numpy()
        keep &= ~mine
        keep &= ~I["emoji_only"].to_numpy(dtype=bool)
    I = I.loc[keep]
    It = It[keep]
    at = np.where(I["answered_at"].notna().to_numpy(), to_ns(I["answered_at"].fillna(pd.Timestamp(0, tz="UTC"))), -1)
    answered_ever = (at >= 0) & (at <= period.until)
    within = answered_ever & (at - It <= ANSWER_WINDOW_DAYS * DAY_NS)
    I = I.assign(t=It, bucket=period.bucket(It), within=within, answered_ever=answered_ever)
    gI = I.groupby(K, sort=False)
    n_in = gI.size()
    sel = I[I["within"]]
    unans = I[~I["within"]]
    ev_un = _evidence(unans, K, "interaction_id", k, names=id_names)
    rr = _rate_rows("response_rate", None, sel.groupby(K, sort=False).size(), n_in, ev_un)
    rows.append(rr)
    # response time (KM, unanswered censored at the end of the window)
    dur = np.where(answered_ever, at - It, period.until - It) / HOUR_NS
    if len(I):
        lid_arr = I["leader_id"].to_numpy().astype(np.int64)
        b_arr = I["bucket"].to_numpy().astype(np.int64)
        codes, _ = pd.factorize(lid_arr * 1_000_003 + b_arr // DAY_NS)
        med = kaplan_meier_median(dur, answered_ever, codes)
        first_pos = np.zeros(codes.max() + 1, dtype=np.int64)
        first_pos[codes[::-1]] = np.arange(len(codes))[::-1]
        gi = med.index.to_numpy()
        med_idx = pd.MultiIndex.from_arrays([lid_arr[first_pos[gi]], b_arr[first_pos[gi]]], names=K)
        med = pd.Series(med.to_numpy(), index=med_idx)
        rows.append(_value_rows("response_time", med, n_in, sel.groupby(K, sort=False).size(),
                                _evidence(I[I["answered_ever"]], K, "answered_by", k, names=id_names)))

    mark("response rate + time")
    # ---- re-entry on the leader's root posts
    replies_in = linked
    if "kind" in replies_in:
        replies_in = replies_in[replies_in["kind"].isin(("reply", "comment"))]
    rt = to_ns(replies_in["indexed_at"])
    rroot = replies_in["root_id"].where(replies_in["root_id"].notna(), replies_in["parent_id"])
    other_first = pd.DataFrame({"leader_id": replies_in["leader_id"].to_numpy(), "post_id": rroot.to_numpy(),
                                "first_other": rt}).dropna(subset=["post_id"])
    other_first = other_first.groupby(["leader_id", "post_id"], sort=False)["first_other"].min().reset_index()
    R = roots[["leader_id", "bucket", "post_id", "t"]].merge(other_first, on=["leader_id", "post_id"], how="inner")
    lr = posts.loc[posts["reply_to_other"].to_numpy() & ~posts["is_repost"].astype(bool).to_numpy(),
                   ["leader_id", "reply_root_id"]]
    lr = lr.assign(lt=pt_all[posts["reply_to_other"].to_numpy() & ~posts["is_repost"].astype(bool).to_numpy()])
    lr = lr.rename(columns={"reply_root_id": "post_id"}).dropna(subset=["post_id"])
    if len(R) and len(lr):
        m = R[["leader_id", "post_id", "first_other"]].merge(lr, on=["leader_id", "post_id"], how="inner")
        hit = m.loc[m["lt"] > m["first_other"], ["leader_id", "post_id"]].drop_duplicates().assign(reentered=True)
        R = R.merge(hit, on=["leader_id", "post_id"], how="left")
        R["reentered"] = R["reentered"].fillna(False).astype(bool)
    else:
        R = R.assign(reentered=False)
    selR = R[R["reentered"]]
    rows.append(_rate_rows("re_entry", None, selR.groupby(K, sort=False).size(), R.groupby(K, sort=False).size(),
                           _evidence(R[~R["reentered"]], K, "post_id", k, names=id_names)))

    mark("re-entry")
    # ---- conversation depth: leader dialogue replies grouped by thread root
    D = P[P["reply_to_other"]]
    D = D.assign(thread=D["reply_root_id"].where(D["reply_root_id"].notna(), D["reply_parent_id"]))
    if len(D):
        first_turn = D.groupby(["leader_id", "thread"], sort=False).agg(bucket=("bucket", "first"),
                                                                        turns=("post_id", "size"))
        first_turn = first_turn.reset_index()
        ev_l = pd.DataFrame({"leader_id": D["leader_id"].to_numpy(), "thread": D["thread"].to_numpy(),
                             "t": D["t"].to_numpy(), "L": True})
        iroot = linked["root_id"].where(linked["root_id"].notna(), linked["parent_id"])
        ev_o = pd.DataFrame({"leader_id": linked["leader_id"].to_numpy(), "thread": iroot.to_numpy(),
                             "t": to_ns(linked["indexed_at"]), "L": False})
        ev_o = ev_o.merge(first_turn[["leader_id", "thread"]], on=["leader_id", "thread"], how="inner")
        ev = pd.concat([ev_l, ev_o], ignore_index=True).sort_values(["leader_id", "thread", "t", "L"],
                                                                     kind="stable")
        prevL = ev.groupby(["leader_id", "thread"], sort=False)["L"].shift(1)
        ol = (ev["L"] & (prevL == False)).astype(int)  # noqa: E712 - an O→L transition
        trans = ol.groupby([ev["leader_id"], ev["thread"]], sort=False).sum().rename("trans").reset_index()
        first_turn = first_turn.merge(trans, on=["leader_id", "thread"], how="left").fillna({"trans": 0})
        first_turn["exchange"] = first_turn["trans"] >= 2
        gt = first_turn.groupby(K, sort=False)
        rows.append(_rate_rows("exchange_share", None, first_turn[first_turn["exchange"]].groupby(K).size(),
                               gt.size(), _evidence(first_turn[first_turn["exchange"]].assign(t=0), K, "thread", k, names=id_names)))
        rows.append(_value_rows("turns_per_thread", gt["turns"].mean(), gt.size(), gt["turns"].sum()))

    mark("conversation depth")
    # ---- reciprocity and network breadth (numpy on one int64 key per (group, account))
    lid_all = np.concatenate([I["leader_id"].to_numpy(), D["leader_id"].to_numpy(), P["leader_id"].to_numpy()])
    b_all = np.concatenate([I["bucket"].to_numpy(), D["bucket"].to_numpy(), P["bucket"].to_numpy()])
    gcodes, _ = pd.factorize(lid_all.astype(np.int64) * 1_000_003 + b_all.astype(np.int64) // DAY_NS)
    nI, nD = len(I), len(D)
    g_I, g_D, g_P = gcodes[:nI], gcodes[nI:nI + nD], gcodes[nI + nD:]
    n_groups = int(gcodes.max()) + 1 if len(gcodes) else 0
    g_lid = np.zeros(n_groups, np.int64)
    g_b = np.zeros(n_groups, np.int64)
    g_lid[gcodes] = lid_all
    g_b[gcodes] = b_all
    acc_I = I["author_id"].to_numpy()
    acc_D = D["reply_parent_author_id"].to_numpy()
    m = mention_rows.merge(pd.DataFrame({"_row": P["_row"].to_numpy(), "g": g_P}), on="_row", how="inner")
    acc_M, g_M = m["account"].to_numpy(), m["g"].to_numpy()
    A = np.int64(np.nanmax(np.concatenate([acc_I, acc_D, acc_M, [0.0]])) + 1)

    def keys(g, acc):
        ok = ~np.isnan(acc)
        return g[ok].astype(np.int64) * A + acc[ok].astype(np.int64)

    def by_group(values: np.ndarray, gidx: np.ndarray) -> pd.Series:
        idx = pd.MultiIndex.from_arrays([g_lid[gidx], g_b[gidx]], names=K)
        return pd.Series(values, index=idx)

    def ev_frame(key_arr: np.ndarray, order_val: np.ndarray | None = None) -> pd.DataFrame:
        g = key_arr // A
        return pd.DataFrame({"leader_id": g_lid[g], "bucket": g_b[g], "account": (key_arr % A).astype(np.float64),
                             "t": np.zeros(len(g), np.int64) if order_val is None else order_val})

    in_keys = np.unique(keys(g_I, acc_I))
    out_keys = np.unique(np.concatenate([keys(g_D, acc_D), keys(g_M, acc_M)]))
    both = np.intersect1d(in_keys, out_keys, assume_unique=True)
    in_groups, in_n = np.unique(in_keys // A, return_counts=True)
    both_n = np.bincount(both // A, minlength=n_groups)
    rows.append(_rate_rows("reciprocity", None, by_group(both_n[in_groups].astype(float), in_groups),
                           by_group(in_n.astype(float), in_groups),
                           _evidence(ev_frame(both), K, "account", k, names=acct_names)))
    if len(D):
        d_keys, c = np.unique(keys(g_D, acc_D), return_counts=True)
        dg = d_keys // A
        tot = np.bincount(dg, weights=c, minlength=n_groups)
        p = c / tot[dg]
        H_all = np.bincount(dg, weights=-p * np.log(p), minlength=n_groups)
        N_all = np.bincount(dg, minlength=n_groups)
        groups_d = np.flatnonzero(N_all > 0)
        N = by_group(N_all[groups_d].astype(float), groups_d)
        H = by_group(H_all[groups_d], groups_d)
        with np.errstate(divide="ignore", invalid="ignore"):
            even = (H / np.log(N)).where(N >= 2)
        rows.append(_value_rows("interlocutors", N, N, None,
                                _evidence(ev_frame(d_keys, -c), K, "account", k, names=acct_names)))
        rows.append(_value_rows("effective_interlocutors", np.exp(H), N))
        rows.append(_value_rows("evenness", even, N))
    # new interlocutors: first reply ever (up to `until`) to an account falls in the bucket
    allD = posts.loc[posts["reply_to_other"].to_numpy() & ~posts["is_repost"].astype(bool).to_numpy()]
    allDt = pt_all[posts["reply_to_other"].to_numpy() & ~posts["is_repost"].astype(bool).to_numpy()]
    if len(allD):
        fs = pd.DataFrame({"leader_id": allD["leader_id"].to_numpy(), "account": allD["reply_parent_author_id"].to_numpy(),
                           "t": allDt}).groupby(["leader_id", "account"], sort=False)["t"].min().reset_index()
        fs = fs[period.in_window(fs["t"].to_numpy())]
        fs = fs.assign(bucket=period.bucket(fs["t"].to_numpy()))
        new = fs.groupby(K, sort=False).size()
        active = n_posts.index
        new = new.reindex(active.union(new.index), fill_value=0)
        b = new.index.get_level_values("bucket").to_numpy()
        months = (period.bucket_end(b) - np.maximum(b, period.start)) / DAY_NS / MONTH_DAYS
        rows.append(_value_rows("new_interlocutors", new / months, n_posts.reindex(new.index, fill_value=0),
                                new.astype(float), _evidence(fs, K, "account", k, names=acct_names)))

    mark("reciprocity + network")
    # ---- consistency
    if len(P):
        b = P["bucket"].to_numpy()
        bstart = np.maximum(b, period.start)
        bb0 = P["bucket"].to_numpy()
        nw_row = np.maximum(np.ceil((period.bucket_end(bb0) - bstart) / WEEK_NS).astype(np.int64), 1)
        week_idx = np.clip((P["t"].to_numpy() - bstart) // WEEK_NS, 0, nw_row - 1)
        aw = pd.DataFrame({"leader_id": P["leader_id"].to_numpy(), "bucket": b, "w": week_idx}).drop_duplicates()
        active_w = aw.groupby(K, sort=False).size()
        bb = n_posts.index.get_level_values("bucket").to_numpy()
        nweeks = np.ceil((period.bucket_end(bb) - np.maximum(bb, period.start)) / WEEK_NS).astype(int)
        nweeks = pd.Series(np.maximum(nweeks, 1), index=n_posts.index)
        rows.append(_rate_rows("active_weeks", None, active_w, nweeks, None))
        S = P[["leader_id", "bucket", "t"]].sort_values(["leader_id", "bucket", "t"], kind="stable")
        gap = S.groupby(K, sort=False)["t"].diff() / HOUR_NS
        gs = gap.groupby([S["leader_id"], S["bucket"]], sort=False)
        mu, sd = gs.mean(), gs.std(ddof=0)
        nev = S.groupby(K, sort=False).size()
        r = (sd / mu).where(mu > 0)
        bn = pd.Series(burstiness(r.to_numpy(), nev.reindex(r.index).to_numpy()), index=r.index)
        bn = bn.where(nev.reindex(r.index) >= 3)
        rows.append(_value_rows("burstiness_score", 1 - np.maximum(0, bn), nev.reindex(r.index), None))
        first_ever = pd.Series(pt_all).groupby(posts["leader_id"].to_numpy()).min()
        tb = n_posts.index
        ends = period.bucket_end(tb.get_level_values("bucket").to_numpy())
        fe = first_ever.reindex(tb.get_level_values("leader_id")).to_numpy()
        rows.append(_value_rows("tenure_days", pd.Series((ends - fe) / DAY_NS, index=tb), n_posts))

    mark("consistency")
    rows = [r for r in rows if len(r)]
    comp = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=COMPONENT_COLUMNS)
    comp = comp.reindex(columns=COMPONENT_COLUMNS)
    comp["evidence"] = pd.Series([v if isinstance(v, list) else [] for v in comp["evidence"].tolist()], dtype=object)
    out = original_interactions.reset_index(drop=True).copy()
    ab = np.full(len(out), None, dtype=object)
    at_ns = np.zeros(len(out), dtype=np.int64)
    has = linked["answered_by"].notna().to_numpy()
    rows_ = linked["_irow"].to_numpy()[has]
    ab[rows_] = id_names[linked["answered_by"].to_numpy()[has].astype(np.int64)]
    at_ns[rows_] = to_ns(linked["answered_at"][has])
    hit = np.zeros(len(out), bool)
    hit[rows_] = True
    out["answered_by"] = pd.Series(ab, dtype=object)
    out["answered_at"] = pd.Series(pd.to_datetime(at_ns.astype("datetime64[ns]"), utc=True)).where(hit)
    mark("assemble")
    comp.attrs["timings_cpu_s"] = timings
    return comp, out
