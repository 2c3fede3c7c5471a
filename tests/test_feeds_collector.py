"""The feed collector end to end against a loopback HTTP server."""

from __future__ import annotations

import pytest

from collectors.base import COLLECTORS, CollectContext
from collectors.feeds import FeedCollector
from collectors.feeds.parse import NotAFeed
from collectors.safehttp import BlockedURL
from lasna.errors import AccountGone, MalformedPayload, SourceUnavailable
from lasna.types import Platform
from tests.sources_helpers import FIXTURES, LoopbackOnlyTransport, allow_private, loop_server, make_account, store  # noqa: F401

RSS = (FIXTURES / "feeds" / "rss2_blog.xml").read_bytes()
ATOM = (FIXTURES / "feeds" / "atom_blog.xml").read_bytes()


def conditional(loop_server, path, body, etag='"v1"', last_modified="Tue, 04 Nov 2025 07:12:44 GMT", ctype="application/rss+xml"):  # noqa: F811
    def handler(h):
        if h.headers.get("If-None-Match") == etag or h.headers.get("If-Modified-Since") == last_modified:
            h.send_response(304)
            h.send_header("ETag", etag)
            h.end_headers()
            return
        h.send_response(200)
        h.send_header("Content-Type", ctype)
        h.send_header("ETag", etag)
        h.send_header("Last-Modified", last_modified)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    loop_server.routes[path] = handler


@pytest.fixture
def feed(store, loop_server, allow_private):  # noqa: F811
    def make(path, name="Liisa"):
        url = loop_server.url(path)
        leader, account = make_account(store, Platform.FEED, url, url=url, stable_id=url, name=name)

        def run(**options):
            acc = [a for a in store.accounts() if a.id == account.id][0]
            return FeedCollector(**{"timeout": 1.0, "deadline": 3.0, **options}).collect(
                acc, leader, CollectContext(store=store, transport=LoopbackOnlyTransport())
            )

        return run, account

    return make


def test_registered():
    assert Platform.FEED in COLLECTORS


def test_unchanged_feed_costs_one_conditional_request_answered_304(feed, loop_server, store):  # noqa: F811
    conditional(loop_server, "/feed", RSS)
    run, account = feed("/feed")
    first = run()
    assert first.ok and first.new_posts == 3 and first.requests == 1
    assert store.get_state(account)["etag"] == '"v1"'
    before = store.counts()
    loop_server.requests.clear()
    second = run()
    assert second.ok and second.requests == 1 and second.new_posts == 0
    assert len(loop_server.requests) == 1
    path, headers = loop_server.requests[0]
    assert headers["if-none-match"] == '"v1"' and headers["if-modified-since"] == "Tue, 04 Nov 2025 07:12:44 GMT"
    after = store.counts()
    assert after["posts"] == before["posts"] and after["interactions"] == before["interactions"]


def test_changed_feed_adds_only_new_entries(feed, loop_server, store):  # noqa: F811
    conditional(loop_server, "/feed", ATOM, etag='"a"')
    run, _ = feed("/feed")
    assert run().new_posts == 2
    newer = ATOM.replace(b"<entry>", b"<entry><title>Uusi</title><id>tag:mika.example.com,2025:new</id><updated>2025-11-04T10:00:00Z</updated><content>Uusi kirjoitus</content></entry><entry>", 1)
    conditional(loop_server, "/feed", newer, etag='"b"', last_modified="Wed, 05 Nov 2025 08:00:00 GMT")
    assert run().new_posts == 1
    assert len(store.posts_frame()) == 3


def test_homepage_autodiscovery(feed, loop_server, store):  # noqa: F811
    page = b"""<!DOCTYPE html><html><head><title>Blogi</title>
    <link rel="stylesheet" href="/s.css"><link rel="alternate" type="application/rss+xml" title="RSS" href="/feed/">
    </head><body><p>Tervetuloa</p></body></html>"""
    loop_server.static("/", page, headers={"Content-Type": "text/html; charset=utf-8"})
    conditional(loop_server, "/feed/", RSS)
    run, account = feed("/")
    first = run()
    assert first.new_posts == 3 and first.requests == 2
    assert store.get_state(account)["feed_url"] == loop_server.url("/feed/")
    loop_server.requests.clear()
    second = run()
    assert second.requests == 1 and loop_server.requests[0][0] == "/feed/"


