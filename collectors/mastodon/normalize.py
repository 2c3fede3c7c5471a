"""Pure normalisers for Mastodon REST API entities (Status, Context, Account).

Mastodon's REST API names statuses and accounts by *instance-local* ids
(``in_reply_to_id``, ``in_reply_to_account_id``); Läsnä stores the ActivityPub
``uri`` as the stable id. The caller passes a :class:`IdMap` that translates
local ids seen on the leader's instance into URIs. Unresolvable references become
explicit markers (``mastodon:<host>:status:<id>``) rather than silently wrong ids.

**One key per fediverse account.** Authors, parent authors and mentions are all keyed
``acct:<user>@<domain>`` (RFC 7565, lower case), built from the ``acct`` field that both
the Account and the Mention entity carry (local accounts get the instance's host). The
account URI (``https://host/users/user``) and the profile URL (``https://host/@user``) are
not used as keys: a Mention has no URI, and a profile URL is not the URI. Entities without
``acct`` fall back to the ``/@user`` or ``/users/user`` path of their URL.

Servers: Mastodon (snowflake ids), GoToSocial (ULID ids, accounts without ``uri``),
Pleroma/Akkoma (flake ids, ``/objects/<uuid>`` status URIs, ``pleroma.quote``) are read
through the same entity fields. Quotes: Mastodon 4.4 ``quote`` (Quote or ShallowQuote),
Pleroma/Akkoma ``quote``/``pleroma.quote``/``quote_id``; the ``quote-inline`` fallback
("RE: <url>") is dropped from the text and the links. Only http(s) URLs are kept.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from collectors.common import parse_time
from collectors.text import clean_text, content_links, detect_language, drop_quote_fallback, html_to_text, normalize_lang
from lasna.errors import MalformedPayload
from lasna.types import GAP_REASONS, Interaction, InteractionKind, Platform, Post


@dataclass
class IdMap:
    """Instance-local ids -> stable ids, for statuses and accounts."""

    host: str
    statuses: dict[str, str] = field(default_factory=dict)
    accounts: dict[str, str] = field(default_factory=dict)

    def learn(self, status: Mapping[str, Any]) -> None:
        """Remember a status (and its author, and a boosted status) from any API answer."""
        if not isinstance(status, Mapping):
            return
        sid, uri = status.get("id"), status.get("uri")
        if isinstance(sid, str) and isinstance(uri, str) and sid and uri:
            self.statuses[sid] = uri[:500]
        account = status.get("account")
        if isinstance(account, Mapping) and isinstance(account.get("id"), str) and account["id"]:
            ident = account_stable_id(account, self.host)
            if ident:
                self.accounts[account["id"]] = ident
        for nested in (status.get("reblog"), _quoted_status(status)):
            if isinstance(nested, Mapping):
                self.learn(nested)

    def status(self, local_id: str | None) -> str | None:
        if not local_id:
            return None
        return self.statuses.get(str(local_id)) or f"mastodon:{self.host}:status:{local_id}"

    def account(self, local_id: str | None) -> str | None:
        if not local_id:
            return None
        return self.accounts.get(str(local_id)) or f"mastodon:{self.host}:account:{local_id}"


_ACCT = re.compile(r"^@?([^\s@/:]{1,100})(?:@([^\s@/:]{1,253}))?$")
_PROFILE = re.compile(r"^https?://([^/@\s]+)/(?:@|users/|u/)([^/@\s?#]{1,100})/?$")


def account_key(user: str, domain: str) -> str:
    return f"acct:{user.lower()}@{domain.lower()}"


def account_stable_id(account: Mapping[str, Any], host: str | None = None) -> str | None:
    """The one key of a fediverse account (Account or Mention entity): ``acct:user@domain``."""
    acct = account.get("acct")
    match = _ACCT.match(acct) if isinstance(acct, str) else None
    if match and (match.group(2) or host):
        return account_key(match.group(1), match.group(2) or host)
    for key in ("url", "uri"):
        value = account.get(key)
        found = _PROFILE.match(value) if isinstance(value, str) else None
        if found:
            return account_key(found.group(2), found.group(1))
    return None


def full_acct(account: Mapping[str, Any], host: str) -> str | None:
    acct = account.get("acct")
    if not isinstance(acct, str) or not acct:
        return None
    return acct if "@" in acct else f"{acct}@{host}"


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _ref(value: Any) -> str | None:
    """A local id reference (in_reply_to_id etc.): a non-empty string or integer, else None."""
    if isinstance(value, bool) or not isinstance(value, (str, int)) or value == "":
        return None
    return str(value)[:100]


def _str_or_none(value: Any) -> str | None:
    return value[:2000] if isinstance(value, str) and value else None


def _http(value: Any) -> str | None:
    """Only http(s) URLs are kept from a payload (``javascript:``, ``data:`` and the like are dropped)."""
    return value[:2000] if isinstance(value, str) and value.lower().startswith(("https://", "http://")) else None


def _quoted_status(status: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The quoted Status, if the payload carries it: Mastodon 4.4 Quote, Akkoma/Fedibird ``quote``, Pleroma ``pleroma.quote``."""
    quote = status.get("quote")
    if isinstance(quote, Mapping):
        if isinstance(quote.get("quoted_status"), Mapping):
            return quote["quoted_status"]
        if isinstance(quote.get("uri"), str) and "account" in quote:
            return quote
    pleroma = status.get("pleroma")
    if isinstance(pleroma, Mapping) and isinstance(pleroma.get("quote"), Mapping):
        return pleroma["quote"]
    return None


