"""Items 6 and 7: every client that fetches from the outside (feeds/Mastodon through SafeHttp, the
Bluesky AppView through the atproto SDK) refuses private addresses on every redirect hop, caps the
answer's size and keeps one deadline over connect, headers and body — probed with real sockets."""

from __future__ import annotations

import gzip
import time

import pytest

from collectors.bluesky.client import AppView
from collectors.safehttp import BlockedURL, ResponseTooLarge, SafeHttp
from lasna.errors import CollectorError, SourceUnavailable

from .loopback import RawServer, big_json, chunked_json, drip_body, drip_headers, json_ok, redirect_to


@pytest.fixture
def servers():
    made: list[RawServer] = []

    def make(handler) -> RawServer:
        server = RawServer(handler)
        made.append(server)
        return server

    yield make
    for server in made:
        server.close()


def _appview(url: str, **kw) -> AppView:
    return AppView(url, max_attempts=1, sleep=lambda s: None, **kw)


# ------------------------------------------------------------------ item 7: the deadline
def test_safehttp_header_drip_is_cut_at_the_deadline(servers):
    server = servers(drip_headers(interval=0.5, total=20))
    started = time.monotonic()
    with SafeHttp(allow_private=True, timeout=10, deadline=2.0) as http, pytest.raises(SourceUnavailable) as err:
        http.get(server.url + "/feed.xml")
    elapsed = time.monotonic() - started
    assert elapsed < 3.5, f"a header drip held the fetch for {elapsed:.1f} s (deadline 2 s)"
    assert "2 s" in str(err.value)


def test_safehttp_slow_drip_below_the_read_timeout_is_cut_too(servers):
    # one byte every 1.5 s never trips a 2 s read timeout; only the overall deadline stops it
    server = servers(drip_headers(interval=1.5, total=20))
    started = time.monotonic()
    with SafeHttp(allow_private=True, timeout=2, deadline=3.0) as http, pytest.raises(SourceUnavailable):
        http.get(server.url + "/")
    assert time.monotonic() - started < 4.5


def test_safehttp_body_drip_is_cut_at_the_deadline(servers):
    server = servers(drip_body(interval=0.3, total=20))
    started = time.monotonic()
    with SafeHttp(allow_private=True, timeout=10, deadline=2.0) as http, pytest.raises(SourceUnavailable):
        http.get(server.url + "/")
    assert time.monotonic() - started < 3.5


def test_appview_header_drip_is_cut_at_the_deadline(servers):
    server = servers(drip_headers(interval=0.5, total=20))
    api = _appview(server.url, deadline=2.0, timeout=10)
    started = time.monotonic()
    with pytest.raises(SourceUnavailable):
        api.get_profile("someone.example")
    api.close()
    assert time.monotonic() - started < 3.5


def test_appview_still_answers_within_the_deadline(servers):
    server = servers(json_ok())
    api = _appview(server.url, deadline=5.0)
    assert api.get_profile("x.example")["handle"] == "x.example"
    api.close()


# ------------------------------------------------------------------ item 6: SSRF per hop, size cap
def test_appview_redirect_to_another_local_service_is_refused(servers, monkeypatch):
    monkeypatch.delenv("LASNA_ALLOW_PRIVATE_URLS", raising=False)
    internal = servers(json_ok())  # e.g. an admin API on loopback
    appview = servers(redirect_to(internal.url + "/admin"))
    api = _appview(appview.url)  # the configured AppView origin itself is trusted (devnet on loopback)
    with pytest.raises(BlockedURL, match="private or local"):
        api.get_profile("someone.example")
    api.close()
    assert internal.hits == 0, "the AppView client followed a redirect to a local service"
    assert appview.hits == 1


def test_appview_redirect_to_localhost_by_name_is_refused(servers, monkeypatch):
    monkeypatch.delenv("LASNA_ALLOW_PRIVATE_URLS", raising=False)
    internal = servers(json_ok())
    appview = servers(redirect_to(f"http://localhost:{internal.port}/"))
    api = _appview(appview.url)
    with pytest.raises(BlockedURL):
        api.get_profile("someone.example")
    api.close()
    assert internal.hits == 0


def test_appview_redirect_loop_is_bounded(servers):
    loop = servers(lambda conn: None)
    loop.handler = redirect_to(loop.url + "/again")
    api = _appview(loop.url)
    with pytest.raises(CollectorError):
        api.get_profile("someone.example")
    api.close()
    assert loop.hits <= 6  # the first request and at most 5 redirects


def test_appview_allow_private_setting_reaches_loopback_redirects(servers, monkeypatch):
    monkeypatch.setenv("LASNA_ALLOW_PRIVATE_URLS", "1")  # tests and intranets: the existing switch
    internal = servers(json_ok())
    appview = servers(redirect_to(internal.url + "/xrpc/app.bsky.actor.getProfile"))
    api = _appview(appview.url)
    assert api.get_profile("x.example")["handle"] == "x.example"
    api.close()
    assert internal.hits == 1


@pytest.mark.parametrize("handler", [big_json(30 * 1024 * 1024), chunked_json(30 * 1024 * 1024)],
                         ids=["content-length", "chunked"])
def test_appview_huge_answer_is_cut_at_the_size_cap(servers, handler):
    import tracemalloc

    server = servers(handler)
    api = _appview(server.url)
    tracemalloc.start()
    try:
        with pytest.raises(ResponseTooLarge):
            api.get_author_feed("someone.example")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        api.close()
    assert peak < 40 * 1024 * 1024, f"peak {peak / 1e6:.0f} MB while refusing a 30 MB answer"


def test_appview_gzip_bomb_is_cut_after_decoding(servers):
    bomb = gzip.compress(b"{" + b" " * (64 * 1024 * 1024) + b"}")  # ~64 KB on the wire, 64 MB decoded

    def handler(conn):
        conn.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\n"
            + f"Content-Length: {len(bomb)}\r\n\r\n".encode() + bomb
        )

    server = servers(handler)
    api = _appview(server.url)
    with pytest.raises(ResponseTooLarge):
        api.get_profile("someone.example")
    api.close()
