"""Pure normalisation of Bluesky AppView JSON into Läsnä domain types.

No I/O and no mutation of the input: every function reads plain ``dict``s as
the AppView returns them (``app.bsky.feed.defs#feedViewPost``,
``#postView``, ``#threadViewPost``) and returns frozen dataclasses. A record
that breaks the lexicon raises :class:`lasna.errors.MalformedPayload`; the
collector skips that one record and logs it.

Facet offsets in ``app.bsky.richtext.facet`` are UTF-8 *byte* offsets into the
text, so slicing is done on the encoded bytes, never on the Python string.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from lasna.errors import MalformedPayload
from lasna.types import GAP_REASONS, Interaction, InteractionKind, Platform, Post

POST_VIEW = "app.bsky.feed.defs#postView"
THREAD_VIEW = "app.bsky.feed.defs#threadViewPost"
NOT_FOUND = "app.bsky.feed.defs#notFoundPost"
BLOCKED = "app.bsky.feed.defs#blockedPost"
REASON_REPOST = "app.bsky.feed.defs#reasonRepost"
REASON_PIN = "app.bsky.feed.defs#reasonPin"
POSTGATE_DISABLE = "app.bsky.feed.postgate#disableRule"

#: Embed types we understand (as record embeds and as view embeds).
KNOWN_EMBEDS = {
    "app.bsky.embed.images",
    "app.bsky.embed.images#view",
    "app.bsky.embed.external",
    "app.bsky.embed.external#view",
    "app.bsky.embed.record",
    "app.bsky.embed.record#view",
    "app.bsky.embed.recordWithMedia",
    "app.bsky.embed.recordWithMedia#view",
    "app.bsky.embed.video",
    "app.bsky.embed.video#view",
}


# ---------------------------------------------------------------- small helpers
def parse_time(value: Any, what: str = "time") -> datetime:
    """ATProto datetimes (RFC 3339, any offset) -> aware UTC datetime."""
    if not isinstance(value, str) or not value:
        raise MalformedPayload(f"missing or non-string {what}: {value!r}")
    try:
        parsed = datetime.fromisoformat(value)  # Python >= 3.11 reads the trailing Z itself
    except ValueError:
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError as exc:
            raise MalformedPayload(f"unparseable {what}: {value!r}") from exc
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed if parsed.tzinfo is UTC else parsed.astimezone(UTC)


def did_of(uri: str) -> str:
    """The repository DID (authority) of an at:// URI."""
    if not isinstance(uri, str) or not uri.startswith("at://"):
        raise MalformedPayload(f"not an at:// URI: {uri!r}")
    return uri[len("at://") :].split("/", 1)[0]


def web_url(uri: str, handle: str | None = None) -> str | None:
    """bsky.app link for an ``app.bsky.feed.post`` URI."""
    try:
        authority, collection, rkey = uri[len("at://") :].split("/", 2)
    except ValueError:
        return None
    if collection != "app.bsky.feed.post":
        return None
    who = handle if handle and handle != "handle.invalid" else authority
    return f"https://bsky.app/profile/{who}/post/{rkey}"


def _require(obj: Any, key: str, kind: type | tuple[type, ...], where: str) -> Any:
    if not isinstance(obj, dict):
        raise MalformedPayload(f"{where}: expected an object, got {type(obj).__name__}")
    value = obj.get(key)
    if not isinstance(value, kind):
        raise MalformedPayload(f"{where}: field {key!r} missing or wrong type ({value!r:.80})")
    return value


def _count(view: Mapping[str, Any], key: str) -> int:
    value = view.get(key, 0)
    if value is None:
        return 0
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise MalformedPayload(f"post {view.get('uri')}: {key} is not a count ({value!r})")
    return value


def _strings(value: Any) -> bool:
    """A list of strings (a loop: a generator per post costs more than the check)."""
    if type(value) is not list:
        return False
    for item in value:
        if type(item) is not str:
            return False
    return True


