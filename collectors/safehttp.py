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

The deadline and the address check also live one level down, in the network
backend (:class:`GuardedBackend`) every real connection goes through: each
``connect``/``recv``/``send`` is given at most the time left until the deadline
(a server dripping one header byte every few seconds is cut at the deadline,
not after 76 s), and the connection is made to the address that was checked
(no DNS-rebinding gap between check and connect). :func:`guarded_transport`
wraps that backend with a size cap and a redirect limit for clients that do
their own HTTP — the Bluesky SDK — so they get the same guarantees.
"""

from __future__ import annotations

import contextlib
import contextvars
import ipaddress
import socket
import ssl
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpcore
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


# ------------------------------------------------------------------ the overall deadline
@dataclass
class _Scope:
    until: float  # time.monotonic() when everything must be done
    seconds: float
    hops: int = 0


_SCOPE: contextvars.ContextVar[_Scope | None] = contextvars.ContextVar("lasna_fetch_deadline", default=None)


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[_Scope]:
    """Every connect, TLS handshake, header and body read inside this block (in this thread)
    ends by ``seconds`` from now; a nested block can only shorten it."""
    outer = _SCOPE.get()
    until = time.monotonic() + seconds
    scope = _Scope(min(until, outer.until) if outer else until, seconds if not outer else min(seconds, outer.seconds))
    token = _SCOPE.set(scope)
    try:
        yield scope
    finally:
        _SCOPE.reset(token)


def _bounded(timeout: float | None) -> float | None:
    """``timeout`` shortened to the time left in the current deadline; raises when none is left."""
    scope = _SCOPE.get()
    if scope is None:
        return timeout
    left = scope.until - time.monotonic()
    if left <= 0:
        raise httpcore.ReadTimeout(f"the {scope.seconds:g} s deadline passed")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """A connection whose every read and write ends by the current deadline."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _bounded(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _bounded(timeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        return _DeadlineStream(self._inner.start_tls(ssl_context, server_hostname, _bounded(timeout)))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class GuardedBackend(httpcore.NetworkBackend):
    """httpcore's socket backend with the deadline on every operation and the address check done
    on the very address it connects to. ``trusted`` origins ((host, port) the operator configured,
    e.g. a Bluesky AppView on loopback in tests) skip the private-address check; nothing else does."""

    def __init__(
        self,
        *,
        allow_private: bool,
        resolver: Resolver = system_resolver,
        trusted: Iterable[tuple[str, int]] = (),
        inner: httpcore.NetworkBackend | None = None,
    ) -> None:
        self.allow_private = allow_private
        self.resolver = resolver
        self.trusted = {(h.lower(), p) for h, p in trusted}
        self.inner = inner or httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        check = not self.allow_private and (host.lower(), port) not in self.trusted
        try:
            addresses = [str(ipaddress.ip_address(host))]
        except ValueError:
            try:
                addresses = self.resolver(host, port)
            except (OSError, UnicodeError) as exc:
                raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from None
        if check:
            bad = [a for a in addresses if _forbidden(a)]
            if bad:
                raise BlockedURL(
                    f"{host} resolves to a private or local address ({bad[0]})",
                    hint="set LASNA_ALLOW_PRIVATE_URLS=1 to allow intranet sources",
                )
        last: Exception | None = None
        for address in dict.fromkeys(addresses):
            try:
                stream = self.inner.connect_tcp(
                    address, port, timeout=_bounded(timeout), local_address=local_address,
                    socket_options=socket_options,
                )
            except httpcore.ConnectError as exc:
                last = exc
                continue
            return _DeadlineStream(stream)
        raise last or httpcore.ConnectError(f"cannot resolve {host}")

    def connect_unix_socket(self, path: str, timeout: float | None = None, socket_options=None):  # noqa: ANN001
        raise httpcore.ConnectError("unix sockets are not used by Läsnä's collectors")

    def sleep(self, seconds: float) -> None:
        self.inner.sleep(seconds)


def _plain_transport(backend: GuardedBackend, *, verify: ssl.SSLContext | bool = True) -> httpx.HTTPTransport:
    transport = httpx.HTTPTransport(verify=verify, trust_env=False)
    transport._pool._network_backend = backend  # httpx has no public hook for the network backend
    return transport


