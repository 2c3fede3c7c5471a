"""Shared helpers for the source-collector tests: golden files, a store, a loopback HTTP server."""

from __future__ import annotations

import enum
import json
import os
import shutil
import threading
from collections.abc import Callable
from dataclasses import asdict, is_dataclass
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from lasna.store import Store
from lasna.types import Platform

FIXTURES = Path(__file__).parent / "fixtures"


def jsonable(value):
    if is_dataclass(value):
        return jsonable(asdict(value))
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def check_golden(expected_path: Path, data) -> None:
    """Compare with the expected JSON beside the raw fixture; LASNA_UPDATE_GOLDEN=1 rewrites it."""
    actual = jsonable(data)
    if os.environ.get("LASNA_UPDATE_GOLDEN") == "1":
        expected_path.write_text(json.dumps(actual, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    assert actual == expected


_TEMPLATE: dict[str, Path] = {}


@pytest.fixture
def store(tmp_path, tmp_path_factory):
    """A migrated SQLite store; migrated once per session and copied (0.03 s instead of 0.25 s)."""
    if "db" not in _TEMPLATE:
        template = tmp_path_factory.mktemp("template") / "template.db"
        Store.open(f"sqlite:///{template}").close()
        _TEMPLATE["db"] = template
    path = tmp_path / "test.db"
    shutil.copyfile(_TEMPLATE["db"], path)
    s = Store.open(f"sqlite:///{path}")
    yield s
    s.close()


@pytest.fixture
def allow_private(monkeypatch):
    monkeypatch.setenv("LASNA_ALLOW_PRIVATE_URLS", "1")


def make_account(store: Store, platform: Platform, handle: str, *, url=None, stable_id=None, name="Liisa"):
    try:
        leader = store.leader(name)
    except Exception:
        leader = store.add_leader(name)
    return leader, store.add_account(leader.id, platform, handle, url=url, stable_id=stable_id)


class LoopbackOnlyTransport(httpx.HTTPTransport):
    """Real HTTP to 127.0.0.1 only; any other host fails like an unreachable one (no internet in tests)."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.host != "127.0.0.1":
            raise httpx.ConnectError(f"tests may not leave the machine ({request.url.host})", request=request)
        return super().handle_request(request)


Handler = Callable[[BaseHTTPRequestHandler], None]


class LoopServer:
    """A threaded loopback HTTP server with a route table; records every request."""

    def __init__(self) -> None:
        self.routes: dict[str, Handler] = {}
        self.fallback: Handler | None = None
        self.requests: list[tuple[str, dict[str, str]]] = []
        server = self

        class _H(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):  # noqa: N802
                server.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
                handler = server.routes.get(self.path.split("?")[0]) or server.fallback
                if handler is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                try:
                    handler(self)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args):
                pass

        class _Server(ThreadingHTTPServer):
            def handle_error(self, request, client_address):  # clients hanging up on purpose
                pass

        self.httpd = _Server(("127.0.0.1", 0), _H)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    # convenience route builders
    def static(self, path: str, body: bytes, *, status: int = 200, headers: dict[str, str] | None = None) -> None:
        def handler(h: BaseHTTPRequestHandler) -> None:
            h.send_response(status)
            for k, v in (headers or {}).items():
                h.send_header(k, v)
            h.send_header("Content-Length", str(len(body)))
            h.end_headers()
            h.wfile.write(body)

        self.routes[path] = handler


@pytest.fixture
def loop_server():
    server = LoopServer()
    yield server
    server.close()
