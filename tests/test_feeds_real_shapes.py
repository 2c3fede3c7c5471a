"""Feeds as long-running blogs publish them: a guid reused for different items, declared languages
outside fi/en/sv (fixtures tests/fixtures/feeds/reused_guid_sk.xml, atom_xml_lang.xml, undeclared_sk.xml)."""

from __future__ import annotations

from datetime import UTC, datetime

from collectors.feeds.parse import parse_feed
from collectors.text import detect_language
from tests.sources_helpers import FIXTURES, check_golden
from tests.sources_helpers import allow_private, loop_server, store  # noqa: F401
from tests.test_feeds_collector import conditional, feed  # noqa: F401

NOW = datetime(2025, 11, 5, 12, 0, tzinfo=UTC)
D = FIXTURES / "feeds"
FEED_ID = "https://primatorka.example.sk/feed/"


def _parse(name):
    return parse_feed((D / name).read_bytes(), feed_id=FEED_ID, now=NOW)


def test_reused_guid_keeps_distinct_items_distinct():
    posts = _parse("reused_guid_sk.xml").posts
    assert len({p.id for p in posts}) == 3
    by_url = {p.url: p for p in posts}
    older = by_url["https://primatorka.example.sk/2024/03/nova-strategia/"]
    newer = by_url["https://primatorka.example.sk/2025/10/rozpocet/"]
    assert older.id == f"{FEED_ID}#blog-post"  # the first item keeps the id it always had
    assert newer.id.startswith(f"{FEED_ID}#blog-post#item-") and newer.text.startswith("Rozpočet")


def test_declared_language_wins_and_foreign_languages_are_not_fi_en_sv():
    assert {p.lang for p in _parse("reused_guid_sk.xml").posts} == {"sk"}  # <language>sk</language>
    atom = {p.url.rsplit("/", 1)[1]: p.lang for p in _parse("atom_xml_lang.xml").posts}
    assert atom == {"otvorene-data": "sk", "terveisia": "fi"}  # feed xml:lang, entry xml:lang
    [undeclared] = _parse("undeclared_sk.xml").posts
    assert undeclared.lang == "sk"  # detected as itself, not as a wrong sv/fi
    check_golden(D / "reused_guid_sk.expected.json", _parse("reused_guid_sk.xml").posts)


def test_detection_keeps_finnish_swedish_english():
    assert detect_language("Hyvä pointti, kiitos kaikille eilisestä!") == "fi"
    assert detect_language("Tack för i går, det var en bra diskussion.") == "sv"
    assert detect_language("We published our open strategy, read it here.") == "en"
    assert detect_language("Dnes sme zverejnili novú stratégiu mesta pre roky 2025 až 2030.") not in ("fi", "en", "sv")


def test_reused_guid_across_runs_does_not_overwrite_and_an_edit_stays_one_post(feed, loop_server, store):  # noqa: F811
    first = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>https://b.example/</link>
    <item><title>Eka</title><link>https://b.example/2019/eka</link><guid isPermaLink="false">post</guid>
    <pubDate>Mon, 04 Mar 2019 08:00:00 +0000</pubDate><description>Ensimmainen kirjoitus blogiin.</description></item>
    </channel></rss>"""
    run, account = feed("/feed")
    conditional(loop_server, "/feed", first, etag='"1"')
    assert run().new_posts == 1
    edited = first.replace(b"Ensimmainen kirjoitus blogiin.", b"Ensimmainen kirjoitus blogiin, korjattu.")
    conditional(loop_server, "/feed", edited, etag='"2"', last_modified="Wed, 05 Nov 2025 08:00:00 GMT")
    assert run().new_posts == 0  # an edit of the same item (same guid, same link) stays one post
    second = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>https://b.example/</link>
    <item><title>Toka</title><link>https://b.example/2025/toka</link><guid isPermaLink="false">post</guid>
    <pubDate>Mon, 03 Nov 2025 08:00:00 +0000</pubDate><description>Toinen kirjoitus samalla guidilla.</description></item>
    </channel></rss>"""
    conditional(loop_server, "/feed", second, etag='"3"', last_modified="Thu, 06 Nov 2025 08:00:00 GMT")
    assert run().new_posts == 1
    posts = store.posts_frame().set_index("url")
    assert len(posts) == 2
    assert posts.loc["https://b.example/2019/eka"].text.endswith("korjattu.")
    assert posts.loc["https://b.example/2025/toka"].text.startswith("Toka")
