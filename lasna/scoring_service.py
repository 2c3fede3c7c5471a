"""Glue between the store and the pure scoring core: load frames, cache post types, score.

The CLI and the dashboard call these; ``coaching/`` itself never touches the store.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import importlib.util
import os
import pickle
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import platformdirs

from coaching import ScoreReport, score
from lasna import settings
from lasna.errors import InputError, StoreError
from lasna.resources import data_path
from lasna.store import Store

if TYPE_CHECKING:
    from coaching.classifier import PostTypeClassifier, RulePostTyper
    from coaching.stance import ReplyStanceClassifier


def _module_file(module: str) -> Path:
    """A module's source file, found without importing it (importing the models means scikit-learn)."""
    spec = importlib.util.find_spec(module)
    assert spec is not None and spec.origin is not None, module
    return Path(spec.origin)


def _model_path(name: str, *sources: Path) -> Path:
    """Where a fitted model is kept: keyed by its training data and code (``sources``) and sklearn."""
    digest = hashlib.sha1(importlib.metadata.version("scikit-learn").encode())
    for source in sources:
        digest.update(source.read_bytes())
    return Path(platformdirs.user_cache_dir("lasna")) / "models" / f"{name}-{digest.hexdigest()[:16]}.pickle"


def _post_type_model_path() -> Path:
    # the default post types are rules over the text features: their code is part of the key (nlp lane)
    return _model_path("post-types", data_path("labels", "posts.csv"), _module_file("coaching.classifier"),
                       _module_file("coaching.features"))


def _stance_model_path() -> Path:
    return _model_path("reply-stance", data_path("labels", "replies.csv"), _module_file("coaching.stance"),
                       _module_file("coaching.classifier"))


def _version_file(path: Path) -> Path:
    return path.with_suffix(".version")


def _model_version(path: Path, load: Callable[[], Any]) -> str:
    """A fitted model's version from the small file written beside its pickle, so a read that only
    checks versions (every enriched read does) loads neither the model nor scikit-learn."""
    try:
        return _version_file(path).read_text().strip() or load().model_version
    except OSError:
        return load().model_version


def _load_or_train(path: Path, train: Callable[[], Any]) -> Any:
    """Fitting takes seconds, so a fitted model is pickled to the user cache directory (a file
    this program wrote itself) and reused until its training data or code change."""
    if path.exists():
        try:
            with path.open("rb") as fh:
                return pickle.load(fh)
        except Exception:  # a stale or truncated cache file: retrain below
            path.unlink(missing_ok=True)
    model = train()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    with tmp.open("wb") as fh:
        pickle.dump(model, fh)
    tmp.replace(path)
    return model


def _remember_version(path: Path, model: Any) -> Any:
    """Write ``model``'s version beside its pickle (see :func:`_model_version`); returns the model."""
    version = _version_file(path)
    if not version.exists() or version.read_text().strip() != model.model_version:
        tmp = version.with_suffix(f".{os.getpid()}.vtmp")
        tmp.write_text(model.model_version)
        tmp.replace(version)
    return model


@functools.lru_cache(maxsize=1)
def default_classifier() -> PostTypeClassifier | RulePostTyper:
    """The post-type decision used in scoring (``coaching.classifier.train_default``: the codebook's rules
    over the detector flags since round 4)."""
    from coaching.classifier import train_default

    path = _post_type_model_path()
    return _remember_version(path, _load_or_train(path, train_default))


@functools.lru_cache(maxsize=1)
def default_stance_model() -> ReplyStanceClassifier:
    """The reply-stance model (critical / supportive / neutral) trained on the bundled labelled replies."""
    from coaching import stance

    path = _stance_model_path()
    return _remember_version(path, _load_or_train(path, stance.train_default))


@functools.lru_cache(maxsize=1)
def model_versions() -> dict[str, str]:
    """post_type and stance: the versions of the default models, read without loading them when
    they have been fitted before on this machine."""
    return {"post_type": _model_version(_post_type_model_path(), default_classifier),
            "stance": _model_version(_stance_model_path(), default_stance_model)}


