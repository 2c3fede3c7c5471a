"""JSONL import: one JSON object per line, a leader's posts and what others addressed to them.

Schema (see docs/SOURCES.md)::

    {"type": "post", "id": "p1", "created_at": "2025-11-03T08:00:00+02:00", "text": "…",
     "url": "https://…", "lang": "fi", "reply_to_id": "c7", "reply_to_author": "someone",
     "is_repost": false, "repost_of_id": null, "like_count": 3, "reply_count": 1,
     "repost_count": 0, "tags": ["johtaminen"]}
    {"type": "interaction", "id": "c7", "created_at": "…", "text": "…", "author_id": "someone",
     "author_handle": "@someone", "author_name": "Some One", "kind": "reply",
     "parent_id": "p1", "root_id": "p1", "url": "https://…", "lang": "en"}

``type`` defaults to ``post``. Required: ``id``, ``created_at`` (ISO 8601; no offset means
UTC); interactions also need ``author_id``. Ids that are not absolute URIs are stored as
``jsonl:<account>:<id>`` (and so are ``reply_to_id``/``parent_id``/``root_id``), so
two leaders' files never collide. Unknown keys are errors (they are usually typos).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from collectors.common import parse_time
from collectors.imports.common import (
    ImportReport,
    RowError,
    namespaced,
    pending_account,
    refuse_if_invalid,
    write,
)
from collectors.text import clean_text, detect_language, normalize_lang
from lasna import textcheck
from lasna.errors import InputError
from lasna.store import Store, now_utc
from lasna.types import Interaction, InteractionKind, Platform, Post

MAX_LINE = 1_000_000
POST_KEYS = {
    "type", "id", "created_at", "text", "url", "lang", "reply_to_id", "reply_to_author", "is_repost",
    "repost_of_id", "quote_of_id", "like_count", "reply_count", "repost_count", "quote_count", "tags", "links",
    "author_id",
}
INTERACTION_KEYS = {
    "type", "id", "created_at", "text", "url", "lang", "author_id", "author_handle", "author_name", "kind",
    "parent_id", "root_id",
}


class _Invalid(Exception):
    pass


def _str(obj: dict, key: str, *, required: bool = False, limit: int = 500) -> str | None:
    value = obj.get(key)
    if value is None or value == "":
        if required:
            raise _Invalid(f"{key!r} is required")
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise _Invalid(f"{key!r} must be a string, not {type(value).__name__}")
    value = str(value).strip()
    if len(value) > limit:
        raise _Invalid(f"{key!r} is longer than {limit} characters")
    why = textcheck.problem(value, identifier=key.endswith("id") or key in ("author_handle", "reply_to_author"))
    if why:
        raise _Invalid(f"{key!r} {why}")
    return value


def _int(obj: dict, key: str) -> int:
    value = obj.get(key, 0)
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 10**9:
        raise _Invalid(f"{key!r} must be a non-negative whole number")
    return value


def _url(obj: dict, key: str) -> str | None:
    value = _str(obj, key, limit=2000)
    if value and not value.startswith(("http://", "https://")):
        raise _Invalid(f"{key!r} must be an http(s) URL")
    return value


def _time(obj: dict) -> Any:
    raw = obj.get("created_at")
    if raw is None:
        raise _Invalid("'created_at' is required")
    when = parse_time(raw) if isinstance(raw, str) else None
    if when is None:
        raise _Invalid(f"'created_at' is not an ISO-8601 time between 1990 and 2100: {str(raw)[:40]!r}")
    return when


def _strings(obj: dict, key: str) -> tuple[str, ...]:
    value = obj.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _Invalid(f"{key!r} must be a list of strings")
    for v in value:
        if textcheck.problem(v):
            raise _Invalid(f"{key!r}: {textcheck.problem(v)}")
    return tuple(clean_text(v)[:200] for v in value[:100])


def parse_line(obj: Any, *, prefix: str, self_id: str) -> Post | Interaction:
    """One decoded JSON line -> Post or Interaction; raises _Invalid with a readable reason."""
    if not isinstance(obj, dict):
        raise _Invalid(f"expected a JSON object, got {type(obj).__name__}")
    kind = obj.get("type", "post")
    if kind not in ("post", "interaction"):
        raise _Invalid(f"'type' must be 'post' or 'interaction', not {str(kind)[:30]!r}")
    allowed = POST_KEYS if kind == "post" else INTERACTION_KEYS
    unknown = sorted(set(obj) - allowed)
    if unknown:
        raise _Invalid(f"unknown key(s) {', '.join(map(repr, unknown[:5]))} for a {kind}")
    ident = namespaced(_str(obj, "id", required=True, limit=400), prefix)
    created = _time(obj)
    text_value = obj.get("text", "")
    if not isinstance(text_value, str):
        raise _Invalid("'text' must be a string")
    if textcheck.problem(text_value.replace("\x00", "")):  # NUL in text is dropped by clean_text
        raise _Invalid(f"'text' {textcheck.problem(text_value)}")
    text = clean_text(text_value)
    lang_raw = _str(obj, "lang", limit=20)
    lang = normalize_lang(lang_raw) if lang_raw else detect_language(text)
    if kind == "post":
        reply_to = _str(obj, "reply_to_id", limit=400)
        reply_author = _str(obj, "reply_to_author", limit=400)
        repost = obj.get("is_repost", False)
        if not isinstance(repost, bool):
            raise _Invalid("'is_repost' must be true or false")
        repost_of = _str(obj, "repost_of_id", limit=400)
        quote_of = _str(obj, "quote_of_id", limit=400)
        return Post(
            id=ident,
            platform=Platform.JSONL,
            author_id=_str(obj, "author_id", limit=400) or self_id,
            created_at=created,
            text=text,
            lang=lang,
            url=_url(obj, "url"),
            reply_parent_id=namespaced(reply_to, prefix) if reply_to else None,
            reply_parent_author_id=reply_author or ("jsonl:unknown" if reply_to else None),
            is_repost=repost,
            repost_of_id=namespaced(repost_of, prefix) if repost_of else None,
            quote_of_id=namespaced(quote_of, prefix) if quote_of else None,
            tags=_strings(obj, "tags"),
            links=tuple(l for l in _strings(obj, "links") if l.startswith(("http://", "https://"))),
            like_count=_int(obj, "like_count"),
            reply_count=_int(obj, "reply_count"),
            repost_count=_int(obj, "repost_count"),
            quote_count=_int(obj, "quote_count"),
        )
    kind_raw = obj.get("kind", "reply")
    try:
        ikind = InteractionKind(kind_raw)
    except ValueError:
        raise _Invalid(f"'kind' must be one of reply, mention, comment, quote (not {str(kind_raw)[:30]!r})") from None
    parent = _str(obj, "parent_id", limit=400)
    root = _str(obj, "root_id", limit=400)
    return Interaction(
        id=ident,
        platform=Platform.JSONL,
        kind=ikind,
        author_id=_str(obj, "author_id", required=True, limit=400),
        created_at=created,
        author_handle=_str(obj, "author_handle", limit=200),
        author_name=clean_text(_str(obj, "author_name", limit=200)) or None,
        text=text,
        lang=lang,
        url=_url(obj, "url"),
        parent_id=namespaced(parent, prefix) if parent else None,
        root_id=namespaced(root, prefix) if root else None,
    )


def read_jsonl(path: Path, *, account_handle: str, self_id: str, report: ImportReport):
    """Validate every line of ``path``; returns (posts, interactions); errors go to ``report``."""
    prefix = f"jsonl:{account_handle}:"
    posts: list[Post] = []
    interactions: list[Interaction] = []
    try:
        handle = open(path, "rb")
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
    with handle:
        for number, raw in enumerate(handle, 1):
            if len(raw) > MAX_LINE:
                report.errors.append(RowError(number, f"line longer than {MAX_LINE} bytes"))
                continue
            if not raw.strip():
                continue
            try:
                line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                report.errors.append(RowError(number, f"not UTF-8 ({exc.reason} at byte {exc.start})"))
                continue
            try:
                obj = json.loads(line)
            except (json.JSONDecodeError, RecursionError) as exc:
                report.errors.append(RowError(number, f"not valid JSON: {getattr(exc, 'msg', exc)}"))
                continue
            try:
                item = parse_line(obj, prefix=prefix, self_id=self_id)
            except _Invalid as exc:
                report.errors.append(RowError(number, str(exc)))
                continue
            (posts if isinstance(item, Post) else interactions).append(item)
    report.posts, report.interactions = len(posts), len(interactions)
    return posts, interactions


def import_jsonl(
    store: Store, path: Path, leader_name: str, *, account_handle: str = "import", skip_invalid: bool = False
) -> ImportReport:
    why = textcheck.problem(account_handle or "", identifier=True)
    if why or not (account_handle or "").strip() or len(account_handle) > 200:
        raise InputError(f"--account must be a short name without control characters ({why or 'empty or too long'})")
    leader = store.leader(leader_name)
    report = ImportReport(leader=leader.name, account=account_handle)
    self_id = f"jsonl:{account_handle}:leader:{leader.name}"
    posts, interactions = read_jsonl(Path(path), account_handle=account_handle, self_id=self_id, report=report)
    refuse_if_invalid(report, skip_invalid, str(path))
    account = pending_account(store, leader, Platform.JSONL, account_handle)
    write(store, account, report, posts, interactions, {"last_import": now_utc().isoformat(), "last_file": str(path)[:500]})
    return report
