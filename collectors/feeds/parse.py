"""Pure feed normalisation: bytes in, :class:`ParsedFeed` with :class:`Post` objects out.

No I/O happens here. ``feedparser`` does the format work (RSS 0.9x/1.0/2.0, Atom
0.3/1.0, encodings, dates); we add the defences it lacks and map entries to posts.
"""

from __future__ import annotations

import calendar
import hashlib
import re
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from io import BytesIO
from urllib.parse import urlsplit

import feedparser
from xml.parsers import expat

from collectors.text import clean_text, content_links, html_to_text, language_guess, normalize_lang
from lasna.errors import MalformedPayload
from lasna.types import Interaction, InteractionKind, Platform, Post

MAX_ENTRIES = 500
#: Broken (not well-formed) XML is handed to feedparser's forgiving parser only up to this
#: size: that parser is pure Python and needs ~10 s per MB of tag soup.
LOOSE_LIMIT = 256 * 1024
_ENTITY_DECL = re.compile(rb"<!\s*ENTITY", re.IGNORECASE)
_LONG_TAG = re.compile(rb"<[A-Za-z][^<>]{4000,}>")
MAX_ATTRIBUTES = 300
_HTMLISH = re.compile(rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html[\s>])", re.IGNORECASE | re.DOTALL)


class NotAFeed(MalformedPayload):
    """The document is a web page (or something else), not a feed."""


@dataclass
class ParsedFeed:
    title: str
    link: str | None
    posts: list[Post]
    warnings: list[str] = field(default_factory=list)
    bozo: bool = False
    #: post id -> (comment feed URL from wfw:commentRss, the post's author name)
    comment_feeds: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    #: post id -> the entry's author name (dc:creator / atom:author), when given
    authors: dict[str, str | None] = field(default_factory=dict)


@dataclass
class ParsedComments:
    interactions: list[Interaction]
    own: list[Post]


def screen(body: bytes) -> None:
    """Refuse documents that declare XML entities (billion laughs, external entities).

    Feeds never need them; expat >= 2.4 also limits amplification, but we do not
    rely on the library version the user happens to have.
    """
    if _ENTITY_DECL.search(body[:1_000_000]) or _ENTITY_DECL.search(body[-1_000_000:]):
        raise MalformedPayload(
            "the feed declares XML entities; refused (protection against entity-expansion attacks)"
        )
    # feedparser looks attributes up one by one (quadratic): 20 000 attributes cost minutes of CPU
    for match in _LONG_TAG.finditer(body):
        if match.group().count(b"=") > MAX_ATTRIBUTES:
            raise MalformedPayload(f"an element of the feed has more than {MAX_ATTRIBUTES} attributes; refused")


def well_formed(body: bytes) -> bool:
    """Whether expat (C, linear time) accepts the document."""
    parser = expat.ParserCreate()
    try:
        parser.Parse(body, True)
    except (expat.ExpatError, ValueError, LookupError):
        return False
    return True


def looks_like_html(body: bytes, content_type: str = "") -> bool:
    head = body[:4096].lstrip(b"\xef\xbb\xbf")
    if _HTMLISH.match(head):
        return True
    return content_type in ("text/html", "application/xhtml+xml") and b"<rss" not in head and b"<feed" not in head


def _time(struct) -> datetime | None:
    if not struct:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(struct), UTC)
    except (OverflowError, ValueError, TypeError, OSError):
        return None


def _http(value) -> str | None:
    if not isinstance(value, str):
        return None
    value = value.strip()
    if any(ord(ch) < 33 or ord(ch) == 127 for ch in value):
        return None
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    return value[:2000] if parts.scheme in ("http", "https") and parts.hostname else None


