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
    med = _km_medians(d, e, codes, len(uniq))
    if single:
        return float(med[0])
    return pd.Series(med, index=uniq)


def _km_medians(d: np.ndarray, e: np.ndarray, codes: np.ndarray, size: int) -> np.ndarray:
    """Kaplan–Meier medians for groups already coded 0..size-1 (see :func:`kaplan_meier_median`)."""
    order = _lexsort((~e, d, codes))
    c, dd, ee = codes[order], d[order], e[order]
    sizes = np.bincount(c, minlength=size)
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    pos = np.arange(len(c)) - starts[c]
    at_risk = sizes[c] - pos
    with np.errstate(divide="ignore"):
        logf = np.where(ee, np.log1p(-1.0 / at_risk), 0.0)
    cum = pd.Series(logf).groupby(c).cumsum().to_numpy()
    surv = np.exp(cum)
    hit = surv <= 0.5 + 1e-12
    med = np.full(size, np.inf)
    if hit.any():
        first = pd.Series(dd[hit]).groupby(c[hit]).first()
        med[first.index.to_numpy()] = first.to_numpy()
    return med


def _stable_argsort(a: np.ndarray) -> np.ndarray:
    """``np.argsort(a, kind="stable")``, faster: radix sort for small non-negative integers, otherwise the
    unstable (SIMD) sort with ties put back in row order."""
    a = np.asarray(a)
    if a.dtype == bool:
        return np.argsort(a, kind="stable")
    if len(a) == 0:
        return np.zeros(0, np.int64)
    if a.dtype.kind in "iu" and a.min() >= 0 and a.max() < 65_536:
        return np.argsort(a.astype(np.uint16), kind="stable")
    if a.dtype.kind in "iu" and a.min() >= 0 and a.max() < 2**32:  # two 16-bit radix passes
        low = np.argsort((a & 0xFFFF).astype(np.uint16), kind="stable")
        return low[np.argsort((a[low] >> 16).astype(np.uint16), kind="stable")]
    if a.dtype.kind == "f" and np.isnan(a).any():
        return np.argsort(a, kind="stable")
    order = np.argsort(a)
    s = a[order]
    tie = s[1:] == s[:-1]
    n_tied = int(np.count_nonzero(tie))
    if n_tied > len(a) // 4:
        return np.argsort(a, kind="stable")
    if n_tied:
        in_run = np.flatnonzero(np.r_[tie, False] | np.r_[False, tie])
        run = np.cumsum(np.r_[True, ~tie])[in_run]
        order[in_run] = order[in_run][np.lexsort((order[in_run], run))]
    return order


def _lexsort(keys) -> np.ndarray:
    """Same result as ``np.lexsort(keys)`` (last key primary, stable) by chained stable argsorts."""
    order = _stable_argsort(keys[0])
    for key in keys[1:]:
        order = order[_stable_argsort(np.asarray(key)[order])]
    return order


def _earliest(target: np.ndarray, t: np.ndarray, size: int) -> np.ndarray:
    """For each target 0..size-1, the index of its row with the smallest ``t`` (ties: the first row), or -1."""
    tmin = np.full(size, np.iinfo(np.int64).max)
    np.minimum.at(tmin, target, t)
    first = np.full(size, np.iinfo(np.int64).max)
    at_min = np.flatnonzero(t == tmin[target])
    np.minimum.at(first, target[at_min], at_min)
    return np.where(first == np.iinfo(np.int64).max, -1, first)


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


def _factorize_many(columns: list[pd.Series]) -> tuple[list[np.ndarray], _Names]:
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
        # one hash table across the chunks (no concatenated copy); every chunk indexes the final dictionary
        enc = pa.chunked_array(chunks, type=pa.large_string()).dictionary_encode()
        parts = [c.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64) for c in enc.chunks]
        codes = np.concatenate(parts) if parts else np.zeros(0, np.int64)
        dictionaries = [c.dictionary for c in enc.chunks]
        names = _Names(max(dictionaries, key=len) if dictionaries else pa.array([], type=pa.large_string()))
    except Exception:  # no pyarrow, or ids that are not strings: pandas hashing
        codes, uniques = pd.factorize(np.concatenate([c.to_numpy(dtype=object) for c in columns]))
        names = _Names(np.asarray(uniques, dtype=object))
    out, off = [], 0
    for n in lengths:
        out.append(codes[off:off + n])
        off += n
    return out, names


def _first_occurrences(codes: np.ndarray) -> np.ndarray:
    """Mask of each value's first row, for dictionary codes numbered in order of first appearance
    (a new value is where the running maximum grows); -1 (missing) counts as one value."""
    if len(codes) == 0:
        return np.zeros(0, bool)
    before = np.maximum.accumulate(np.r_[-1, codes[:-1]])
    first = codes > before
    missing = np.flatnonzero(codes < 0)
    if len(missing):
        first[missing[0]] = True
    return first


def _group_key(lid: np.ndarray, bucket: np.ndarray) -> np.ndarray:
    """One int64 per (leader_id, bucket): buckets are whole days since the epoch."""
    return lid.astype(np.int64) * 1_000_003 + bucket.astype(np.int64) // DAY_NS


def _first_seen(g: np.ndarray) -> np.ndarray:
    """Distinct values of ``g`` in order of first appearance (the order ``groupby(sort=False)`` gives)."""
    if len(g) == 0:
        return np.zeros(0, np.int64)
    _, first = np.unique(g, return_index=True)
    return g[np.sort(first)]