def _quote_of(status: Mapping[str, Any], ids: IdMap, fallback: str | None) -> str | None:
    quoted = _quoted_status(status)
    if quoted is not None:
        return _str_or_none(quoted.get("uri"))
    quote = status.get("quote")
    if isinstance(quote, Mapping):
        if quote.get("state") not in (None, "accepted"):
            return None  # pending, revoked, deleted, blocked: no quote shown
        ref = _ref(quote.get("quoted_status_id"))
        if ref:
            return ids.status(ref)
    pleroma = status.get("pleroma") if isinstance(status.get("pleroma"), Mapping) else {}
    ref = _ref(status.get("quote_id")) or _ref(pleroma.get("quote_id"))
    if ref:
        return ids.status(ref)
    return _http(pleroma.get("quote_url")) or fallback


def _count(value: Any) -> int:
    return value if isinstance(value, int) and 0 <= value < 10**9 else 0


def _require(status: Any) -> Mapping[str, Any]:
    if not isinstance(status, Mapping):
        raise MalformedPayload(f"expected a Mastodon Status object, got {type(status).__name__}")
    for key in ("id", "uri", "created_at", "account"):
        if key not in status:
            raise MalformedPayload(f"Mastodon status without {key!r}")
    if not isinstance(status["uri"], str) or not status["uri"]:
        raise MalformedPayload("Mastodon status with an empty uri")
    if not isinstance(status["account"], Mapping):
        raise MalformedPayload("Mastodon status with a malformed account")
    return status


def _content(status: Mapping[str, Any]) -> tuple[str, str | None]:
    """The status HTML without the quote-inline fallback, and the URL that fallback named."""
    content = status.get("content") if isinstance(status.get("content"), str) else ""
    return drop_quote_fallback(content)


def _status_text(status: Mapping[str, Any]) -> str:
    text = html_to_text(_content(status)[0])
    spoiler = clean_text(status.get("spoiler_text") if isinstance(status.get("spoiler_text"), str) else "")
    return f"{spoiler}\n\n{text}".strip() if spoiler else text


def _created(status: Mapping[str, Any]) -> datetime:
    created = parse_time(status.get("created_at"))
    if created is None:
        raise MalformedPayload(f"Mastodon status {str(status.get('id'))[:40]} has no valid created_at")
    return created


