"""collectors.safehttp.SafeHttp: address checks, redirects, timeouts, size caps, gzip."""

from __future__ import annotations

import gzip
import time

import httpx
import pytest

from collectors.safehttp import BlockedURL, ResponseTooLarge, SafeHttp, check_url
from lasna.errors import CollectorError, SourceUnavailable, UnsafeURL
from tests.sources_helpers import loop_server  # noqa: F401

PUBLIC = "93.184.216.34"


def fake_resolver(table):
    def resolve(host, port):
        if host in table:
            return table[host]
        return [host]  # IP literals resolve to themselves

    return resolve


@pytest.mark.parametrize(
    "address",
    ["127.0.0.1", "10.1.2.3", "172.16.0.9", "192.168.1.1", "169.254.169.254", "224.0.0.1", "0.0.0.0",
     "::1", "fe80::1", "fc00::5", "::ffff:127.0.0.1", "100.64.0.1", "ff02::1"],
)
def test_private_and_special_addresses_refused(address):
    with pytest.raises(BlockedURL):
        check_url("https://sneaky.example/feed", allow_private=False, resolver=fake_resolver({"sneaky.example": [address]}))


def test_any_private_answer_among_public_ones_is_refused():
    resolver = fake_resolver({"mixed.example": [PUBLIC, "10.0.0.1"]})
    with pytest.raises(BlockedURL):
        check_url("https://mixed.example/", allow_private=False, resolver=resolver)


def test_public_address_passes_and_blocked_is_both_input_and_collector_error():
    assert check_url("https://ok.example/x", allow_private=False, resolver=fake_resolver({"ok.example": [PUBLIC]}))
    assert issubclass(BlockedURL, UnsafeURL) and issubclass(BlockedURL, CollectorError)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/feed", "gopher://x/", "javascript:alert(1)",
                                 "http://user:pw@example.com/", "http:///nohost", "http://[::1/",
                                 "https://example.com/a\x0cb", "https://example.com/a b", "https://exa\nmple.com/"])
def test_bad_schemes_and_forms_refused_even_when_private_allowed(url):
    with pytest.raises(BlockedURL):
        check_url(url, allow_private=True)


def test_real_loopback_server_refused_without_permission(loop_server):  # noqa: F811
    loop_server.static("/feed", b"<rss/>")
    with SafeHttp(allow_private=False) as http, pytest.raises(BlockedURL, match="private or local"):
        http.get(loop_server.url("/feed"))
    assert loop_server.requests == []


def _mock(routes):
    seen = []

    def handler(request):
        seen.append(str(request.url))
        return routes[str(request.url)]

    return httpx.MockTransport(handler), seen


@pytest.mark.parametrize("target", ["http://10.0.0.5/feed", "http://127.0.0.1:8080/admin", "http://169.254.169.254/latest/meta-data/", "file:///etc/passwd"])
def test_redirect_to_private_or_non_http_is_refused(target):
    transport, seen = _mock({"https://public.example/feed": httpx.Response(302, headers={"location": target})})
    http = SafeHttp(transport=transport, allow_private=False, resolver=fake_resolver({"public.example": [PUBLIC]}))
    with pytest.raises(BlockedURL):
        http.get("https://public.example/feed")
    assert seen == ["https://public.example/feed"], "the forbidden hop must never be requested"


def test_redirect_limit_and_loops():
    transport, seen = _mock({"https://a.example/x": httpx.Response(302, headers={"location": "/x"})})
    http = SafeHttp(transport=transport, allow_private=True, max_redirects=3)
    with pytest.raises(SourceUnavailable, match="too many redirects"):
        http.get("https://a.example/x")
    assert len(seen) == 4


def test_relative_redirects_followed(loop_server):  # noqa: F811
    loop_server.static("/old", b"", status=301, headers={"Location": "/new"})
    loop_server.static("/new", b"hello", headers={"Content-Type": "text/plain"})
    with SafeHttp(allow_private=True) as http:
        got = http.get(loop_server.url("/old"))
    assert got.body == b"hello" and got.url.endswith("/new") and got.redirects == 1 and http.requests == 2


def test_slow_server_times_out(loop_server):  # noqa: F811
    def slow(h):
        time.sleep(4)
        h.send_response(200)
        h.send_header("Content-Length", "2")
        h.end_headers()
        h.wfile.write(b"ok")

    loop_server.routes["/slow"] = slow
    started = time.monotonic()
    with SafeHttp(allow_private=True, timeout=0.3) as http, pytest.raises(SourceUnavailable, match="in time"):
        http.get(loop_server.url("/slow"))
    assert time.monotonic() - started < 3


def test_dripping_server_hits_the_deadline(loop_server):  # noqa: F811
    def drip(h):
        h.send_response(200)
        h.send_header("Content-Length", "1000")
        h.end_headers()
        for _ in range(100):
            h.wfile.write(b"x")
            h.wfile.flush()
            time.sleep(0.1)

    loop_server.routes["/drip"] = drip
    started = time.monotonic()
    with SafeHttp(allow_private=True, timeout=2.0, deadline=0.5) as http, pytest.raises(SourceUnavailable, match="longer than"):
        http.get(loop_server.url("/drip"))
    assert time.monotonic() - started < 5  # the server would drip for 10 s


def test_endless_body_is_cut_at_default_10_mb(loop_server):  # noqa: F811
    def endless(h):
        h.send_response(200)
        h.send_header("Transfer-Encoding", "chunked")
        h.end_headers()
        chunk = b"A" * 65536
        for _ in range(400):  # 25 MB if nobody stops us
            h.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        h.wfile.write(b"0\r\n\r\n")

    loop_server.routes["/big"] = endless
    with SafeHttp(allow_private=True) as http, pytest.raises(ResponseTooLarge, match="10485760"):
        http.get(loop_server.url("/big"))


def test_declared_oversize_refused_before_reading(loop_server):  # noqa: F811
    loop_server.static("/decl", b"x" * 2000)
    with SafeHttp(allow_private=True, max_bytes=1000) as http, pytest.raises(ResponseTooLarge):
        http.get(loop_server.url("/decl"))


def test_gzip_is_decoded_and_gzip_bomb_is_capped(loop_server):  # noqa: F811
    loop_server.static("/gz", gzip.compress(b"<rss>ok</rss>"), headers={"Content-Encoding": "gzip"})
    bomb = gzip.compress(b"\0" * (30 * 1024 * 1024), compresslevel=9)
    assert len(bomb) < 100_000
    loop_server.static("/bomb", bomb, headers={"Content-Encoding": "gzip"})
    with SafeHttp(allow_private=True) as http:
        assert http.get(loop_server.url("/gz")).body == b"<rss>ok</rss>"
        with pytest.raises(ResponseTooLarge):
            http.get(loop_server.url("/bomb"))


def test_connection_refused_is_source_unavailable():
    with SafeHttp(allow_private=True, timeout=0.5) as http, pytest.raises(SourceUnavailable, match="cannot reach"):
        http.get("http://127.0.0.1:1/feed")
