"""Glue between the store and the pure scoring core: load frames, cache post types, score.

The CLI and the dashboard call these; ``coaching/`` itself never touches the store.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd
import platformdirs
import sklearn

from coaching import ScoreReport, score
from coaching import classifier, stance
from coaching.classifier import DEFAULT_TRAINING_PATH, PostTypeClassifier, train_default
from coaching.features import post_features
from lasna import settings
from lasna.errors import InputError
from lasna.store import Store


def _model_path(name: str, *sources: Path) -> Path:
    """Where a fitted model is kept: keyed by its training data and code (``sources``) and sklearn."""
    digest = hashlib.sha1(sklearn.__version__.encode())
    for source in sources:
        digest.update(source.read_bytes())
    return Path(platformdirs.user_cache_dir("lasna")) / "models" / f"{name}-{digest.hexdigest()[:16]}.pickle"


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


@functools.lru_cache(maxsize=1)
def default_classifier() -> PostTypeClassifier:
    """The post-type model trained on the bundled labelled posts."""
    return _load_or_train(_model_path("post-types", DEFAULT_TRAINING_PATH, Path(classifier.__file__)), train_default)


@functools.lru_cache(maxsize=1)
def default_stance_model() -> stance.ReplyStanceClassifier:
    """The reply-stance model (critical / supportive / neutral) trained on the bundled labelled replies."""
    path = _model_path("reply-stance", stance.DEFAULT_TRAINING_PATH, Path(stance.__file__), Path(classifier.__file__))
    return _load_or_train(path, stance.train_default)


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


def leader_ids(store: Store, names: Sequence[str]) -> list[int]:
    return [store.leader(name).id for name in names]


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


def load_score_inputs(
    store: Store, *, since: datetime | None = None, until: datetime | None = None
) -> ScoreInputs:
    """Every active leader's posts and interactions between ``since`` and ``until`` (default: all),
    with post features computed once and post types classified for new posts only."""
    leaders = store.leaders_frame()
    ids = leaders["leader_id"].tolist()
    posts = store.posts_frame(ids, since=since, until=until)
    interactions = store.interactions_frame(ids, since=since, until=until)
    if len(interactions):
        stances = reply_stance(store, interactions).set_index("interaction_id")["label"]
        interactions = interactions.assign(stance=interactions["interaction_id"].map(stances))
    types = post_types(store, posts) if len(posts) else pd.DataFrame(
        columns=["post_id", "label", "proba", "model_version"])
    return ScoreInputs(leaders=leaders, posts=posts, interactions=interactions, features=post_features(posts),
                       post_types=types)


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
    """One leader's posts in the window with per-post features, post type and its strongest features."""
    until = until or datetime.now(UTC)
    leader_id = store.leader(leader).id
    posts = store.posts_frame([leader_id], since=until - timedelta(days=days), until=until)
    if posts.empty:
        return posts
    features = post_features(posts)
    features = features.drop(columns=[c for c in features.columns if c in posts.columns])
    types = post_types(store, posts).set_index("post_id")
    model = default_classifier()
    out = pd.concat([posts.reset_index(drop=True), features.reset_index(drop=True)], axis=1)
    out["post_type"] = out["post_id"].map(types["label"])
    out["post_type_proba"] = out["post_id"].map(types["proba"])
    out["post_type_because"] = [
        [name for name, _ in model.explain(text, top=3, label=label)] if text else []
        for text, label in zip(out["text"], out["post_type"])
    ]
    return out
