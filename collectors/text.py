"""Text helpers shared by the collectors: HTML -> plain text, and language detection.

Only plain text is ever stored. The HTML converter is a small stdlib parser: it
drops markup, scripts, styles and comments, keeps line structure, unescapes
entities and removes control characters. It never raises on malformed markup.
"""

from __future__ import annotations

import re
import unicodedata
import threading
from functools import lru_cache
from html.parser import HTMLParser

#: Longest text we keep for one post; longer text is cut (a post is not a book).
MAX_TEXT = 20_000

_BLOCK = {
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre",
    "tr", "table", "section", "article", "header", "footer", "hr", "figure", "figcaption", "dd", "dt",
}
_LINE = {"li", "br", "tr", "dt", "dd"}  # one line break, not a paragraph
_SKIP = {"script", "style", "template", "noscript", "iframe", "object", "svg", "math", "head", "title"}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\u2028\u2029\ufeff\ufffe\uffff]")
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip_depth = 0
        self.size = 0

    def handle_starttag(self, tag, attrs):
        if tag in _SKIP:
            self.skip_depth += 1
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_startendtag(self, tag, attrs):
        if tag in _BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in _SKIP:
            self.skip_depth = max(0, self.skip_depth - 1)
        elif tag in _BLOCK and tag not in _LINE:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skip_depth and self.size < MAX_TEXT * 2:
            self.parts.append(data)
            self.size += len(data)


def clean_text(text: str | None) -> str:
    """Normalise plain text: NFC, no control characters, tidy whitespace, bounded length."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", str(text))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    result = "\n".join(out).strip()
    return result[:MAX_TEXT]


def html_to_text(html: str | None) -> str:
    """Plain text of an HTML fragment (Mastodon status content, feed entry summaries)."""
    if not html:
        return ""
    if "<" not in html and "&" not in html:
        return clean_text(html)
    parser = _TextExtractor()
    try:
        parser.feed(html[: MAX_TEXT * 10])
        parser.close()
    except Exception:  # HTMLParser is lenient; this is a last line of defence
        return clean_text(re.sub(r"<[^>]*>", " ", html))
    return clean_text("".join(parser.parts))


LANGUAGES = ("fi", "en", "sv")
_IDENTIFIER_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(LANGUAGES))
    return identifier


_URLS = re.compile(r"https?://\S+|[@#]\w[\w.@-]*")


@lru_cache(maxsize=1)
def _open_identifier():
    """The identifier over all of py3langid's languages: tells "not fi/en/sv" apart from a weak fi/en/sv."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


#: an open-set guess outside fi/en/sv is trusted from this probability on
FOREIGN_PROB = 0.95


def language_guess(text: str | None, *, min_chars: int = 12) -> tuple[str | None, float]:
    """(language, probability): fi, en or sv from the restricted model, or another ISO 639-1 code when
    the open model is sure (>= FOREIGN_PROB) the text is in none of them; (None, 0) for too little text."""
    if not text:
        return None, 0.0
    stripped = _URLS.sub(" ", text)
    if sum(ch.isalpha() for ch in stripped) < min_chars:
        return None, 0.0
    sample = stripped[:2000]
    with _IDENTIFIER_LOCK:  # one model shared by the runner's worker threads
        lang, prob = _identifier().classify(sample)
        if prob < 0.99:  # a clear fi/en/sv needs no second opinion
            other, other_prob = _open_identifier().classify(sample)
            if other not in LANGUAGES and other_prob >= FOREIGN_PROB:
                return other, float(other_prob)
    return lang, float(prob)


def detect_language(text: str | None, *, min_chars: int = 12, min_prob: float = 0.6) -> str | None:
    """fi, en or sv for text long enough to tell; another ISO 639-1 code when the text is clearly in
    another language (never a wrong fi/en/sv); else None. Links, mentions and tags are ignored."""
    lang, prob = language_guess(text, min_chars=min_chars)
    return lang if prob >= min_prob else None


def normalize_lang(value: str | None) -> str | None:
    """A BCP-47-ish tag from a source ("en-US", "fi_FI") -> its primary subtag, lower case."""
    if not value or not isinstance(value, str):
        return None
    primary = re.split(r"[-_]", value.strip())[0].lower()
    return primary if re.fullmatch(r"[a-z]{2,3}", primary) else None


class _Anchors(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag != "a":
            return
        values = dict(attrs)
        classes = (values.get("class") or "").split()
        rel = (values.get("rel") or "").split()
        href = values.get("href") or ""
        if "mention" in classes or "hashtag" in classes or "tag" in rel:
            return
        if href.startswith(("https://", "http://")):
            self.links.append(href[:2000])


def content_links(html: str) -> tuple[str, ...]:
    parser = _Anchors()
    try:
        parser.feed(html[:200_000])
        parser.close()
    except Exception:
        return ()
    return tuple(dict.fromkeys(parser.links))[:50]


_QUOTE_FALLBACK = re.compile(
    r"<(p|span)\b[^>]*\bclass\s*=\s*[\"'][^\"']*\bquote-inline\b[^\"']*[\"'][^>]*>(.*?)</\1\s*>",
    re.IGNORECASE | re.DOTALL,
)
_HREF = re.compile(r"""href\s*=\s*["'](https?://[^"'\s]{1,2000})["']""", re.IGNORECASE)


def drop_quote_fallback(html: str) -> tuple[str, str | None]:
    """Remove the ``quote-inline`` fallback ("RE: <url>", Mastodon 4.4 FEP-e232 quotes, bridged posts).

    Returns the HTML without it and the quoted URL the fallback named (http(s) only).
    """
    if "quote-inline" not in html:
        return html, None
    quoted: list[str] = []

    def cut(match: re.Match) -> str:
        href = _HREF.search(match.group(2))
        if href:
            quoted.append(href.group(1))
        return ""

    return _QUOTE_FALLBACK.sub(cut, html[:400_000]), (quoted[0] if quoted else None)