def _dedupe(values: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


@dataclass(frozen=True)
class Facets:
    mentions: tuple[str, ...] = ()
    links: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()


def normalize_facets(text: str, facets: Any) -> Facets:
    """Mentions (DIDs), links (URIs) and tags of a post's richtext facets.

    The byte range of each facet is checked against the UTF-8 text; features
    of unknown type are ignored (the lexicon is open), malformed ones rejected.
    """
    if facets is None:
        return Facets()
    if not isinstance(facets, list):
        raise MalformedPayload(f"facets is not a list: {facets!r:.80}")
    size = len(text.encode("utf-8"))
    mentions: list[str] = []
    links: list[str] = []
    tags: list[str] = []
    for facet in facets:
        index = _require(facet, "index", dict, "facet")
        start, end = index.get("byteStart"), index.get("byteEnd")
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start <= end <= size):
            raise MalformedPayload(f"facet byte range {start}..{end} outside text of {size} bytes")
        for feature in _require(facet, "features", list, "facet"):
            kind = feature.get("$type") if isinstance(feature, dict) else None
            if kind == "app.bsky.richtext.facet#mention":
                mentions.append(_require(feature, "did", str, "mention facet"))
            elif kind == "app.bsky.richtext.facet#link":
                links.append(_require(feature, "uri", str, "link facet"))
            elif kind == "app.bsky.richtext.facet#tag":
                tags.append(_require(feature, "tag", str, "tag facet"))
    return Facets(_dedupe(mentions), _dedupe(links), _dedupe(tags))


def facet_text(text: str, facet: Mapping[str, Any]) -> str:
    """The substring a facet covers (its offsets are UTF-8 bytes)."""
    index = facet["index"]
    return text.encode("utf-8")[index["byteStart"] : index["byteEnd"]].decode("utf-8")


POST_COLLECTION = "app.bsky.feed.post"


def _post_uri(uri: str) -> str | None:
    """``uri`` if it names a post; embedded starter packs, feeds, lists and labelers are not quotes."""
    parts = uri[len("at://"):].split("/") if uri.startswith("at://") else []
    return uri if len(parts) == 3 and parts[1] == POST_COLLECTION and parts[2] else None


def _embed_quote(embed: Any) -> str | None:
    """URI of the quoted post, if the record's embed quotes one; rejects unknown embed types.

    Only an embedded ``app.bsky.feed.post`` is a quote. A quote whose target was later
    detached (postgate), blocked or deleted stays a quote: the leader wrote it as one.
    """
    if embed is None:
        return None
    if not isinstance(embed, dict):
        raise MalformedPayload("embed is not an object")
    kind = embed.get("$type")
    if kind not in KNOWN_EMBEDS:
        raise MalformedPayload(f"unknown embed type {kind!r}")
    if kind == "app.bsky.embed.record":
        return _post_uri(_require(_require(embed, "record", dict, "record embed"), "uri", str, "record embed"))
    if kind == "app.bsky.embed.recordWithMedia":
        inner = _require(_require(embed, "record", dict, "recordWithMedia embed"), "record", dict, "embed")
        return _post_uri(_require(inner, "uri", str, "recordWithMedia embed"))
    return None


def _gates(view: Mapping[str, Any]) -> tuple[bool, bool, tuple[str, ...]]:
    """(replies_restricted, quotes_disabled, hidden reply URIs) from threadgate/postgate data."""
    replies_restricted = False
    hidden: tuple[str, ...] = ()
    threadgate = view.get("threadgate")
    if threadgate is not None:
        record = _require(threadgate, "record", dict, "threadgate")
        # `allow` absent: everybody may reply; present (even empty): restricted.
        replies_restricted = "allow" in record
        raw_hidden = record.get("hiddenReplies") or []
        if not _strings(raw_hidden):
            raise MalformedPayload("threadgate hiddenReplies is not a list of URIs")
        hidden = tuple(raw_hidden)
    quotes_disabled = False
    viewer = view.get("viewer")
    if isinstance(viewer, dict) and viewer.get("embeddingDisabled") is True:
        quotes_disabled = True
    postgate = view.get("postgate")  # not in every AppView version; accepted when present
    if postgate is not None:
        record = postgate.get("record", postgate) if isinstance(postgate, dict) else None
        if not isinstance(record, dict):
            raise MalformedPayload("postgate is not an object")
        rules = record.get("embeddingRules") or []
        if any(isinstance(r, dict) and r.get("$type") == POSTGATE_DISABLE for r in rules):
            quotes_disabled = True
    return replies_restricted, quotes_disabled, hidden


def hidden_reply_uris(view: Mapping[str, Any]) -> tuple[str, ...]:
    """URIs the thread's author hid with a threadgate (from a root post view or a thread output)."""
    return _gates(view)[2]


