"""Bluesky embeds that are not quotes of a post (starter pack, feed, list, labeler) and quotes whose
target is detached, blocked or gone (tests/fixtures/bluesky/embeds_nonpost.raw.json, lexicon shapes)."""

from __future__ import annotations

import json

from collectors.bluesky import normalize as n
from tests.test_bluesky_normalize import FIXTURES, check_golden


def _page():
    return n.normalize_author_feed(json.loads((FIXTURES / "embeds_nonpost.raw.json").read_text(encoding="utf-8")))


def test_embedded_records_that_are_not_posts_are_not_quotes():
    page = _page()
    by_rkey = {p.id.rsplit("/", 1)[1]: p for p in page.posts}
    for rkey in ("3starter", "3feed", "3list", "3labeler"):
        assert by_rkey[rkey].quote_of_id is None, rkey
    assert not page.skipped


def test_quotes_of_detached_blocked_or_deleted_posts_stay_quotes():
    by_rkey = {p.id.rsplit("/", 1)[1]: p for p in _page().posts}
    for rkey in ("3detached", "3blocked", "3notfound"):
        assert by_rkey[rkey].quote_of_id.endswith(f"/app.bsky.feed.post/3q{rkey[1:]}"), rkey


def test_embeds_golden():
    check_golden("embeds_nonpost", _page())


def test_detached_quotes_are_not_quotes_of_the_leader():
    """getQuotes keeps listing a quote the leader detached (seen on the devnet); its embed says #viewDetached."""
    views = [item["post"] for item in json.loads((FIXTURES / "embeds_nonpost.raw.json").read_text(encoding="utf-8"))["feed"]]
    quoting = {**views[0], "author": {"did": "did:plc:bobhandmade0000000000000000", "handle": "bob.example"}}
    detached = {**views[4], "uri": "at://did:plc:bobhandmade0000000000000000/app.bsky.feed.post/3d",
                "author": {"did": "did:plc:bobhandmade0000000000000000", "handle": "bob.example"}}
    page = n.normalize_quotes({"posts": [quoting, detached]}, "did:plc:leaderhandmade00000000000", "at://q")
    assert [q.id for q in page.quotes] == [quoting["uri"]]
    assert detached["uri"] not in page.seen  # a stored copy is judged deleted