class GuardedTransport(httpx.BaseTransport):
    """For clients that do their own HTTP (the Bluesky SDK): http(s) only, at most
    ``max_redirects`` hops per deadline scope (each hop re-checked at connect time by the
    backend), the body cut at ``max_bytes`` after decoding, all within the current deadline
    (or ``deadline_seconds`` when the caller opened none)."""

    def __init__(
        self,
        inner: httpx.BaseTransport,
        *,
        max_bytes: int = MAX_BYTES,
        max_redirects: int = 5,
        deadline_seconds: float = 30.0,
    ) -> None:
        self.inner = inner
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.deadline_seconds = deadline_seconds

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        with deadline(self.deadline_seconds) if _SCOPE.get() is None else contextlib.nullcontext():
            scope = _SCOPE.get()
            assert scope is not None
            scope.hops += 1
            if scope.hops > self.max_redirects + 1:
                raise SourceUnavailable(f"too many redirects (more than {self.max_redirects}) for {request.url.host}")
            url = str(request.url)
            check_url(url, allow_private=True)  # scheme, credentials, control characters; addresses at connect
            response = self.inner.handle_request(request)
            host = request.url.host
            try:
                raw = httpx.Response(response.status_code, headers=response.headers, stream=response.stream,
                                     request=request)
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > self.max_bytes and not response.headers.get(
                    "content-encoding"
                ):
                    raise ResponseTooLarge(f"{host} sent {int(declared)} bytes, more than the {self.max_bytes}-byte limit")
                chunks: list[bytes] = []
                size = 0
                for chunk in raw.iter_bytes():  # decoded: a compressed bomb is cut here too
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise ResponseTooLarge(f"{host} sent more than the {self.max_bytes}-byte limit")
                    chunks.append(chunk)
                    _bounded(None)
            except httpcore.TimeoutException as exc:
                raise httpx.ReadTimeout(str(exc), request=request) from None
            finally:
                response.close()
            headers = [(k, v) for k, v in response.headers.multi_items()
                       if k.lower() not in ("content-encoding", "content-length", "transfer-encoding")]
            return httpx.Response(response.status_code, headers=headers, content=b"".join(chunks),
                                  request=request, extensions=response.extensions)

    def close(self) -> None:
        self.inner.close()


def guarded_transport(
    *,
    allow_private: bool | None = None,
    trusted_urls: Iterable[str] = (),
    resolver: Resolver = system_resolver,
    verify: ssl.SSLContext | bool = True,
    max_bytes: int = MAX_BYTES,
    max_redirects: int = 5,
    deadline_seconds: float = 30.0,
    inner: httpx.BaseTransport | None = None,
) -> GuardedTransport:
    """A transport with every guarantee of :class:`SafeHttp`, for an ``httpx.Client`` someone else
    drives. ``trusted_urls``: origins the operator configured (allowed even on private addresses);
    ``inner`` (tests, benchmarks): a transport to wrap instead of real sockets (then addresses
    and the per-read deadline are up to it; the size cap and redirect limit still hold)."""
    if inner is None:
        allow = settings.get("allow_private_urls") if allow_private is None else allow_private
        trusted = []
        for url in trusted_urls:
            parts = urlsplit(url)
            if parts.hostname:
                trusted.append((parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)))
        inner = _plain_transport(GuardedBackend(allow_private=allow, resolver=resolver, trusted=trusted),
                                 verify=verify)
    return GuardedTransport(inner, max_bytes=max_bytes, max_redirects=max_redirects, deadline_seconds=deadline_seconds)


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
        if transport is None:
            transport = _plain_transport(GuardedBackend(allow_private=self.allow_private, resolver=resolver))
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
        with deadline(self.deadline):
            return self._get(url, params=params, headers=headers, max_bytes=max_bytes)

    def _get(self, url: str, *, params, headers, max_bytes: int | None) -> Fetched:
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
                if time.monotonic() - started >= self.deadline - 0.05:
                    raise SourceUnavailable(f"{host} took longer than {self.deadline:g} s to answer") from None
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
            if time.monotonic() - started >= self.deadline - 0.05:
                raise SourceUnavailable(f"{host} took longer than {self.deadline:g} s to send its answer") from None
            raise SourceUnavailable(f"{host} stopped sending (read timeout)") from None
        except httpx.DecodingError as exc:
            raise MalformedPayload(f"{host} sent a body that does not decode: {exc}") from None
        except httpx.HTTPError as exc:
            raise SourceUnavailable(f"{host} broke the connection: {type(exc).__name__}") from None
        return b"".join(chunks)