# ---------------------------------------------------------------- posts
def normalize_post_view(view: Mapping[str, Any]) -> Post:
    """One ``#postView`` (the leader's own post, reply or quote) -> :class:`Post`."""
    uri = _require(view, "uri", str, "post view")
    where = f"post {uri}"
    author = _require(view, "author", dict, where)
    author_did = _require(author, "did", str, where + " author")
    record = _require(view, "record", dict, where)
    if record.get("$type", "app.bsky.feed.post") != "app.bsky.feed.post":
        raise MalformedPayload(f"{where}: record type {record.get('$type')!r} is not a post")
    text = _require(record, "text", str, where)
    facets = normalize_facets(text, record.get("facets"))
    langs = record.get("langs")
    if langs is not None and not _strings(langs):
        raise MalformedPayload(f"{where}: langs is not a list of strings")
    reply = record.get("reply")
    parent_id = root_id = parent_author = None
    if reply is not None:
        parent_id = _require(_require(reply, "parent", dict, where + " reply"), "uri", str, where + " parent")
        root_id = _require(_require(reply, "root", dict, where + " reply"), "uri", str, where + " root")
        parent_author = did_of(parent_id)
    replies_restricted, quotes_disabled, hidden = _gates(view)
    return Post(
        id=uri,
        platform=Platform.BLUESKY,
        author_id=author_did,
        created_at=parse_time(record.get("createdAt"), where + " createdAt"),
        indexed_at=parse_time(view.get("indexedAt"), where + " indexedAt") if view.get("indexedAt") else None,
        text=text,
        lang=langs[0] if langs else None,
        url=web_url(uri, author.get("handle")),
        reply_parent_id=parent_id,
        reply_root_id=root_id,
        reply_parent_author_id=parent_author,
        quote_of_id=_embed_quote(record.get("embed")),
        mentions=facets.mentions,
        links=facets.links,
        tags=facets.tags,
        like_count=_count(view, "likeCount"),
        reply_count=_count(view, "replyCount"),
        repost_count=_count(view, "repostCount"),
        quote_count=_count(view, "quoteCount"),
        replies_restricted=replies_restricted,
        quotes_disabled=quotes_disabled,
        hidden_replies=len(hidden),
    )


def normalize_repost(item: Mapping[str, Any]) -> Post:
    """A ``#feedViewPost`` whose reason is a repost by the leader -> a repost :class:`Post`.

    The text stays empty: it is someone else's words, not the leader's. The id is
    the repost record's URI when the AppView gives it, else a stable synthetic one.
    """
    reason = _require(item, "reason", dict, "repost item")
    by = _require(reason, "by", dict, "repost reason")
    by_did = _require(by, "did", str, "repost reason by")
    subject = _require(_require(item, "post", dict, "repost item"), "uri", str, "reposted post")
    when = parse_time(reason.get("indexedAt"), "repost indexedAt")
    repost_uri = reason.get("uri")
    if not isinstance(repost_uri, str):
        repost_uri = f"at://{by_did}/app.bsky.feed.repost/?subject={subject}"
    return Post(
        id=repost_uri,
        platform=Platform.BLUESKY,
        author_id=by_did,
        created_at=when,
        indexed_at=when,
        is_repost=True,
        repost_of_id=subject,
    )


def feed_item_uri(item: Any) -> str | None:
    """Best-effort id of a feed item, for logging and for 'seen' bookkeeping of skipped items."""
    if not isinstance(item, dict):
        return None
    reason = item.get("reason")
    if isinstance(reason, dict) and reason.get("$type") == REASON_REPOST and isinstance(reason.get("uri"), str):
        return reason["uri"]
    post = item.get("post")
    if isinstance(post, dict) and isinstance(post.get("uri"), str):
        return post["uri"]
    return None


def normalize_feed_item(item: Mapping[str, Any]) -> Post | None:
    """One ``#feedViewPost`` of the leader's author feed -> :class:`Post` (None for a pinned echo)."""
    if not isinstance(item, dict):
        raise MalformedPayload("feed item is not an object")
    reason = item.get("reason")
    if reason is not None:
        kind = reason.get("$type") if isinstance(reason, dict) else None
        if kind == REASON_REPOST:
            return normalize_repost(item)
        if kind == REASON_PIN:
            return None  # the pinned post appears again in its own place in the feed
        raise MalformedPayload(f"unknown feed reason {kind!r}")
    return normalize_post_view(_require(item, "post", dict, "feed item"))


