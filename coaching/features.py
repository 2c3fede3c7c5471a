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
FEATURES_VERSION = "1"

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
#: A word: letters, optionally joined by - ' ’ ("well-being", "don't"). The first alternative is a fast path for
#: ASCII and Finnish/Swedish letters (a bitmap test per character instead of a Unicode category lookup); it
#: only matches when the word ends there, else the general alternative matches the same word from the same
#: start, so the tokens are exactly those of ``[^\W\d_]+(?:[-'’][^\W\d_]+)*`` (a test checks this).
_FAST_LETTERS = "a-zA-ZäöåÄÖÅ"
WORD_RE = re.compile(rf"[{_FAST_LETTERS}]++(?:[-'’][{_FAST_LETTERS}]++)*+(?![^\W\d_]|[-'’][^\W\d_])|"
                     r"[^\W\d_]+(?:[-'’][^\W\d_]+)*", re.UNICODE)
WORD_RE_REFERENCE = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*", re.UNICODE)
#: Any character at or above U+2600 (emoji, symbols): only then does EMOJI_RE need to run.
_HIGH_RE = re.compile("[\u2600-\U0010ffff]")
HASH_RE = re.compile(r"#(\w)")


def _may_have_url(s: str) -> bool:
    """Cheap test before URL_RE: a scheme or ``www.`` in the usual cases (no lower-casing of the whole text)."""
    return "://" in s or "www." in s or "WWW." in s or "Www." in s


def clean_text(text: object) -> str:
    """Remove URLs, @handles (also ``@user@host``) and emoji; keep hashtag words."""
    if not isinstance(text, str):
        return ""
    s = text
    if _may_have_url(s):
        s = URL_RE.sub(" ", s)
    if "@" in s:
        s = HANDLE_RE.sub(" ", s)
    if not s.isascii() and _HIGH_RE.search(s) is not None:  # emoji and symbols live above U+2600
        s = EMOJI_RE.sub(" ", s)
    if "#" in s:
        s = HASH_RE.sub(r"\1", s)
    return " ".join(s.split())


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
        import libvoikko

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


def load_backends() -> None:
    """Load the language identifier and the Finnish morphology now (both load lazily on first use; a
    benchmark loads them before timing, a long-running process pays once)."""
    with _BACKENDS:
        _langid()
        _voikko()


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
                     "montako", "kumpi", "paljonko", "minkä", "miltä", "mille", "millä", "kenet", "miks", "millon"}
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


#: Word forms Voikko also reads as a 1sg verb whose other reading (noun, adjective, adverb, postposition) is the
#: usual one in posts: never first person (found by listing the ambiguous forms of the labelled training and
#: dev posts); and forms that are the verb when they open a clause ("Vastaan kysymyksiin", "Näin eilen…") but
#: a postposition or adverb elsewhere ("ehdotusta vastaan", "näin se menee").
_FI_NOT_1SG = frozenset({"ajan", "sijaan", "päivään", "viestin", "tanssin", "takaisin", "kertaan", "kadun", "puhelin",
                         "aikaan", "kerran", "vuoteen"})
_FI_1SG_ONLY_INITIAL = frozenset({"vastaan", "näin"})
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
        # forms whose usual reading is not the 1sg verb ("ajan" = of time / I drive, "puhelin" = phone /
        # I phoned, "näin" = thus / I saw): see _FI_NOT_1SG
        not_1sg = low in _FI_NOT_1SG or (low in _FI_1SG_ONLY_INITIAL and not initial)
        for cls, person, number, poss, ko, _mood in analyses:
            if cls in _NAME_CLASSES:
                continue
            verb = cls in _VERB_CLASSES
            if poss == "1s" or (person == "1" and number == "singular" and verb and not not_1sg):
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


@functools.lru_cache(maxsize=20_000)
def _fi_colloquial_q(low: str) -> bool:
    """Spoken-Finnish question clitic -ks on a clause-opening verb ("onks", "käyks", "voiks" = onko, käykö,
    voiko): the word without -ks is a verb form."""
    if len(low) < 4 or not low.endswith("ks"):
        return False
    v = _voikko()
    if v is None:
        return low in ("onks", "oliks", "voiks", "käyks", "saaks", "tuleeks", "meneeks", "pitääks")
    return any(cls in _VERB_CLASSES for cls, *_ in v.analyze(low[:-2]))


SENT_SPLIT_RE = re.compile(r"[.!?;:\n]+")
_split_clauses = SENT_SPLIT_RE.split
_find_words = WORD_RE.findall
_CLAUSE_END = frozenset(".!?:;\n")


