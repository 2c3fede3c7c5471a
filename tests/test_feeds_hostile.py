"""A hostile corpus: hundreds of malformed feeds, generated from the golden fixtures.

Every one must be ingested or fail with a clear CollectorError -- never another
exception, never a hang. They go through the whole collector (HTTP via
MockTransport, parse, store) and some through parse_feed directly.
"""

from __future__ import annotations

import random
import time

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sqlalchemy import select

from collectors.base import CollectContext
from collectors.feeds import FeedCollector
from collectors.feeds.parse import parse_feed
from collectors.text import html_to_text
from lasna.errors import CollectorError
from lasna.store import schema as t
from lasna.types import Platform
from tests.sources_helpers import FIXTURES, allow_private, make_account, store  # noqa: F401

SOURCES = {p.name: p.read_bytes() for p in sorted((FIXTURES / "feeds").iterdir()) if not p.name.endswith(".json")}


def corpus() -> list[tuple[str, bytes, str]]:
    rng = random.Random(20251105)
    cases: list[tuple[str, bytes, str]] = []
    rss = SOURCES["rss2_blog.xml"]
    for name, raw in SOURCES.items():  # truncation at many offsets
        for cut in sorted({1, 5, 20, 64, 100, 150, len(raw) // 7, len(raw) // 4, len(raw) // 3, len(raw) // 2,
                           2 * len(raw) // 3, len(raw) - 200, len(raw) - 40, len(raw) - 10, len(raw) - 1}):
            cases.append((f"truncate-{name}-{cut}", raw[: max(cut, 0)], "application/xml"))
    for i in range(12):  # garbage bytes at random places
        body = bytearray(rss)
        for _ in range(1 + i * 3):
            pos = rng.randrange(len(body))
            body[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 30)))
        cases.append((f"garbage-{i}", bytes(body), "application/rss+xml"))
    cases += [
        ("random-bytes", bytes(rng.randrange(256) for _ in range(5000)), "application/rss+xml"),
        ("empty", b"", "application/rss+xml"),
        ("whitespace", b"   \n\t  ", "text/xml"),
        ("nul-bytes", rss.replace(b"<item>", b"<item>\0\0\0", 2), "application/rss+xml"),
        ("control-chars", rss.replace(b"Kun joku", b"Kun\x01\x02\x1b joku"), "application/rss+xml"),
        ("latin1-claims-utf8", rss.decode().encode("latin-1", "replace"), "application/rss+xml; charset=utf-8"),
        ("utf16-no-bom", rss.decode().replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16-le"), "text/xml"),
        ("utf16-with-bom", rss.decode().replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16"), "text/xml"),
        ("bogus-charset", rss.replace(b'encoding="UTF-8"', b'encoding="x-klingon-42"'), "text/xml; charset=x-klingon"),
        ("ebcdic", rss.decode().encode("cp500", "replace"), "text/xml"),
        ("overlong-utf8", rss.replace("ä".encode(), b"\xc0\xa4"), "application/rss+xml"),
        ("huge-attribute", rss.replace(b"<item>", b'<item foo="' + b"A" * 2_000_000 + b'">', 1), "application/rss+xml"),
        ("many-attributes", rss.replace(b"<item>", b"<item " + b" ".join(b'a%d="x"' % i for i in range(20000)) + b">", 1), "application/rss+xml"),
        ("deep-nesting", rss.replace(b"<description>", b"<description>" + b"<x>" * 20000 + b"</x>" * 20000, 1), "application/rss+xml"),
        ("deep-html-in-cdata", rss.replace(b"<![CDATA[<p>", b"<![CDATA[" + b"<div>" * 50000 + b"<p>", 1), "application/rss+xml"),
        ("huge-title", rss.replace(b"<title>Miksi", b"<title>" + "ä".encode() * 3_000_000 + b"Miksi", 1), "application/rss+xml"),
        ("many-entries", b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>' + b"".join(b"<item><title>n%d</title><guid>g%d</guid></item>" % (i, i) for i in range(3000)) + b"</channel></rss>", "application/rss+xml"),
        ("unterminated-cdata", rss.replace(b"]]></content:encoded>", b"</content:encoded>", 1), "application/rss+xml"),
        ("undefined-entities", rss.replace(b"&#8211;", b"&nbsp;&copy;&bogus;"), "application/rss+xml"),
        ("billion-laughs-param", b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY % a "x"><!ENTITY % b "%a;%a;">]><rss/>', "text/xml"),
        ("quadratic-blowup", b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "' + b"x" * 50000 + b'">]><rss version="2.0"><channel><item><title>' + b"&a;" * 5000 + b"</title></item></channel></rss>", "text/xml"),
        ("entity-decl-lowercase-gap", b'<?xml version="1.0"?><!DOCTYPE r [<!  ENTITY a "x">]><rss/>', "text/xml"),
        ("html-page", b"<!doctype html><html><head><title>x</title></head><body>" + b"<p>hi</p>" * 100 + b"</body></html>", "text/html"),
        ("json", b'{"version": "https://jsonfeed.org/version/1", "items": [{"id": "1"}]}', "application/json"),
        ("image", b"GIF89a" + bytes(200), "image/gif"),
        ("xml-not-feed", b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>', "image/svg+xml"),
        ("processing-instructions", b'<?xml version="1.0"?><?xml-stylesheet href="javascript:alert(1)"?>' + rss.split(b"?>", 1)[1], "application/rss+xml"),
        ("script-in-title", rss.replace(b"<title>Miksi", b"<title>&lt;script&gt;alert(1)&lt;/script&gt;Miksi", 1), "application/rss+xml"),
        ("javascript-link", rss.replace(b"https://liisalehtinen.fi/2025/11/miksi-vastaan/</link>", b"javascript:alert(1)</link>", 1), "application/rss+xml"),
    ]
    dates = [b"Tue, 99 Nov 2025 99:99:99 +9999", b"yesterday", b"", b"9999-12-31T23:59:59Z", b"0001-01-01T00:00:00Z",
             b"Thu, 01 Jan 1970 00:00:00 GMT", b"2025-13-45", b"\xff\xfe", b"Mon, 03 Nov 3025 08:00:00 +0200", b"-1"]
    for i, date in enumerate(dates):  # bad dates
        cases.append((f"bad-date-{i}", rss.replace(b"Tue, 04 Nov 2025 07:12:40 +0000", date), "application/rss+xml"))
    for field in (b"title", b"link", b"guid", b"pubDate", b"description", b"content:encoded", b"channel", b"item", b"rss"):  # missing fields
        body = rss
        for _ in range(5):
            start = body.find(b"<" + field)
            end = body.find(b"</" + field + b">", start)
            if start < 0 or end < 0:
                break
            body = body[:start] + body[end + len(field) + 3 :]
        cases.append((f"missing-{field.decode()}", body, "application/rss+xml"))
    atom = SOURCES["atom_blog.xml"]
    for i in range(8):  # tag soup: shuffle lines of the atom feed
        lines = atom.split(b"\n")
        rng.shuffle(lines)
        cases.append((f"shuffled-atom-{i}", b"\n".join(lines), "application/atom+xml"))
    for i in range(6):  # swapped / mismatched tags
        body = bytearray(atom)
        for _ in range(4):
            pos = rng.randrange(len(body))
            body[pos] = ord(rng.choice("<>&\"'/"))
        cases.append((f"flipped-chars-{i}", bytes(body), "application/atom+xml"))
    return cases


CORPUS = corpus()


def test_corpus_is_big_enough():
    assert len(CORPUS) >= 100, len(CORPUS)


def test_every_hostile_feed_is_ingested_or_a_clear_error(store, allow_private):  # noqa: F811
    bodies = {f"https://hostile.example/{i}": (name, body, ctype) for i, (name, body, ctype) in enumerate(CORPUS)}

    def handler(request):
        if str(request.url) not in bodies:  # e.g. a comment feed named by a hostile entry
            return httpx.Response(404)
        name, body, ctype = bodies[str(request.url)]
        return httpx.Response(200, content=body, headers={"content-type": ctype})

    transport = httpx.MockTransport(handler)
    outcomes: dict[str, str] = {}
    slowest = (0.0, "")
    texts: list[str] = []
    urls: list[str] = []
    years: list[int] = []
    for url, (name, _body, _ctype) in bodies.items():
        leader, account = make_account(store, Platform.FEED, url, url=url, stable_id=url, name="Hostile")
        ctx = CollectContext(store=store, transport=transport)
        started = time.process_time()
        try:
            outcome = FeedCollector().collect(account, leader, ctx)
            assert outcome.ok
            outcomes[name] = f"ok:{outcome.new_posts}"
        except CollectorError as exc:
            assert str(exc).strip(), name
            outcomes[name] = "error"
        elapsed = time.process_time() - started
        slowest = max(slowest, (elapsed, name))
        with store.engine.connect() as conn:
            rows = conn.execute(select(t.posts.c.text, t.posts.c.url, t.posts.c.created_at)).all()
        texts += [r.text for r in rows]
        urls += [r.url for r in rows if r.url]
        years += [r.created_at.year for r in rows]
        store.remove_account(account.id)  # the next case reuses the same guids
        assert elapsed < 5, f"{name} took {elapsed:.1f} s of CPU"
    errors = sum(1 for v in outcomes.values() if v == "error")
    assert 0 < errors < len(outcomes), outcomes  # both kinds happen: some survive, some fail clearly
    for must_fail in ("empty", "whitespace", "billion-laughs-param", "quadratic-blowup", "entity-decl-lowercase-gap", "image", "json", "html-page"):
        assert outcomes[must_fail] == "error", (must_fail, outcomes[must_fail])
    for must_survive in ("nul-bytes", "control-chars", "latin1-claims-utf8", "huge-attribute", "bad-date-0", "bad-date-3", "missing-guid", "script-in-title"):
        assert outcomes[must_survive].startswith("ok:") and outcomes[must_survive] != "ok:0", (must_survive, outcomes[must_survive])
    assert texts and not any("<script" in t or "\x00" in t for t in texts)
    assert all(u.startswith(("http://", "https://")) for u in urls)
    assert max(years) < 2100 and min(years) >= 1990
    print(f"slowest case: {slowest[1]} {slowest[0]:.2f} s CPU; {errors} errors of {len(outcomes)}")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=3000))
def test_parse_feed_on_arbitrary_bytes_never_crashes(data):
    try:
        parse_feed(data, feed_id="https://fuzz.example/feed")
    except CollectorError:
        pass


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=2000))
def test_html_to_text_never_crashes_and_never_leaves_tags_from_markup(text):
    out = html_to_text(text)
    assert isinstance(out, str) and "\x00" not in out


@pytest.mark.parametrize(
    "body",
    [b"<rss><channel>" + b"<item><title>x&lt;</title>" * 400_000, b"<" * 10_000_000, b"<rss>" + b"<a>" * 3_000_000],
    ids=["10mb-tag-soup", "10mb-of-lt", "deep-10mb"],
)
def test_large_broken_xml_fails_fast_instead_of_hours_of_loose_parsing(body):
    started = time.process_time()  # CPU time: robust on a machine shared with other test runs
    with pytest.raises(CollectorError, match="too large"):
        parse_feed(body, feed_id="https://x.example/feed")
    assert time.process_time() - started < 3


def test_many_attributes_refused_fast():
    rss = SOURCES["rss2_blog.xml"]
    body = rss.replace(b"<item>", b"<item " + b" ".join(b'a%d="x"' % i for i in range(20000)) + b">", 1)
    started = time.process_time()
    with pytest.raises(CollectorError, match="attributes"):
        parse_feed(body, feed_id="https://x.example/feed")
    assert time.process_time() - started < 2