def item_sort_time(item: Mapping[str, Any]) -> datetime | None:
    """The time the AppView sorts a feed item by (min of createdAt and indexedAt; repost time)."""
    try:
        reason = item.get("reason")
        if isinstance(reason, dict) and reason.get("$type") == REASON_REPOST:
            return parse_time(reason.get("indexedAt"))
        post = item["post"]
        times = [parse_time(post["record"]["createdAt"])]
        if post.get("indexedAt"):
            times.append(parse_time(post["indexedAt"]))
        return min(times)
    except (KeyError, TypeError, MalformedPayload):
        return None


@dataclass(frozen=True)
class FeedPage:
    posts: tuple[Post, ...]
    #: (uri or None, reason) for items that were skipped because they break the lexicon
    skipped: tuple[tuple[str | None, str], ...]
    cursor: str | None
    #: sort times of all items, in feed order (None where unreadable)
    sort_times: tuple[datetime | None, ...]
    #: the leader's handle as the AppView shows it on their own posts (to follow handle changes)
    author_handles: tuple[tuple[str, str], ...]


def normalize_author_feed(page: Mapping[str, Any]) -> FeedPage:
    """A whole ``getAuthorFeed`` response -> posts + skipped items; bad items never sink the page."""
    feed = _require(page, "feed", list, "getAuthorFeed output")
    cursor = page.get("cursor")
    if cursor is not None and not isinstance(cursor, str):
        raise MalformedPayload("getAuthorFeed cursor is not a string")
    posts: list[Post] = []
    skipped: list[tuple[str | None, str]] = []
    handles: dict[str, str] = {}
    sort_times: list[datetime | None] = []
    for item in feed:
        try:
            post = normalize_feed_item(item)
        except MalformedPayload as exc:
            skipped.append((feed_item_uri(item), exc.message))
            post = None
        if post is None:  # skipped, or a pinned echo: read its time from the raw item
            sort_times.append(item_sort_time(item) if isinstance(item, dict) else None)
            continue
        # the same times item_sort_time reads (a repost's are its reason's), already parsed
        indexed = post.indexed_at
        sort_times.append(post.created_at if indexed is None or post.created_at < indexed else indexed)
        posts.append(post)
        if not post.is_repost:
            handle = item["post"]["author"].get("handle")
        else:
            handle = item["reason"]["by"].get("handle")
        if isinstance(handle, str):
            handles.setdefault(post.author_id, handle)
    return FeedPage(tuple(posts), tuple(skipped), cursor, tuple(sort_times), tuple(handles.items()))


# ---------------------------------------------------------------- threads
def normalize_reply_view(
    view: Mapping[str, Any], *, hidden: bool = False, kind: InteractionKind = InteractionKind.REPLY,
    parent_id: str | None = None,
) -> Interaction:
    """Someone else's post (a ``#postView``) addressed to the leader -> :class:`Interaction`.

    A reply in the leader's thread keeps its own parent and root; a quote post
    (``kind=QUOTE``) gets the quoted post as both (``parent_id``).
    """
    post = normalize_post_view(view)
    author = view["author"]
    name = author.get("displayName")
    return Interaction(
        id=post.id,
        platform=Platform.BLUESKY,
        kind=kind,
        author_id=post.author_id,
        created_at=post.created_at,
        indexed_at=post.indexed_at,
        author_handle=author.get("handle") if isinstance(author.get("handle"), str) else None,
        author_name=name if isinstance(name, str) and name else None,
        text=post.text,
        lang=post.lang,
        url=post.url,
        parent_id=parent_id or post.reply_parent_id,
        root_id=parent_id or post.reply_root_id,
        hidden=hidden,
    )


@dataclass(frozen=True)
class Thread:
    """What one ``getPostThread`` answer holds, from the leader's point of view."""

    root_uri: str
    found: bool  # False: the post is gone (notFound); a blocked thread is found but empty
    own_posts: tuple[Post, ...] = ()
    replies: tuple[Interaction, ...] = ()
    #: own post URI -> replyCount, for every own post whose replies were all returned
    checked: tuple[tuple[str, int], ...] = ()
    skipped: tuple[tuple[str | None, str], ...] = ()
    #: (post URI, URIs of the replies shown under it) for every post whose replies were all
    #: returned (not cut off by the depth limit). A stored reply under such a post that is
    #: missing here, or shown as notFound, was deleted.
    listed: tuple[tuple[str, tuple[str, ...]], ...] = ()
    #: (own post URI, {reason: replies}) for every own post in the thread: replies its ``replyCount``
    #: counts that the thread could not give (``coaching.coverage.GAP_REASONS``; empty when none)
    losses: tuple[tuple[str, dict[str, int]], ...] = ()
    #: the requested post itself is shown as ``#blockedPost``: none of its replies can be read
    blocked: bool = False