class _Phrases:
    """Word-sequence matcher over lower-cased tokens, much faster than one large case-insensitive regex.

    A phrase is words separated by spaces; a word may list alternatives with ``|``; ``x*`` matches words
    starting with x, ``~x`` words ending with x.
    """

    def __init__(self, phrases: Iterable[str]):
        self.exact: dict[str, list[tuple]] = {}
        self.prefix: list[tuple[str, tuple]] = []
        for ph in phrases:
            parts = [tuple(p.split("|")) for p in ph.split()]
            rest = tuple(parts[1:])
            for alt in parts[0]:
                if alt.endswith("*"):
                    self.prefix.append((alt[:-1], rest))
                else:
                    self.exact.setdefault(alt, []).append(rest)
        self.prefixes = tuple(p for p, _ in self.prefix)
        self._keys = frozenset(self.exact)

    @staticmethod
    def _word_ok(w: str, alts: tuple) -> bool:
        for a in alts:
            if a == w or (a[-1] == "*" and w.startswith(a[:-1])) or (a[0] == "~" and w.endswith(a[1:])):
                return True
        return False

    def _rest_ok(self, lows: tuple[str, ...], i: int, rest: tuple) -> bool:
        if i + len(rest) >= len(lows):
            return False
        return all(self._word_ok(lows[i + 1 + k], alts) for k, alts in enumerate(rest))

    def _find_exact(self, lows, hits) -> int:
        """First index where a phrase starting with one of the words ``hits`` matches, else -1."""
        best = -1
        for key in hits:
            rests = self.exact[key]
            i = -1
            while True:
                try:
                    i = lows.index(key, i + 1)
                except ValueError:
                    break
                if best != -1 and i >= best:
                    break
                if any(not r or self._rest_ok(lows, i, r) for r in rests):
                    best = i
                    break
        return best

    def find(self, lows: tuple[str, ...], only: Iterable[int] | None = None) -> int:
        """Index of the first word where a phrase starts (only at positions ``only`` if given), else -1."""
        if only is None and (not self.prefixes or not _any_in(self.prefixes, _joined(lows))):
            if self._keys.isdisjoint(lows):  # the usual case: no phrase can start in this text
                return -1
            return self._find_exact(lows, self._keys.intersection(lows))
        for i in (range(len(lows)) if only is None else only):
            w = lows[i]
            for rest in self.exact.get(w, ()):
                if not rest or self._rest_ok(lows, i, rest):
                    return i
            if self.prefixes and w.startswith(self.prefixes):
                for p, rest in self.prefix:
                    if w.startswith(p) and (not rest or self._rest_ok(lows, i, rest)):
                        return i
        return -1


def _any_in(needles: Iterable[str], haystack: str) -> bool:
    """Whether any needle is a substring: a loop of C substring searches, several times faster than one
    alternation regex (``a|b|c``), which Python's ``re`` tries at every position."""
    for needle in needles:
        if needle in haystack:
            return True
    return False


@functools.lru_cache(maxsize=100_000)
def _joined(lows: tuple[str, ...]) -> str:
    return " ".join(lows)


@functools.lru_cache(maxsize=100_000)
def _tokens(text: str) -> tuple[tuple[str, ...], tuple[str, ...], tuple[int, ...]]:
    """(words, lower-cased words with ’ as ', indices of words that open a clause); cached per text."""
    words: list[str] = []
    initial: list[int] = []
    for clause in _split_clauses(text):
        ws = _find_words(clause)
        if ws:
            initial.append(len(words))
            words += ws
    if not words:
        return (), (), ()
    # lower-case all words in one C-level pass (several times faster than a second findall or a generator)
    lows = tuple("\x00".join(words).lower().replace("’", "'").split("\x00"))
    if len(lows) != len(words):  # pragma: no cover - a word whose lower case contains NUL cannot occur
        lows = tuple(w.lower().replace("’", "'") for w in words)
    return tuple(words), lows, tuple(initial)


#: Fixed phrases whose last word reads as a 1sg verb but is a noun ("tuttuun tapaan" = as usual).
_FI_NOT_1SG_AFTER = {"tapaan": ("tuttuun", "samaan", "vanhaan", "totuttuun", "entiseen", "omaan", "hyvään")}
#: Requests for the readers' input that are questions without "?": imperative plural of telling verbs,
#: "I'd like to hear", "kysymys teille".
FI_ASK = _Phrases([
    "kertokaa", "kommentoikaa", "vastatkaa", "vinkatkaa", "ehdottakaa", "äänestäkää",
    "jakakaa kokemuksi*|ajatuksi*|vinkkej*|ideoi*", "laittakaa kommentti*|viesti*", "haluaisin tietää|kuulla",
    "kuulisin", "kiinnostaisi tietää|kuulla", "olisi kiva|mukava|hienoa kuulla",
    "kysymys teille|kuntalaisille|asukkaille|kaikille", "kerro meille|mulle|minulle",
    "mietin|mietimme|pohdin|pohdimme miten|mitä|miksi|kuinka|mikä|millä|millainen|että|~ko|~kö|~kohan|~köhän",
])
FI_ASK_INITIAL = _Phrases(["vinkkejä|ideoita|ehdotuksia"])


