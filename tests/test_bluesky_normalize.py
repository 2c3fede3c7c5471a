"""Golden-file tests of the pure Bluesky normaliser.

Raw AppView JSON (recorded from the devnet with tests/fixtures/bluesky/record.py,
plus hand-made payloads) goes in; the expected normalised JSON sits beside it.
Regenerate with LASNA_REGEN_GOLDEN=1 and review the diff.
"""

from __future__ import annotations

import copy
import dataclasses
import enum
import json
import os
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collectors.bluesky import normalize as n
from lasna.errors import MalformedPayload

FIXTURES = Path(__file__).parent / "fixtures" / "bluesky"
REGEN = os.environ.get("LASNA_REGEN_GOLDEN") == "1"


def jsonable(value):
    if dataclasses.is_dataclass(value):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value


def raw(name):
    return json.loads((FIXTURES / f"{name}.raw.json").read_text())


def check_golden(name, actual):
    path = FIXTURES / f"{name}.expected.json"
    actual = jsonable(actual)
    if REGEN or not path.exists():
        path.write_text(json.dumps(actual, indent=1, ensure_ascii=False) + "\n")
        if not REGEN:
            pytest.fail(f"golden file {path.name} was missing; written now, review it and rerun")
    assert actual == json.loads(path.read_text())


META = json.loads((FIXTURES / "meta.json").read_text())
HANDMADE = json.loads((FIXTURES / "handmade_meta.json").read_text())
QUOTES = json.loads((FIXTURES / "quotes_meta.json").read_text())


@pytest.mark.parametrize("name", ["author_feed", "handmade_feed"])
def test_author_feed_golden(name):
    payload = raw(name)
    before = copy.deepcopy(payload)
    check_golden(name, n.normalize_author_feed(payload))
    assert payload == before, "normaliser mutated its input"


@pytest.mark.parametrize(
    "name,meta",
    [
        ("thread_post30", META),
        ("thread_post27", META),
        ("thread_post10", META),
        ("handmade_thread", HANDMADE),
        ("thread_notfound", HANDMADE),
    ],
)
def test_thread_golden(name, meta):
    payload = raw(name)
    before = copy.deepcopy(payload)
    check_golden(name, n.normalize_thread(payload, meta["leader_did"], meta["uris"][name]))
    assert payload == before


def test_recorded_feed_matches_devnet_seed():
    page = n.normalize_author_feed(raw("author_feed"))
    assert not page.skipped
    posts = page.posts
    assert len(posts) == 38
    assert sum(p.is_repost for p in posts) == 1
    replies = [p for p in posts if p.reply_parent_id]
    assert len(replies) == 7
    assert sum(p.reply_parent_author_id != p.author_id for p in replies) == 5
    repost = posts[0]
    assert repost.is_repost and repost.text == "" and repost.repost_of_id.endswith("3n2whbnfbyc22")
    by_text = {p.text.split(":")[0]: p for p in posts}
    assert by_text["Leader post #03"].links == ("https://example.com/devnet",) or by_text["Leader post #03"].links
    assert by_text["Leader post #05"].tags == ("devnet",) and len(by_text["Leader post #05"].mentions) == 1


def test_thread_post30_counts_everyone_elses_replies():
    thread = n.normalize_thread(raw("thread_post30"), META["leader_did"], META["uris"]["thread_post30"])
    assert thread.found
    assert len(thread.replies) == 4  # carol, bob, alice, alice's follow-up under the leader's answer
    assert {p.text for p in thread.own_posts} >= {"Leader: thanks Carol!", "Leader: thanks Alice, glad you agree."}
    assert all(i.root_id == META["uris"]["thread_post30"] for i in thread.replies)
    checked = dict(thread.checked)
    assert checked[META["uris"]["thread_post30"]] == 3


def test_handmade_gates_and_byte_offsets():
    payload = raw("handmade_feed")
    page = n.normalize_author_feed(payload)
    gated = page.posts[0]
    assert gated.replies_restricted and gated.quotes_disabled and gated.hidden_replies == 1
    assert gated.links == ("https://example.fi/%C3%A4",)
    assert gated.tags == ("johtajuus",)
    assert gated.lang == "fi"
    assert gated.created_at.isoformat() == "2026-11-01T10:00:00+00:00"
    facets = payload["feed"][0]["post"]["record"]["facets"]
    # offsets are bytes: with ä, — and 👉 before the link a str slice would be wrong
    text = gated.text
    start = facets[0]["index"]["byteStart"]
    assert text[start:].startswith("https") is False
    assert n.facet_text(text, facets[0]) == "https://example.fi/ä"
    assert n.facet_text(text, facets[2]) == "@alice.test"
    quote, qmedia = page.posts[1], page.posts[2]
    assert quote.quote_of_id.endswith("/3orig") and not quote.replies_restricted
    assert qmedia.quote_of_id.endswith("/3other")
    assert [uri.rsplit("/", 1)[1] for uri, _ in page.skipped] == ["3badembed", "3nocreated", "3negcount"]
    assert "unknown embed type" in page.skipped[0][1]
    repost = page.posts[3]
    assert repost.is_repost and repost.id.startswith("at://did:plc:leaderhandmade") and repost.text == ""
    assert len(page.posts) == 4  # the pinned echo is dropped


