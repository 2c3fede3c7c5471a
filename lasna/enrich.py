"""Enrichment once, at ingest: the derived fields of posts and interactions, computed once and stored.

Per post: detected language and the per-post features of :mod:`coaching.features`, and the post type.
Per incoming interaction: emoji-only / low-substance flags, reply stance, and the answer link (the
addressed leader's earliest own reply, when, and how many seconds after). Each carries the version that
made it (:func:`versions`); a missing row or an old version is *pending*, and :func:`enrich_pending`
computes what is pending, in chunks of whole leaders, committing per chunk: rerunning after a crash
continues where it stopped, and running twice changes nothing.

``Store.save_batch`` makes the enrichment of changed rows pending in the batch's transaction (see
:mod:`lasna.store.enrichment`), including the answer link of every interaction a newly arrived own reply
answers, so a leader's answer that arrives in a later batch links the earlier incoming message.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import numpy as np
import pandas as pd

from lasna.store import Store
from lasna.store import enrichment as E

#: Bump when the answer-link rule (which post answers which incoming message) changes.
ANSWER_LINK_VERSION = "1"
DEFAULT_CHUNK = 5000  # rows (posts + interactions) per committed chunk; whole leaders per chunk

Progress = Callable[[int, int], None]  # (rows done, rows pending in total)

#: Wall seconds per stage of the current process's enrichment (benchmarks print them)
STAGES: dict[str, float] = {}


@contextlib.contextmanager
def _stage(name: str) -> Iterator[None]:
    began = time.perf_counter()
    try:
        yield
    finally:
        STAGES[name] = STAGES.get(name, 0.0) + time.perf_counter() - began


def versions() -> dict[str, str]:
    """The versions a current enrichment row carries: text features (with the morphology back-end in
    use, as its outputs differ), the post-type and reply-stance models, and the answer-link rule."""
    from coaching.features import FEATURES_VERSION, has_voikko
    from lasna.scoring_service import model_versions

    models = model_versions()
    return {
        "features": f"{FEATURES_VERSION}+{'voikko' if has_voikko() else 'heuristic'}",
        "post_type": models["post_type"],
        "stance": models["stance"],
        "link": ANSWER_LINK_VERSION,
    }


@dataclass
class EnrichResult:
    posts: int = 0
    interactions: int = 0
    chunks: int = 0
    relabelled: int = 0  # short posts whose language followed their account's majority afterwards
    seconds: float = 0.0
    touched: set[tuple[int, date]] = field(default_factory=set)
    #: the ids, reply parents and roots of the rows written: the facts of weeks holding rows linked to
    #: them may change (:func:`lasna.facts.refresh_weeks`)
    links: set[str] = field(default_factory=set)
    skipped_leaders: list[int] = field(default_factory=list)  # being enriched by another process

    def as_json(self) -> dict:
        return {"posts": self.posts, "interactions": self.interactions, "chunks": self.chunks,
                "relabelled_short_posts": self.relabelled, "seconds": round(self.seconds, 3),
                "weeks_touched": len(self.touched), "skipped_leaders": self.skipped_leaders}


def pending(store: Store, leader_ids: Sequence[int] | None = None) -> dict[int, tuple[int, int]]:
    """leader_id -> (posts, interactions) whose enrichment is missing or stale."""
    return store.enrichment_pending(versions(), leader_ids)


def enrich_pending(
    store: Store,
    leader_ids: Sequence[int] | None = None,
    *,
    progress: Progress | None = None,
    chunk_size: int = DEFAULT_CHUNK,
    queued: bool = False,
) -> EnrichResult:
    """Compute and store everything missing or stale for these leaders (default: all). ``queued``: only
    what stored batches queued (:func:`lasna.pipeline.after_ingest`: no scan of the leaders' history;
    rows made stale by a new version are left to ``lasna enrich``)."""
    began = time.perf_counter()
    v = versions()
    counts = store.enrichment_pending(v, leader_ids, queued=queued)
    total = sum(p + i for p, i in counts.values())
    result = EnrichResult()
    if progress:
        progress(0, total)
    done = 0
    written: list[pd.DataFrame] = []  # the posts written: post_id, leader_id, author_id, lang_detected, n_words
    for chunk in _plan(counts, chunk_size):
        with store.enrichment_claim(chunk) as mine:
            skipped = sorted(set(chunk) - set(mine))
            result.skipped_leaders += skipped
            if mine:
                n_i, posts, touched, links = _enrich_chunk(store, mine, v, queued)
                result.posts += len(posts)
                result.interactions += n_i
                result.chunks += 1
                result.touched |= touched
                result.links |= links
                written.append(posts)
        done += sum(sum(counts[leader]) for leader in chunk)
        if progress:
            progress(done, total)
    if any(len(w) for w in written):
        n, touched, links = _follow_account_majority(store, pd.concat(written, ignore_index=True), v)
        result.relabelled = n
        result.touched |= touched
        result.links |= links
    result.seconds = time.perf_counter() - began
    return result


def _plan(counts: dict[int, tuple[int, int]], chunk_size: int) -> Iterator[list[int]]:
    """Whole leaders per chunk (an account's short posts take its majority language, so an author's
    pending posts are enriched together), about ``chunk_size`` rows each."""
    chunk: list[int] = []
    size = 0
    for leader_id in sorted(counts):
        chunk.append(leader_id)
        size += sum(counts[leader_id])
        if size >= chunk_size:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


# ------------------------------------------------------------------ computing
def post_rows(store: Store, posts: pd.DataFrame, v: dict[str, str], context: pd.DataFrame | None = None) -> pd.DataFrame:
    """post_id + :data:`lasna.store.enrichment.POST_VALUES` for ``posts`` (``context``: extra posts of the
    same accounts that take part in the language majority but are not returned)."""
    from coaching.features import post_features
    from lasna.scoring_service import default_classifier

    frame = posts if context is None or context.empty else pd.concat([posts, context], ignore_index=True)
    with _stage("text features (post_features)"):
        feats = post_features(frame).iloc[: len(posts)].reset_index(drop=True)
    model = default_classifier()
    cached = store.predictions(posts["post_id"].tolist(), model.model_version, of="posts")
    todo = posts[~posts["post_id"].isin(set(cached["post_id"]))]
    with _stage("post types (classifier)"):
        types = pd.concat([cached, model.classify(todo)], ignore_index=True) if len(todo) else cached
    types = types.drop_duplicates("post_id").set_index("post_id")
    out = feats.drop(columns=["is_repost"])
    out["lang_detected"] = out["lang_detected"].astype(object).where(out["lang_detected"].notna(), None)
    out["post_type"] = out["post_id"].map(types["label"])
    out["post_type_proba"] = out["post_id"].map(types["proba"]).astype(float)
    out["features_version"] = v["features"]
    out["type_version"] = v["post_type"]
    out["enriched_at"] = datetime.now(UTC)
    return out[["post_id", *E.POST_VALUES]]


def interaction_rows(store: Store, inter: pd.DataFrame, v: dict[str, str]) -> pd.DataFrame:
    """interaction_id + flags and stance (the answer link is added under the write lock by :func:`link`)."""
    from coaching import stance
    from coaching.features import emoji_only_flags, substance_flags
    from lasna.scoring_service import default_stance_model

    texts = inter["text"].fillna("").astype(str).reset_index(drop=True)
    model = default_stance_model()
    cached = store.predictions(inter["interaction_id"].tolist(), model.model_version, of="interactions")
    cached = cached.drop_duplicates("interaction_id").set_index("interaction_id")
    todo = ~inter["interaction_id"].isin(set(cached.index)).to_numpy()
    label = np.array(inter["interaction_id"].map(cached["label"]), dtype=object)
    proba = np.array(inter["interaction_id"].map(cached["proba"]), dtype=float)
    if todo.any():
        with _stage("reply stance (classifier)"):
            found = stance.classify_interactions(inter[todo], model)
        label[todo] = found["stance"].to_numpy()
        proba[todo] = found["p_critical"].to_numpy()
    return pd.DataFrame({
        "interaction_id": inter["interaction_id"].to_numpy(),
        "leader_id": inter["leader_id"].to_numpy(),
        "indexed_at": inter["indexed_at"].to_numpy(),
        "features_version": v["features"],
        "emoji_only": emoji_only_flags(texts),
        "low_substance": substance_flags(texts)["low_substance"].to_numpy(),
        "stance": label,
        "stance_proba": proba,
        "stance_version": v["stance"],
        "link_version": v["link"],
        "enriched_at": datetime.now(UTC),
    })


def link(interactions: pd.DataFrame, candidates: pd.DataFrame) -> pd.DataFrame:
    """Add answered_by / answered_at / response_seconds: the addressed leader's earliest live own reply
    (by indexed_at) whose parent is the interaction (:func:`coaching.metrics.link_answers`)."""
    from coaching.metrics import link_answers

    linked = link_answers(candidates, interactions)
    at = pd.to_datetime(linked["answered_at"], utc=True)
    linked["response_seconds"] = (at - pd.to_datetime(linked["indexed_at"], utc=True)).dt.total_seconds()
    linked["answered_at"] = at
    return linked


def _enrich_chunk(store: Store, leader_ids: list[int], v: dict[str, str], queued: bool):
    """Enrich one chunk; returns (interactions written, the posts written with their leader, author,
    language and word count, the (leader, week) pairs touched, :func:`lasna.facts.link_keys` of the rows)."""
    with _stage("read pending rows"):
        posts, inter = store.enrichment_pending_rows(v, leader_ids, queued=queued)
    prow = post_rows(store, posts, v) if len(posts) else pd.DataFrame(columns=["post_id", *E.POST_VALUES])
    irow = interaction_rows(store, inter, v) if len(inter) else pd.DataFrame(columns=["interaction_id"])
    with _stage("verify, link and write"):
        wrote_p, wrote_i = store.write_enrichment(leader_ids, prow, E.fingerprint_frame(posts, "posts"),
                                                  irow, E.fingerprint_frame(inter, "interactions"), link)
    wp = posts[posts["post_id"].isin(set(wrote_p))]
    wi = inter[inter["interaction_id"].isin(set(wrote_i))]
    values = prow.set_index("post_id")
    written = pd.DataFrame({"post_id": wp["post_id"].astype(object), "leader_id": wp["leader_id"],
                            "author_id": wp["author_id"].astype(object),
                            "lang_detected": wp["post_id"].map(values["lang_detected"]).astype(object),
                            "n_words": wp["post_id"].map(values["n_words"])})
    from lasna.facts import link_keys

    return len(wi), written, touched_weeks(wp, wi), link_keys(wp, wi)


def _follow_account_majority(store: Store, written: pd.DataFrame, v: dict[str, str]):
    """Short posts take their account's majority language; when posts of an account were enriched in
    several runs, that majority is the stored one. Re-enrich the enriched short posts of the accounts of
    ``written`` whose language is not the account's strict majority (ties are left alone).

    The stored language counts (:func:`lasna.store.enrichment.account_languages`) say how many short
    posts of an account are not in its majority language; only when they are not all among the posts
    just written is the account's history read for them."""
    accounts = sorted({(int(lid), a) for lid, a in zip(written["leader_id"], written["author_id"])})
    long: dict[tuple[int, str], dict[str, int]] = {}
    short: dict[tuple[int, str], dict[str, int]] = {}
    for lid, author, lang, is_short, n in store.enrichment_account_languages(accounts).itertuples(index=False):
        if is_short or lang:
            (short if is_short else long).setdefault((int(lid), author), {})[lang] = int(n)
    written_short = written[written["n_words"].astype(int) < E.LONG_MIN_WORDS]
    ids: list[str] = []
    to_scan: dict[tuple[int, str], str] = {}
    majority: dict[tuple[int, str], str] = {}
    for key, langs in long.items():
        ranked = sorted(langs.items(), key=lambda kv: -kv[1])
        if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
            continue  # a tie
        lang = majority[key] = ranked[0][0]
        off = sum(n for other, n in short.get(key, {}).items() if other != lang)
        if off == 0:
            continue
        mine = written_short[(written_short["leader_id"] == key[0]) & (written_short["author_id"] == key[1])
                             & (written_short["lang_detected"].astype(object) != lang)]
        if len(mine) == off:  # exactly the short posts just written: no need to look further
            ids += mine["post_id"].tolist()
        else:
            to_scan[key] = lang
    ids += store.enrichment_short_posts_to_relabel(to_scan)
    if not ids:
        return 0, set(), set()
    posts = store.enrichment_posts_by_id(ids)
    keys = {(int(lid), a) for lid, a in zip(posts["leader_id"], posts["author_id"])}
    context = store.enrichment_example_long_posts({k: majority[k] for k in keys})
    rows = post_rows(store, posts, v, context=context)
    wrote, _ = store.write_enrichment(sorted(set(posts["leader_id"])), rows,
                                      E.fingerprint_frame(posts, "posts"), pd.DataFrame(), {}, link)
    wp = posts[posts["post_id"].isin(set(wrote))]
    from lasna.facts import link_keys

    return len(wp), touched_weeks(wp, None), link_keys(wp, None)