def _fi_flags(words: tuple[str, ...], lows: tuple[str, ...], initial: tuple[int, ...]) -> tuple[bool, bool, bool]:
    sg = pl = q = False
    init = set(initial)
    prev = ""
    for i, w in enumerate(words):
        first = i in init
        a, b, c = _fi_token_flags(w, first)
        low = lows[i]
        if a and prev in _FI_NOT_1SG_AFTER.get(low, ()):
            a = False
        sg |= a
        pl |= b
        if not q:
            q = c or (first and (low in FI_INTERROGATIVES or _fi_colloquial_q(low)))
        prev = low
    if not q:
        q = FI_ASK.find(lows) >= 0 or FI_ASK_INITIAL.find(lows, initial) >= 0
    return sg, pl, q


# --- English ---------------------------------------------------------------------------------------------
EN_1SG = frozenset({"i", "i'm", "i've", "i'll", "i'd", "me", "my", "mine", "myself"})
EN_1PL = frozenset({"we", "we're", "we've", "we'll", "we'd", "us", "our", "ours", "ourselves"})
EN_WH = frozenset({"what", "why", "how", "who", "where", "when", "which", "whose", "what's", "how's", "who's",
                   "where's", "when's", "why's"})
EN_AUX = frozenset({"do", "does", "did", "would", "could", "should", "can", "will", "is", "are", "was", "were",
                    "shall", "might", "may", "must", "isn't", "aren't", "don't", "doesn't", "didn't", "wouldn't",
                    "couldn't", "shouldn't", "can't", "won't"})
EN_SUBJ = frozenset({"you", "we", "they", "anyone", "anybody", "someone", "somebody", "everyone", "people", "i",
                     "it", "this", "that", "these", "those", "there", "any", "your", "our", "the", "a", "an",
                     "others", "he", "she", "my", "their", "its"})
EN_HAVE_SUBJ = frozenset({"you", "we", "they", "anyone", "anybody", "someone", "any", "people", "others", "i"})
EN_ASK = _Phrases([
    "wonder if|whether|what|how|why|who", "i wonder", "i'm wondering", "i am wondering",
    "wondering if|whether|what|how|why|who", "curious whether|if|what|how|why|who", "curious to know|hear",
    "i'd|would love|like to know|hear", "i'd be interested|keen|glad|curious to know|hear",
    "i'd welcome views|thoughts|ideas|your", "i welcome views|thoughts|ideas|your",
    "keen|interested|eager to hear", "let me|us know", "tell me|us what|how|why|which|where|who|if|whether|your",
    "share your views|thoughts|ideas|tips|experience*|stories", "reply with", "drop your", "drop a comment",
    "comment below", "your|any views|thoughts|tips|ideas|suggestions|recommendations please|welcome",
])
EN_ASK_INITIAL = _Phrases(["any tips|thoughts|ideas|suggestions|recommendations"])


_EN_HOW_NEXT = frozenset({"many", "much", "often", "long", "far", "about", "come"})
_EN_PRONOUN_SUBJ = frozenset({"i", "we", "you", "they", "he", "she", "it", "a", "an"})


def _en_wh_question(w: str, nxt: str) -> bool:
    """A clause-initial wh-word without "?" asks only when it reads as a question: "when/where/why" with an
    auxiliary next ("Why do we…"), "how many/much/often…", "what/which/who" not followed by a subject pronoun
    ("What we learned" is a heading, "When tenants tell me…" a subordinate clause)."""
    if w.endswith("'s") or nxt in EN_AUX or nxt in ("have", "has"):
        return True
    if w in ("when", "where", "why"):
        return False
    if w == "how":
        return nxt in _EN_HOW_NEXT
    return nxt not in _EN_PRONOUN_SUBJ


def _en_flags(text: str, words: tuple[str, ...], lows: tuple[str, ...], initial: tuple[int, ...]) -> tuple[bool, bool, bool]:
    sg = not EN_1SG.isdisjoint(lows) or any(lows[i] == "am" for i in initial)
    pl = not EN_1PL.isdisjoint(lows)
    q = "?" in text
    if not q:
        n = len(lows)
        for i in initial:
            w = lows[i]
            nxt = lows[i + 1] if i + 1 < n else ""
            if (w in EN_WH and _en_wh_question(w, nxt)) or (w in EN_AUX and nxt in EN_SUBJ) or \
                    (w in ("have", "has") and nxt in EN_HAVE_SUBJ):
                q = True
                break
        q = q or EN_ASK.find(lows) >= 0 or EN_ASK_INITIAL.find(lows, initial) >= 0
    return sg, pl, q


