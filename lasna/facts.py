"""Facts per leader × ISO week, kept in the store, and scores for any window assembled from them.

* :func:`refresh_weeks` — recompute the facts of the (leader, week) pairs a batch touched (plus the
  weeks of rows linked to them: an answer updates the week of the message it answers), in one
  transaction. Called by :func:`lasna.pipeline.after_ingest`.
* :func:`rebuild` — every week of every leader from scratch (``lasna facts rebuild``).
* :func:`score_window` — a :class:`coaching.ScoreReport` for the asked leaders over any window,
  reading only their and their reference group's facts for the weeks the window overlaps.
* :func:`evidence` — the ids behind one component of one leader and window.

The facts (records) are defined in :mod:`coaching.facts`; weeks start on Monday 00:00 in the
programme time zone (:mod:`lasna.window`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from coaching import facts as cf
from coaching.composites import reference_groups
from coaching.metrics import Period, to_ns
from coaching.scoring import ScoreReport, rank_components
from lasna import coverage, settings
from lasna.store import Store
from lasna.window import programme_tz


# --- enrichment of loaded rows (the seam with lasna.enrich) ----------------------------------------------
def enriched_frames(store: Store, posts: pd.DataFrame, interactions: pd.DataFrame):
    """Posts with their feature columns, interactions with ``stance``, and post types — from stored
    enrichment when :mod:`lasna.scoring_service` offers it, else computed for these rows only."""
    from lasna import scoring_service as ss

    hook = getattr(ss, "enriched_frames", None)
    if hook is not None:
        return hook(store, posts, interactions)
    from coaching.features import post_features

    feats = post_features(posts)
    extra = feats.drop(columns=[c for c in feats.columns if c in posts.columns])
    posts_f = pd.concat([posts.reset_index(drop=True), extra.reset_index(drop=True)], axis=1)
    if len(interactions):
        stances = ss.reply_stance(store, interactions).set_index("interaction_id")["label"]
        interactions = interactions.assign(stance=interactions["interaction_id"].map(stances))
    types = ss.post_types(store, posts) if len(posts) else None
    return posts_f, interactions, (types[["post_id", "label"]] if types is not None and len(types) else None)


# --- week rows <-> records -------------------------------------------------------------------------------
def _week_bounds(week: date, tz: str) -> tuple[datetime, datetime]:
    z = ZoneInfo(tz)
    a = datetime.combine(week, time(0), tzinfo=z).astimezone(UTC)
    b = datetime.combine(week + timedelta(days=7), time(0), tzinfo=z).astimezone(UTC)
    return a, b


def _to_date(v) -> date:
    return pd.Timestamp(v).date()


def _grouped(frame: pd.DataFrame, dtype: np.dtype, idcols: Sequence[str]):
    """Rows sorted by (leader, week) (stable: the records' own order is kept), as one structured
    array, the id columns as lists, and each (leader, week)'s slice."""
    if len(frame) == 0:
        return np.zeros(0, dtype), {c: [] for c in idcols}, {}
    order = np.lexsort((frame["week"].to_numpy(), frame["leader_id"].to_numpy()))
    f = frame.iloc[order]
    arr = np.zeros(len(f), dtype=dtype)
    for name in dtype.names or ():
        arr[name] = f[name].to_numpy()
    ids = {c: [None if (v is None or (isinstance(v, float) and v != v)) else str(v) for v in f[c].tolist()]
           for c in idcols}
    lid = f["leader_id"].to_numpy().astype(np.int64)
    wk = f["week"].to_numpy().astype("datetime64[D]")
    new = np.r_[True, (lid[1:] != lid[:-1]) | (wk[1:] != wk[:-1])]
    starts = np.flatnonzero(new)
    ends = np.r_[starts[1:], len(f)]
    slices = {(int(lid[a]), wk[a].item()): (int(a), int(b)) for a, b in zip(starts, ends)}
    return arr, ids, slices


def pack_weeks(records: dict[str, pd.DataFrame], keys: Iterable[tuple[int, date]]) -> list[dict]:
    """Store rows (one per (leader, week) that has records) for ``keys``."""
    now = datetime.now(UTC)
    parts = {name: _grouped(records[name], dtype, idcols) for name, dtype, idcols in
             (("posts", cf.POST_DTYPE, cf.POST_IDS), ("interactions", cf.INTER_DTYPE, cf.INTER_IDS),
              ("mentions", cf.MENTION_DTYPE, cf.MENTION_IDS))}
    first = {(int(lid), _to_date(w)): int(ft) for lid, w, ft in
             zip(records["weeks"]["leader_id"], records["weeks"]["week"], records["weeks"]["first_t"])}
    out = []
    for key in sorted(set(keys)):
        blobs, ids, counts = {}, {}, {}
        for name, (arr, idl, slices) in parts.items():
            a, b = slices.get(key, (0, 0))
            blobs[name] = arr[a:b].tobytes()
            counts[name] = b - a
            for c, values in idl.items():
                ids[c] = values[a:b]
        if counts["posts"] == 0 and counts["interactions"] == 0:
            continue
        out.append({"leader_id": key[0], "week_start": key[1], "version": cf.FACTS_VERSION,
                    "first_t": first.get(key), "n_posts": counts["posts"], "n_interactions": counts["interactions"],
                    "posts": blobs["posts"], "interactions": blobs["interactions"], "mentions": blobs["mentions"],
                    "ids": json.dumps(ids, ensure_ascii=False, separators=(",", ":")), "updated_at": now})
    return out


def unpack_weeks(rows: list) -> dict[str, pd.DataFrame]:
    """Records (as :func:`coaching.facts.week_records` returns them) from stored week rows
    (leader_id, week_start, posts, interactions, mentions, ids-or-None)."""
    out = {}
    decoded = [json.loads(r[5]) if r[5] else None for r in rows]
    for pos, (name, dtype, idcols) in enumerate((("posts", cf.POST_DTYPE, cf.POST_IDS),
                                                  ("interactions", cf.INTER_DTYPE, cf.INTER_IDS),
                                                  ("mentions", cf.MENTION_DTYPE, cf.MENTION_IDS))):
        # one buffer for all rows: a frombuffer per row costs more than the rows themselves
        blobs = [bytes(r[2 + pos] or b"") for r in rows]
        counts = [len(b) // dtype.itemsize for b in blobs]
        arr = np.frombuffer(bytearray(b"".join(blobs)), dtype=dtype) if rows else np.zeros(0, dtype)
        lids = np.repeat(np.array([r[0] for r in rows], np.int64), counts) if rows else np.zeros(0, np.int64)
        frame = pd.DataFrame({"leader_id": lids, **{n: arr[n] for n in dtype.names or ()}})
        id_vals: dict[str, list] = {c: [] for c in idcols}
        for got, n in zip(decoded, counts):
            for c in idcols:
                id_vals[c].extend(got[c] if got else [None] * n)
        for c in idcols:
            frame[c] = pd.Series(id_vals[c], dtype=object)
        out[name] = frame
    return out


# --- refresh and rebuild ---------------------------------------------------------------------------------
def link_keys(posts: pd.DataFrame | None, inter: pd.DataFrame | None) -> set[str]:
    """The ids, reply parents and roots of these rows: what links other rows to them (a week's facts
    read the rows linked to its own rows)."""
    ids: set[str] = set()
    for frame, cols in ((posts, ("post_id", "reply_parent_id", "reply_root_id")),
                        (inter, ("interaction_id", "parent_id", "root_id"))):
        if frame is None or not len(frame):
            continue
        for c in cols:
            if c in frame:
                ids.update(v for v in frame[c].dropna().tolist() if isinstance(v, str) and v)
    return ids


def _weeks_of(frame: pd.DataFrame, leaders: set[int], tz: str) -> set[tuple[int, date]]:
    if len(frame) == 0:
        return set()
    f = frame[frame["leader_id"].isin(leaders) & frame["indexed_at"].notna()]
    if not len(f):
        return set()
    weeks = cf.week_start(to_ns(f["indexed_at"]), tz)
    return {(int(lid), pd.Timestamp(w).date()) for lid, w in zip(f["leader_id"], weeks)}


def _load(store: Store, keys: set[tuple[int, date]], leaders: set[int], tz: str, looked_up: set[str]):
    """The leaders' rows in the weeks ``keys`` and the rows linked to them (``looked_up``: linked ids
    already read, skipped here and extended by those read now)."""
    base_p, base_i = store.fact_rows_in_ranges([(lid, *_week_bounds(w, tz)) for lid, w in sorted(keys)])
    ids = link_keys(base_p, base_i) - looked_up
    looked_up |= ids
    have = set(base_p["post_id"]) | set(base_i["interaction_id"])
    link_p, link_i = store.fact_linked_rows(sorted(leaders), ids, have)
    return base_p, base_i, link_p, link_i


def _union(a: pd.DataFrame, b: pd.DataFrame, key: str) -> pd.DataFrame:
    parts = [f for f in (a, b) if len(f)]
    if not parts:
        return a
    return pd.concat(parts, ignore_index=True).drop_duplicates(key).reset_index(drop=True)


def refresh_weeks(store: Store, touched: Iterable[tuple[int, date]],
                  changed: Iterable[str] | None = None, *,
                  contact_pairs: Iterable[tuple[int, str]] = ()) -> set[tuple[int, date]]:
    """Recompute the facts of the touched (leader_id, week_start) pairs and of the weeks holding rows
    linked to them (answered messages, root posts, earlier thread messages), from those leaders' rows
    in those weeks plus the linked rows only; written in one transaction. Returns the weeks written.

    ``changed`` (:func:`link_keys` of the rows that changed, which lie in the touched weeks): only
    the weeks holding rows linked to *those* rows are added — the facts of a week follow from its rows
    and the rows linked to them, so no other week can change. Without it, the weeks of rows linked to
    any row of the touched weeks.

    ``contact_pairs``: (leader_id, account) first contacts to recompute besides those the weeks' own
    replies address (a removal: the pairs of own replies deleted or rewritten)."""
    keys = {(int(lid), _to_date(w)) for lid, w in touched}
    if not keys:
        return set()
    with store.facts_lock():
        return _refresh(store, keys, programme_tz(), None if changed is None else set(changed),
                        set(contact_pairs))


def _refresh(store: Store, keys: set[tuple[int, date]], tz: str, changed: set[str] | None,
             extra_pairs: set[tuple[int, str]] | None = None) -> set[tuple[int, date]]:
    leaders = {k[0] for k in keys}
    looked_up: set[str] = set()
    if changed is not None:
        near_p, near_i = store.fact_linked_rows(sorted(leaders), changed, seen_only=True)
        keys = keys | _weeks_of(near_p, leaders, tz) | _weeks_of(near_i, leaders, tz)
    base_p, base_i, link_p, link_i = _load(store, keys, leaders, tz, looked_up)
    affected = keys
    if changed is None:
        affected = keys | _weeks_of(link_p, leaders, tz) | _weeks_of(link_i, leaders, tz)
    if affected != keys:  # the weeks of linked rows too: read what they add
        more_p, more_i, more_lp, more_li = _load(store, affected - keys, leaders, tz, looked_up)
        base_p, base_i = _union(base_p, more_p, "post_id"), _union(base_i, more_i, "interaction_id")
        link_p, link_i = _union(link_p, more_lp, "post_id"), _union(link_i, more_li, "interaction_id")
    posts = _union(base_p, link_p, "post_id")
    inter = _union(base_i, link_i, "interaction_id")
    posts_f, inter_s, types = enriched_frames(store, posts, inter)
    known = set(inter.loc[~inter["deleted"].astype(bool), "interaction_id"]) if len(inter) else set()
    known |= store.fact_known_interactions(inter["parent_id"].dropna().tolist() if len(inter) else [])
    weeks = pd.DataFrame(sorted(affected), columns=["leader_id", "week"])
    weeks["week"] = pd.to_datetime(weeks["week"]).to_numpy().astype("datetime64[D]")
    recs = cf.week_records(posts_f, inter_s, tz=tz, post_types=types,
                           own_authors=store.fact_own_authors(sorted(leaders)), known_interaction_ids=known,
                           weeks=weeks)
    rows = pack_weeks(recs, affected)
    # first contacts of the (leader, account) pairs the weeks' own replies address (a changed reply lies
    # in them; no other pair's first contact can change)
    pairs = set(zip(base_p["leader_id"].astype(int), base_p["reply_parent_author_id"])) if len(base_p) else set()
    pairs = {(lid, a) for lid, a in pairs if isinstance(a, str)} | (extra_pairs or set())
    minima = store.fact_contact_minima(pairs)
    store.save_facts(rows, affected, contacts=(pairs, minima), version=cf.FACTS_VERSION)
    coverage.refresh(store)  # the coverage ledger's weeks holding posts the batch changed (lasna.coverage)
    return affected


def touched_weeks(posts: pd.DataFrame | None = None, interactions: pd.DataFrame | None = None,
                  tz: str | None = None) -> set[tuple[int, date]]:
    """The (leader_id, week_start) pairs of stored rows (frames with leader_id and indexed_at)."""
    tz = tz or programme_tz()
    out: set[tuple[int, date]] = set()
    for f in (posts, interactions):
        if f is not None and len(f):
            out |= _weeks_of(f, set(int(i) for i in f["leader_id"].unique()), tz)
    return out


def rebuild(store: Store) -> int:
    """Every leader's facts from scratch (one transaction). Returns the number of week rows."""
    with store.facts_lock():
        return _rebuild(store, programme_tz())


def _rebuild(store: Store, tz: str) -> int:
    posts = store.posts_frame()
    inter = store.interactions_frame()
    posts_f, inter_s, types = enriched_frames(store, posts, inter)
    recs = cf.week_records(posts_f, inter_s, tz=tz, post_types=types)
    keys = set()
    for name in ("posts", "interactions"):
        f = recs[name]
        keys |= {(int(lid), _to_date(w)) for lid, w in zip(f["leader_id"], f["week"])}
    rows = pack_weeks(recs, keys)
    contacts = cf.first_contacts(posts_f)
    store.save_facts(rows, keys, all_contacts=contacts, clear=True, version=cf.FACTS_VERSION)
    coverage.rebuild(store)  # the coverage ledger too (lasna.coverage)
    return len(rows)


def is_current(store: Store, *, fresh: bool = False) -> bool:
    """Whether the facts were written for the stored rows as they are now (same row counts, same
    facts version). Batches stored through :func:`lasna.pipeline.after_ingest` keep this true.
    ``fresh``: count the rows again rather than reuse a count just read (``Store.source_fingerprint``)."""
    now, stored = store.facts_source(fresh=fresh)
    return stored == f"{now}|{cf.FACTS_VERSION}"


def mark_current(store: Store) -> None:
    """Record the facts as written for the rows as they are now, writing no week (a removal whose
    rows' facts went with them: nothing else changed)."""
    with store.facts_lock():
        store.save_facts([], set(), version=cf.FACTS_VERSION)


def ensure_current(store: Store) -> bool:
    """Rebuild the facts when they are not current (a store filled without the ingest hook, trimmed by
    retention, or written by an older facts version). Returns True when it rebuilt."""
    if is_current(store):
        return False
    with store.facts_lock():
        if is_current(store, fresh=True):  # another process rebuilt meanwhile, or the count reused was old
            return False
        _rebuild(store, programme_tz())
    return True


# --- scores for a window ---------------------------------------------------------------------------------
def _needed_leaders(leaders: pd.DataFrame, leader_ids: Sequence[int] | None, reference: str) -> list[int]:
    all_ids = [int(i) for i in leaders["leader_id"]]
    if leader_ids is None or reference == "all":
        return all_ids
    groups = reference_groups(leaders, reference)
    asked = set(int(i) for i in leader_ids)
    own = groups[groups["own"] & groups["leader_id"].isin(asked)]["group"].unique()
    return sorted(set(groups.loc[groups["group"].isin(own), "leader_id"].astype(int)) | (asked & set(all_ids)))


def window_records(store: Store, leader_ids: Sequence[int] | None, period: Period, *,
                   with_ids: Sequence[int] = (), cache: dict | None = None) -> dict[str, pd.DataFrame]:
    """The records of the weeks ``period`` overlaps (ids for the ``with_ids`` leaders). With ``cache`` (a
    dict the caller keeps for one request), records read before for the same leaders and a range of weeks
    holding these are reused: a window's components ignore records outside it, so a report's windows
    (this period, the one before, the weekly trend) read the facts once."""
    tz = programme_tz()
    first_week = pd.Timestamp(cf.week_start(np.array([period.start + 1]), tz)[0]).date()
    last_week = pd.Timestamp(cf.week_start(np.array([period.until]), tz)[0]).date()
    key = (None if leader_ids is None else tuple(sorted(int(i) for i in leader_ids)),
           tuple(sorted(int(i) for i in with_ids)))
    if cache is not None and key in cache:
        first, last, recs = cache[key]
        if first <= first_week and last_week <= last:
            return recs
    recs = unpack_weeks(store.fact_week_rows(leader_ids, first_week, last_week, with_ids=with_ids))
    if cache is not None:
        cache[key] = (first_week, last_week, recs)
    return recs


def score_window(
    store: Store,
    leader_ids: Sequence[int] | None = None,
    *,
    until: datetime | pd.Timestamp,
    days: int = 90,
    by: str | None = None,
    reference: str | None = None,
    k: int = 5,
    leaders: pd.DataFrame | None = None,
    evidence_for: Sequence[int] | None = None,
    check_current: bool = True,
    records_cache: dict | None = None,
) -> ScoreReport:
    """Scores of ``leader_ids`` (default: every active leader) over the ``days`` before ``until``,
    ranked within ``reference`` (default: the ``score_reference`` setting), from the facts of the
    asked leaders and their reference group for the weeks the window overlaps. Evidence ids are read
    for ``evidence_for`` (default: the asked leaders). ``check_current=False`` skips the check that the
    facts match the stored rows (:func:`ensure_current`) for a caller that has just made it.
    ``records_cache``: see :func:`window_records`."""
    reference = reference or settings.get("score_reference")
    if check_current:
        ensure_current(store)
    leaders = store.leaders_frame() if leaders is None else leaders
    until_ns = int(to_ns(pd.Series([pd.Timestamp(until)]))[0])
    period = Period(until_ns, days, by, programme_tz())
    needed = _needed_leaders(leaders, leader_ids, reference)
    asked = needed if leader_ids is None else [int(i) for i in leader_ids]
    recs = window_records(store, needed, period, with_ids=asked if evidence_for is None else evidence_for,
                          cache=records_cache)
    first_post = store.fact_first_posts(needed, period.until)
    contacts, any_contact = store.fact_contacts(needed, period.start, period.until,
                                                any_of=[int(i) for i in leaders["leader_id"]])
    raw = cf.window_components(recs, contacts, first_post, period, k=k, contacts_exist=any_contact)
    # ranked among the needed leaders only: they hold every asked leader's whole reference group
    ranked_among = leaders if leader_ids is None else leaders[leaders["leader_id"].isin(set(needed))]
    report = rank_components(raw, ranked_among, period, reference=reference)
    if leader_ids is not None:
        keep = set(asked)
        report.components = report.components[report.components["leader_id"].isin(keep)].reset_index(drop=True)
        report.composites = report.composites[report.composites["leader_id"].isin(keep)].reset_index(drop=True)
    report.meta["source"] = "facts"
    return report


__all__ = ["enriched_frames", "ensure_current", "is_current", "pack_weeks", "rebuild", "refresh_weeks", "score_window", "touched_weeks", "unpack_weeks",
           "window_records"]
