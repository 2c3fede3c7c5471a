"""Pure normalisers for Mastodon REST API entities (Status, Context, Account).

Mastodon's REST API names statuses and accounts by *instance-local* ids
(``in_reply_to_id``, ``in_reply_to_account_id``); Läsnä stores the ActivityPub
``uri`` as the stable id. The caller passes a :class:`IdMap` that translates
local ids seen on the leader's instance into URIs. Unresolvable references become
explicit markers (``mastodon:<host>:status:<id>``) rather than silently wrong ids.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from collectors.common import parse_time
from collectors.text import clean_text, content_links, detect_language, html_to_text, normalize_lang
from lasna.errors import MalformedPayload
from lasna.types import Interaction, InteractionKind, Platform, Post


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
            ident = account_stable_id(account)
            if ident:
                self.accounts[account["id"]] = ident
        if isinstance(status.get("reblog"), Mapping):
            self.learn(status["reblog"])

    def status(self, local_id: str | None) -> str | None:
        if not local_id:
            return None
        return self.statuses.get(str(local_id)) or f"mastodon:{self.host}:status:{local_id}"

    def account(self, local_id: str | None) -> str | None:
        if not local_id:
            return None
        return self.accounts.get(str(local_id)) or f"mastodon:{self.host}:account:{local_id}"


def account_stable_id(account: Mapping[str, Any]) -> str | None:
    """The account's ActivityPub id (``uri``, Mastodon >= 4.2), else its profile URL."""
    for key in ("uri", "url"):
        value = account.get(key)
        if isinstance(value, str) and value.startswith(("https://", "http://")):
            return value[:500]
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


def _status_text(status: Mapping[str, Any]) -> str:
    content = status.get("content") if isinstance(status.get("content"), str) else ""
    text = html_to_text(content)
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
    author = account_stable_id(status["account"])
    if author is None:
        raise MalformedPayload("Mastodon status whose account has no uri/url")
    reblog = status.get("reblog")
    if isinstance(reblog, Mapping):
        return Post(
            id=status["uri"][:500],
            platform=Platform.MASTODON,
            author_id=author,
            created_at=_created(status),
            url=_str_or_none(status.get("url")),
            is_repost=True,
            repost_of_id=reblog.get("uri") if isinstance(reblog.get("uri"), str) else None,
        )
    content = status.get("content") if isinstance(status.get("content"), str) else ""
    text = _status_text(status)
    quote = status.get("quote")
    quoted = quote.get("quoted_status") if isinstance(quote, Mapping) else None
    in_reply_to = _ref(status.get("in_reply_to_id"))
    mentions = tuple(
        dict.fromkeys(
            ref[:500]
            for m in _list(status.get("mentions"))[:100]
            if isinstance(m, Mapping)
            for ref in [_str_or_none(m.get("url")) or _str_or_none(m.get("acct"))]
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
        url=_str_or_none(status.get("url")),
        reply_parent_id=ids.status(in_reply_to) if in_reply_to else None,
        reply_parent_author_id=ids.account(_ref(status.get("in_reply_to_account_id"))) if in_reply_to else None,
        quote_of_id=_str_or_none(quoted.get("uri"))[:500] if isinstance(quoted, Mapping) and _str_or_none(quoted.get("uri")) else None,
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
    author = account_stable_id(account)
    if author is None:
        raise MalformedPayload("Mastodon status whose account has no uri/url")
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
        url=_str_or_none(status.get("url")),
        parent_id=ids.status(_ref(status.get("in_reply_to_id"))),
        root_id=root_id,
    )


@dataclass
class ThreadResult:
    interactions: list[Interaction]
    own_posts: list[Post]
    skipped: int = 0


def normalize_context(
    context: Mapping[str, Any], *, focal_uri: str, self_local_id: str, ids: IdMap
) -> ThreadResult:
    """A Context entity fetched for one of the leader's statuses -> replies by others + the leader's own."""
    if not isinstance(context, Mapping) or not isinstance(context.get("descendants", []), list):
        raise MalformedPayload("expected a Mastodon Context object with ancestors/descendants lists")
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
    return result