#: "Why …? Because …" — a question the writer answers at once is rhetorical.
RHETORICAL_RE = re.compile(r"\?\s*(?:because|koska|the answer|vastaus)\b", re.IGNORECASE)

# --- crediting, results --------------------------------------------------------------------------------
#: Markers that credit others by themselves (congratulations, shout-outs, acknowledging a point).
CREDIT_STRONG = _Phrases([
    "onnittel*", "onnea ~lle", "onnea * ~lle", "hyvä|aiheellinen kysymys|huomautus",
    "olette|ootte|olitte|ootte ihania|mahtavia|parhaita|upeita|huippuja|sankareita|korvaamattomia",
    "good|great|fair question|challenge", "you're|you|lot are brilliant|amazing|stars|legends|heroes|superstars", "hatunnosto*", "nostan|nostaa|nostamme hattua", "hattua nostaen|nostan",
    "propsit", "props to", "kunnia sille|~lle", "hienoa|hyvää|upeaa|mahtavaa|loistavaa|erinomaista työtä",
    "hienosti|hyvin tehty", "hyvä huomio|pointti|nosto", "kiitollinen ~lle", "kiitollisena", "olet|olette oikeassa",
    "congrat*", "kudos", "shout-out*", "shoutout*", "shout out|outs", "hats off", "hat tip", "credit to|where",
    "well done", "great|brilliant|fantastic|amazing|excellent|good|superb work|job",
    "good|great|fair|excellent|valid point", "grateful to|for", "thankful to|for", "cheers to", "big up",
    "you're right", "you are right", "recognis*", "recogniz*", "acknowledg*", "applaud*",
])
THANKS_FI = ("kiito", "kiitti", "kiitän", "kiitämme", "kiittää", "kiittäen", "kiitä")
THANKS_EN = frozenset({"thanks", "thank", "thx", "tack", "cheers"})
SIGNOFF = _Phrases([
    "kiitos kun|että luit|luitte|luette|jaksoit|jaksoitte|seuraat|seuraatte|kuuntelit|katsoit",
    "kiitos lukemisesta|seuraamisesta|kuuntelemisesta|mielenkiinnosta|huomiosta|etukäteen|kärsivällisyydestä|"
    "ymmärryksestä|ajastanne|ajastasi", "kiitos jo etukäteen", "kiitoksia etukäteen",
    "thanks|thank for reading|listening|watching|following|having", "thanks|thank in advance",
    "thank you for reading|listening|watching|following|having", "thank you in advance",
    "thanks|thank for your time|patience|attention|understanding|interest",
    "thank you for your time|patience|attention|understanding|interest",
    "thank you so|very much for reading|listening|watching|following", "tack för att|uppmärksamheten",
])
EN_GROUP = frozenset({"team", "teams", "crew", "crews", "staff", "colleagues", "volunteers", "everyone", "everybody",
                      "partners", "nurses", "doctors", "residents", "parents", "members", "group", "department",
                      "unit", "service", "services", "y'all", "folks", "friends", "club", "foundation", "council"})


def _crediting(words: tuple[str, ...], lows: tuple[str, ...], initial: tuple[int, ...], lang: object, has_handle: bool) -> bool:
    if CREDIT_STRONG.find(lows) >= 0:
        return True
    if THANKS_EN.isdisjoint(lows) and "kiit" not in _joined(lows):
        return False
    thanks = [i for i, w in enumerate(lows) if w in THANKS_EN or w.startswith(THANKS_FI)]
    if not thanks:
        return False
    n = len(lows)
    for i in thanks:
        if SIGNOFF.find(lows, (i,)) >= 0 or (i > 0 and SIGNOFF.find(lows, (i - 1,)) >= 0):
            continue
        w = lows[i]
        if w.startswith(("kiitä", "kiittä")):  # "kiitän X", "haluan kiittää X": the verb names its object
            return True
        if has_handle:
            return True
        if lang == "fi":
            after = lows[i + 1:i + 7]
            if any(a.endswith(("lle", "ille")) or a in ("lle", "kuuluu") for a in after) or \
                    (n and lows[0].endswith("lle") and i > 0) or (after[:1] == ["kun"] and len(after) > 1):
                return True
        else:
            j = i + 1
            if j < n and lows[j] == "you":
                j += 1
            nxt = lows[j] if j < n else ""
            if nxt in ("to", "for") or (j < n and words[j][:1].isupper()) or nxt in EN_GROUP or nxt == "all":
                return True
            window = lows[max(0, i - 12):i + 9]
            if any(x in EN_GROUP for x in window):
                return True
    return False