def _first_k(sorted_groups: np.ndarray, k: int) -> np.ndarray:
    """Mask of the first ``k`` rows of every run of equal values in ``sorted_groups`` (the rank trick)."""
    if len(sorted_groups) == 0:
        return np.zeros(0, bool)
    new = np.r_[True, sorted_groups[1:] != sorted_groups[:-1]]
    starts = np.flatnonzero(new)
    rank = np.arange(len(sorted_groups)) - starts[np.cumsum(new) - 1]
    return rank < k


def _lists_by_group(groups: np.ndarray, ids: np.ndarray, size: int, names: "_Names") -> np.ndarray:
    """Object array (one slot per group, ``None`` where empty) of decoded id lists; ``groups`` sorted."""
    out = np.full(size, None, dtype=object)
    if len(groups) == 0:
        return out
    decoded = names[ids].tolist()
    bounds = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1], True])
    for s, e in zip(bounds[:-1].tolist(), bounds[1:].tolist()):
        out[groups[s]] = decoded[s:e]
    return out


class _Groups:
    """Rows grouped by (leader_id, bucket), sorted once by (group, time) and reused by every count and
    evidence list over those rows. Group codes follow first appearance in the rows."""

    def __init__(self, lid: np.ndarray, bucket: np.ndarray, t: np.ndarray):
        self.g, uniq = pd.factorize(_group_key(lid, bucket))
        self.g = self.g.astype(np.int64)
        self.size = len(uniq)
        self.order = _lexsort((t, self.g))
        # codes appear in increasing order, so a group's first row is where the running maximum grows
        running = np.maximum.accumulate(self.g) if len(self.g) else self.g
        first = np.flatnonzero(np.r_[True, running[1:] > running[:-1]]) if len(self.g) else self.g
        self.lid = np.asarray(lid, dtype=np.int64)[first]
        self.bucket = np.asarray(bucket, dtype=np.int64)[first]

    def count(self, mask: np.ndarray | None = None) -> np.ndarray:
        g = self.g if mask is None else self.g[mask]
        return np.bincount(g, minlength=self.size).astype(float)

    def evidence(self, mask: np.ndarray, ids: np.ndarray, k: int, names: "_Names") -> np.ndarray:
        """Up to ``k`` ids per group among the rows in ``mask``, earliest first (ties: row order)."""
        sel = self.order[mask[self.order]]
        g = self.g[sel]
        keep = _first_k(g, k)
        return _lists_by_group(g[keep], ids[sel[keep]], self.size, names)


class _Rows:
    """Collects component rows as arrays; one DataFrame at the end."""

    def __init__(self):
        self.parts: list[tuple] = []

    def add(self, name: str, lid, bucket, raw, x, n, evidence=None) -> None:
        m = len(lid)
        if m == 0:
            return
        ev = np.full(m, None, dtype=object) if evidence is None else evidence
        self.parts.append((name, np.asarray(lid, np.int64), np.asarray(bucket, np.int64),
                           np.asarray(raw, float), np.asarray(x, float), np.asarray(n, float), ev))

    def rate(self, name: str, G: "_Groups", out_g: np.ndarray, x: np.ndarray, n: np.ndarray, evidence=None) -> None:
        """A rate x/n for the groups ``out_g`` of ``G`` (x and n indexed by group code)."""
        nn, xx = n[out_g], x[out_g]
        with np.errstate(invalid="ignore", divide="ignore"):
            raw = np.where(nn > 0, xx / np.where(nn > 0, nn, 1), np.nan)
        self.add(name, G.lid[out_g], G.bucket[out_g], raw, xx, nn, None if evidence is None else evidence[out_g])

    def frame(self) -> pd.DataFrame:
        if not self.parts:
            return pd.DataFrame(columns=COMPONENT_COLUMNS)
        cols = list(zip(*self.parts))
        names = np.repeat(np.array(cols[0], dtype=object), [len(p[1]) for p in self.parts])
        ev = np.concatenate(cols[6])
        return pd.DataFrame({"leader_id": np.concatenate(cols[1]), "bucket": np.concatenate(cols[2]),
                             "component": pd.array(names, dtype="str"), "raw": np.concatenate(cols[3]),
                             "x": np.concatenate(cols[4]), "n": np.concatenate(cols[5]),
                             "evidence": pd.Series([v if isinstance(v, list) else [] for v in ev.tolist()],
                                                   dtype=object)})


def _unique_sorted(keys: np.ndarray, return_counts: bool = False):
    """``np.unique`` by one sort (faster than numpy's hash path for large int64 arrays)."""
    s = np.sort(keys)
    new = np.r_[True, s[1:] != s[:-1]] if len(s) else np.zeros(0, bool)
    u = s[new]
    if not return_counts:
        return u
    return u, np.diff(np.r_[np.flatnonzero(new), len(s)])


