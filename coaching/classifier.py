"""Post types: dialogue, question, personal, results, crediting, broadcast.

Two deciders with the same interface (``classify``, ``predict``, ``explain``, ``model_version``):

- :class:`RulePostTyper` (the default, :func:`train_default`): the codebook's priority order over the
  detector flags of :mod:`coaching.features` (dialogue → crediting → question → results → personal →
  broadcast). Chosen in round 4 because it beat the text classifier on the post-type dev set (macro-F1
  0.95 vs 0.72 per language; docs/METRICS.md) and classifiers given the flags as features did no better.
- :class:`PostTypeClassifier`: TF-IDF character n-grams (``char_wb``) + word n-grams that keep ``?`` and
  ``!`` → LogisticRegression(class_weight="balanced"), trained on ``data/labels/posts.csv``; kept for
  comparison (``python -m coaching.evaluate``) and as the base of the reply-stance model.

Predictions are cached per post id and model version; :func:`classify_new` classifies only posts not in
the cache. scikit-learn is imported only by the functions that build text models, so the rules load
without it. The only I/O is :func:`load_training_set`, which the caller invokes explicitly.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from lasna.resources import data_path

if TYPE_CHECKING:
    from sklearn.pipeline import Pipeline

LABELS = ("dialogue", "question", "personal", "results", "crediting", "broadcast")
DEFAULT_TRAINING_PATH = data_path("labels", "posts.csv")

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_HANDLE = re.compile(r"(?<![\w@])@[\w.\-]+(?:@[\w.\-]+)?")
_NUM = re.compile(r"\d+(?:[.,]\d+)*")

#: Model configurations compared by ``python -m coaching.evaluate``.
CONFIGS: dict[str, dict] = {
    "char25_word12": {"char": (2, 5), "word": (1, 2)},
    "char33_word12": {"char": (3, 3), "word": (1, 2)},
    "word12": {"char": None, "word": (1, 2)},
    "word12_affix": {"affix": True},
}
DEFAULT_CONFIG = "word12_affix"  # ≥ 20k posts/s and within 0.02 macro-F1 of the best (docs/METRICS.md)


def load_labelled(path: str | Path, labels: tuple[str, ...]) -> pd.DataFrame:
    """Read a labelled set (columns text, lang, label, author) and check its labels against ``labels``."""
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = {"text", "lang", "label", "author"} - set(df.columns)
    if missing:
        raise ValueError(f"training set lacks columns {sorted(missing)}")
    bad = set(df["label"]) - set(labels)
    if bad:
        raise ValueError(f"unknown labels {sorted(bad)}")
    return df


def load_training_set(path: str | Path | None = None) -> pd.DataFrame:
    """Read the labelled posts (columns text, lang, label, author)."""
    return load_labelled(path or DEFAULT_TRAINING_PATH, LABELS)


def normalise(text: str) -> str:
    """Lower-case; URLs → ``xurl``, handles → ``@user``, numbers → ``0``; punctuation and emoji kept."""
    s = _URL.sub(" xurl ", text or "")
    s = _HANDLE.sub(" @user ", s)
    s = _NUM.sub("0", s)
    return s.lower()


_TOKEN = re.compile(r"@user|\w+|[?!]")


def affix_features(doc: str, token: re.Pattern = _TOKEN) -> list[str]:
    """Tokens of ``token``, token bigrams and word affixes (first 4 / last 3 letters) in one pass."""
    toks = token.findall(normalise(doc))
    feats = list(toks)
    feats += [f"{a} {b}" for a, b in zip(toks, toks[1:])]
    for t in toks:
        if len(t) > 4:
            feats.append(t[:4] + "~")
            feats.append("~" + t[-3:])
    return feats


def affix_analyzer(doc: str) -> list[str]:
    """Words, word bigrams and word affixes (first 4 / last 3 letters) in one pass.

    A cheap stand-in for character n-grams: Finnish endings (-ko/-kö, -ni, -mme, -sin) and stems show up
    as affixes without generating every n-gram of the text.
    """
    return affix_features(doc)


def linear_text_pipeline(analyzer, C: float, clf=None) -> Pipeline:
    """One TF-IDF over ``analyzer`` (a picklable module-level function) → balanced LogisticRegression."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, Pipeline

    return Pipeline([
        ("features", FeatureUnion([("affix", TfidfVectorizer(analyzer=analyzer, sublinear_tf=True,
                                                             dtype=np.float32))])),
        ("clf", clf if clf is not None else LogisticRegression(class_weight="balanced", C=C, max_iter=3000)),
    ])