_RESULTS_WORDS = ("tuloks", "raportti", "julkaisi", "valmistu", "saavutti", "vähen")
_RESULTS_EN = frozenset({"tulos", "result", "results", "report", "published", "launched", "delivered", "achieved",
                         "completed"})
_RESULTS_NUM_RE = re.compile(r"\d(?:[.,]\d+)?[\s-]?(?:%|€|M€|[Mm][Ii][Ll][Jj]|[Pp][Rr][Oo][Ss][Ee][Nn][Tt]|[Pp][Ee][Rr][Cc]"
                             r"[Ee][Nn][Tt])|\b(?:[Dd][Oo][Ww][Nn]|[Uu][Pp]) \d|\b[Ll][Ii][Ss][Ää]\w*\s+\d")


_DIGIT_RE = re.compile(r"\d")
_RESULTS_NUM_HINTS = ("milj", "prosent", "percent", "down", "up", "lisä")


#: A change or a level reached, in the past tense ("fell", "halved", "passed"; "nousi", "lyheni", "ylitti"):
#: with a quantity in the same post it reports an outcome ("Bus punctuality rose to 91%", "Trips passed one
#: million"). Future and present forms ("will rise", "nousee") announce plans or prices and do not count.
_CHANGE_EN = frozenset(
    "fell rose grew dropped halved doubled tripled reached passed topped exceeded surpassed increased decreased "
    "improved shortened reduced climbed declined shrank jumped soared beat hit".split())
_CHANGE_FI = frozenset(
    "nousi nousivat laski laskivat kasvoi kasvoivat väheni vähenivät lyheni lyhenivät lyhenee puolittui puolittuivat "
    "kaksinkertaistui kaksinkertaistuivat tuplaantui tuplaantuivat parani paranivat pieneni pienenivät ylitti "
    "ylittivät kohosi kohosivat putosi putosivat supistui supistuivat nopeutui nopeutuivat kertyi kertyivät "
    "saavutti saavuttivat".split())
_CHANGE = _CHANGE_EN | _CHANGE_FI
_NUMBER_WORDS = ("million", "billion", "thousand", "hundred", "half", "twice", "miljoon", "miljard", "tuhat",
                 "tuhann", "sata", "puolet", "kaksinkertai")
#: "from 48 to 23", "62:sta 78:aan", "21 päivästä 9 päivään", "4.1 → 3.2"
_MONTHS = "jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec"
_FROM_TO_EN_RE = re.compile(r"\b[Ff][Rr][Oo][Mm] \S*\d\S* (?:(?!(?i:" + _MONTHS + r"))\w+ )?to \S*\d")
_FROM_TO_FI_RE = re.compile(r"\d\S*:?st[aä] \S*\d\S*:?(?:een|aan|ään|an|än|n)\b|"
                            r"\d\w* \w*st[aä] \d+\w* \w*(?:aan|ään|iin|een|uun|yyn)\b")
_ARROW_RE = re.compile(r"\d\s*(?:→|->)\s*\d")


def _from_to(text: str, lows) -> bool:
    """A before/after comparison of figures; each regex runs only when its cheap substring test passes."""
    if "from" in lows and "to" in lows and _FROM_TO_EN_RE.search(text) is not None:
        return True
    if ("st\u00e4 " in text or "sta " in text) and _FROM_TO_FI_RE.search(text) is not None:
        return True
    return ("\u2192" in text or "->" in text) and _ARROW_RE.search(text) is not None


def _results_marker(text: str, lows: tuple[str, ...]) -> bool:
    if not _RESULTS_EN.isdisjoint(lows):
        return True
    joined = _joined(lows)
    if _any_in(_RESULTS_WORDS, joined) and any(w.startswith(_RESULTS_WORDS) for w in lows):
        return True
    digit = _DIGIT_RE.search(text) is not None
    if not _CHANGE.isdisjoint(lows) and \
            (digit or any(w.startswith(_NUMBER_WORDS) for w in lows)):
        return True
    if digit and _from_to(text, lows):
        return True
    if "%" not in text and "€" not in text and not _any_in(_RESULTS_NUM_HINTS, joined):
        return False
    return digit and _RESULTS_NUM_RE.search(text) is not None


#: Bump whenever the outputs of :func:`post_features` change; enrichment stores it with each row.
FEATURES_VERSION = "3"  # 3: results by past-tense change + quantity, Finnish 1sg ambiguity, -ks questions