def test_hidden_reply_flagged_and_broken_reply_skipped():
    thread = n.normalize_thread(raw("handmade_thread"), HANDMADE["leader_did"], HANDMADE["uris"]["handmade_thread"])
    assert [i.hidden for i in thread.replies] == [True]
    assert len(thread.skipped) == 1


def test_notfound_thread():
    thread = n.normalize_thread(raw("thread_notfound"), HANDMADE["leader_did"], HANDMADE["uris"]["thread_notfound"])
    assert not thread.found and not thread.replies


@pytest.mark.parametrize(
    "bad",
    [
        {},
        {"uri": "at://x/app.bsky.feed.post/1"},
        {"uri": "at://x/app.bsky.feed.post/1", "author": {"did": "x"}, "record": {"text": "t"}},
        {"uri": "at://x/app.bsky.feed.post/1", "author": {"did": "x"}, "record": {"text": "t", "createdAt": "yesterday"}},
        {"uri": "at://x/app.bsky.feed.post/1", "author": {"did": "x"},
         "record": {"text": "t", "createdAt": "2026-01-01T00:00:00Z", "facets": [{"index": {"byteStart": 0, "byteEnd": 99}, "features": []}]}},
    ],
)
def test_lexicon_violations_raise_malformed(bad):
    with pytest.raises(MalformedPayload):
        n.normalize_post_view(bad)


@settings(max_examples=200, deadline=None)
@given(prefix=st.text(max_size=20), link=st.from_regex(r"https://[a-zäö]{1,8}\.fi/[a-zé]{0,5}", fullmatch=True), suffix=st.text(max_size=10))
def test_facet_byte_offsets_roundtrip(prefix, link, suffix):
    text = prefix + link + suffix
    start = len(prefix.encode())
    facet = {"index": {"byteStart": start, "byteEnd": start + len(link.encode())},
             "features": [{"$type": "app.bsky.richtext.facet#link", "uri": link}]}
    view = {"uri": "at://did:plc:x/app.bsky.feed.post/1", "author": {"did": "did:plc:x"},
            "record": {"text": text, "createdAt": "2026-01-01T00:00:00Z", "facets": [facet]}}
    assert n.normalize_post_view(view).links == (link,)
    assert n.facet_text(text, facet) == link


def test_blocked_thread_is_not_a_deletion():
    payload = {"thread": {"$type": "app.bsky.feed.defs#blockedPost", "uri": "at://did:plc:x/app.bsky.feed.post/1",
                          "blocked": True, "author": {"did": "did:plc:x"}}}
    thread = n.normalize_thread(payload, "did:plc:x", "at://did:plc:x/app.bsky.feed.post/1")
    assert thread.found and not thread.replies and not thread.checked


def test_quotes_golden():
    """A recorded getQuotes answer: bob's quote of leader post #29 becomes a QUOTE interaction."""
    payload = raw("quotes_post29")
    before = copy.deepcopy(payload)
    page = n.normalize_quotes(payload, QUOTES["leader_did"], QUOTES["uris"]["quotes_post29"])
    check_golden("quotes_post29", page)
    assert payload == before, "normaliser mutated its input"
    [quote] = page.quotes
    assert quote.kind.value == "quote" and quote.author_handle == "bob.test"
    assert quote.parent_id == QUOTES["uris"]["quotes_post29"] and page.cursor is None


def test_quotes_by_the_leader_and_broken_quotes_are_not_interactions():
    payload = raw("quotes_post29")
    quoted = QUOTES["uris"]["quotes_post29"]
    mine = copy.deepcopy(payload["posts"][0])
    mine["uri"] = mine["uri"].replace(mine["author"]["did"], QUOTES["leader_did"])
    mine["author"]["did"] = QUOTES["leader_did"]
    broken = copy.deepcopy(payload["posts"][0])
    broken["uri"] += "x"
    broken["record"]["embed"] = {"$type": "app.bsky.embed.unknown"}
    page = n.normalize_quotes({"posts": [mine, broken, payload["posts"][0]]}, QUOTES["leader_did"], quoted)
    assert [q.id for q in page.quotes] == [payload["posts"][0]["uri"]]
    assert page.seen == (mine["uri"], broken["uri"], payload["posts"][0]["uri"])
    assert [uri for uri, _ in page.skipped] == [broken["uri"]]
    with pytest.raises(MalformedPayload):
        n.normalize_quotes({"posts": "nope"}, QUOTES["leader_did"], quoted)
