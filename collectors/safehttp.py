"""A careful HTTP GET shared by the Mastodon and feed collectors.

What it guarantees, whatever the server does:

* only ``http``/``https`` URLs are fetched, and every hop of a redirect chain is
  checked again (redirects are followed by hand, at most ``max_redirects``);
* a host that resolves to a loopback, private, link-local, multicast, reserved
  or otherwise non-global address is refused unless ``LASNA_ALLOW_PRIVATE_URLS``
  is on (tests and intranets);
* the body is streamed and cut at ``max_bytes`` *after* gzip/deflate/brotli
  decoding (so a compressed bomb cannot blow up memory), and the whole exchange
  has a wall-clock deadline as well as connect/read timeouts (a server dripping
  one byte a second cannot keep us forever);
* failures become :mod:`lasna.errors` collector errors with a one-line reason.

Known limit: the address check resolves the name before httpx connects, so a
DNS server that answers differently a millisecond later (DNS rebinding) is not
caught. Pinning the connection to the checked address would close that gap.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx

from lasna import __version__, settings
from lasna.errors import CollectorError, MalformedPayload, SourceUnavailable, UnsafeURL

USER_AGENT = f"Lasna/{__version__} (+https://github.com/lasna; public-data collector)"
MAX_BYTES = 10 * 1024 * 1024
REDIRECTS = {301, 302, 303, 307, 308}

Resolver = Callable[[str, int], list[str]]


class BlockedURL(UnsafeURL, CollectorError):
    """A URL (or a redirect target) points at a forbidden address or scheme."""


class ResponseTooLarge(MalformedPayload):
    """The body exceeded the size cap."""


def system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [info[4][0] for info in infos]


def _forbidden(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return True
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return (
        not ip.is_global
        or ip.is_multicast
        or ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_unspecified
    )


def check_url(url: str, *, allow_private: bool, resolver: Resolver = system_resolver) -> str:
    """Raise BlockedURL unless ``url`` is http(s) and (unless allowed) resolves only to public addresses."""
    if not isinstance(url, str) or len(url) > 4000 or any(ord(ch) < 33 or ord(ch) == 127 for ch in url):
        raise BlockedURL(f"malformed URL (spaces, control characters or too long): {str(url)[:100]!r}")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise BlockedURL(f"malformed URL {url!r}: {exc}") from None
    if parts.scheme not in ("http", "https"):
        raise BlockedURL(f"refusing non-http(s) URL {url[:200]!r}")
    host = parts.hostname
    if not host:
        raise BlockedURL(f"URL has no host: {url[:200]!r}")
    if parts.username or parts.password:
        raise BlockedURL(f"refusing URL with credentials in it: {parts.scheme}://…@{host}")
    if allow_private:
        return url
    port = port or (443 if parts.scheme == "https" else 80)
    try:
        addresses = resolver(host, port)
    except (OSError, UnicodeError) as exc:
        raise SourceUnavailable(f"cannot resolve {host}: {exc}") from None
    if not addresses:
        raise SourceUnavailable(f"cannot resolve {host}")
    bad = [a for a in addresses if _forbidden(a)]
    if bad:
        raise BlockedURL(
            f"{host} resolves to a private or local address ({bad[0]})",
            hint="set LASNA_ALLOW_PRIVATE_URLS=1 to allow intranet sources",
        )
    return url


@dataclass
class Fetched:
    url: str  # the final URL after redirects
    status: int
    headers: httpx.Headers
    body: bytes
    redirects: int = 0

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()


class SafeHttp:
    """One httpx client with the guarantees above. Count of requests made is in ``requests``."""

    def __init__(
        self,
        *,
        transport: httpx.BaseTransport | None = None,
        acquire: Callable[[str], None] = lambda host: None,
        timeout: float = 10.0,
        deadline: float = 30.0,
        max_bytes: int = MAX_BYTES,
        max_redirects: int = 5,
        allow_private: bool | None = None,
        resolver: Resolver = system_resolver,
        user_agent: str = USER_AGENT,
    ) -> None:
        self.allow_private = settings.get("allow_private_urls") if allow_private is None else allow_private
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.deadline = deadline
        self.resolver = resolver
        self.acquire = acquire
        self.requests = 0
        self.client = httpx.Client(
            transport=transport,
            timeout=httpx.Timeout(timeout),
            follow_redirects=False,
            headers={"User-Agent": user_agent},
            trust_env=False,
        )

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> SafeHttp:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def get(
        self,
        url: str,
        *,
        params: Mapping[str, str | int] | None = None,
        headers: Mapping[str, str] | None = None,
        max_bytes: int | None = None,
    ) -> Fetched:
        """GET ``url`` following safe redirects; the caller interprets the status code."""
        limit = max_bytes or self.max_bytes
        started = time.monotonic()
        current = url
        for hop in range(self.max_redirects + 1):
            check_url(current, allow_private=self.allow_private, resolver=self.resolver)
            host = urlsplit(current).hostname or ""
            self.acquire(host)
            self.requests += 1
            try:
                request = self.client.build_request(
                    "GET", current, params=params if hop == 0 else None, headers=headers
                )
                response = self.client.send(request, stream=True)
            except httpx.TimeoutException:
                raise SourceUnavailable(f"{host} did not answer in time") from None
            except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
                raise BlockedURL(f"malformed URL {current[:200]!r}: {exc}") from None
            except httpx.HTTPError as exc:
                raise SourceUnavailable(f"cannot reach {host}: {type(exc).__name__}: {exc}") from None
            try:
                if response.status_code in REDIRECTS:
                    location = response.headers.get("location")
                    if not location:
                        raise MalformedPayload(f"{host} answered {response.status_code} without a Location")
                    current = urljoin(str(response.url), location.strip())
                    continue
                body = self._read(response, limit, started, host)
                return Fetched(str(response.url), response.status_code, response.headers, body, redirects=hop)
            finally:
                response.close()
        raise SourceUnavailable(f"too many redirects (more than {self.max_redirects}) starting at {url}")

    def _read(self, response: httpx.Response, limit: int, started: float, host: str) -> bytes:
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit and not response.headers.get("content-encoding"):
            raise ResponseTooLarge(f"{host} sent {int(declared)} bytes, more than the {limit}-byte limit")
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > limit:
                    raise ResponseTooLarge(f"{host} sent more than the {limit}-byte limit")
                chunks.append(chunk)
                if time.monotonic() - started > self.deadline:
                    raise SourceUnavailable(f"{host} took longer than {self.deadline:g} s to send its answer")
        except httpx.TimeoutException:
            raise SourceUnavailable(f"{host} stopped sending (read timeout)") from None
        except httpx.DecodingError as exc:
            raise MalformedPayload(f"{host} sent a body that does not decode: {exc}") from None
        except httpx.HTTPError as exc:
            raise SourceUnavailable(f"{host} broke the connection: {type(exc).__name__}") from None
        return b"".join(chunks)