# --- language --------------------------------------------------------------------------------------------
#: Frequent function words that are unambiguous between fi / en / sv (no "on", "en", "me", "i", "alla").
_STOP = {
    "fi": frozenset("ja ei se että oli ovat olla kun mutta tai myös vain niin jo nyt tämä tänään kaikille kiitos "
                    "meidän minä mä sen ole olen olemme kuin jos joka jotka mitä miten miksi vielä sitten koska "
                    "siitä tästä hyvä uusi uuden klo ensi viikolla kanssa kaikki paljon tosi ihan mun mulle mut et "
                    "ku oon eikä ollut siis yli vuoden vuonna olette teille teidän meille heidän hän tää toi "
                    "onko voi sekä mukana aina asti nyt vähän mikä missä myös jälkeen jotta sitä tätä".split()),
    "en": frozenset("the and to of in is it for that this with you we our are was be at as my have has not but "
                    "they from by or an will all so what how why who thanks thank today your their just more "
                    "about if can do did would new up out there been were had one after week year get a it's i'm "
                    "we're don't i've".split()),
    "sv": frozenset("och att det är som ett på för med av jag vi inte har till den de om var kan så eller ska "
                    "vill tack idag vår våra mycket också här bra kväll dag hur vad varför och".split()),
}


_FI_ENDINGS = ("ssa", "ssä", "sta", "stä", "lla", "llä", "lta", "ltä", "lle", "ksi", "nen", "ista", "istä", "aan",
               "ään", "ssaan", "mme", "tte", "vat", "vät")


_STOP_FI, _STOP_EN, _STOP_SV = _STOP["fi"], _STOP["en"], _STOP["sv"]


def _top2(fi: int, en: int, sv: int) -> tuple[str, int, int]:
    """(the language with most hits, its hits, the runner-up's hits); ties go to fi, then en."""
    if fi >= en and fi >= sv:
        return "fi", fi, max(en, sv)
    if en >= sv:
        return "en", en, max(fi, sv)
    return "sv", sv, max(fi, en)


def _fast_language(words, text: str = "") -> str | None:
    """fi/en/sv from distinct function words (and Finnish case endings) when the evidence is clear (≥ 2 hits and
    3x the runner-up), else None."""
    distinct = set(words)
    fi, en, sv = len(distinct & _STOP_FI), len(distinct & _STOP_EN), len(distinct & _STOP_SV)
    top, a, b = _top2(fi, en, sv)
    if a >= 2 and a >= 3 * b:
        return top
    fi += sum(1 for w in distinct if len(w) >= 5 and w.endswith(_FI_ENDINGS))
    top, a, b = _top2(fi, en, sv)
    if a >= 2 and a >= 3 * b:
        return top
    # letters: ä/ö without any Swedish or English function word is Finnish; plain ASCII with English
    # function words only is English; å (Swedish) or anything else goes to the identifier.
    if "å" in text or "Å" in text:
        return None
    nordic = "ä" in text or "ö" in text or "Ä" in text or "Ö" in text
    if nordic and sv == 0 and en == 0:
        return "fi"
    if not nordic and en >= 1 and fi == 0 and sv == 0:
        return "en"
    return None


#: An account needs this many texts decided by function words before its language is a prior.
ACCOUNT_PRIOR_MIN = 5


@functools.lru_cache(maxsize=100_000)
def _fast_cached(text: str) -> str | None:
    return _fast_language(_tokens(text)[1], text)