def _cached_predictions(
    store: Store, rows: pd.DataFrame, key: str, of: str, model_version: str,
    classify: Callable[[pd.DataFrame], pd.DataFrame],
) -> pd.DataFrame:
    """``key``, model_version, label, proba for ``rows``: read from the store's cache, and only the
    rows not cached yet under this model are classified (``classify``) and saved."""
    unique = rows.drop_duplicates(key)
    cached = store.predictions(unique[key].tolist(), model_version, of=of)
    todo = unique[~unique[key].isin(set(cached[key]))]
    if todo.empty:
        return cached
    new = classify(todo)
    store.save_predictions(new, of=of)
    return pd.concat([cached, new], ignore_index=True) if len(cached) else new


def post_types(store: Store, posts: pd.DataFrame) -> pd.DataFrame:
    """post_id, label, proba, model_version for ``posts``; classifies only posts not cached yet."""
    model = default_classifier()
    return _cached_predictions(store, posts, "post_id", "posts", model.model_version, model.classify)


def reply_stance(store: Store, interactions: pd.DataFrame) -> pd.DataFrame:
    """interaction_id, label (critical / supportive / neutral), proba (P(critical)), model_version for
    ``interactions``; classifies only interactions not cached yet."""
    from coaching import stance

    model = default_stance_model()

    def classify(todo: pd.DataFrame) -> pd.DataFrame:
        found = stance.classify_interactions(todo, model)
        return pd.DataFrame({"interaction_id": todo["interaction_id"].to_numpy(), "model_version": model.model_version,
                             "label": found["stance"].to_numpy(), "proba": found["p_critical"].to_numpy()})

    return _cached_predictions(store, interactions, "interaction_id", "interactions", model.model_version, classify)


def resolve_window(
    *, days: int | None, since: datetime | None, until: datetime | None
) -> tuple[datetime, int]:
    """The window's end (default: the end of today in the programme time zone, :mod:`lasna.window`)
    and its length in days."""
    from lasna.window import window_end

    until = until or window_end()
    if since is not None and days is not None:
        raise InputError("give either --days or --since, not both")
    if since is not None:
        if since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        days = (until - since).days
        if days <= 0:
            raise InputError(f"--since {since.date()} is not before the end of the window {until.date()}")
    return until, days or 90


def _stored_id(leader_id: int | None) -> int:
    assert leader_id is not None, "a leader read from the store has an id"
    return leader_id


def leader_ids(store: Store, names: Sequence[str]) -> list[int]:
    return [_stored_id(store.leader(name).id) for name in names]


@dataclass
class ScoreInputs:
    """Everything the scoring core needs, loaded once: the frames, per-post features and the
    cached post types. The CLI, the coaching service and the dashboard all score through
    :meth:`score`, so one leader gets the same numbers wherever they are shown."""

    leaders: pd.DataFrame
    posts: pd.DataFrame
    interactions: pd.DataFrame  # with ``stance`` (critical / supportive / neutral) from the cached model
    features: pd.DataFrame  # post_id, is_repost + coaching.features.FEATURE_COLUMNS
    post_types: pd.DataFrame  # post_id, label, proba, model_version
    catch_up: int = 0  # rows enriched while loading (missing or stale enrichment)

    @cached_property
    def posts_with_features(self) -> pd.DataFrame:
        extra = self.features.drop(columns=[c for c in self.features.columns if c in self.posts.columns])
        return pd.concat([self.posts.reset_index(drop=True), extra.reset_index(drop=True)], axis=1)

    def score(
        self,
        *,
        until: datetime | pd.Timestamp,
        days: int,
        by: str | None = None,
        reference: str | None = None,
    ) -> ScoreReport:
        """Score every leader over the ``days`` before ``until``; ``reference`` defaults to the
        ``score_reference`` setting."""
        types = self.post_types[["post_id", "label"]] if len(self.post_types) else None
        return score(self.posts, self.interactions, self.leaders, until=pd.Timestamp(until), days=days, by=by,
                     reference=reference or settings.get("score_reference"), features=self.features,
                     post_types=types, tz=settings.get("programme_timezone"))


#: stored enrichment columns -> the version each must carry (see :func:`lasna.enrich.versions`)
_POST_VERSIONS = {"features_version": "features", "type_version": "post_type"}
_INTERACTION_VERSIONS = {"features_version": "features", "stance_version": "stance", "link_version": "link"}
_CATCH_UP_TRIES = 5


