"""Golden files: real-world-shaped feeds in, expected posts (JSON) beside them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from collectors.feeds.parse import parse_comments, parse_feed
from tests.sources_helpers import FIXTURES, check_golden

NOW = datetime(2025, 11, 5, 12, 0, tzinfo=UTC)
CASES = [
    ("rss2_blog.xml", "application/rss+xml; charset=UTF-8"),
    ("atom_blog.xml", "application/atom+xml"),
    ("rss1_rdf.xml", "application/rdf+xml"),
    ("youtube_channel.xml", "text/xml; charset=UTF-8"),
    ("mastodon_profile.rss", "application/rss+xml; charset=utf-8"),
]


@pytest.mark.parametrize("name,content_type", CASES)
def test_feed_golden(name, content_type):
    raw = (FIXTURES / "feeds" / name).read_bytes()
    feed_id = f"https://example.test/{name}"
    parsed = parse_feed(raw, feed_id=feed_id, content_type=content_type, now=NOW)
    assert not parsed.bozo, parsed.warnings
    check_golden(FIXTURES / "feeds" / (name.rsplit(".", 1)[0] + ".expected.json"),
                 {"title": parsed.title, "link": parsed.link, "posts": parsed.posts})


def test_plain_text_only_no_markup_survives():
    raw = (FIXTURES / "feeds" / "rss2_blog.xml").read_bytes()
    post = parse_feed(raw, feed_id="f", now=NOW).posts[0]
    assert "<" not in post.text and "alert" not in post.text
    assert "luottamus\nnopeus\noppiminen" in post.text


def test_relative_links_resolve_against_the_feed_url():
    body = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>/</link>
    <item><title>Relative</title><link>/2025/11/post</link><description>&lt;a href="../about"&gt;about&lt;/a&gt;</description></item>
    </channel></rss>"""
    post = parse_feed(body, feed_id="f", base_url="https://blog.example.fi/feed/", now=NOW).posts[0]
    assert post.url == "https://blog.example.fi/2025/11/post"
    assert post.id == "https://blog.example.fi/2025/11/post"
    assert post.links == ("https://blog.example.fi/about",)


def test_wordpress_comment_feed_golden():
    raw = (FIXTURES / "feeds" / "rss2_blog.xml").read_bytes()
    parsed = parse_feed(raw, feed_id="https://liisalehtinen.fi/feed/", now=NOW)
    post = parsed.posts[0]
    url, author = parsed.comment_feeds[post.id]
    assert url == "https://liisalehtinen.fi/2025/11/miksi-vastaan/feed/" and author == "Liisa"
    comments = parse_comments(
        (FIXTURES / "feeds" / "wordpress_comments.xml").read_bytes(), post=post, post_author=author,
        feed_id="https://liisalehtinen.fi/feed/", content_type="application/rss+xml; charset=UTF-8", now=NOW,
    )
    [bob] = comments.interactions
    [answer] = comments.own
    assert bob.kind == "comment" and bob.parent_id == post.id and bob.author_name == "Bob"
    assert answer.reply_parent_id == bob.id and answer.reply_parent_author_id == bob.author_id
    assert answer.author_id == post.author_id and answer.reply_root_id == post.id
    check_golden(FIXTURES / "feeds" / "wordpress_comments.expected.json", {"interactions": comments.interactions, "own": comments.own})