def normalize_status(status: Mapping[str, Any], *, ids: IdMap) -> Post:
    """A Status entity of the leader's -> Post (boosts become reposts with empty text)."""
    status = _require(status)
    author = account_stable_id(status["account"], ids.host)
    if author is None:
        raise MalformedPayload("Mastodon status whose account has no acct/url")
    reblog = status.get("reblog")
    if isinstance(reblog, Mapping):
        return Post(
            id=status["uri"][:500],
            platform=Platform.MASTODON,
            author_id=author,
            created_at=_created(status),
            url=_http(status.get("url")),
            is_repost=True,
            repost_of_id=reblog.get("uri") if isinstance(reblog.get("uri"), str) else None,
        )
    content, fallback_url = _content(status)
    text = _status_text(status)
    in_reply_to = _ref(status.get("in_reply_to_id"))
    mentions = tuple(
        dict.fromkeys(
            ref[:500]
            for m in _list(status.get("mentions"))[:100]
            if isinstance(m, Mapping) and (m.get("url") is None or _http(m.get("url")))
            for ref in [account_stable_id(m, ids.host)]
            if ref
        )
    )
    tags = tuple(
        dict.fromkeys(
            t["name"].lower()[:100] for t in _list(status.get("tags"))[:100] if isinstance(t, Mapping) and _str_or_none(t.get("name"))
        )
    )
    return Post(
        id=status["uri"][:500],
        platform=Platform.MASTODON,
        author_id=author,
        created_at=_created(status),
        text=text,
        lang=normalize_lang(status.get("language")) or detect_language(text),
        url=_http(status.get("url")),
        reply_parent_id=ids.status(in_reply_to) if in_reply_to else None,
        reply_parent_author_id=ids.account(_ref(status.get("in_reply_to_account_id"))) if in_reply_to else None,
        quote_of_id=(_quote_of(status, ids, fallback_url) or "")[:500] or None,
        mentions=mentions,
        links=content_links(content),
        tags=tags,
        like_count=_count(status.get("favourites_count")),
        reply_count=_count(status.get("replies_count")),
        repost_count=_count(status.get("reblogs_count")),
        quote_count=_count(status.get("quotes_count")),
    )


def normalize_reply(status: Mapping[str, Any], *, ids: IdMap, root_id: str | None) -> Interaction:
    """Someone else's Status in the leader's thread -> Interaction(kind=reply)."""
    status = _require(status)
    account = status["account"]
    author = account_stable_id(account, ids.host)
    if author is None:
        raise MalformedPayload("Mastodon status whose account has no acct/url")
    text = _status_text(status)
    name = account.get("display_name")
    return Interaction(
        id=status["uri"][:500],
        platform=Platform.MASTODON,
        kind=InteractionKind.REPLY,
        author_id=author,
        created_at=_created(status),
        author_handle=full_acct(account, ids.host),
        author_name=clean_text(name)[:200] if isinstance(name, str) and name else None,
        text=text,
        lang=normalize_lang(status.get("language")) or detect_language(text),
        url=_http(status.get("url")),
        parent_id=ids.status(_ref(status.get("in_reply_to_id"))),
        root_id=root_id,
    )


#: What ``GET /api/v1/statuses/:id/context`` gives a caller that is not logged in (Mastodon 4.x,
#: ``Api::V1::StatusesController``): at most 60 descendants, at most 20 levels deep. A listing that
#: reaches either limit may be cut, so it proves nothing about replies missing from it.
DESCENDANTS_LIMIT = 60
DESCENDANTS_DEPTH_LIMIT = 20


@dataclass
class ThreadResult:
    interactions: list[Interaction]
    own_posts: list[Post]
    skipped: int = 0
    #: own post URI -> {reason: replies its ``replies_count`` counts that the context did not give}
    losses: dict[str, dict[str, int]] = field(default_factory=dict)
    #: own post URI -> URIs of its direct replies, for posts whose listing cannot have been cut
    listings: dict[str, tuple[str, ...]] = field(default_factory=dict)