def _read_enriched(store: Store, leader_ids, since, until):
    """Posts and interactions with their stored enrichment; whatever is missing or stale for the current
    versions is enriched first (catch-up, e.g. rows stored before this version, or by a process without the
    ingest hook), so the numbers never differ from a full recomputation."""
    import logging
    import time

    from lasna import enrich

    v = enrich.versions()
    catch_up = 0
    for attempt in range(_CATCH_UP_TRIES):
        posts, pe, inter, ie = store.enriched_rows(leader_ids, since=since, until=until)
        stale_p = enrich.stale_mask(pe, _POST_VERSIONS, v)
        stale_i = enrich.stale_mask(ie, _INTERACTION_VERSIONS, v)
        if not stale_p.any() and not stale_i.any():
            return posts, pe, inter, ie, catch_up
        behind = sorted(set(posts.loc[stale_p, "leader_id"].astype(int))
                        | set(inter.loc[stale_i, "leader_id"].astype(int)))
        result = enrich.enrich_pending(store, behind)
        catch_up += result.posts + result.interactions
        logging.getLogger(__name__).info("enrichment catch-up on read: %d posts, %d interactions",
                                         result.posts, result.interactions)
        if result.skipped_leaders:  # another process is enriching them right now: let it finish
            time.sleep(0.5 * (attempt + 1))
    raise StoreError("stored enrichment is still incomplete after catch-up", hint="run `lasna enrich`")


def enriched_frames(store: Store, posts: pd.DataFrame, interactions: pd.DataFrame):
    """For frames already loaded (e.g. the weeks the facts refresh): posts with the stored feature columns,
    interactions with the stored ``stance``, and the post types (post_id, label) — from the stored
    enrichment, after a catch-up of whatever is missing or stale (the seam ``lasna.facts`` uses)."""
    from lasna import enrich

    v = enrich.versions()
    pids = posts["post_id"].tolist() if len(posts) else []
    iids = interactions["interaction_id"].tolist() if len(interactions) else []
    for attempt in range(_CATCH_UP_TRIES):
        pe, ie = store.enrichment_by_ids(pids, iids)
        pe = pe.drop_duplicates("post_id").set_index("post_id").reindex(pd.Index(pids, dtype=object))
        ie = ie.drop_duplicates("interaction_id").set_index("interaction_id").reindex(pd.Index(iids, dtype=object))
        stale_p = enrich.stale_mask(pe, _POST_VERSIONS, v)
        stale_i = enrich.stale_mask(ie, _INTERACTION_VERSIONS, v)
        if not stale_p.any() and not stale_i.any():
            break
        behind = sorted(set(posts.loc[stale_p, "leader_id"].astype(int))
                        | set(interactions.loc[stale_i, "leader_id"].astype(int)))
        result = enrich.enrich_pending(store, behind)
        if result.skipped_leaders:
            import time

            time.sleep(0.5 * (attempt + 1))
    else:
        raise StoreError("stored enrichment is still incomplete after catch-up", hint="run `lasna enrich`")
    return with_enrichment(posts, pe, interactions, ie)


def with_enrichment(posts: pd.DataFrame, pe: pd.DataFrame, interactions: pd.DataFrame, ie: pd.DataFrame):
    """Posts with the feature columns, interactions with ``stance`` and the post types (post_id, label),
    from their stored enrichment ``pe`` / ``ie`` (row-aligned with them)."""
    from coaching.features import FEATURE_COLUMNS

    posts_f = posts.reset_index(drop=True).copy()
    for col in FEATURE_COLUMNS:
        if col in ("post_id", "is_repost") or col in posts_f:
            continue
        values = pe[col].to_numpy()
        posts_f[col] = values.astype(object) if col == "lang_detected" else \
            values.astype("int64") if col == "n_words" else values.astype(bool)
    if len(interactions):
        interactions = interactions.assign(stance=ie["stance"].to_numpy(dtype=object))
    types = pd.DataFrame({"post_id": posts["post_id"].to_numpy(), "label": pe["post_type"].to_numpy(dtype=object)})
    return posts_f, interactions, (types if len(types) else None)


