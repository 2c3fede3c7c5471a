"""Descriptive topics per leader and period: NMF (init="nndsvda") on TF-IDF of lemmatised text
pooled per leader × period. Descriptive only — topics never enter a score."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.decomposition import NMF
from sklearn.feature_extraction.text import TfidfVectorizer

from coaching.features import clean_series

# Stopwords are for topics only (never for features).
STOPWORDS = set("""
ja on ei se että oli ovat olla myös kun mutta tai kuin niin jo nyt tämä tämän sen siitä sitä mitä mikä joka
jotka sekä vain vielä kanssa ole olen olemme ovat oli olivat hän me te he minä sinä mä sä tää toi ne nyt sitten
koska jos vaan kaikki kaikkien yksi paljon hyvin tänään eilen huomenna kiitos kiitokset myös tässä siinä
the a an and or but of to in on at for with by from is are was were be been it this that these those we our us
i my me you your they their he she his her as not no so if than then there here today will would can could
just about into over all more also very has have had do does did its it's i'm we're
""".split())


@functools.lru_cache(maxsize=1)
def _lemmatizer():
    try:
        import simplemma

        return simplemma
    except Exception:  # pragma: no cover
        return None


@functools.lru_cache(maxsize=300_000)
def _lemma(token: str, lang: str) -> str:
    sm = _lemmatizer()
    if sm is None or lang not in ("fi", "en", "sv"):
        return token
    try:
        return sm.lemmatize(token, lang=lang)
    except Exception:  # pragma: no cover
        return token


def lemmatise(text: str, lang: str | None) -> str:
    toks = re.findall(r"[^\W\d_]{3,}", text.lower())
    return " ".join(_lemma(t, lang or "fi") for t in toks if t not in STOPWORDS)


@dataclass
class TopicModel:
    topics: pd.DataFrame  # topic, top_words (list of str)
    weights: pd.DataFrame  # leader_id, period, topic, weight (rows normalised to sum 1)


def leader_topics(posts: pd.DataFrame, *, by: str = "week", n_topics: int = 6, top_words: int = 8,
                  lemmatize: bool = True, random_state: int = 0) -> TopicModel:
    """Topics per leader × period (``by`` = "week" | "month" | None for the whole span)."""
    p = posts[~posts["is_repost"].astype(bool)] if "is_repost" in posts else posts
    text = clean_series(p["text"])
    lang = p["lang"].where(p["lang"].isin(["fi", "en", "sv"]), "fi") if "lang" in p else pd.Series("fi", index=p.index)
    docs = [lemmatise(t, l) if lemmatize else t.lower() for t, l in zip(text, lang)]
    t = pd.to_datetime(p["indexed_at"], utc=True).dt.tz_convert(None)
    if by == "week":
        period = t.dt.to_period("W-SUN").dt.start_time
    elif by == "month":
        period = t.dt.to_period("M").dt.start_time
    else:
        period = pd.Series(pd.Timestamp(0), index=p.index)
    pooled = pd.DataFrame({"leader_id": p["leader_id"].to_numpy(), "period": period.to_numpy(), "doc": docs})
    pooled = pooled.groupby(["leader_id", "period"], sort=True)["doc"].agg(" ".join).reset_index()
    pooled = pooled[pooled["doc"].str.strip().str.len() > 0].reset_index(drop=True)
    if len(pooled) == 0:
        return TopicModel(pd.DataFrame(columns=["topic", "top_words"]),
                          pd.DataFrame(columns=["leader_id", "period", "topic", "weight"]))
    vec = TfidfVectorizer(min_df=1, max_df=0.9 if len(pooled) > 5 else 1.0, sublinear_tf=True)
    X = vec.fit_transform(pooled["doc"])
    k = max(1, min(n_topics, X.shape[0], X.shape[1]))
    nmf = NMF(n_components=k, init="nndsvda", random_state=random_state, max_iter=500)
    W = nmf.fit_transform(X)
    names = vec.get_feature_names_out()
    topics = pd.DataFrame({"topic": np.arange(k),
                           "top_words": [list(names[np.argsort(-row)[:top_words]]) for row in nmf.components_]})
    with np.errstate(invalid="ignore", divide="ignore"):
        Wn = W / W.sum(axis=1, keepdims=True)
    Wn = np.nan_to_num(Wn)
    weights = pd.DataFrame({
        "leader_id": np.repeat(pooled["leader_id"].to_numpy(), k),
        "period": np.repeat(pooled["period"].to_numpy(), k),
        "topic": np.tile(np.arange(k), len(pooled)),
        "weight": Wn.ravel(),
    })
    return TopicModel(topics, weights)