def test_html_without_feed_link_is_a_clear_error(feed, loop_server):  # noqa: F811
    loop_server.static("/", b"<html><body>Just a page</body></html>", headers={"Content-Type": "text/html"})
    run, _ = feed("/")
    with pytest.raises(NotAFeed, match="web page without a feed link"):
        run()


def test_redirected_feed_is_followed(feed, loop_server):  # noqa: F811
    loop_server.static("/old", b"", status=301, headers={"Location": "/feed", "Content-Length": "0"})
    conditional(loop_server, "/feed", RSS)
    run, _ = feed("/old")
    outcome = run()
    assert outcome.new_posts == 3 and outcome.requests == 2


@pytest.mark.parametrize("status,error", [(404, AccountGone), (410, AccountGone), (500, SourceUnavailable), (403, SourceUnavailable)])
def test_http_errors(feed, loop_server, status, error):  # noqa: F811
    loop_server.static("/feed", b"nope", status=status)
    run, _ = feed("/feed")
    with pytest.raises(error):
        run()


def test_wrong_content_types(feed, loop_server):  # noqa: F811
    loop_server.static("/img", b"\x89PNG\r\n\x1a\n" + b"\0" * 100, headers={"Content-Type": "image/png"})
    loop_server.static("/octet", RSS, headers={"Content-Type": "application/octet-stream"})
    loop_server.static("/json", b'{"items": []}', headers={"Content-Type": "application/json"})
    run_img, _ = feed("/img")
    with pytest.raises(MalformedPayload, match="image/png"):
        run_img()
    run_octet, _ = feed("/octet", name="B")
    assert run_octet().new_posts == 3  # content types lie; a valid feed is a valid feed
    run_json, _ = feed("/json", name="C")
    with pytest.raises(MalformedPayload):
        run_json()


def test_invalid_encoding_kept_with_warning(feed, loop_server, store):  # noqa: F811
    body = RSS.replace("tärkein".encode(), "tärkein".encode("latin-1"))
    loop_server.static("/feed", body, headers={"Content-Type": "application/rss+xml; charset=utf-8"})
    run, account = feed("/feed")
    assert run().new_posts == 3
    assert store.get_state(account)["warning"]


def test_truncated_xml_keeps_what_it_can_or_fails_clearly(feed, loop_server):  # noqa: F811
    loop_server.static("/t1", RSS[: RSS.index(b"<item>", RSS.index(b"<item>") + 1) + 40], headers={"Content-Type": "application/rss+xml"})
    loop_server.static("/t2", RSS[:200], headers={"Content-Type": "application/rss+xml"})
    run1, _ = feed("/t1")
    assert run1().new_posts >= 1
    run2, _ = feed("/t2", name="B")
    with pytest.raises(MalformedPayload, match="no usable entries"):
        run2()


def test_billion_laughs_is_refused_fast(feed, loop_server, store):  # noqa: F811
    import time

    ents = "".join(f'<!ENTITY lol{i} "{("&lol%d;" % (i - 1)) * 10}">' for i in range(1, 10))
    body = f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY lol0 "lol">{ents}]><rss version="2.0"><channel><title>&lol9;</title><item><title>&lol9;</title><guid>x</guid></item></channel></rss>'.encode()
    loop_server.static("/lol", body, headers={"Content-Type": "application/rss+xml"})
    run, _ = feed("/lol")
    started = time.process_time()
    with pytest.raises(MalformedPayload, match="entit"):
        run()
    assert time.process_time() - started < 2
    assert store.counts()["posts"] == 0


def test_external_entity_is_refused(feed, loop_server):  # noqa: F811
    body = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><rss version="2.0"><channel><item><title>&xxe;</title></item></channel></rss>'
    loop_server.static("/xxe", body)
    run, _ = feed("/xxe")
    with pytest.raises(MalformedPayload, match="entit"):
        run()


def test_private_feed_refused_without_permission(store, loop_server, monkeypatch):  # noqa: F811
    monkeypatch.delenv("LASNA_ALLOW_PRIVATE_URLS", raising=False)
    conditional(loop_server, "/feed", RSS)
    url = loop_server.url("/feed")
    leader, account = make_account(store, Platform.FEED, url, url=url, stable_id=url)
    with pytest.raises(BlockedURL):
        FeedCollector().collect(account, leader, CollectContext(store=store))
    assert loop_server.requests == []