def enriched_history(store: Store, leader_ids: Sequence[int], since: datetime | None = None):
    """Posts with the feature columns and interactions with ``stance`` of ``leader_ids`` created since
    ``since`` (default: their whole history): each table and its stored enrichment in one joined read
    (after a catch-up of whatever is missing or stale), as :func:`enriched_frames` gives them for
    ``store.posts_frame`` / ``store.interactions_frame``."""
    posts, pe, inter, ie, _ = _read_enriched(store, list(leader_ids), since, None)
    posts_f, inter_s, _ = with_enrichment(posts, pe, inter, ie)
    return posts_f, inter_s


def load_score_inputs(
    store: Store,
    *,
    leader_ids: Sequence[int] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> ScoreInputs:
    """The active leaders' (or ``leader_ids``') posts and interactions between ``since`` and ``until``
    (default: all), with per-post features, post types and reply stance read from the stored enrichment
    (:mod:`lasna.enrich`); nothing is recomputed on this path except a catch-up of rows not enriched yet."""
    from coaching.features import FEATURE_COLUMNS

    leaders = store.leaders_frame()
    if leader_ids is not None:
        leaders = leaders[leaders["leader_id"].isin(set(leader_ids))].reset_index(drop=True)
    ids = leaders["leader_id"].tolist()
    posts, pe, interactions, ie, catch_up = _read_enriched(store, ids, since, until)
    if len(interactions):
        interactions = interactions.assign(stance=ie["stance"].to_numpy(dtype=object))
    features = pd.DataFrame({"post_id": posts["post_id"].to_numpy()})  # the dtype of the posts frame (merges)
    for col in FEATURE_COLUMNS:
        if col == "post_id":
            continue
        if col == "is_repost":
            features[col] = posts["is_repost"].to_numpy(dtype=bool)
        elif col == "lang_detected":
            features[col] = pe[col].to_numpy(dtype=object)
        elif col == "n_words":
            features[col] = pe[col].to_numpy(dtype="int64")
        else:
            features[col] = pe[col].to_numpy(dtype=bool)
    types = pd.DataFrame({"post_id": posts["post_id"].to_numpy(),
                          "label": pe["post_type"].to_numpy(dtype=object),
                          "proba": pe["post_type_proba"].to_numpy(dtype=float),
                          "model_version": pe["type_version"].to_numpy(dtype=object)})
    return ScoreInputs(leaders=leaders, posts=posts, interactions=interactions, features=features,
                       post_types=types, catch_up=catch_up)


def score_store(
    store: Store,
    *,
    days: int = 90,
    until: datetime | None = None,
    by: str | None = None,
    reference: str | None = None,
) -> ScoreReport:
    """Score every active leader (the reference population) over the window ending at ``until``
    (default: the end of today in the programme time zone), from the stored facts
    (:func:`lasna.facts.score_window`): the same path the coaching service and the dashboard use."""
    from lasna import facts
    from lasna.window import window_end

    return facts.score_window(store, None, until=until or window_end(), days=days, by=by, reference=reference)


def score_store_full(
    store: Store,
    *,
    days: int = 90,
    until: datetime | None = None,
    by: str | None = None,
    reference: str | None = None,
) -> ScoreReport:
    """The old full recompute (every leader's whole history loaded and scored): kept only as the
    baseline of the benchmarks and of the equality tests against :func:`score_store`."""
    from lasna.window import window_end

    until = until or window_end()
    inputs = load_score_inputs(store, until=until)
    return inputs.score(until=until, days=days, by=by, reference=reference)


def posts_with_features(store: Store, leader: str, *, days: int = 90, until: datetime | None = None) -> pd.DataFrame:
    """One leader's posts in the window with per-post features, post type and its strongest features
    (read from the stored enrichment)."""
    until = until or datetime.now(UTC)
    leader_id = _stored_id(store.leader(leader).id)
    inputs = load_score_inputs(store, leader_ids=[leader_id], since=until - timedelta(days=days), until=until)
    if inputs.posts.empty:
        return inputs.posts
    model = default_classifier()
    out = inputs.posts_with_features.copy()
    types = inputs.post_types.set_index("post_id")
    out["post_type"] = out["post_id"].map(types["label"])
    out["post_type_proba"] = out["post_id"].map(types["proba"])
    out["post_type_because"] = [
        [name for name, _ in model.explain(text, top=3, label=label)] if text else []
        for text, label in zip(out["text"], out["post_type"])
    ]
    return out
