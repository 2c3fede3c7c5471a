"""The former pandas implementation of :func:`coaching.facts.window_components` (before round 5), kept
only as the reference of the equality tests (tests/test_window_numpy.py): the NumPy assembly must give
exactly this frame — same rows in the same order, same floats, same evidence lists."""

# ruff: noqa: E501
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from coaching.facts import I_MERIT, P_CREDIT, P_DIALOGUE, P_FPP, P_FPS, P_GATED, P_QUESTION, P_REPOST, P_RESULTS, \
    P_ROOT, P_RTO
from coaching.metrics import ANSWER_WINDOW_DAYS, COMPONENT_COLUMNS, DAY_NS, HOUR_NS, MONTH_DAYS, WEEK_NS, Period, \
    _km_medians, burstiness

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




# --- the former pandas ranking (coaching.composites / coaching.scoring before round 5) ---------------------
from coaching.composites import composite_scores_each, reference_groups  # noqa: E402
from coaching.definitions import COMPOSITES, METRICS  # noqa: E402
from coaching.composites import DEFAULT_PRIOR_STRENGTH, WEIGHTS  # noqa: E402
from coaching.features import degraded_features  # noqa: E402
from coaching.scoring import ScoreReport, _iso  # noqa: E402
import time  # noqa: E402
def shrink_and_rank(comp: pd.DataFrame, groups: pd.DataFrame,  # noqa: E302
                    prior_strength: float = DEFAULT_PRIOR_STRENGTH) -> pd.DataFrame:
    """Add ``value`` (shrunk rate or raw value), ``prior`` and ``percentile`` to a components frame."""
    meta = pd.DataFrame(
        {"component": list(METRICS), "kind": [m.kind for m in METRICS.values()],
         "hib": [m.higher_is_better for m in METRICS.values()]}
    )
    c = comp.merge(meta, on="component", how="left").merge(groups, on="leader_id", how="inner")
    is_rate = (c["kind"] == "rate").to_numpy()
    keys = ["group", "bucket", "component"]
    x = c["x"].where(is_rate, 0.0).astype(float)
    n = c["n"].where(is_rate, 0.0).astype(float)
    sx = x.groupby([c[k] for k in keys]).transform("sum")
    sn = n.groupby([c[k] for k in keys]).transform("sum")
    with np.errstate(invalid="ignore", divide="ignore"):
        p0 = np.where(sn > 0, sx / sn.where(sn > 0, 1), np.nan)
        a, b = prior_strength * p0, prior_strength * (1 - p0)
        shrunk = np.where(n > 0, (x + a) / (n + a + b), np.nan)
    c["prior"] = np.where(is_rate, p0, np.nan)
    c["value"] = np.where(is_rate, shrunk, c["raw"].astype(float))
    c = _with_gaps(c, prior_strength)
    # a gap is ranked up to 0 (answering critics as often as supporters); above 0 is not "more open"
    ranked_value = c["value"].where(c["kind"] != "gap", c["value"].clip(upper=0.0))
    signed = ranked_value.where(c["hib"].astype(bool), -ranked_value)
    grp = signed.groupby([c[k] for k in keys])
    r = grp.rank(method="average")
    m = grp.transform("count")
    pct = np.where(m > 1, 100.0 * (r - 1) / (m - 1).where(m > 1, 1), 50.0)
    c["percentile"] = np.where(signed.notna(), pct, np.nan)
    c = c[c["own"]].drop(columns=["own", "group", "kind", "hib"])
    return c.reset_index(drop=True)


def _with_gaps(c: pd.DataFrame, prior_strength: float) -> pd.DataFrame:
    """Append the ``kind="gap"`` components (see the module docstring). Rows need both rates; n and
    evidence come from the compared rate (e.g. the unanswered critical replies)."""
    keys = ["group", "leader_id", "bucket", "own"]
    parts = [c]
    for key, m in METRICS.items():
        if m.kind != "gap" or m.gap_of is None:
            continue
        compared, reference = m.gap_of
        pair = c[c["component"] == compared].merge(
            c.loc[c["component"] == reference, keys + ["raw", "value"]], on=keys, suffixes=("", "_ref"), how="inner")
        if pair.empty:
            continue
        centre = pair["value_ref"]
        shrunk = (pair["x"] + prior_strength * centre) / (pair["n"] + prior_strength)
        pair = pair.assign(component=key, kind=m.kind, hib=m.higher_is_better, x=np.nan, prior=centre,
                           raw=pair["raw"] - pair["raw_ref"], value=shrunk - centre)
        parts.append(pair[c.columns])
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else c