def test_slow_feed_times_out(feed, loop_server):  # noqa: F811
    import time

    def slow(h):
        time.sleep(4.0)
        h.send_response(200)
        h.send_header("Content-Length", str(len(RSS)))
        h.end_headers()
        h.wfile.write(RSS)

    loop_server.routes["/slow"] = slow
    run, _ = feed("/slow")
    started = time.monotonic()
    with pytest.raises(SourceUnavailable, match="in time"):
        run(timeout=0.2)
    assert time.monotonic() - started < 3


def test_oversized_feed_is_refused(feed, loop_server):  # noqa: F811
    loop_server.static("/huge", RSS + b"<!--" + b"x" * 300_000 + b"-->", headers={"Content-Type": "application/rss+xml"})
    run, _ = feed("/huge")
    with pytest.raises(MalformedPayload, match="limit"):
        run(max_bytes=100_000)


def test_blog_comments_fetched_only_when_the_count_changes(feed, loop_server, store, monkeypatch):  # noqa: F811
    monkeypatch.setenv("LASNA_THREAD_HORIZON_DAYS", "3650")
    comments = (FIXTURES / "feeds" / "wordpress_comments.xml").read_bytes()
    body = RSS.replace(b"https://liisalehtinen.fi/2025/11/miksi-vastaan/feed/", loop_server.url("/c/1").encode())
    conditional(loop_server, "/feed", body.replace(b"<slash:comments>7<", b"<slash:comments>2<"))
    loop_server.static("/c/1", comments, headers={"Content-Type": "application/rss+xml; charset=UTF-8"})
    run, _ = feed("/feed")
    first = run()
    assert (first.new_posts, first.new_interactions, first.requests) == (4, 1, 2)
    answer = store.posts_frame().set_index("post_id").loc["https://liisalehtinen.fi/?p=1234#comment-13"]
    assert answer.reply_parent_id == "https://liisalehtinen.fi/?p=1234#comment-12"
    loop_server.requests.clear()
    assert run().requests == 1 and len(loop_server.requests) == 1  # 304, no comment feed
    more = comments.replace(b"<item>", b"""<item><title>By: Carol</title><dc:creator>Carol</dc:creator>
      <pubDate>Tue, 04 Nov 2025 11:00:00 +0000</pubDate><guid isPermaLink="false">https://liisalehtinen.fi/?p=1234#comment-14</guid>
      <description>Kiitos vastauksesta!</description></item><item>""", 1)
    loop_server.static("/c/1", more, headers={"Content-Type": "application/rss+xml"})
    conditional(loop_server, "/feed", body.replace(b"<slash:comments>7<", b"<slash:comments>3<"), etag='"v2"',
                last_modified="Wed, 05 Nov 2025 08:00:00 GMT")
    third = run()
    assert (third.new_posts, third.new_interactions, third.requests) == (0, 1, 2)


def test_unreachable_comment_feed_does_not_fail_the_account(feed, loop_server, store, monkeypatch):  # noqa: F811
    monkeypatch.setenv("LASNA_THREAD_HORIZON_DAYS", "3650")
    body = RSS.replace(b"https://liisalehtinen.fi/2025/11/miksi-vastaan/feed/", loop_server.url("/missing").encode())
    conditional(loop_server, "/feed", body)
    run, account = feed("/feed")
    outcome = run()
    assert outcome.ok and outcome.new_posts == 3 and outcome.requests == 2
    assert store.threads_to_check(account, store.posts_frame().created_at.min()) == []  # 404: not asked again


def test_moved_feed_is_rediscovered_from_the_home_page(feed, loop_server, store):  # noqa: F811
    page = b'<html><head><link rel="alternate" type="application/atom+xml" href="%s"></head></html>'
    loop_server.static("/", page % b"/old.xml", headers={"Content-Type": "text/html"})
    conditional(loop_server, "/old.xml", RSS)
    run, account = feed("/")
    assert run().new_posts == 3
    del loop_server.routes["/old.xml"]  # the blog moved its feed
    loop_server.static("/", page % b"/atom.xml", headers={"Content-Type": "text/html"})
    conditional(loop_server, "/atom.xml", ATOM, etag='"atom"')
    outcome = run()
    assert outcome.ok and outcome.new_posts == 2 and outcome.requests == 3  # old feed 404, page, new feed
    assert store.get_state(account)["feed_url"] == loop_server.url("/atom.xml")
    assert store.get_state(account)["etag"] == '"atom"'
