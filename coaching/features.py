"""Per-post text and structure features.

Pure functions: a posts frame (``lasna.frames.POST_COLUMNS``) in, a features frame out,
row-aligned with the input. Finnish morphology uses libvoikko when it is installed;
without it, heuristics take over and :func:`degraded_features` says which flags are
then less reliable.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Iterable

import numpy as np
import pandas as pd

LANGS = ("fi", "en", "sv")
SHORT_WORDS = 3  # posts with fewer words than this take the account's majority language

# --- cleaning ---------------------------------------------------------------------------------------
URL_RE = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
# @user@host (Mastodon) or @handle.bsky.social / @name; keep e-mail-like "a@b" alone.
HANDLE_RE = re.compile(r"(?<![\w@])@[\w.\-]+(?:@[\w.\-]+)?", re.UNICODE)
EMOJI_RE = re.compile(
    "["
    "\U0001f000-\U0001faff"  # pictographs, emoticons, transport, symbols & pictographs ext.
    "\U0001f1e6-\U0001f1ff"  # flags
    "\u2600-\u27bf"  # misc symbols, dingbats
    "\u2b00-\u2bff"  # arrows, stars
    "\ufe0f\u200d\u20e3"  # variation selector, ZWJ, keycap
    "\U000e0020-\U000e007f"  # tag characters
    "]+"
)
WORD_RE = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*", re.UNICODE)
HASH_RE = re.compile(r"#(\w)")


def clean_text(text: object) -> str:
    """Remove URLs, @handles (also ``@user@host``) and emoji; keep hashtag words."""
    if not isinstance(text, str):
        return ""
    s = URL_RE.sub(" ", text)
    s = HANDLE_RE.sub(" ", s)
    s = EMOJI_RE.sub(" ", s)
    s = HASH_RE.sub(r"\1", s)
    return re.sub(r"\s+", " ", s).strip()


def clean_series(texts: pd.Series) -> pd.Series:
    s = texts.fillna("").astype(str)
    s = s.str.replace(URL_RE, " ", regex=True)
    s = s.str.replace(HANDLE_RE, " ", regex=True)
    s = s.str.replace(EMOJI_RE, " ", regex=True)
    s = s.str.replace(HASH_RE, r"\1", regex=True)
    return s.str.replace(r"\s+", " ", regex=True).str.strip()


# --- optional back-ends ---------------------------------------------------------------------------------
#: The language-id model and the Voikko handle are process-wide singletons and not thread-safe
#: (libvoikko is a C library; the dashboard computes features in background threads): one at a time.
_BACKENDS = threading.RLock()


@functools.lru_cache(maxsize=1)
def _langid():
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    ident = LanguageIdentifier.from_modelpath(MODEL_DIR / MODEL_FILE, norm_probs=True)
    ident.set_languages(list(LANGS))
    return ident


#: Which Finnish morphology back-end to use: ``auto`` (libvoikko when its shared library and Finnish
#: dictionary load, else pyvoikko), ``pyvoikko``, ``libvoikko`` or ``none`` (heuristics only, for tests).
MORPHOLOGY_ENV = "LASNA_MORPHOLOGY"


class _PyVoikko:
    """pyvoikko (PyPI): the voikko-fi transducer run by kfst (kfst-rs when installed). Same analyses as
    libvoikko on the labelled Finnish vocabulary (3,030 word forms; docs/METRICS.md), about 10x slower
    per uncached word, so results are cached per word form."""

    name = "pyvoikko"

    def __init__(self):
        import pyvoikko  # noqa: F401  (loads the 1 MB transducer)

        self._analyse = pyvoikko.analyse

    def analyze(self, token: str) -> list[tuple]:
        return [(a.CLASS, a.PERSON, a.NUMBER, a.POSSESSIVE, a.FOCUS == "ko" or "[Fko]" in (a.FSTOUTPUT or ""),
                 a.MOOD) for a in self._analyse(token)]


class _LibVoikko:
    """libvoikko (Debian ``libvoikko1 voikko-fi`` + the ``libvoikko`` binding): optional speed-up."""

    name = "libvoikko"

    def __init__(self):
        import libvoikko  # type: ignore

        # listDicts() loads the shared library without creating a Voikko object, so a missing
        # library raises here and never leaves a half-built object whose __del__ would print
        # "Exception ignored in Voikko.__del__" at exit.
        if not any(d.language == "fi" for d in libvoikko.Voikko.listDicts()):
            raise LookupError("no Finnish dictionary for libvoikko")
        self._v = libvoikko.Voikko("fi")
        import atexit

        atexit.register(self._v.terminate)

    def analyze(self, token: str) -> list[tuple]:
        return [(a.get("CLASS"), a.get("PERSON"), a.get("NUMBER"), a.get("POSSESSIVE"),
                 a.get("KYSYMYSLIITE") == "true", a.get("MOOD")) for a in self._v.analyze(token)]


@functools.lru_cache(maxsize=1)
def _voikko():
    """The Finnish morphology back-end in use, or None (heuristics)."""
    import os

    choice = os.environ.get(MORPHOLOGY_ENV, "auto").strip().lower() or "auto"
    order = {"auto": (_LibVoikko, _PyVoikko), "libvoikko": (_LibVoikko,), "pyvoikko": (_PyVoikko,),
             "none": ()}.get(choice, (_LibVoikko, _PyVoikko))
    for backend in order:
        try:
            return backend()
        except Exception:  # library, dictionary or package missing: try the next one
            continue
    return None


def morphology_backend() -> str | None:
    """``"libvoikko"``, ``"pyvoikko"`` or None when Finnish runs on heuristics."""
    v = _voikko()
    return v.name if v is not None else None


def has_voikko() -> bool:
    return _voikko() is not None


def degraded_features() -> dict[str, str]:
    """Features that run on fallback heuristics in this environment, with the reason.

    Empty dict = everything runs at full strength (pyvoikko from PyPI is enough).
    """
    out: dict[str, str] = {}
    if not has_voikko():
        reason = "Finnish morphology (pyvoikko, or libvoikko) not available: Finnish heuristics in use"
        out["first_person_singular_fi"] = reason + " (verb endings, possessive -ni, mä/mun)"
        out["first_person_plural_fi"] = reason + " (-mme endings, me/meidän)"
        out["question_fi"] = reason + " (clause-initial verb -ko/-kö, interrogatives, '?')"
    import importlib.util

    if importlib.util.find_spec("py3langid") is None:  # pragma: no cover - a hard dependency
        out["language"] = "py3langid not available: Bluesky lang or account majority used"
    return out


# --- Finnish morphology ---------------------------------------------------------------------------------
FI_1SG_WORDS = {"minä", "mä", "mie", "mun", "minun", "minua", "mua", "minulle", "mulle", "minulla", "mulla",
                "minusta", "musta", "minuun", "muhun", "minut", "minulta", "multa", "oon", "en"}  # not "mut" (= but)
FI_1PL_WORDS = {"me", "meidän", "meitä", "meille", "meillä", "meistä", "meihin", "meiltä", "meidät", "emme"}
FI_INTERROGATIVES = {"miksi", "miten", "mitä", "mikä", "mitkä", "kuka", "ketkä", "keitä", "kenen", "kenelle",
                     "missä", "mistä", "mihin", "milloin", "kuinka", "millainen", "millaisia", "millaista",
                     "montako", "kumpi", "paljonko", "minkä", "miltä", "mille", "millä", "kenet"}
# Heuristic 1sg verb endings (no voikko): past -in/-sin, present -n after a vowel of a verb stem.
FI_COMMON_1SG = set(
    "olen oon en voin haluan kiitän toivon uskon tiedän näen koen ajattelen mietin luin kävin tapasin olin sain "
    "pääsin opin iloitsen odotan kirjoitin kirjoitan puhuin puhun osallistuin osallistun vierailin tein teen menen "
    "lähden lähdin tulen tulin jäin pidän pidin muistan ymmärrän lupaan kerron kerroin kysyn kysyin vastaan vastasin "
    "kuuntelen ihailen arvostan suosittelen huomasin kuulin näin sanoin sanon yritän haluaisin voisin olisin "
    "toivoisin tunnen tunsin istun istuin aloitin aloitan jatkan jatkoin seuraan luen katson katsoin käyn "
    "ilahduin innostuin hämmästyin myönnän pahoittelen pyydän".split()
)
_FI_NOT_POSSESSIVE = {"pieni", "sieni", "kuni", "vaikeni", "ruskeni", "hiljeni", "kallioni"}


_NAME_CLASSES = ("etunimi", "sukunimi", "paikannimi", "nimi")
_VERB_CLASSES = ("teonsana", "kieltosana")
#: Word forms that can carry a 1sg/1pl/possessive ending or the -ko/-kö clitic (optionally followed by
#: -kin/-kaan/-han/-pa/-s). Only these are sent to the analyser; the rest cannot set any flag.
_FI_MORPH_CANDIDATE = re.compile(r"(?:n|ni|mme|k[oö])(?:kin|kaan|kään|han|hän|pa|pä|s|ka|kä)?$")
# Heuristic clitic (no morphology): verb-like stems before -ko/-kö; "kko"/"kkö" endings are nouns
# (taulukko) and never the clitic.
_FI_HEUR_Q = re.compile(r"(?:[aeiouyäö][aeiouyäö]|[aeiouyäö]n|t|isi|[^k][aeiouyäö])k[oö](?:han|hän|s)?$")


@functools.lru_cache(maxsize=200_000)
def _fi_token_flags(token: str, initial: bool) -> tuple[bool, bool, bool]:
    """(first-person singular, first-person plural, question clitic) for one Finnish token.

    The clitic counts on a verb anywhere ("...,  onko tämä oikein") and on any word that opens a
    clause ("Tänäänkö?"); a noun whose stem ends in -ko/-kö ("taulukko") has no clitic.
    """
    low = token.lower()
    if low in FI_1SG_WORDS:
        return True, False, False
    if low in FI_1PL_WORDS:
        return False, True, False
    if token[:1].isupper() and not initial:  # a proper name mid-sentence
        return False, False, False
    if not _FI_MORPH_CANDIDATE.search(low):
        return False, False, False
    v = _voikko()
    if v is not None:
        analyses = v.analyze(token) or (v.analyze(low) if low != token else [])
        sg = pl = q = False
        for cls, person, number, poss, ko, _mood in analyses:
            if cls in _NAME_CLASSES:
                continue
            verb = cls in _VERB_CLASSES
            if poss == "1s" or (person == "1" and number == "singular" and verb):
                sg = True
            if poss == "1p" or (person == "1" and number == "plural" and verb):
                pl = True
            if ko and (verb or initial):
                q = True
        return sg, pl, q
    # Fallback heuristics (no morphology): possessive -ni, frequent 1sg verb forms, -isin/-sin past/conditional.
    sg = pl = q = False
    if len(low) >= 5 and low.endswith(("ni", "äni", "ani")) and low not in _FI_NOT_POSSESSIVE:
        sg = True  # possessive -ni (tiimini, mielestäni)
    elif low in FI_COMMON_1SG or (len(low) >= 6 and low.endswith(("isin", "asin", "äsin", "oin", "öin", "uin", "yin"))):
        sg = True
    if len(low) >= 5 and low.endswith("mme"):
        pl = True
    if initial and len(low) >= 4 and _FI_HEUR_Q.search(low) and not low.endswith(("kko", "kkö")):
        q = True
    return sg, pl, q


SENT_SPLIT_RE = re.compile(r"[.!?;:\n]+")


def _fi_flags(text: str) -> tuple[bool, bool, bool]:
    sg = pl = q = False
    for sent in SENT_SPLIT_RE.split(text):
        words = WORD_RE.findall(sent)
        for i, w in enumerate(words):
            a, b, c = _fi_token_flags(w, i == 0)
            sg |= a
            pl |= b
            if i == 0 and w.lower() in FI_INTERROGATIVES:
                c = True
            q |= c
    return sg, pl, q


# --- English ---------------------------------------------------------------------------------------------
EN_1SG_RE = re.compile(r"\b(?:I|I'm|I've|I'll|I'd|I’m|I’ve|I’ll|I’d|(?i:me|my|mine|myself))\b")
EN_1PL_RE = re.compile(r"\b(?:we|we're|we've|we'll|we’re|we’ve|we’ll|us|our|ours|ourselves)\b", re.IGNORECASE)
EN_Q_RE = re.compile(
    r"(?:^|[.!\n]\s*)(?:(?:what|why|how|who|where|when|which)\b"
    r"|(?:do|does|did|would|could|should|can|will|is|are|have|has|shall)\s+"
    r"(?:you|we|they|anyone|anybody|people|i|it|this|there|any|your|others)\b)",
    re.IGNORECASE,
)

# --- crediting, results --------------------------------------------------------------------------------
CREDIT_RE = re.compile(
    r"\b(?:kiito\w*|kiit[äa]\w*|hienoa työtä|mahtavaa työtä|hyvää työtä|upeaa työtä|onnittelu\w*|onnea\b|"
    r"hatunnosto\w*|iso käsi|isot kiitokset|tack\w*|"
    r"thanks?\b|thank you|thankful|kudos|congrats|congratulations|shout-?out|hats off|great work|"
    r"well done|grateful|credit to|props to|big up|brilliant work|fantastic work)",
    re.IGNORECASE,
)
RESULTS_RE = re.compile(
    r"(?:\d+(?:[.,]\d+)?\s?(?:%|€|M€|milj|prosent|percent)|\btulos\b|\btuloks\w*|\braportti\w*|\bjulkaisi\w*|"
    r"\bvalmistu\w*|\bsaavutti\w*|\bresults?\b|\breport\b|\bpublished\b|\blaunched\b|\bdelivered\b|"
    r"\bachieved\b|\bcompleted\b|\bdown \d|\bup \d|\bvähen\w*|\blisä\w*\s+\d)",
    re.IGNORECASE,
)


# --- language --------------------------------------------------------------------------------------------
def detect_language(
    cleaned: pd.Series,
    *,
    declared: pd.Series | None = None,
    account: pd.Series | None = None,
    n_words: pd.Series | None = None,
) -> pd.Series:
    """Language per text among fi/en/sv.

    ``declared`` (e.g. Bluesky ``langs``) is a prior only: it wins when the identifier gives it
    at least 0.25 probability. Texts under :data:`SHORT_WORDS` words take the majority language of
    their ``account``'s longer texts (then the declared language, then ``None``).
    """
    ident = _langid()
    texts = cleaned.fillna("").astype(str)
    if n_words is None:
        n_words = texts.map(lambda t: len(WORD_RE.findall(t)))
    decl = declared.where(declared.isin(LANGS)) if declared is not None else pd.Series(None, index=texts.index)
    out = pd.Series(None, index=texts.index, dtype=object)
    long_mask = (n_words >= SHORT_WORDS).to_numpy()
    cache: dict[tuple[str, object], str] = {}
    idx = texts.index[long_mask]
    vals = []
    for t, d in zip(texts[long_mask].tolist(), decl[long_mask].tolist()):
        d = d if isinstance(d, str) else None  # NaN != NaN would defeat the cache
        key = (t, d)
        hit = cache.get(key)
        if hit is None:
            ranked = dict(ident.rank(t))
            top = max(ranked, key=ranked.get)
            hit = d if isinstance(d, str) and ranked.get(d, 0.0) >= 0.25 else top
            cache[key] = hit
        vals.append(hit)
    out.loc[idx] = vals
    short = ~long_mask
    if short.any():
        fill = pd.Series(None, index=texts.index, dtype=object)
        if account is not None:
            known = pd.DataFrame({"acc": account, "lang": out}).dropna()
            if len(known):
                majority = known.groupby("acc")["lang"].agg(lambda s: s.value_counts().idxmax())
                fill = account.map(majority)
        fill = fill.where(fill.notna(), decl)
        out[short] = fill[short]
    return out


# --- the feature frame -----------------------------------------------------------------------------------
FEATURE_COLUMNS: dict[str, str] = {
    "post_id": "the post",
    "lang_detected": "fi | en | sv | None",
    "n_words": "words after removing URLs, handles and emoji",
    "emoji_only": "nothing but emoji/handles/links/punctuation",
    "low_substance": "emoji-only or fewer than 3 words",
    "first_person_singular": "I/me/my; Finnish verb 1sg, possessive -ni, mä/mun",
    "first_person_plural": "we/us/our; Finnish verb 1pl, possessive -mme, me/meidän",
    "question": "audience-directed question ('?', interrogative, -ko/-kö, wh-/aux inversion)",
    "crediting": "mentions another account and carries a thanks/credit marker",
    "has_link": "links a source (links column or URL in text)",
    "results_marker": "lexical sign of shared outcomes (numbers with %/€, results, report, tulos, ...)",
    "is_repost": "repost/boost",
    "is_reply": "has a reply parent",
    "reply_to_other": "reply whose parent author is someone else (dialogue)",
    "self_thread": "reply to the leader's own post (thread continuation)",
    "is_root": "own post that is neither a reply nor a repost",
}


def _flags_for(text: str, lang: object) -> tuple[bool, bool, bool]:
    if lang == "fi":
        return _fi_flags(text)
    if lang == "sv":
        sg = bool(re.search(r"\b(?:jag|mig|min|mitt|mina)\b", text, re.IGNORECASE))
        pl = bool(re.search(r"\b(?:vi|oss|vår|vårt|våra)\b", text, re.IGNORECASE))
        return sg, pl, "?" in text
    sg = bool(EN_1SG_RE.search(text)) or bool(re.search(r"\bi\b", text))
    pl = bool(EN_1PL_RE.search(text))
    q = "?" in text or bool(EN_Q_RE.search(text))
    return sg, pl, q


def post_features(posts: pd.DataFrame) -> pd.DataFrame:
    """Feature frame (:data:`FEATURE_COLUMNS`) row-aligned with ``posts``. Thread-safe: calls
    are serialised around the shared language back-ends."""
    with _BACKENDS:
        return _post_features(posts)


def _post_features(posts: pd.DataFrame) -> pd.DataFrame:
    orig_index = posts.index
    posts = posts.reset_index(drop=True)
    n = len(posts)
    raw = posts["text"].fillna("").astype(str) if "text" in posts else pd.Series([""] * n, index=posts.index)
    cleaned = clean_series(raw)
    n_words = cleaned.str.count(WORD_RE.pattern)
    author = posts["author_id"] if "author_id" in posts else None
    lang = detect_language(cleaned, declared=posts.get("lang"), account=author, n_words=n_words)
    flags = [_flags_for(t, lg) if t else (False, False, False) for t, lg in zip(cleaned.tolist(), lang.tolist())]
    fl = np.array(flags, dtype=bool).reshape(n, 3)
    fi_q = (lang == "fi").to_numpy() & cleaned.str.contains("?", regex=False).to_numpy()
    mentions = posts["mentions"] if "mentions" in posts else pd.Series([[]] * n, index=posts.index)
    has_mention = mentions.map(lambda v: len(v) > 0 if isinstance(v, (list, tuple)) else False).to_numpy() | \
        raw.str.contains(HANDLE_RE).to_numpy()
    links = posts["links"] if "links" in posts else pd.Series([[]] * n, index=posts.index)
    has_link = links.map(lambda v: len(v) > 0 if isinstance(v, (list, tuple)) else False).to_numpy() | \
        raw.str.contains(URL_RE).to_numpy()
    is_repost = posts["is_repost"].fillna(False).astype(bool).to_numpy() if "is_repost" in posts else np.zeros(n, bool)
    parent = posts["reply_parent_id"] if "reply_parent_id" in posts else pd.Series([None] * n, index=posts.index)
    is_reply = parent.notna().to_numpy() & ~is_repost
    pauth = posts.get("reply_parent_author_id", pd.Series([None] * n, index=posts.index))
    own = posts.get("author_id", pd.Series([None] * n, index=posts.index))
    reply_to_other = is_reply & pauth.notna().to_numpy() & (pauth.astype(object) != own.astype(object)).to_numpy()
    self_thread = is_reply & pauth.notna().to_numpy() & (pauth.astype(object) == own.astype(object)).to_numpy()
    stripped_punct = cleaned.str.replace(r"[\W_]+", "", regex=True)
    emoji_only = (stripped_punct.str.len() == 0).to_numpy()
    nw = n_words.to_numpy()
    return pd.DataFrame(
        {
            "post_id": posts["post_id"].to_numpy() if "post_id" in posts else np.arange(n),
            "lang_detected": lang.to_numpy(),
            "n_words": nw.astype("int64"),
            "emoji_only": emoji_only,
            "low_substance": emoji_only | (nw < SHORT_WORDS),
            "first_person_singular": fl[:, 0],
            "first_person_plural": fl[:, 1],
            "question": fl[:, 2] | fi_q,
            "crediting": has_mention & cleaned.str.contains(CREDIT_RE).to_numpy(),
            "has_link": has_link,
            "results_marker": cleaned.str.contains(RESULTS_RE).to_numpy(),
            "is_repost": is_repost,
            "is_reply": is_reply,
            "reply_to_other": reply_to_other,
            "self_thread": self_thread,
            "is_root": ~is_reply & ~is_repost,
        },
        index=orig_index,
    )


_RE2_STRIP = r"(?:https?://|www\.)\S+|(?:^|\s)@[\w.\-]+(?:@[\w.\-]+)?"


def emoji_only_flags(texts: pd.Series) -> np.ndarray:
    """True where a text has no letter or digit outside URLs and @handles (emoji/punctuation only).

    Runs in pyarrow's RE2 engine (C++) when available; only texts with a URL or handle need the
    stripping pass, so millions of incoming texts stay cheap.
    """
    try:
        import pyarrow as pa
        import pyarrow.compute as pc

        backing = texts.array if isinstance(texts.array, pd.arrays.ArrowStringArray) else \
            texts.astype("string[pyarrow]").array
        arr = pa.array(backing).fill_null("")
        has_alnum = pc.match_substring_regex(arr, r"[\p{L}\p{N}]").to_numpy(zero_copy_only=False)
        risky = pc.match_substring_regex(arr, r"@|://|www\.").to_numpy(zero_copy_only=False)
        out = ~has_alnum
        idx = np.flatnonzero(has_alnum & risky)
        if len(idx):
            sub = pc.replace_substring_regex(arr.take(pa.array(idx)), _RE2_STRIP, " ")
            out[idx] = ~pc.match_substring_regex(sub, r"[\p{L}\p{N}]").to_numpy(zero_copy_only=False)
        return out
    except ImportError:  # pragma: no cover - pyarrow missing: Python regex
        s = texts.fillna("").astype(str)
        stripped = s.str.replace(URL_RE, " ", regex=True).str.replace(HANDLE_RE, " ", regex=True)
        return ~stripped.str.contains(r"[^\W_]", regex=True).to_numpy(dtype=bool)


def substance_flags(texts: Iterable[str]) -> pd.DataFrame:
    """Emoji-only / low-substance flags for any texts (used for incoming interactions)."""
    s = clean_series(pd.Series(list(texts), dtype=object))
    nw = s.str.count(WORD_RE.pattern).to_numpy()
    emoji_only = (s.str.replace(r"[\W_]+", "", regex=True).str.len() == 0).to_numpy()
    return pd.DataFrame({"emoji_only": emoji_only, "low_substance": emoji_only | (nw < SHORT_WORDS)})
