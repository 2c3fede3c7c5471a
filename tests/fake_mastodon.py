"""A fake Mastodon instance for httpx.MockTransport: lookup, statuses (paged by Link), status, context."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from urllib.parse import parse_qs

import httpx


class FakeMastodon:
    def __init__(self, host: str = "mastodon.example", netloc: str | None = None, scheme: str = "https") -> None:
        self.host = host
        self.netloc = netloc or host
        self.scheme = scheme
        self.accounts: dict[str, dict] = {}  # username -> Account
        self.statuses: dict[str, list[dict]] = {}  # account id -> statuses, newest first
        self.by_id: dict[str, dict] = {}
        self.contexts: dict[str, dict] = {}
        self.hits: Counter[str] = Counter()
        self.log: list[str] = []
        #: path -> list of canned responses served (and consumed) before the normal answer
        self.faults: dict[str, list[httpx.Response]] = {}
        self.headers: Callable[[], dict[str, str]] = lambda: {}

    def add_account(self, account: dict) -> None:
        self.accounts[account["username"]] = account
        self.statuses.setdefault(account["id"], [])

    def add_status(self, status: dict) -> None:
        self.by_id[status["id"]] = status
        if status["account"]["id"] in self.statuses:
            lst = self.statuses[status["account"]["id"]]
            lst.append(status)
            lst.sort(key=lambda s: (len(s["id"]), s["id"]), reverse=True)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def _json(self, data, status=200, extra=None) -> httpx.Response:
        return httpx.Response(status, content=json.dumps(data).encode(), headers={"content-type": "application/json", **self.headers(), **(extra or {})})

    def handle(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        if url.host != self.host:
            raise httpx.ConnectError(f"unknown host {url.host}", request=request)
        path = url.path
        self.hits[path] += 1
        self.log.append(str(url))
        if self.faults.get(path):
            return self.faults[path].pop(0)
        q = {k: v[0] for k, v in parse_qs(url.query.decode()).items()}
        parts = path.strip("/").split("/")
        if path == "/api/v1/accounts/lookup":
            account = self.accounts.get(q.get("acct", ""))
            return self._json(account) if account else self._json({"error": "Record not found"}, 404)
        if parts[:3] == ["api", "v1", "accounts"] and len(parts) == 5 and parts[4] == "statuses":
            if parts[3] not in self.statuses:
                return self._json({"error": "Record not found"}, 404)
            items = self.statuses[parts[3]]
            key = lambda i: (len(i), i)  # noqa: E731
            if "max_id" in q:
                items = [s for s in items if key(s["id"]) < key(q["max_id"])]
            if "since_id" in q:
                items = [s for s in items if key(s["id"]) > key(q["since_id"])]
            limit = min(int(q.get("limit", 20)), 40)
            page = items[:limit]
            extra = {}
            if page:
                base = f"{self.scheme}://{self.netloc}/api/v1/accounts/{parts[3]}/statuses"
                extra["link"] = f'<{base}?max_id={page[-1]["id"]}>; rel="next", <{base}?min_id={page[0]["id"]}>; rel="prev"'
            return self._json(page, extra=extra)
        if parts[:3] == ["api", "v1", "statuses"] and len(parts) == 5 and parts[4] == "context":
            if parts[3] not in self.by_id:
                return self._json({"error": "Record not found"}, 404)
            return self._json(self.contexts.get(parts[3], {"ancestors": [], "descendants": []}))
        if parts[:3] == ["api", "v1", "statuses"] and len(parts) == 4:
            status = self.by_id.get(parts[3])
            return self._json(status) if status else self._json({"error": "Record not found"}, 404)
        return self._json({"error": "not found"}, 404)

    def serve_on(self, server) -> None:
        """Answer every request of a tests.sources_helpers.LoopServer through :meth:`handle`."""

        def handler(h) -> None:
            request = httpx.Request("GET", f"http://{self.host}{h.path}")
            response = self.handle(request)
            body = response.content
            h.send_response(response.status_code)
            for key, value in response.headers.items():
                if key.lower() not in ("content-length", "transfer-encoding"):
                    h.send_header(key, value)
            h.send_header("Content-Length", str(len(body)))
            h.end_headers()
            h.wfile.write(body)

        server.fallback = handler