def _walk(node: Any, depth: int = 0) -> Iterator[tuple[Any, int]]:
    stack = [(node, depth)]
    while stack:
        current, level = stack.pop()
        yield current, level
        if isinstance(current, dict) and isinstance(current.get("replies"), list):
            for child in reversed(current["replies"]):
                stack.append((child, level + 1))


def normalize_thread(output: Mapping[str, Any], leader_did: str, requested_uri: str) -> Thread:
    """A ``getPostThread`` output for one of the leader's posts.

    Every post by someone else below the requested post is an incoming reply;
    the leader's own posts found there are Posts. Hidden replies (threadgate
    ``hiddenReplies``) are kept but flagged. Malformed replies are skipped.
    """
    thread = _require(output, "thread", dict, "getPostThread output")
    kind = thread.get("$type", THREAD_VIEW)
    if kind == NOT_FOUND or thread.get("notFound") is True:
        return Thread(root_uri=requested_uri, found=False)
    if kind == BLOCKED or thread.get("blocked") is True:
        return Thread(root_uri=requested_uri, found=True, blocked=True)  # hidden from us, not deleted
    if kind != THREAD_VIEW:
        raise MalformedPayload(f"unknown thread node type {kind!r}")
    root_view = _require(thread, "post", dict, "thread root")
    hidden: set[str] = set(hidden_reply_uris(output)) if output.get("threadgate") else set()
    hidden.update(hidden_reply_uris(root_view))
    own: list[Post] = []
    replies: list[Interaction] = []
    checked: list[tuple[str, int]] = []
    skipped: list[tuple[str | None, str]] = []
    listed: list[tuple[str, tuple[str, ...]]] = []
    losses: list[tuple[str, dict[str, int]]] = []
    for node, level in _walk(thread):
        listing = _listing(node, hidden)
        if listing is not None:
            listed.append(listing)
        if not isinstance(node, dict):
            skipped.append((None, "thread node is not an object"))
            continue
        node_type = node.get("$type", THREAD_VIEW)
        if node_type in (NOT_FOUND, BLOCKED):
            continue  # a deleted or blocked reply: nothing to store
        if node_type != THREAD_VIEW:
            skipped.append((node.get("uri"), f"unknown thread node type {node_type!r}"))
            continue
        view = node.get("post")
        uri = view.get("uri") if isinstance(view, dict) else None
        try:
            if not isinstance(view, dict):
                raise MalformedPayload("thread node without post")
            author_did = _require(_require(view, "author", dict, "post"), "did", str, "post author")
            if author_did == leader_did:
                post = normalize_post_view(view)
                own.append(post)
                if isinstance(node.get("replies"), list) or post.reply_count == 0:
                    checked.append((post.id, post.reply_count))
                losses.append((post.id, reply_losses(node, post.reply_count, hidden if level == 0 else set())))
            elif level > 0:
                replies.append(normalize_reply_view(view, hidden=view["uri"] in hidden))
        except MalformedPayload as exc:
            skipped.append((uri if isinstance(uri, str) else None, exc.message))
    return Thread(
        root_uri=requested_uri,
        found=True,
        own_posts=tuple(own),
        replies=tuple(replies),
        checked=tuple(checked),
        skipped=tuple(skipped),
        listed=tuple(listed),
        losses=tuple(losses),
    )