def _absolute_id(value: str) -> bool:
    return bool(re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:\S+$", value))


def entry_id(entry, feed_id: str) -> str:
    """The entry's stable id: its guid/id, else its link, else a content hash (namespaced by feed)."""
    guid = entry.get("id")
    if isinstance(guid, str) and guid.strip():
        guid = guid.strip()[:400]
        return guid if _absolute_id(guid) else f"{feed_id}#{guid}"
    link = _http(entry.get("link"))
    if link:
        return link
    material = "\x1f".join(
        str(dict.get(entry, k) or "") for k in ("title", "published", "updated", "summary")
    ).encode("utf-8", "replace")
    return f"{feed_id}#sha256:{hashlib.sha256(material).hexdigest()[:32]}"


def _body(entry) -> tuple[str, tuple[str, ...]]:
    """(plain text, links) of the entry's fullest body: content, else summary/description."""
    contents = entry.get("content") or []
    for item in contents:
        value = item.get("value") if isinstance(item, dict) else None
        if isinstance(value, str) and value:
            if "html" in str(item.get("type", "html")):
                return html_to_text(value), content_links(value)
            return clean_text(value), ()
    for key in ("summary", "media_description", "subtitle"):
        value = entry.get(key)
        if isinstance(value, str) and value.strip():
            return html_to_text(value), content_links(value)
    return "", ()


def declared_language(entry) -> str | None:
    """The entry's own declared language: ``xml:lang`` / ``dc:language`` on the entry, its content or title."""
    lang = normalize_lang(entry.get("language"))
    if lang:
        return lang
    details = [*(entry.get("content") or []), entry.get("summary_detail"), entry.get("title_detail")]
    for item in details:
        if isinstance(item, dict) and item.get("language"):
            lang = normalize_lang(item.get("language"))
            if lang:
                return lang
    return None


def _feed_entry_language(text: str, feed_lang: str | None) -> str | None:
    """The feed's declared language wins, unless the entry is clearly in another language (a Finnish
    blog's English post); without a declaration, detection (fi/en/sv, or the other language itself)."""
    guess, prob = language_guess(text)
    if feed_lang is None:
        return guess if prob >= 0.6 else None
    return guess if guess and guess != feed_lang and prob >= 0.9 else feed_lang


_ITEM = "#item-"


def disambiguate(posts: list[Post], known: dict[str, str | None] | None = None) -> list[Post]:
    """Keep distinct items that share one guid distinct; an edit of the same item stays one post.

    Long-running blogs reuse a ``guid`` for different items. Items with the same id but
    different links are different items: the one already stored under the id (``known``:
    id -> stored URL), else the earliest, keeps the id; the others get ``<id>#item-<hash of
    their link>``, stable across runs. Same id and same link (or no link): one item, edited.
    """
    known = known or {}
    owners: dict[str, str | None] = {}
    for post in sorted(posts, key=lambda p: p.created_at):
        base = post.id.split(_ITEM, 1)[0]
        if base not in owners:
            owners[base] = known[base] if base in known else post.url
    out = []
    for post in posts:
        base = post.id.split(_ITEM, 1)[0]
        owner = owners.get(base)
        if post.url and owner and post.url != owner:
            new_id = f"{base}{_ITEM}{hashlib.sha256(post.url.encode('utf-8')).hexdigest()[:16]}"
        else:
            new_id = base
        out.append(post if new_id == post.id else replace(post, id=new_id))
    return out


def normalize_entry(
    entry, *, feed_id: str, author_id: str, feed_lang: str | None, now: datetime, with_title: bool = True
) -> Post:
    """One feedparser entry -> Post. Pure; ``now`` stands in for a missing or absurd date.

    ``with_title=False`` (comment feeds, whose titles are "By: Name") keeps the title only
    when there is no body.
    """
    body, body_links = _body(entry)
    title = html_to_text(entry.get("title") or "") if with_title or not body else ""
    if title and body.startswith(title):
        text = body
    else:
        text = "\n\n".join(part for part in (title, body) if part)
    # dict.get: FeedParserDict would silently (and noisily) map updated -> published
    created = _time(dict.get(entry, "published_parsed")) or _time(dict.get(entry, "updated_parsed"))
    if created is None or created.year < 1990 or created > now + timedelta(days=2):
        created = now
    lang = declared_language(entry) or _feed_entry_language(text, feed_lang)
    tags = tuple(
        dict.fromkeys(
            clean_text(str(tag.get("term")))[:100]
            for tag in (entry.get("tags") or [])[:50]
            if isinstance(tag, dict) and tag.get("term")
        )
    )
    comments = entry.get("slash_comments")
    reply_count = int(comments) if isinstance(comments, str) and comments.strip().isdigit() else 0
    link = _http(entry.get("link"))
    enclosures = (_http(e.get("href")) for e in (entry.get("enclosures") or [])[:20] if isinstance(e, dict))
    links = tuple(dict.fromkeys([*body_links, *(u for u in enclosures if u)]))[:50]
    return Post(
        id=entry_id(entry, feed_id),
        platform=Platform.FEED,
        author_id=author_id,
        created_at=created,
        text=text,
        lang=lang,
        url=link,
        links=links,
        tags=tags,
        reply_count=min(reply_count, 10_000_000),
    )


def parse_feed(
    body: bytes,
    *,
    feed_id: str,
    author_id: str | None = None,
    content_type: str = "",
    base_url: str | None = None,
    now: datetime | None = None,
    with_titles: bool = True,
) -> ParsedFeed:
    """Parse feed bytes. Raises MalformedPayload (or NotAFeed) when nothing usable came out."""
    now = now or datetime.now(UTC)
    media_type = content_type.split(";", 1)[0].strip().lower()
    if not body.strip():
        raise MalformedPayload("the feed is empty (0 bytes of content)")
    if media_type.startswith(("image/", "audio/", "video/", "font/")):
        raise MalformedPayload(f"the URL serves {media_type}, not a feed")
    screen(body)
    if len(body) > LOOSE_LIMIT and not well_formed(body):
        if looks_like_html(body, media_type):
            raise NotAFeed("the URL serves a web page, not a feed (and no feed link was found on it)")
        raise MalformedPayload(
            f"the feed is not well-formed XML and too large ({len(body) // 1024} KB) to repair safely",
            hint="ask the site owner to validate the feed (https://validator.w3.org/feed/)",
        )
    headers = {"content-type": content_type} if content_type else {}
    if base_url:  # relative links in the feed resolve against where it was fetched from
        headers["content-location"] = base_url
    try:
        data = feedparser.parse(BytesIO(body), response_headers=headers, sanitize_html=True)
    except RecursionError:
        raise MalformedPayload("the feed is nested too deeply to parse") from None
    except Exception as exc:  # feedparser is meant never to raise; be sure of it
        raise MalformedPayload(f"the feed could not be parsed: {type(exc).__name__}: {exc}") from None
    entries = list(data.get("entries") or [])
    bozo = bool(data.get("bozo"))
    problem = data.get("bozo_exception")
    reason = f"{type(problem).__name__}: {problem}" if problem is not None else "unknown problem"
    version = data.get("version") or ""
    if not entries:
        if looks_like_html(body, media_type) and not version:
            raise NotAFeed("the URL serves a web page, not a feed (and no feed link was found on it)")
        if bozo or not version:
            raise MalformedPayload(f"the feed is broken and has no usable entries ({reason[:300]})")
    feed_meta = data.get("feed") or {}
    feed_lang = normalize_lang(feed_meta.get("language"))  # <language>, dc:language or the feed's xml:lang
    warnings: list[str] = []
    if bozo:
        warnings.append(f"the feed is not well-formed, kept {len(entries)} entries anyway ({reason[:300]})")
    if len(entries) > MAX_ENTRIES:
        warnings.append(f"the feed has {len(entries)} entries; kept the first {MAX_ENTRIES}")
        entries = entries[:MAX_ENTRIES]
    posts: list[Post] = []
    comment_feeds: dict[str, tuple[str, str | None]] = {}
    authors: dict[str, str | None] = {}
    extras: list[tuple[str | None, str | None]] = []  # (author name, comment feed URL) per post
    for entry in entries:
        try:
            post = normalize_entry(
                entry, feed_id=feed_id, author_id=author_id or feed_id, feed_lang=feed_lang, now=now, with_title=with_titles
            )
        except Exception as exc:  # one broken entry must not sink the feed
            warnings.append(f"skipped an entry: {type(exc).__name__}: {exc}"[:300])
            continue
        posts.append(post)
        author = entry.get("author")
        extras.append((clean_text(author)[:200] or None if isinstance(author, str) else None, _http(entry.get("wfw_commentrss"))))
    if entries and not posts:
        raise MalformedPayload("no entry of the feed could be read: " + "; ".join(warnings[-3:]))
    posts = disambiguate(posts)
    for post, (author, comments_url) in zip(posts, extras):
        authors[post.id] = author
        if comments_url:
            comment_feeds[post.id] = (comments_url, author)
    return ParsedFeed(
        title=clean_text(feed_meta.get("title") or "")[:500],
        link=_http(feed_meta.get("link")),
        posts=posts,
        warnings=warnings,
        bozo=bozo,
        comment_feeds=comment_feeds,
        authors=authors,
    )


def parse_comments(
    body: bytes,
    *,
    post: Post,
    post_author: str | None,
    feed_id: str,
    content_type: str = "",
    base_url: str | None = None,
    now: datetime | None = None,
) -> ParsedComments:
    """A post's comment feed (WordPress ``wfw:commentRss``) -> comments by others + the leader's own.

    A comment whose author name equals the post's author is the leader's; it becomes a
    Post replying to the latest earlier comment by someone else (RSS comment feeds do not
    say which comment an answer is for, so this is the closest honest guess), or to the
    post itself when nobody had commented yet.
    """
    now = now or datetime.now(UTC)
    parsed = parse_feed(
        body, feed_id=f"{post.id}#comments", content_type=content_type, base_url=base_url, now=now, with_titles=False
    )
    entries = sorted(parsed.posts, key=lambda p: p.created_at)
    authors = parsed.authors
    own_name = (post_author or "").strip().casefold()
    interactions: list[Interaction] = []
    own: list[Post] = []
    last_other: Interaction | None = None
    for item in entries:
        name = authors.get(item.id)
        text = item.text
        if own_name and name and name.strip().casefold() == own_name:
            own.append(
                Post(
                    id=item.id,
                    platform=Platform.FEED,
                    author_id=post.author_id,
                    created_at=item.created_at,
                    text=text,
                    lang=item.lang,
                    url=item.url,
                    reply_parent_id=last_other.id if last_other else post.id,
                    reply_root_id=post.id,
                    reply_parent_author_id=last_other.author_id if last_other else post.author_id,
                    links=item.links,
                )
            )
            continue
        last_other = Interaction(
            id=item.id,
            platform=Platform.FEED,
            kind=InteractionKind.COMMENT,
            author_id=f"{feed_id}#commenter:{(name or 'anonymous').strip().casefold()[:200]}",
            created_at=item.created_at,
            author_name=name,
            text=text,
            lang=item.lang,
            url=item.url,
            parent_id=post.id,
            root_id=post.id,
        )
        interactions.append(last_other)
    return ParsedComments(interactions, own)