def context_losses(descendants: list[Mapping[str, Any]], own: Mapping[str, tuple[str, int]], *,
                   refreshing: bool = False) -> tuple[dict[str, dict[str, int]], dict[str, tuple[str, ...]]]:
    """Per own status (local id -> (URI, ``replies_count``)): the replies counted but not in the context,
    by reason, and the direct replies of those whose listing is complete.

    * ``depth_cut``: the context reached a logged-out limit (:data:`DESCENDANTS_LIMIT` statuses, or the
      status sits at :data:`DESCENDANTS_DEPTH_LIMIT` levels), so its replies may be cut off;
    * ``other_instance``: the server says it is still fetching replies from other instances
      (``refreshing``: a ``Mastodon-Async-Refresh`` header, Mastodon 4.4+);
    * ``withheld``: the listing is complete yet shorter than the count (replies the server counts but
      shows no logged-out visitor: a limited or suspended account or instance, a reply since deleted
      whose count the server has not lowered yet).
    """
    parent_of = {str(s.get("id")): _ref(s.get("in_reply_to_id")) for s in descendants}
    focal = [lid for lid in own if lid not in parent_of]

    def depth(local: str) -> int:
        n, cur = 0, local
        while cur in parent_of and n <= DESCENDANTS_DEPTH_LIMIT:
            cur, n = parent_of[cur] or "", n + 1
        return n

    children: dict[str, list[str]] = {}
    for status in descendants:
        parent = _ref(status.get("in_reply_to_id"))
        uri = status.get("uri")
        if parent and isinstance(uri, str):
            children.setdefault(parent, []).append(uri[:500])
    cut_all = len(descendants) >= DESCENDANTS_LIMIT
    losses: dict[str, dict[str, int]] = {}
    listings: dict[str, tuple[str, ...]] = {}
    for local, (uri, count) in own.items():
        got = children.get(local, [])
        gap = max(count - len(got), 0)
        cut = cut_all or (local not in focal and depth(local) >= DESCENDANTS_DEPTH_LIMIT)
        found = dict.fromkeys(GAP_REASONS, 0)
        if cut:
            found["depth_cut"] = gap
        elif refreshing:
            found["other_instance"] = gap
        else:
            found["withheld"] = gap
            listings[uri] = tuple(got)
        losses[uri] = found
    return losses, listings


def normalize_context(
    context: Mapping[str, Any], *, focal_uri: str, self_local_id: str, ids: IdMap, focal_local_id: str | None = None,
    focal_replies: int | None = None, refreshing: bool = False,
) -> ThreadResult:
    """A Context entity fetched for one of the leader's statuses -> replies by others + the leader's own.

    The Context never contains the status it was asked about, so ``focal_local_id`` (the
    instance-local id the request used) is mapped to ``focal_uri`` here: direct replies then
    attach to the leader's post even when that post was not among the statuses of this run.
    """
    if not isinstance(context, Mapping) or not isinstance(context.get("descendants", []), list):
        raise MalformedPayload("expected a Mastodon Context object with ancestors/descendants lists")
    if focal_local_id:
        ids.statuses[str(focal_local_id)] = focal_uri[:500]
    ancestors = [s for s in _list(context.get("ancestors")) if isinstance(s, Mapping)]
    descendants = [s for s in _list(context.get("descendants")) if isinstance(s, Mapping)]
    for status in ancestors + descendants:
        ids.learn(status)
    root_id = (_str_or_none(ancestors[0].get("uri")) if ancestors else None) or focal_uri
    root_id = root_id[:500]
    result = ThreadResult([], [])
    for status in descendants:
        try:
            account = status.get("account")
            if isinstance(account, Mapping) and account.get("id") == self_local_id:
                post = normalize_status(status, ids=ids)
                result.own_posts.append(post)
            else:
                result.interactions.append(normalize_reply(status, ids=ids, root_id=root_id))
        except MalformedPayload:
            result.skipped += 1
    own: dict[str, tuple[str, int]] = {}
    if focal_local_id and focal_replies is not None:
        own[str(focal_local_id)] = (focal_uri[:500], int(focal_replies))
    for status in descendants:
        account = status.get("account")
        if (isinstance(account, Mapping) and account.get("id") == self_local_id and isinstance(status.get("id"), str)
                and isinstance(status.get("uri"), str)):
            own[status["id"]] = (status["uri"][:500], _count(status.get("replies_count")))
    result.losses, result.listings = context_losses(descendants, own, refreshing=refreshing)
    return result
