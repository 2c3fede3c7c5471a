"""A real `lasna dashboard` on a free loopback port, and a raw Streamlit websocket client that
sends any Host/Origin/Cookie and returns every message of one script run as text.

Loopback only: the client connects to 127.0.0.1 whatever the Host header says."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Dashboard:
    def __init__(self, url: str, workdir: Path, host: str = "127.0.0.1", env: dict | None = None):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = workdir / f"server-{self.port}.log"
        self._log = open(self.log_path, "w+")
        full_env = {**os.environ, "LASNA_DATABASE_URL": url, "PYTHONPATH": str(ROOT),
                    "LASNA_CONFIG": str(workdir / "none.toml"), **(env or {})}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "lasna.cli", "dashboard", "--host", host, "--port", str(self.port)],
            cwd=ROOT, env=full_env, stdout=self._log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(self.base + "/_stcore/health", timeout=2)
                return
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"dashboard did not start:\n{self.log_path.read_text()}")
                time.sleep(0.5)

    def log(self) -> str:
        return self.log_path.read_text()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self._log.close()


def render(port: int, *, host: str, origin: str | None = None, query: str = "lang=en",
           headers: dict[str, str] | None = None, cookie: str | None = None, timeout: float = 60) -> str:
    """Open the app's websocket with these headers, ask for one script run and return every
    message the server sent until the run finished (protobuf text), or "" if it refused."""
    from google.protobuf import text_format
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from websockets.exceptions import ConnectionClosed
    from websockets.sync.client import connect

    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    extra = dict(headers or {})
    if origin is not None:
        extra["Origin"] = origin
    if cookie is not None:
        extra["Cookie"] = cookie
    out: list[str] = []
    try:
        with connect(f"ws://{host}/_stcore/stream", sock=sock, additional_headers=extra,
                     subprotocols=["streamlit"], open_timeout=timeout, max_size=None) as ws:
            msg = BackMsg()
            msg.rerun_script.query_string = query
            msg.rerun_script.page_script_hash = ""
            ws.send(msg.SerializeToString())
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                fwd = ForwardMsg.FromString(ws.recv(timeout=deadline - time.monotonic()))
                out.append(text_format.MessageToString(fwd, as_utf8=True))
                if fwd.WhichOneof("type") == "script_finished":
                    break
            else:
                raise TimeoutError("the script run did not finish")
    except ConnectionClosed:
        pass
    except Exception as exc:  # the handshake itself refused (e.g. 403)
        from websockets.exceptions import InvalidStatus

        if not isinstance(exc, InvalidStatus):
            raise
    return "\n".join(out)
