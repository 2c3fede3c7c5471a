"""Stance of an incoming reply towards the leader's post: critical, supportive or neutral.

What the "critical vs supportive answer rate" (Tromble 2018) needs: which incoming replies disagree
with, criticise or challenge the leader, and which agree, thank or praise. There is no offline Finnish
sentiment lexicon (SCORING.md), so this is a supervised model trained on our own labelled replies
(``data/labels/replies.csv``, codebook ``data/labels/CODEBOOK-replies.md``), built like the post-type
classifier: words, word bigrams and word affixes that keep ``?``/``!``, emoji, scare quotes and the
negations (ei, en, not, but, mutta — no stopword removal) → LogisticRegression(class_weight="balanced").

A false "critical" would accuse a leader of avoiding critics, so ``critical`` is predicted only when its
probability reaches ``critical_threshold`` (chosen on out-of-fold predictions for precision ≥ 0.8, see
docs/METRICS.md); otherwise the likelier of supportive and neutral. Texts without a word of three or more
letters once URLs and handles are removed (empty, emoji-only, "ok", "+1") are ``neutral``: they carry
too little text to judge, and the response-rate metric excludes emoji-only replies anyway.

The only I/O is :func:`load_training_set`, which the caller invokes explicitly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from coaching.classifier import (
    LinearTextModel, affix_features, linear_text_pipeline, load_labelled, normalise,
)
from lasna.resources import data_path

LABELS = ("critical", "supportive", "neutral")
DEFAULT_TRAINING_PATH = data_path("labels", "replies.csv")
#: P(critical) needed to call a reply critical; chosen on out-of-fold predictions (docs/METRICS.md).
CRITICAL_THRESHOLD = 0.6
#: Configurations compared by ``python -m coaching.evaluate --stance``; the default is the fastest, and
#: within 0.02 macro-F1 of the best when each is held to critical precision ≥ 0.8 (docs/METRICS.md).
CONFIGS = ("affix", "affix_calibrated", "char25_affix")
DEFAULT_CONFIG = "affix"
DEFAULT_C = 20.0
#: Bumped when features or decision rules change, so cached predictions are redone.
STANCE_SCHEME = "stance1"

_EMOJI = "\U0001F300-\U0001FAFF\u2600-\u27BF\u2B50\u2764"
# handles, words, ?/!, emoji one by one, and quotes (scare quotes: "engagement", "kehittäminen")
_STANCE_TOKEN = re.compile(rf"@user|\w+|[?!\"“”]|[{_EMOJI}]")
_URL_OR_HANDLE = re.compile(r"(?:https?://|www\.)\S+|(?<![\w@])@[\w.\-]+(?:@[\w.\-]+)?", re.IGNORECASE)
_WORD3 = re.compile(r"[^\W\d_]{3,}")


def stance_analyzer(doc: str) -> list[str]:
    """Affix features over tokens that also keep emoji and quotes (🙄, 👏, scare quotes carry stance)."""
    return affix_features(doc, _STANCE_TOKEN)


def build_pipeline(config: str = DEFAULT_CONFIG, C: float = DEFAULT_C) -> Pipeline:
    """``affix``: stance features → LogisticRegression; ``affix_calibrated``: the same with sigmoid
    calibration (CalibratedClassifierCV, 3 folds); ``char25_affix``: plus char_wb 2–5-grams (slower)."""
    lr = LogisticRegression(class_weight="balanced", C=C, max_iter=3000)
    if config == "affix":
        return linear_text_pipeline(stance_analyzer, C, lr)
    if config == "affix_calibrated":
        return linear_text_pipeline(stance_analyzer, C, CalibratedClassifierCV(lr, method="sigmoid", cv=3))
    if config == "char25_affix":
        return Pipeline([
            ("features", FeatureUnion([
                ("char", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True,
                                         preprocessor=normalise, dtype=np.float32)),
                ("affix", TfidfVectorizer(analyzer=stance_analyzer, sublinear_tf=True, dtype=np.float32)),
            ])),
            ("clf", lr),
        ])
    raise ValueError(f"unknown stance config {config!r}; known: {', '.join(CONFIGS)}")


def too_short(texts: pd.Series) -> np.ndarray:
    """True where a text has no word of ≥ 3 letters once URLs and @handles are removed."""
    s = texts.fillna("").astype(str).str.replace(_URL_OR_HANDLE, " ", regex=True)
    return ~s.str.contains(_WORD3).to_numpy(dtype=bool)


def load_training_set(path: str | Path | None = None) -> pd.DataFrame:
    """Read the labelled replies (columns text, lang, label, author)."""
    return load_labelled(path or DEFAULT_TRAINING_PATH, LABELS)


@dataclass
class ReplyStanceClassifier(LinearTextModel):
    """``fit(df)`` on labelled replies; ``predict(texts)`` → critical / supportive / neutral."""

    config: str = DEFAULT_CONFIG
    C: float = DEFAULT_C
    critical_threshold: float = CRITICAL_THRESHOLD
    pipeline: Pipeline | None = None
    model_version: str = ""
    _names: np.ndarray | None = field(default=None, repr=False)

    def fit(self, training: pd.DataFrame) -> "ReplyStanceClassifier":
        version = f"{STANCE_SCHEME}-{self.config}-C{self.C:g}-t{self.critical_threshold:g}"
        return self._fit(build_pipeline(self.config, self.C), training, version)

    def _linear(self):
        """A calibrated model explains by the mean coefficients of its calibrated folds."""
        clf = self.pipeline.named_steps["clf"]
        if isinstance(clf, CalibratedClassifierCV):
            coef = np.mean([c.estimator.coef_ for c in clf.calibrated_classifiers_], axis=0)
            return clf.classes_, coef
        return clf.classes_, clf.coef_

    def decide(self, proba: np.ndarray) -> np.ndarray:
        """Labels from probabilities: critical only at ≥ ``critical_threshold``, else the likelier other."""
        classes = self.classes_
        k = list(classes).index("critical")
        others = proba.copy()
        others[:, k] = -1.0
        label = classes[others.argmax(axis=1)]
        label[proba[:, k] >= self.critical_threshold] = "critical"
        return label

    def predict(self, texts, n_jobs: int = 1) -> np.ndarray:
        """Stance per text; texts too short to judge (see :func:`too_short`) are ``neutral``."""
        return self.classify(texts, n_jobs)[0]

    def classify(self, texts, n_jobs: int = 1) -> tuple[np.ndarray, np.ndarray]:
        """Stance and P(critical) per text; texts too short to judge are ``neutral`` with P(critical) 0."""
        texts = pd.Series(list(texts), dtype=object)
        label = np.full(len(texts), "neutral", dtype=object)
        p_critical = np.zeros(len(texts))
        judge = ~too_short(texts)
        if judge.any():
            proba = self.predict_proba(texts[judge].tolist(), n_jobs)
            label[judge] = self.decide(proba)
            p_critical[judge] = proba[:, list(self.classes_).index("critical")]
        return label, p_critical


def classify_interactions(interactions: pd.DataFrame, model: ReplyStanceClassifier, n_jobs: int = 1) -> pd.DataFrame:
    """``stance`` and ``p_critical`` for each row of ``interactions`` (column ``text``), on its index.

    Each distinct text is classified once (replies repeat: "Kiitos!", "+1", copied slogans).
    """
    if not len(interactions):
        return pd.DataFrame({"stance": pd.Series([], dtype=object), "p_critical": pd.Series([], dtype=float)},
                            index=interactions.index)
    codes, uniques = pd.factorize(interactions["text"].fillna("").astype(str))
    labels, p_critical = model.classify(uniques, n_jobs=n_jobs)
    return pd.DataFrame({"stance": labels[codes], "p_critical": p_critical[codes]}, index=interactions.index)


def stance_of(interactions: pd.DataFrame, model: ReplyStanceClassifier, n_jobs: int = 1) -> pd.Series:
    """Stance of each row of ``interactions`` (column ``text``), aligned to its index."""
    return classify_interactions(interactions, model, n_jobs)["stance"].astype(object).rename("stance")


def train_default(path: str | Path | None = None) -> ReplyStanceClassifier:
    """Fit the default stance model on the bundled (or given) labelled replies."""
    return ReplyStanceClassifier().fit(load_training_set(path))