def reply_losses(node: Mapping[str, Any], reply_count: int, hidden: set[str]) -> dict[str, int]:
    """Replies ``reply_count`` counts under a thread node that the thread does not give, by reason.

    * ``blocked`` / ``not_found``: children shown as ``#blockedPost`` / ``#notFoundPost``;
    * ``depth_cut``: the node has replies but the thread stops above them (no ``replies`` list);
    * ``withheld``: the listing is complete yet shorter than the count. The AppView leaves a reply out
      altogether when a block exists between its author and the thread's (seen on the local network:
      no ``#blockedPost`` placeholder), and for moderation; replies the leader hid (``hidden``) that are
      absent are not counted here — the ledger counts them as hidden.
    """
    out: dict[str, int] = dict.fromkeys(GAP_REASONS, 0)  # every reason: what was 0 at this fetch is 0 now
    children = node.get("replies")
    if not isinstance(children, list):
        out["depth_cut"] = max(reply_count, 0)
        return out
    present: set[str] = set()
    for child in children:
        kind = child.get("$type", THREAD_VIEW) if isinstance(child, dict) else None
        if kind == BLOCKED or (isinstance(child, dict) and child.get("blocked") is True):
            out["blocked"] += 1
        elif kind == NOT_FOUND or (isinstance(child, dict) and child.get("notFound") is True):
            out["not_found"] += 1
        view = child.get("post") if isinstance(child, dict) else None
        uri = view.get("uri") if isinstance(view, dict) else (child.get("uri") if isinstance(child, dict) else None)
        if isinstance(uri, str):
            present.add(uri)
    out["withheld"] = max(reply_count - len(children) - len(hidden - present), 0)
    return out


def _listing(node: Any, hidden: set[str]) -> tuple[str, tuple[str, ...]] | None:
    """(URI, replies still there) of a thread node whose replies were returned; None if cut off or unclear.

    Replies the thread's author hid count as there, whatever the AppView shows.
    """
    if not isinstance(node, dict) or not isinstance(node.get("replies"), list):
        return None
    view = node.get("post")
    uri = view.get("uri") if isinstance(view, dict) else None
    if not isinstance(uri, str):
        return None
    present: list[str] = []
    for child in node["replies"]:
        if not isinstance(child, dict):
            return None  # a child we cannot name: judge nothing under this post
        kind = child.get("$type", THREAD_VIEW)
        if kind == NOT_FOUND or child.get("notFound") is True:
            continue  # deleted
        child_view = child.get("post")
        child_uri = child_view.get("uri") if isinstance(child_view, dict) else child.get("uri")
        if not isinstance(child_uri, str):
            return None
        present.append(child_uri)
    return uri, tuple(dict.fromkeys([*present, *sorted(hidden)]))


# ---------------------------------------------------------------- quotes
@dataclass(frozen=True)
class QuotesPage:
    """One ``getQuotes`` answer: other people's quote posts of one of the leader's posts."""

    quoted_uri: str
    quotes: tuple[Interaction, ...]
    #: URIs of every post on the page, the leader's own quotes and skipped ones included
    seen: tuple[str, ...]
    skipped: tuple[tuple[str | None, str], ...]
    cursor: str | None
    #: quote posts on the page whose embed shows the leader detached them (``#viewDetached``)
    detached: int = 0


DETACHED = "app.bsky.embed.record#viewDetached"


def _detached(view: Any) -> bool:
    """Whether a post view's embedded quote shows ``#viewDetached`` (its target's author detached it)."""
    embed = view.get("embed") if isinstance(view, dict) else None
    if not isinstance(embed, dict):
        return False
    record = embed.get("record")
    if embed.get("$type") == "app.bsky.embed.recordWithMedia#view" and isinstance(record, dict):
        record = record.get("record")
    return isinstance(record, dict) and (record.get("$type") == DETACHED or record.get("detached") is True)


def normalize_quotes(page: Mapping[str, Any], leader_did: str, quoted_uri: str) -> QuotesPage:
    """A ``getQuotes`` output -> QUOTE interactions; the leader quoting themself is not one."""
    views = _require(page, "posts", list, "getQuotes output")
    cursor = page.get("cursor")
    if cursor is not None and not isinstance(cursor, str):
        raise MalformedPayload("getQuotes cursor is not a string")
    quotes: list[Interaction] = []
    seen: list[str] = []
    skipped: list[tuple[str | None, str]] = []
    detached = 0
    for view in views:
        uri = view.get("uri") if isinstance(view, dict) else None
        if _detached(view):
            detached += 1
            continue  # the leader detached this quote (postgate): no longer a quote of theirs; a stored one goes
        if isinstance(uri, str):
            seen.append(uri)
        try:
            author = _require(_require(view, "author", dict, "quote post"), "did", str, "quote author")
            if author != leader_did:
                quotes.append(normalize_reply_view(view, kind=InteractionKind.QUOTE, parent_id=quoted_uri))
        except MalformedPayload as exc:
            skipped.append((uri if isinstance(uri, str) else None, exc.message))
    return QuotesPage(quoted_uri, tuple(quotes), tuple(seen), tuple(skipped), cursor, detached)