def composite_scores(ranked: pd.DataFrame, weights: dict[str, dict[str, float]] | None = None) -> pd.DataFrame:
    """Wide frame leader_id, bucket, one column per composite (weighted mean of percentiles)."""
    weights = weights or WEIGHTS
    owner: dict[str, list[str]] = {}
    for comp_name, w in weights.items():
        for key in w:
            owner.setdefault(key, []).append(comp_name)
    sub = ranked[ranked["component"].isin(owner) & ranked["percentile"].notna()]
    if len(sub) and all(len(v) == 1 for v in owner.values()):
        # one group-by over (leader, bucket, composite): the same rows in the same order per group as
        # one group-by per composite, so the same sums
        name = sub["component"].map({k: v[0] for k, v in owner.items()}).to_numpy(dtype=object)
        ww = np.array([weights[c][k] for c, k in zip(name, sub["component"].tolist())], dtype=float)
        long = pd.DataFrame({"leader_id": sub["leader_id"].to_numpy(), "bucket": sub["bucket"].to_numpy(),
                             "composite": name, "num": sub["percentile"].to_numpy(dtype=float) * ww, "den": ww})
        sums = long.groupby(["leader_id", "bucket", "composite"])[["num", "den"]].sum()
        out = (sums["num"] / sums["den"]).unstack("composite").reindex(columns=list(weights))
        out.columns.name = None
        out.index.names = ["leader_id", "bucket"]
        return out.reset_index()
    return composite_scores_each(sub, weights)


def rank_components(
    raw: pd.DataFrame,
    leaders: pd.DataFrame,
    period: Period,
    *,
    reference: str = "all",
    prior_strength: float = DEFAULT_PRIOR_STRENGTH,
    interactions: pd.DataFrame | None = None,
    timings: dict | None = None,
) -> ScoreReport:
    """Shrinkage, percentiles and composites for a raw components frame (:func:`compute_components`
    or :func:`coaching.facts.window_components`): the one ranking path every score goes through."""
    timings = dict(timings or {})
    days = period.days
    by = period.by
    linked = interactions if interactions is not None else pd.DataFrame()
    c0 = time.process_time()
    groups = reference_groups(leaders, reference)
    ranked = shrink_and_rank(raw, groups, prior_strength)
    comp = composite_scores(ranked)
    grid = pd.MultiIndex.from_product([leaders["leader_id"].astype("int64").unique(), period.buckets()],
                                      names=["leader_id", "bucket"]).to_frame(index=False)
    comp = grid.merge(comp, on=["leader_id", "bucket"], how="left")
    for c in COMPOSITES:
        if c not in comp:
            comp[c] = np.nan
    comp["bucket_end"] = period.bucket_end(comp["bucket"].to_numpy())
    comp.insert(1, "leader", comp["leader_id"].map(leaders.set_index("leader_id")["leader"]))
    comp = comp[["leader_id", "leader", "bucket", "bucket_end", *COMPOSITES]]
    ranked = ranked.merge(grid, on=["leader_id", "bucket"], how="inner")
    timings["shrink + percentiles + composites"] = time.process_time() - c0
    meta = {
        "timings_cpu_s": {k2: round(v, 3) for k2, v in timings.items()},
        "until": _iso(period.until), "start": _iso(period.start), "days": days, "by": by,
        "reference": reference, "prior_strength": prior_strength, "weights": WEIGHTS,
        "degraded_features": degraded_features(),
        "notes": [
            "Replies seen through threads cover only replies under the leader's own posts.",
            "Response rate within the last 7 days of the window is right-censored (answers may still come).",
            "Critical vs supportive answers need a 'stance' column on the interactions (the reply-stance model; "
            "it misses about half of the critical replies, so the gap understates avoidance).",
        ],
    }
    return ScoreReport(components=ranked, composites=comp, interactions=linked, meta=meta)


