"""Tiny raw-socket HTTP servers on loopback for the SSRF, drip and size probes."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable


class RawServer:
    """Accepts connections on 127.0.0.1 and hands each socket to ``handler`` in a thread;
    counts connections (``hits``) so a test can prove a service was never reached."""

    def __init__(self, handler: Callable[[socket.socket], None]) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.handler = handler
        self.hits = 0
        self.closed = False
        threading.Thread(target=self._loop, daemon=True).start()

    def _loop(self) -> None:
        while not self.closed:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.hits += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            conn.settimeout(60)
            _read_request(conn)
            self.handler(conn)
        except OSError:
            pass
        finally:
            try:
                conn.close()
            except OSError:
                pass

    def close(self) -> None:
        self.closed = True
        self.sock.close()


def _read_request(conn: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def drip_headers(interval: float, total: float = 120.0) -> Callable[[socket.socket], None]:
    """Send a valid status line, then one header byte every ``interval`` seconds (never finishing)."""

    def handler(conn: socket.socket) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\n")
        end = time.monotonic() + total
        while time.monotonic() < end:
            conn.sendall(b"X")
            time.sleep(interval)

    return handler


def drip_body(interval: float, total: float = 120.0) -> Callable[[socket.socket], None]:
    def handler(conn: socket.socket) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n")
        end = time.monotonic() + total
        while time.monotonic() < end:
            conn.sendall(b" ")
            time.sleep(interval)

    return handler


def redirect_to(location: str) -> Callable[[socket.socket], None]:
    def handler(conn: socket.socket) -> None:
        conn.sendall(f"HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".encode())

    return handler


def big_json(size: int) -> Callable[[socket.socket], None]:
    """A JSON object of ``size`` bytes, streamed (never held whole by the server)."""

    def handler(conn: socket.socket) -> None:
        head = b'{"feed": [], "pad": "'
        tail = b'"}'
        conn.sendall(f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {size}\r\n\r\n".encode())
        conn.sendall(head)
        left = size - len(head) - len(tail)
        block = b"a" * 65536
        while left > 0:
            conn.sendall(block[: min(left, len(block))])
            left -= len(block)
        conn.sendall(tail)

    return handler


def chunked_json(size: int) -> Callable[[socket.socket], None]:
    """Like big_json but without a Content-Length (chunked): only counting the body can stop it."""

    def handler(conn: socket.socket) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
        block = b"a" * 65536
        sent = 0
        while sent < size:
            conn.sendall(f"{len(block):x}\r\n".encode() + block + b"\r\n")
            sent += len(block)
        conn.sendall(b"0\r\n\r\n")

    return handler


def json_ok(body: bytes = b'{"did": "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa", "handle": "x.example"}'):
    def handler(conn: socket.socket) -> None:
        conn.sendall(
            f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body
        )

    return handler