# ------------------------------------------------------------------ weeks touched (for the facts)
def programme_tz() -> str:
    try:
        from lasna import settings

        return settings.get("programme_timezone")
    except Exception:  # the setting arrives with the facts branch
        return "Europe/Helsinki"


def touched_weeks(posts: pd.DataFrame | None, interactions: pd.DataFrame | None) -> set[tuple[int, date]]:
    """(leader_id, local Monday of the ISO week) of the rows' ``indexed_at`` in the programme's zone."""
    tz = programme_tz()
    out: set[tuple[int, date]] = set()
    for frame in (posts, interactions):
        if frame is None or not len(frame):
            continue
        local = pd.DatetimeIndex(pd.to_datetime(frame["indexed_at"], utc=True)).tz_convert(tz).tz_localize(None)
        monday = (local.normalize() - pd.to_timedelta(local.day_of_week, unit="D")).date
        out |= set(zip(frame["leader_id"].astype(int).tolist(), monday))
    return out


def stale_mask(extra: pd.DataFrame, columns: dict[str, str], v: dict[str, str]) -> np.ndarray:
    """Rows of a read whose enrichment is missing or not of the current versions."""
    mask = np.zeros(len(extra), bool)
    for col, key in columns.items():
        mask |= (extra[col].astype(object) != v[key]).to_numpy()
    return mask