def build_pipeline(config: str = DEFAULT_CONFIG, C: float = 5.0) -> Pipeline:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, Pipeline

    spec = CONFIGS[config]
    if spec.get("affix"):
        return linear_text_pipeline(affix_analyzer, C)
    parts = []
    if spec["char"]:
        parts.append(("char", TfidfVectorizer(analyzer="char_wb", ngram_range=spec["char"], min_df=2,
                                              sublinear_tf=True, preprocessor=normalise, dtype=np.float32)))
    parts.append(("word", TfidfVectorizer(analyzer="word", ngram_range=spec["word"], min_df=1, sublinear_tf=True,
                                          preprocessor=normalise, token_pattern=r"(?u)@user|\b\w+\b|[?!]",
                                          dtype=np.float32)))
    return Pipeline([
        ("features", FeatureUnion(parts)),
        ("clf", LogisticRegression(class_weight="balanced", C=C, max_iter=3000)),
    ])


def training_digest(training: pd.DataFrame) -> str:
    """Short hash of the (label, text) pairs a model was fitted on: part of its ``model_version``."""
    digest = hashlib.sha1()
    for t, lab in zip(training["text"], training["label"]):
        digest.update(f"{lab}\t{t}\n".encode())
    return digest.hexdigest()[:10]


class LinearTextModel:
    """Shared machinery of the text classifiers: a fitted ``pipeline`` (TF-IDF features → linear
    ``clf``), probabilities, and explanations by coefficient × feature value.

    Subclasses are dataclasses with the fields ``pipeline``, ``model_version`` and ``_names``.
    """

    def _fit(self, pipeline: Pipeline, training: pd.DataFrame, version_prefix: str):
        """Fit ``pipeline`` on ``training`` (text, label); ``model_version`` = prefix + training digest."""
        pipeline.fit(training["text"].tolist(), training["label"].tolist())
        self.pipeline = pipeline
        self.model_version = f"{version_prefix}-{training_digest(training)}"
        self._names = pipeline.named_steps["features"].get_feature_names_out()
        return self

    @property
    def classes_(self) -> np.ndarray:
        return self.pipeline.named_steps["clf"].classes_

    def predict_proba(self, texts, n_jobs: int = 1) -> np.ndarray:
        texts = list(texts)
        if n_jobs > 1 and len(texts) >= 10_000:
            from joblib import Parallel, delayed

            chunks = np.array_split(np.arange(len(texts)), n_jobs)
            parts = Parallel(n_jobs=n_jobs, backend="loky")(
                delayed(self.pipeline.predict_proba)([texts[i] for i in c]) for c in chunks
            )
            return np.vstack(parts)
        return self.pipeline.predict_proba(texts)

    def predict(self, texts, n_jobs: int = 1) -> np.ndarray:
        return self.classes_[self.predict_proba(texts, n_jobs).argmax(axis=1)]

    def _linear(self):
        """(classes, coefficient matrix) of the linear model behind the predictions."""
        clf = self.pipeline.named_steps["clf"]
        return clf.classes_, clf.coef_

    def explain(self, text: str, top: int = 5, label: str | None = None) -> list[tuple[str, float]]:
        """Strongest features for ``label`` (default: the predicted one): coefficient × feature value."""
        feats = self.pipeline.named_steps["features"].transform([text])
        classes, coef = self._linear()
        if label is None:
            label = self.predict([text])[0]
        k = list(classes).index(label)
        row = feats.tocsr()
        contrib = row.data * coef[k, row.indices]
        order = np.argsort(-contrib)[:top]
        return [(str(self._names[row.indices[i]]), float(contrib[i])) for i in order if contrib[i] > 0]


@dataclass
class PostTypeClassifier(LinearTextModel):
    config: str = DEFAULT_CONFIG
    C: float = 5.0
    pipeline: Pipeline | None = None
    model_version: str = ""
    _names: np.ndarray | None = field(default=None, repr=False)

    def fit(self, training: pd.DataFrame) -> "PostTypeClassifier":
        return self._fit(build_pipeline(self.config, self.C), training, f"{self.config}-C{self.C:g}")

    def classify(self, posts: pd.DataFrame, n_jobs: int = 1) -> pd.DataFrame:
        """Frame post_id, label, proba, model_version for ``posts`` (post_id, text)."""
        texts = posts["text"].fillna("").astype(str).tolist()
        if not texts:
            return pd.DataFrame({"post_id": [], "label": [], "proba": [], "model_version": []})
        p = self.predict_proba(texts, n_jobs)
        best = p.argmax(axis=1)
        return pd.DataFrame({"post_id": posts["post_id"].to_numpy(), "label": self.classes_[best],
                             "proba": p[np.arange(len(best)), best], "model_version": self.model_version})