@functools.lru_cache(maxsize=100_000)
def _identify(text: str, declared: str | None) -> str:
    """Language of one cleaned text: function words first; py3langid when they are unclear. A declared
    language (Bluesky ``langs``, the account's language) wins when it is plausible (fast path agrees, or
    py3langid gives it at least 0.25 probability)."""
    fast = _fast_cached(text)
    if fast is not None and (declared is None or fast == declared):
        return fast
    ranked = dict(_langid().rank(text))
    if declared is not None and ranked.get(declared, 0.0) >= 0.25:
        return declared
    return max(ranked, key=lambda lang: ranked[lang])


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
    their ``account``'s longer texts (then the declared language, then ``None``). Results are cached
    per (cleaned text, declared language).
    """
    texts = cleaned.fillna("").astype(str).tolist()
    idx = cleaned.index
    nw = (n_words.to_numpy() if n_words is not None else np.array([len(WORD_RE.findall(t)) for t in texts]))
    decl_list = declared.tolist() if declared is not None else [None] * len(texts)
    decl_list = [d if isinstance(d, str) and d in LANGS else None for d in decl_list]
    accounts = account.tolist() if account is not None else [None] * len(texts)
    # pass 1: the function-word path (cheap, cached); pass 2: texts it cannot decide take their account's
    # language when at least ACCOUNT_PRIOR_MIN of the account's decided texts agree on one (>= 90 %),
    # else py3langid.
    fast = [(_fast_cached(t) if k >= SHORT_WORDS else None) for t, k in zip(texts, nw)]
    prior: dict[object, str] = {}
    if account is not None:
        tally: dict[object, dict[str, int]] = {}
        for a, f in zip(accounts, fast):
            if f is not None and a is not None:
                c = tally.setdefault(a, {})
                c[f] = c.get(f, 0) + 1
        for a, c in tally.items():
            top = max(c, key=lambda lang: c[lang])
            total = sum(c.values())
            if total >= ACCOUNT_PRIOR_MIN and c[top] >= 0.9 * total:
                prior[a] = top
    vals: list[str | None] = []
    for t, d, k, f, a in zip(texts, decl_list, nw, fast, accounts):
        if k < SHORT_WORDS:
            vals.append(None)
        elif f is not None and (d is None or f == d):
            vals.append(f)
        elif f is None and d is None and a in prior:
            vals.append(prior[a])
        else:
            vals.append(_identify(t, d))
    out = pd.Series(vals, index=idx, dtype=object)
    short = nw < SHORT_WORDS
    if short.any():
        fill = pd.Series(None, index=idx, dtype=object)
        if account is not None:
            acc = pd.Series(account.to_numpy(), index=idx)
            known = pd.DataFrame({"acc": acc, "lang": out}).dropna()
            if len(known):
                majority = known.groupby("acc")["lang"].agg(lambda s: s.value_counts().idxmax())
                fill = acc.map(majority)
        decl = pd.Series(decl_list, index=idx, dtype=object)
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
    "question": "audience-directed question ('?', interrogative, verb -ko/-kö, aux inversion, 'I wonder if', "
                "'kertokaa'); not one the writer answers at once",
    "crediting": "acknowledges others' contribution: thanks with a recipient or reason (not a sign-off), "
                 "congratulations, shout-outs, 'good point' (CODEBOOK.md); no handle needed",
    "has_link": "links a source (links column or URL in text)",
    "results_marker": "lexical sign of shared outcomes (numbers with %/€, results, report, tulos, ...)",
    "is_repost": "repost/boost",
    "is_reply": "has a reply parent",
    "reply_to_other": "reply whose parent author is someone else (dialogue)",
    "self_thread": "reply to the leader's own post (thread continuation)",
    "is_root": "own post that is neither a reply nor a repost",
}


def _flags_for(text: str, lang: object) -> tuple[bool, bool, bool]:
    """(first-person singular, first-person plural, audience question) of one cleaned text."""
    words, lows, initial = _tokens(text)
    return _flags_on_tokens(text, words, lows, initial, lang)


def _flags_on_tokens(text, words, lows, initial, lang) -> tuple[bool, bool, bool]:
    if lang == "fi":
        sg, pl, q = _fi_flags(words, lows, initial)
        q = q or "?" in text
    elif lang == "sv":
        sg = any(w in ("jag", "mig", "min", "mitt", "mina") for w in lows)
        pl = any(w in ("vi", "oss", "vår", "vårt", "våra") for w in lows)
        q = "?" in text
    else:
        sg, pl, q = _en_flags(text, words, lows, initial)
    if q and "?" in text and text.count("?") == len(RHETORICAL_RE.findall(text)):
        # every "?" is answered at once ("Why …? Because …"): a question only if it also asks for input
        q = (FI_ASK.find(lows) >= 0) if lang == "fi" else (EN_ASK.find(lows) >= 0)
    return sg, pl, q


_ALNUM_RE = re.compile(r"[^\W_]")


@functools.lru_cache(maxsize=100_000)
def _surface(raw: str) -> tuple[str, int, bool, bool, bool]:
    """(cleaned text, words, emoji-only, has a URL, has an @handle) of one raw text; cached per text."""
    cleaned = clean_text(raw)
    n = len(_tokens(cleaned)[0])
    emoji_only = _ALNUM_RE.search(cleaned) is None
    return cleaned, n, emoji_only, _may_have_url(raw) and URL_RE.search(raw) is not None, \
        "@" in raw and HANDLE_RE.search(raw) is not None


@functools.lru_cache(maxsize=100_000)
def _text_flags(cleaned: str, lang: object, has_handle: bool) -> tuple[bool, bool, bool, bool, bool]:
    """(1sg, 1pl, question, crediting, results marker) of one cleaned text; cached per unique text."""
    if not cleaned:
        return False, False, False, False, False
    words, lows, initial = _tokens(cleaned)
    sg, pl, q = _flags_on_tokens(cleaned, words, lows, initial, lang)
    return sg, pl, q, _crediting(words, lows, initial, lang, has_handle), _results_marker(cleaned, lows)


def rule_post_type(features: pd.DataFrame, texts) -> np.ndarray:
    """Post type by the codebook's priority order over the detector flags: dialogue (the text opens with an
    @handle, or ``reply_to_other``) → crediting → question → results → personal (first person) → broadcast.
    An alternative to the trained post-type classifier (docs/METRICS.md compares them); not used in scoring."""
    texts = ["" if not isinstance(t, str) else t for t in texts]
    rto = features["reply_to_other"].to_numpy() if "reply_to_other" in features else np.zeros(len(texts), bool)
    out = np.full(len(texts), "broadcast", dtype=object)
    # later assignments win, so go from the lowest priority to the highest
    out[features["first_person_singular"].to_numpy().astype(bool)] = "personal"
    out[features["results_marker"].to_numpy().astype(bool)] = "results"
    out[features["question"].to_numpy().astype(bool)] = "question"
    out[features["crediting"].to_numpy().astype(bool)] = "crediting"
    out[np.array([t.lstrip().startswith("@") for t in texts], dtype=bool) | rto.astype(bool)] = "dialogue"
    return out


def clear_caches() -> None:
    """Empty the per-text caches (cleaning, tokens, language, flags); the per-word morphology cache stays."""
    for f in (_surface, _tokens, _joined, _fast_cached, _identify, _text_flags):
        f.cache_clear()


def post_features(posts: pd.DataFrame) -> pd.DataFrame:
    """Feature frame (:data:`FEATURE_COLUMNS`) row-aligned with ``posts``. Thread-safe: calls
    are serialised around the shared language back-ends."""
    with _BACKENDS:
        return _post_features(posts)


def _col(posts: pd.DataFrame, name: str, default=None) -> list:
    return posts[name].tolist() if name in posts else [default] * len(posts)


def _post_features(posts: pd.DataFrame) -> pd.DataFrame:
    orig_index = posts.index
    n = len(posts)
    raw = [t if isinstance(t, str) else "" for t in _col(posts, "text", "")]
    surf = [_surface(t) for t in raw]
    cleaned = [s[0] for s in surf]
    nw = np.fromiter((s[1] for s in surf), dtype="int64", count=n)
    emoji_only = np.fromiter((s[2] for s in surf), dtype=bool, count=n)
    url_in_text = np.fromiter((s[3] for s in surf), dtype=bool, count=n)
    handle_in_text = np.fromiter((s[4] for s in surf), dtype=bool, count=n)
    rng = pd.RangeIndex(n)
    author = pd.Series(_col(posts, "author_id"), index=rng, dtype=object) if "author_id" in posts else None
    declared = pd.Series(_col(posts, "lang"), index=rng, dtype=object) if "lang" in posts else None
    lang = detect_language(pd.Series(cleaned, index=rng, dtype=object), declared=declared, account=author,
                           n_words=pd.Series(nw, index=rng)).tolist()
    mentions = _col(posts, "mentions", [])
    has_mention = np.fromiter((isinstance(v, (list, tuple)) and len(v) > 0 for v in mentions), dtype=bool,
                              count=n) | handle_in_text
    flags = [_text_flags(c, lg, bool(h)) for c, lg, h in zip(cleaned, lang, has_mention)]
    fl = np.array(flags, dtype=bool).reshape(n, 5)
    links = _col(posts, "links", [])
    has_link = np.fromiter((isinstance(v, (list, tuple)) and len(v) > 0 for v in links), dtype=bool,
                           count=n) | url_in_text
    is_repost = posts["is_repost"].fillna(False).astype(bool).to_numpy() if "is_repost" in posts else np.zeros(n, bool)
    parent = pd.Series(_col(posts, "reply_parent_id"), index=rng, dtype=object)
    is_reply = parent.notna().to_numpy() & ~is_repost
    pauth = pd.Series(_col(posts, "reply_parent_author_id"), index=rng, dtype=object)
    own = pd.Series(_col(posts, "author_id"), index=rng, dtype=object)
    known_parent = pauth.notna().to_numpy()
    same = (pauth == own).to_numpy()
    return pd.DataFrame(
        {
            "post_id": posts["post_id"].to_numpy() if "post_id" in posts else np.arange(n),
            "lang_detected": np.array(lang, dtype=object),
            "n_words": nw,
            "emoji_only": emoji_only,
            "low_substance": emoji_only | (nw < SHORT_WORDS),
            "first_person_singular": fl[:, 0],
            "first_person_plural": fl[:, 1],
            "question": fl[:, 2],
            "crediting": fl[:, 3],
            "has_link": has_link,
            "results_marker": fl[:, 4],
            "is_repost": is_repost,
            "is_reply": is_reply,
            "reply_to_other": is_reply & known_parent & ~same,
            "self_thread": is_reply & known_parent & same,
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
    nw = s.str.count(WORD_RE_REFERENCE.pattern).to_numpy()  # the plain pattern also suits RE2 (pyarrow strings)
    emoji_only = (s.str.replace(r"[\W_]+", "", regex=True).str.len() == 0).to_numpy()
    return pd.DataFrame({"emoji_only": emoji_only, "low_substance": emoji_only | (nw < SHORT_WORDS)})