def _lookup(sorted_keys: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Position of each key in ``sorted_keys`` (unique, ascending), -1 where absent."""
    if len(sorted_keys) == 0:
        return np.full(len(keys), -1, np.int64)
    pos = np.searchsorted(sorted_keys, keys)
    pos = np.minimum(pos, len(sorted_keys) - 1)
    return np.where(sorted_keys[pos] == keys, pos, -1)


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
    """Window [start, until] and the bucketing rule. ``tz`` is the time zone whose Monday midnights and
    month starts bound ``by="week"`` / ``by="month"`` buckets (UTC by default)."""

    def __init__(self, until_ns: int, days: int, by: str | None, tz: str = "UTC"):
        if by not in (None, "week", "month"):
            raise ValueError("by must be None, 'week' or 'month'")
        self.until = int(until_ns)
        self.start = int(until_ns - days * DAY_NS)
        self.days = days
        self.by = by
        self.tz = tz or "UTC"
        self.utc = self.tz.upper() == "UTC"

    def _local(self, t) -> pd.DatetimeIndex:
        """Wall-clock times in ``tz`` (naive)."""
        return pd.DatetimeIndex(np.asarray(t, dtype=np.int64).astype("datetime64[ns]"), tz="UTC") \
            .tz_convert(self.tz).tz_localize(None)

    def _utc(self, local: pd.DatetimeIndex) -> np.ndarray:
        return local.tz_localize(self.tz, ambiguous=True, nonexistent="shift_forward").as_unit("ns").asi8

    def bucket(self, t: np.ndarray) -> np.ndarray:
        if self.by is None:
            return np.full(len(t), self.start, dtype=np.int64)
        if self.by == "week":
            if self.utc:
                return MONDAY0_NS + ((t - MONDAY0_NS) // WEEK_NS) * WEEK_NS
            loc = self._local(t).normalize()
            return self._utc(loc - pd.to_timedelta(loc.day_of_week, unit="D"))
        if self.utc:
            dt = pd.DatetimeIndex(np.asarray(t, dtype="datetime64[ns]"))
            return dt.to_period("M").to_timestamp().as_unit("ns").asi8
        return self._utc(self._local(t).to_period("M").to_timestamp().as_unit("ns"))

    def buckets(self) -> np.ndarray:
        if self.by is None:
            return np.array([self.start], dtype=np.int64)
        if self.by == "week":
            if self.utc:
                first = MONDAY0_NS + ((self.start + 1 - MONDAY0_NS) // WEEK_NS) * WEEK_NS
                return np.arange(first, self.until + 1, WEEK_NS, dtype=np.int64)
            first = self._local(self.bucket(np.array([self.start + 1]))).normalize()[0]
            last = self._local(np.array([self.until]))[0]
            return self._utc(pd.date_range(first, last, freq="7D"))
        if self.utc:
            ts = pd.Timestamp(self.start + 1)
            ms = pd.date_range(pd.Timestamp(year=ts.year, month=ts.month, day=1), pd.Timestamp(self.until), freq="MS")
            return ms.as_unit("ns").asi8
        ts = self._local(np.array([self.start + 1]))[0]
        last = self._local(np.array([self.until]))[0]
        return self._utc(pd.date_range(pd.Timestamp(year=ts.year, month=ts.month, day=1), last, freq="MS"))

    def bucket_end(self, b: np.ndarray) -> np.ndarray:
        """Exclusive end of each bucket, clipped to the window."""
        b = np.asarray(b, dtype=np.int64)
        if self.by is None:
            end = np.full(len(b), self.until, dtype=np.int64)
        elif self.by == "week":
            end = b + WEEK_NS if self.utc else self._utc(self._local(b) + pd.Timedelta(days=7))
        elif self.utc:
            nxt = (pd.DatetimeIndex(b.astype("datetime64[ns]")) + pd.offsets.MonthBegin(1)).as_unit("ns").asi8
            end = np.asarray(nxt, dtype=np.int64)
        else:
            end = self._utc(self._local(b) + pd.offsets.MonthBegin(1))
        return np.minimum(np.asarray(end, dtype=np.int64), self.until)

    def in_window(self, t: np.ndarray) -> np.ndarray:
        return (t > self.start) & (t <= self.until)


def _encode(posts: pd.DataFrame, inter: pd.DataFrame):
    """Integer codes (-1 = missing) for ids and accounts, from three dictionaries:

    * post space: the posts' own ids and threads (root, else parent), the incoming replies' threads
      (root, else parent) and the hidden replies' root and parent (threads, roots, gating, post evidence);
    * incoming space: interaction ids, the posts' parent ids (answers, incoming evidence) and the
      incoming replies' parent ids (a reply to another incoming reply is not addressed to the leader);
    * accounts: authors, parent authors, incoming authors and mentions.

    Two id spaces instead of one keep each hash table small (the ~9M id strings are the costliest part of
    scoring). Posts are de-duplicated by ``post_id`` here (first row kept) so that account codes, whose
    order breaks evidence ties, follow the de-duplicated posts.
    """
    hidden_rows = np.flatnonzero(_bool(inter, "hidden", fill=False))
    thread = inter["root_id"].fillna(inter["parent_id"])
    post_thread = posts["reply_root_id"].fillna(posts["reply_parent_id"])  # the parent only where no root
    pc_, post_names = _factorize_many([posts["post_id"], post_thread, thread,
                                       inter["root_id"].iloc[hidden_rows], inter["parent_id"].iloc[hidden_rows]])
    ic_, inter_names = _factorize_many([inter["interaction_id"], posts["reply_parent_id"], inter["parent_id"]])
    # codes follow first appearance, so the interaction ids (listed first) hold exactly the codes below this
    n_interaction_codes = int(ic_[0].max(initial=-1)) + 1
    has_root = posts["reply_root_id"].notna().to_numpy()
    first_post = _first_occurrences(pc_[0])
    if not first_post.all():
        posts = posts.loc[first_post].reset_index(drop=True)
    P = {"post_id": pc_[0][first_post], "thread": pc_[1][first_post],
         "reply_root_id": np.where(has_root, pc_[1], -1)[first_post],
         "reply_parent_inter": ic_[1][first_post]}
    hidden_refs = np.full((len(inter), 2), -1, np.int64)
    hidden_refs[hidden_rows, 0], hidden_refs[hidden_rows, 1] = pc_[3], pc_[4]
    I = {"interaction_id": ic_[0], "thread": pc_[2], "hidden_refs": hidden_refs,
         "parent_is_incoming": (ic_[2] >= 0) & (ic_[2] < n_interaction_codes)}
    ment_s = posts["mentions"] if "mentions" in posts else pd.Series([[]] * len(posts), dtype=object)
    ment = ment_s.tolist()
    try:
        lens = np.fromiter(map(len, ment), dtype=np.int64, count=len(ment))  # lists after lasna.frames.conform
    except TypeError:
        lens = np.fromiter((len(v) if isinstance(v, (list, tuple)) else 0 for v in ment_s), dtype=np.int64,
                           count=len(ment_s))
    m_rows = np.repeat(np.arange(len(posts)), lens)
    m_vals = pd.Series([x for v, n in zip(ment, lens.tolist()) if n for x in v], dtype=object)
    acodes, acct_names = _factorize_many([posts["author_id"], posts["reply_parent_author_id"], inter["author_id"],
                                          m_vals])
    # account codes in the order of the account ids (evidence lists of accounts are then ordered by id,
    # independent of the order rows arrive in — the facts path orders them the same way)
    n_acc = len(acct_names.values)
    if n_acc:
        decoded = np.asarray(acct_names[np.arange(n_acc)], dtype=object).astype(str)
        order = np.argsort(decoded, kind="stable")
        rank = np.empty(n_acc, np.int64)
        rank[order] = np.arange(n_acc)
        acodes = [np.where(c >= 0, rank[np.maximum(c, 0)], -1) for c in acodes]
        acct_names = _Names(np.asarray(decoded[order], dtype=object))
    P["author_id"], P["reply_parent_author_id"] = acodes[0], acodes[1]
    I["author_id"] = acodes[2]
    return posts, P, I, (m_rows, acodes[3]), post_names, inter_names, acct_names


def _threads_of(tkeys: np.ndarray, M: np.int64, n_ids: int, lid: np.ndarray, thread: np.ndarray):
    """Rows whose (leader, thread id) is one of ``tkeys`` (= leader * M + id code), and its position there."""
    codes, leaders = tkeys % M, tkeys // M
    if len(np.unique(codes)) == len(codes):  # one leader per thread id: a direct table
        of_id = np.full(n_ids, -1, np.int64)
        of_id[codes] = np.arange(len(codes))
        rows = np.flatnonzero(thread >= 0)
        pos = of_id[thread[rows]]
        ok = pos >= 0
        ok[ok] = leaders[pos[ok]] == lid[rows[ok]]
        return rows[ok], pos[ok]
    srt = np.argsort(tkeys, kind="stable")
    pos = _lookup(tkeys[srt], lid * M + thread)
    rows = np.flatnonzero((pos >= 0) & (thread >= 0))
    return rows, srt[pos[rows]]


def _bool(frame: pd.DataFrame, col: str, fill: bool = True) -> np.ndarray:
    """A flag column as a bool array (missing column → all False; missing values → False if ``fill``)."""
    if col not in frame:
        return np.zeros(len(frame), bool)
    s = frame[col].fillna(False) if fill else frame[col]
    return s.to_numpy().astype(bool)


def compute_components(
    posts: pd.DataFrame,
    interactions: pd.DataFrame,
    period: Period,
    *,
    k: int = 5,
    post_types: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Long frame of raw components per (leader_id, bucket) and the linked interactions.

    ``posts`` must already carry feature columns (see :func:`attach_features`). Works on numpy arrays:
    ids are encoded to integers once, posts and incoming are each grouped by (leader, bucket) and sorted
    by time once, and every count and evidence list reuses that order.
    """
    import time as _time

    timings: dict[str, float] = {}
    _t = [_time.process_time()]

    def mark(label: str) -> None:
        now = _time.process_time()
        timings[label] = timings.get(label, 0.0) + now - _t[0]
        _t[0] = now

    pcols = ["post_id", "leader_id", "author_id", "indexed_at", "is_repost", "reply_parent_id", "reply_root_id",
             "reply_parent_author_id", "mentions", "replies_restricted", "quotes_disabled", "hidden_replies",
             "deleted", *[c for c in FEATURE_COLUMNS if c not in ("post_id", "is_repost")]]
    icols = ["interaction_id", "leader_id", "author_id", "indexed_at", "kind", "hidden", "deleted", "parent_id",
             "root_id", "stance"]
    original_interactions = interactions
    posts = posts[[c for c in pcols if c in posts]].reset_index(drop=True)
    inter = interactions[[c for c in icols if c in interactions]].reset_index(drop=True)
    mark("slim")
    posts, P0, I0, (m_rows, m_acc), post_names, inter_names, acct_names = _encode(posts, inter)
    mark("encode ids")

    # ---- posts up to `until`, not deleted; interactions de-duplicated (first row), not deleted, up to `until`
    p_notna = posts["indexed_at"].notna().to_numpy()
    pt0 = np.where(p_notna, to_ns(posts["indexed_at"]), 0)
    pkeep = p_notna & ~_bool(posts, "deleted") & (pt0 <= period.until)
    prow = np.flatnonzero(pkeep)  # rows of the de-duplicated posts frame
    pt_all = pt0[prow]
    p_lid = posts["leader_id"].to_numpy().astype(np.int64)[prow]
    p_id, p_thread, p_root = P0["post_id"][prow], P0["thread"][prow], P0["reply_root_id"][prow]
    p_parent_inter = P0["reply_parent_inter"][prow]  # the parent in the incoming id space
    p_author, p_pauthor = P0["author_id"][prow], P0["reply_parent_author_id"][prow]
    p_repost = _bool(posts, "is_repost")[prow]
    p_rto = _bool(posts, "reply_to_other")[prow]

    first_inter = _first_occurrences(I0["interaction_id"])
    i_notna = inter["indexed_at"].notna().to_numpy()
    it0 = np.where(i_notna, to_ns(inter["indexed_at"]), 0)
    irow = np.flatnonzero(first_inter & i_notna & ~_bool(inter, "deleted", fill=False) & (it0 <= period.until))
    it_all = it0[irow]
    i_lid = inter["leader_id"].to_numpy().astype(np.int64)[irow]
    i_id, i_thread, i_author = (I0[c][irow] for c in ("interaction_id", "thread", "author_id"))
    i_hidden = _bool(inter, "hidden", fill=False)[irow]
    has_kind = "kind" in inter
    if has_kind:
        kind_code, kinds = pd.factorize(inter["kind"])  # a handful of kinds: test them once, not per row
        kind_code = kind_code[irow]

        def kind_is(values) -> np.ndarray:
            return np.r_[np.isin(np.asarray(kinds, dtype=object), values), False][kind_code]
    n_ids = len(post_names.values)
    M = np.int64(n_ids + 1)  # (leader, post-space id code) → leader * M + code
    mark("filter")

    # ---- answers: the leader's earliest own reply whose parent is the interaction
    inter_of_id = np.full(len(inter_names.values), -1, np.int64)  # unique after de-duplication
    inter_of_id[i_id[i_id >= 0]] = np.flatnonzero(i_id >= 0)
    cand = np.flatnonzero((p_parent_inter >= 0) & ~p_repost)
    target = inter_of_id[p_parent_inter[cand]]
    ok = target >= 0
    ok[ok] = i_lid[target[ok]] == p_lid[cand[ok]]  # the addressed leader's own post
    cand, target = cand[ok], target[ok]
    first = _earliest(target, pt_all[cand], len(irow))
    hit = first >= 0
    ans_row = np.where(hit, cand[np.maximum(first, 0)] if len(cand) else 0, -1)
    at = np.where(hit, pt_all[np.maximum(ans_row, 0)], -1)
    i_answer = np.where(hit, p_id[np.maximum(ans_row, 0)], -1)
    mark("link answers")

    # ---- own posts in the window (P)
    pw = np.flatnonzero(~p_repost & period.in_window(pt_all))
    t = pt_all[pw]
    lid = p_lid[pw]
    bucket = period.bucket(t)
    rows_p = prow[pw]  # rows of the de-duplicated posts frame
    flag = {c: _bool(posts, c)[rows_p] for c in ("crediting", "first_person_singular", "first_person_plural", "is_root",
                                         "question", "low_substance", "has_link", "results_marker",
                                         "replies_restricted", "quotes_disabled")}
    rto = p_rto[pw]
    pid = p_id[pw]
    if post_types is not None and len(post_types):
        lab = post_types.drop_duplicates("post_id").set_index("post_id")["label"]
        pid_str = pd.Series(post_names[pid])
        results_flag = (pid_str.map(lab) == "results").to_numpy() | flag["has_link"]
    else:
        results_flag = flag["has_link"] | flag["results_marker"]
    hidden_replies = posts["hidden_replies"].to_numpy()[rows_p] > 0 if "hidden_replies" in posts else \
        np.zeros(len(pw), bool)
    gated = flag["replies_restricted"] | flag["quotes_disabled"] | hidden_replies
    rows = _Rows()
    GP = _Groups(lid, bucket, t)
    n_posts = GP.count()
    all_p = np.arange(GP.size)
    for name, f in (("dialogue_share", rto & ~flag["low_substance"]), ("crediting", flag["crediting"]),
                    ("personal_voice", flag["first_person_singular"]), ("we_voice", flag["first_person_plural"]),
                    ("results", results_flag)):
        rows.rate(name, GP, all_p, GP.count(f), n_posts, GP.evidence(f, pid, k, post_names))
    is_root = flag["is_root"]
    root_groups = _first_seen(GP.g[is_root])
    n_roots = GP.count(is_root)
    # hidden incoming replies under a root also count as gating
    hid = I0["hidden_refs"][irow[i_hidden]].ravel()
    hidden_under = np.zeros(n_ids, bool)
    hidden_under[hid[hid >= 0]] = True
    gated = gated | ((pid >= 0) & hidden_under[np.maximum(pid, 0)])
    for name, f in (("questions", flag["question"]), ("gated_share", gated)):
        sel = is_root & f
        rows.rate(name, GP, root_groups, GP.count(sel), n_roots, GP.evidence(sel, pid, k, post_names))
    mark("own-post shares")

    # ---- incoming that merit an answer
    keep = period.in_window(it_all)
    if has_kind:
        keep &= kind_is(MERIT_KINDS)
        # a reply to someone else's reply under the leader's post talks to that person, not to the leader
        keep &= ~(I0["parent_is_incoming"][irow] & kind_is(("reply", "comment")))
    else:
        keep &= ~I0["parent_is_incoming"][irow]
    keep &= ~i_hidden
    if len(irow):
        big = np.int64(max(i_author.max(initial=0), p_author.max(initial=0)) + 2)
        own = np.unique(p_lid * big + p_author)
        keep &= ~((_lookup(own, i_lid * big + i_author) >= 0) & (i_author >= 0))
        mark("response rate + time")
        cand_rows = np.flatnonzero(keep)  # emoji-only flags only for the texts that could still count
        if len(cand_rows):
            keep[cand_rows] = ~emoji_only_flags(interactions["text"].iloc[irow[cand_rows]]) \
                if "text" in interactions else True
        mark("emoji-only flags")
    ii = np.flatnonzero(keep)
    It, I_lid, I_at = it_all[ii], i_lid[ii], at[ii]
    answered_ever = (I_at >= 0) & (I_at <= period.until)
    within = answered_ever & (I_at - It <= ANSWER_WINDOW_DAYS * DAY_NS)
    GI = _Groups(I_lid, period.bucket(It), It)
    n_in = GI.count()
    n_within = GI.count(within)
    all_i = np.arange(GI.size)
    rows.rate("response_rate", GI, all_i, n_within, n_in, GI.evidence(~within, i_id[ii], k, inter_names))
    if "stance" in inter:  # critical vs supportive answer rates (Tromble 2018); the ratio is formed after shrinkage
        stance_code, stances = pd.factorize(inter["stance"])  # three labels: compare small ints, not strings
        stance_code = stance_code[irow[ii]]
        for name, label in (("critical_response_rate", "critical"), ("supportive_response_rate", "supportive")):
            is_label = stance_code == (list(stances).index(label) if label in stances else -2)
            n_label = GI.count(is_label)
            rows.rate(name, GI, np.flatnonzero(n_label > 0), GI.count(within & is_label), n_label,
                      GI.evidence(is_label & ~within, i_id[ii], k, inter_names))
    if len(ii):
        # response time (KM, unanswered censored at the end of the window)
        dur = np.where(answered_ever, I_at - It, period.until - It) / HOUR_NS
        med = _km_medians(dur, answered_ever, GI.g, GI.size)
        ev = GI.evidence(answered_ever, i_answer[ii], k, post_names)
        rows.add("response_time", GI.lid, GI.bucket, med, np.where(n_within > 0, n_within, np.nan), n_in, ev)
    mark("response rate + time")

    # ---- re-entry on the leader's root posts: the leader replied to someone after the first reply from others
    is_reply_in = kind_is(("reply", "comment")) if has_kind else \
        np.ones(len(irow), bool)
    root_rows = np.flatnonzero(is_root & (pid >= 0))
    root_of_id = np.full(n_ids, -1, np.int64)  # post ids are unique after de-duplication
    root_of_id[pid[root_rows]] = root_rows

    def under_root(thread: np.ndarray, leader: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Rows whose thread is one of the same leader's roots, and that root's row in P."""
        rows_ = np.flatnonzero(thread >= 0)
        r = root_of_id[thread[rows_]]
        ok = r >= 0
        ok[ok] = lid[r[ok]] == leader[rows_[ok]]
        return rows_[ok], r[ok]

    r_rows, r_root = under_root(np.where(is_reply_in, i_thread, -1), i_lid)
    first_other = np.full(len(pw), np.iinfo(np.int64).max)
    np.minimum.at(first_other, r_root, it_all[r_rows])
    in_R = np.bincount(r_root, minlength=len(pw)) > 0
    l_rows, l_root = under_root(np.where(p_rto & ~p_repost, p_root, -1), p_lid)
    latest_leader = np.full(len(pw), np.iinfo(np.int64).min)
    np.maximum.at(latest_leader, l_root, pt_all[l_rows])
    reentered = in_R & (latest_leader > first_other)
    rows.rate("re_entry", GP, _first_seen(GP.g[in_R]), GP.count(reentered), GP.count(in_R),
              GP.evidence(in_R & ~reentered, pid, k, post_names))
    mark("re-entry")

    # ---- conversation depth: leader dialogue replies grouped by thread root
    d_rows = np.flatnonzero(rto)
    d_thread = p_thread[pw][d_rows]  # root, else parent
    if len(d_rows):
        dt = d_rows[d_thread >= 0]
        dkey = lid[dt] * M + d_thread[d_thread >= 0]
        tcode, tkeys = pd.factorize(dkey)
        tcode = tcode.astype(np.int64)
        n_threads = len(tkeys)
        # a thread belongs to the bucket of the leader's earliest reply in it (ties: row order), and its
        # evidence is ordered by that time
        by_time = _lexsort((t[dt], tcode)) if n_threads else np.zeros(0, np.int64)
        t_first = by_time[np.r_[True, tcode[by_time][1:] != tcode[by_time][:-1]]] if n_threads else by_time
        turns = np.bincount(tcode, minlength=n_threads)
        o_sel, o_thread = _threads_of(tkeys, M, n_ids, i_lid, i_thread)
        ev_thread = np.concatenate([tcode, o_thread])
        ev_t = np.concatenate([t[dt], it_all[o_sel]])
        ev_L = np.concatenate([np.ones(len(dt), bool), np.zeros(len(o_sel), bool)])
        if len(ev_t) and np.abs(ev_t).max() < 2**61:  # (t, L) as one key: fewer sort passes
            order = _lexsort((ev_t * 2 + ev_L, ev_thread))
        else:
            order = _lexsort((ev_L, ev_t, ev_thread))
        th, L = ev_thread[order], ev_L[order]
        ol = L[1:] & ~L[:-1] & (th[1:] == th[:-1])  # an O→L transition inside one thread
        trans = np.bincount(th[1:][ol], minlength=n_threads)
        exchange = trans >= 2
        GT = _Groups(lid[dt][t_first], bucket[dt][t_first], t[dt][t_first])
        n_t = GT.count()
        all_t = np.arange(GT.size)
        rows.rate("exchange_share", GT, all_t, GT.count(exchange), n_t,
                  GT.evidence(exchange, d_thread[d_thread >= 0][t_first], k, post_names))
        turn_sum = np.bincount(GT.g, weights=turns, minlength=GT.size)
        rows.add("turns_per_thread", GT.lid, GT.bucket, turn_sum / n_t, turn_sum, n_t)
    mark("conversation depth")

    # ---- reciprocity and network breadth (numpy on one int64 key per (group, account))
    I_grp = _group_key(I_lid, period.bucket(It))
    D_lid, D_b = lid[d_rows], bucket[d_rows]
    gcodes, _ = pd.factorize(np.concatenate([I_grp, _group_key(D_lid, D_b), _group_key(lid, bucket)]))
    nI, nD = len(ii), len(d_rows)
    g_I, g_D, g_P = gcodes[:nI], gcodes[nI:nI + nD], gcodes[nI + nD:]
    n_groups = int(gcodes.max()) + 1 if len(gcodes) else 0
    g_lid = np.zeros(n_groups, np.int64)
    g_b = np.zeros(n_groups, np.int64)
    g_lid[gcodes] = np.concatenate([I_lid, D_lid, lid])
    g_b[gcodes] = np.concatenate([period.bucket(It), D_b, bucket])
    acc_I, acc_D = i_author[ii], p_pauthor[pw][d_rows]
    g_of_row = np.full(len(posts), -1, np.int64)
    g_of_row[rows_p] = g_P
    g_M = g_of_row[m_rows] if len(m_rows) else np.zeros(0, np.int64)
    acc_M = m_acc[g_M >= 0]
    g_M = g_M[g_M >= 0]
    A = np.int64(max(acc_I.max(initial=0), acc_D.max(initial=0), acc_M.max(initial=0), 0) + 1)

    def keys(g, acc):
        ok = acc >= 0
        return g[ok].astype(np.int64) * A + acc[ok]

    def account_lists(key_arr: np.ndarray, rank_by: np.ndarray | None = None):
        """Up to k accounts per group (key_arr sorted by group, then by ``rank_by`` stable)."""
        g = key_arr // A
        order = np.lexsort((rank_by, g)) if rank_by is not None else np.arange(len(g))
        sel = order[_first_k(g[order], k)]
        return _lists_by_group(g[sel], key_arr[sel] % A, n_groups, acct_names)

    in_keys = _unique_sorted(keys(g_I, acc_I))
    out_keys = _unique_sorted(np.concatenate([keys(g_D, acc_D), keys(g_M, acc_M)]))
    both = np.intersect1d(in_keys, out_keys, assume_unique=True)
    in_groups, in_n = _unique_sorted(in_keys // A, return_counts=True)
    both_n = np.bincount(both // A, minlength=n_groups)
    ev = account_lists(both)
    rows.add("reciprocity", g_lid[in_groups], g_b[in_groups],
             np.where(in_n > 0, both_n[in_groups] / np.where(in_n > 0, in_n, 1), np.nan),
             both_n[in_groups], in_n, ev[in_groups])
    if nD:
        d_keys, c = _unique_sorted(keys(g_D, acc_D), return_counts=True)
        dg = d_keys // A
        tot = np.bincount(dg, weights=c, minlength=n_groups)
        p = c / tot[dg]
        H_all = np.bincount(dg, weights=-p * np.log(p), minlength=n_groups)
        N_all = np.bincount(dg, minlength=n_groups)
        groups_d = np.flatnonzero(N_all > 0)
        N, H = N_all[groups_d].astype(float), H_all[groups_d]
        with np.errstate(divide="ignore", invalid="ignore"):
            even = np.where(N >= 2, H / np.log(N), np.nan)
        ev = account_lists(d_keys, -c)
        gl, gb = g_lid[groups_d], g_b[groups_d]
        rows.add("interlocutors", gl, gb, N, np.full(len(N), np.nan), N, ev[groups_d])
        rows.add("effective_interlocutors", gl, gb, np.exp(H), np.full(len(N), np.nan), N)
        rows.add("evenness", gl, gb, even, np.full(len(N), np.nan), N)
    # new interlocutors: first reply ever (up to `until`) to an account falls in the bucket
    ad = np.flatnonzero(p_rto & ~p_repost & (p_pauthor >= 0))
    if len(np.flatnonzero(p_rto & ~p_repost)):
        pair, pair_keys = pd.factorize(p_lid[ad] * A + p_pauthor[ad])
        pair = pair.astype(np.int64)
        first_t = np.full(len(pair_keys), np.iinfo(np.int64).max)
        np.minimum.at(first_t, pair, pt_all[ad])
        f_lid = pair_keys // A
        f_acc = pair_keys % A
        w = period.in_window(first_t)
        f_lid, f_acc, f_t = f_lid[w], f_acc[w], first_t[w]
        f_b = period.bucket(f_t)
        GN = _Groups(f_lid, f_b, f_t)
        new = pd.Series(GN.count(), index=pd.MultiIndex.from_arrays([GN.lid, GN.bucket], names=["leader_id", "bucket"]))
        evn = pd.Series(GN.evidence(np.ones(len(f_t), bool), f_acc, k, acct_names), index=new.index)
        active = pd.MultiIndex.from_arrays([GP.lid, GP.bucket], names=["leader_id", "bucket"])
        new = new.reindex(active.union(new.index), fill_value=0)
        b = new.index.get_level_values("bucket").to_numpy()
        months = (period.bucket_end(b) - np.maximum(b, period.start)) / DAY_NS / MONTH_DAYS
        nposts = pd.Series(n_posts, index=active).reindex(new.index, fill_value=0).to_numpy()
        rows.add("new_interlocutors", new.index.get_level_values(0).to_numpy(), b, (new / months).to_numpy(),
                 new.to_numpy().astype(float), nposts, evn.reindex(new.index).to_numpy())
    mark("reciprocity + network")

    # ---- consistency
    if len(pw):
        K = ["leader_id", "bucket"]
        active = pd.MultiIndex.from_arrays([GP.lid, GP.bucket], names=K)
        bstart = np.maximum(bucket, period.start)
        nw_row = np.maximum(np.ceil((period.bucket_end(bucket) - bstart) / WEEK_NS).astype(np.int64), 1)
        week_idx = np.clip((t - bstart) // WEEK_NS, 0, nw_row - 1)
        span = int(week_idx.max()) + 1
        group_of_active_week = _unique_sorted(GP.g * span + week_idx) // span  # one entry per (group, week)
        active_w = pd.Series(np.bincount(group_of_active_week, minlength=GP.size), index=active)
        # A leader who posted before a bucket but not in it was silent there: 0 active weeks,
        # not "no data" (otherwise the shooting star would vanish from Consistency).
        first_post = pd.Series(pt_all).groupby(p_lid).min()
        grid = pd.MultiIndex.from_product([first_post.index, period.buckets()], names=K)
        started = first_post.reindex(grid.get_level_values(0)).to_numpy() < period.bucket_end(
            grid.get_level_values(1).to_numpy())
        week_index = active.union(grid[started])
        active_w = active_w.reindex(week_index, fill_value=0).to_numpy().astype(float)
        bb = week_index.get_level_values("bucket").to_numpy()
        nweeks = np.maximum(np.ceil((period.bucket_end(bb) - np.maximum(bb, period.start)) / WEEK_NS).astype(int), 1)
        with np.errstate(invalid="ignore", divide="ignore"):
            rows.add("active_weeks", week_index.get_level_values(0).to_numpy(), bb, active_w / nweeks, active_w,
                     nweeks)
        # gaps between a group's posts in time order (the grouping's sort), mean and population σ per group
        g_s, t_s = GP.g[GP.order], t[GP.order]
        gap = np.full(len(t_s), np.nan)
        tf = t_s.astype(float)  # as pandas' groupby diff: timestamps to float first, then subtracted
        gap[1:] = np.where(g_s[1:] == g_s[:-1], (tf[1:] - tf[:-1]) / HOUR_NS, np.nan)
        gs = pd.Series(gap).groupby(g_s, sort=False)
        mu, sd = gs.mean().to_numpy(), gs.std(ddof=0).to_numpy()
        with np.errstate(invalid="ignore", divide="ignore"):
            r = np.where(mu > 0, sd / mu, np.nan)
            bn = np.where(n_posts >= 3, burstiness(r, n_posts), np.nan)
        by_leader = np.lexsort((GP.bucket, GP.lid))  # rows in (leader, bucket) order
        rows.add("burstiness_score", GP.lid[by_leader], GP.bucket[by_leader], (1 - np.maximum(0, bn))[by_leader],
                 np.full(GP.size, np.nan), n_posts[by_leader])
        ends = period.bucket_end(GP.bucket)
        fe = first_post.reindex(GP.lid).to_numpy()
        rows.add("tenure_days", GP.lid, GP.bucket, (ends - fe) / DAY_NS, np.full(GP.size, np.nan), n_posts)
    mark("consistency")

    comp = rows.frame()
    out = original_interactions.reset_index(drop=True)
    answered = np.flatnonzero(hit)
    ab = np.full(len(out), None, dtype=object)
    ab[irow[answered]] = post_names[i_answer[answered]]
    at_ns = np.zeros(len(out), dtype=np.int64)
    at_ns[irow[answered]] = at[answered]
    has = np.zeros(len(out), bool)
    has[irow[answered]] = True
    out = out.assign(answered_by=pd.Series(ab, dtype=object),
                     answered_at=pd.Series(pd.to_datetime(at_ns.astype("datetime64[ns]"), utc=True)).where(has))
    mark("assemble")
    comp.attrs["timings_cpu_s"] = timings
    return comp, out