def train_text_classifier(path: str | Path | None = None, config: str = DEFAULT_CONFIG) -> PostTypeClassifier:
    """Fit the text classifier on the bundled (or given) training set."""
    return PostTypeClassifier(config=config).fit(load_training_set(path))


#: Bump when :class:`RulePostTyper`'s decision changes; its ``model_version`` also carries FEATURES_VERSION.
RULES_VERSION = "1"
#: Why a post got its type: the detector flag (or reply metadata) behind each rule, in priority order.
RULE_REASONS = {"dialogue": "reply to someone else / opens with @handle", "crediting": "crediting",
                "question": "audience question", "results": "results marker", "personal": "first person singular",
                "broadcast": "no dialogue, crediting, question, results or first-person signal"}


class RulePostTyper:
    """The default post-type decision: :func:`coaching.features.rule_post_type` (the codebook's priority order
    over the detector flags and reply metadata) behind the classifier interface. ``proba`` is 1.0: a rule
    decision, not a probability."""

    classes_ = np.array(LABELS, dtype=object)

    @property
    def model_version(self) -> str:
        from coaching.features import FEATURES_VERSION

        return f"rules{RULES_VERSION}-features{FEATURES_VERSION}"

    def _decide(self, posts: pd.DataFrame) -> tuple[np.ndarray, pd.DataFrame]:
        from coaching.features import post_features, rule_post_type

        feats = post_features(posts.reset_index(drop=True))
        return rule_post_type(feats, posts["text"].tolist()), feats

    @staticmethod
    def _posts(texts) -> pd.DataFrame:
        texts = ["" if not isinstance(t, str) else t for t in texts]
        return pd.DataFrame({"post_id": [f"t{i}" for i in range(len(texts))], "text": texts})

    def classify(self, posts: pd.DataFrame, n_jobs: int = 1) -> pd.DataFrame:
        """Frame post_id, label, proba (1.0), model_version for ``posts`` (post_id, text and, when present,
        author_id, lang, mentions, reply_parent_id, reply_parent_author_id, is_repost)."""
        if posts.empty:
            return pd.DataFrame({"post_id": [], "label": [], "proba": [], "model_version": []})
        frame = posts.assign(text=posts["text"].fillna("").astype(str))
        labels, _ = self._decide(frame)
        return pd.DataFrame({"post_id": frame["post_id"].to_numpy(), "label": labels, "proba": 1.0,
                             "model_version": self.model_version})

    def predict(self, texts, n_jobs: int = 1) -> np.ndarray:
        """Post types of bare texts (no reply metadata: a reply is recognised by its leading @handle)."""
        texts = list(texts)
        return self._decide(self._posts(texts))[0] if texts else np.array([], dtype=object)

    def explain(self, text: str, top: int = 5, label: str | None = None) -> list[tuple[str, float]]:
        """The rule behind ``label`` (default: the decided type) first, then the other flags that fired."""
        labels, feats = self._decide(self._posts([text]))
        label = label or labels[0]
        row = feats.iloc[0]
        fired = {"dialogue": bool(row["reply_to_other"]) or text.lstrip().startswith("@"),
                 "crediting": bool(row["crediting"]), "question": bool(row["question"]),
                 "results": bool(row["results_marker"]), "personal": bool(row["first_person_singular"])}
        order = [label] + [k for k in fired if k != label]
        out = [(RULE_REASONS[k], 1.0) for k in order if fired.get(k) or (k == label == "broadcast")]
        return out[:top]


def train_default(path: str | Path | None = None, config: str = DEFAULT_CONFIG) -> RulePostTyper:
    """The post-type decision used in scoring: the rules (nothing to fit; ``path`` and ``config`` are accepted
    for the text classifier's signature). :func:`train_text_classifier` fits the text classifier."""
    return RulePostTyper()


def classify_new(posts: pd.DataFrame, cache: pd.DataFrame | None, model: PostTypeClassifier | RulePostTyper,
                 n_jobs: int = 1) -> pd.DataFrame:
    """Classify only posts missing from ``cache`` (or cached under another model version).

    Returns the rows to add to the cache (post_id, label, proba, model_version); the caller stores them.
    """
    if cache is not None and len(cache):
        done = cache.loc[cache["model_version"] == model.model_version, "post_id"]
        todo = posts[~posts["post_id"].isin(set(done))]
    else:
        todo = posts
    return model.classify(todo.drop_duplicates("post_id"), n_jobs=n_jobs)
