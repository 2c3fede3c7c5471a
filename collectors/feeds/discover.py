"""Feed auto-discovery: find ``<link rel="alternate" type="application/rss+xml">`` on a web page."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/feed+xml")


class _LinkFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.base: str | None = None
        self.links: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        values = {k.lower(): (v or "") for k, v in attrs}
        if tag == "base" and values.get("href") and self.base is None:
            self.base = values["href"].strip()
        if tag != "link":
            return
        rels = values.get("rel", "").lower().split()
        kind = values.get("type", "").lower().split(";")[0].strip()
        if "alternate" in rels and kind in FEED_TYPES and values.get("href", "").strip():
            self.links.append((kind, values["href"].strip()))

    handle_startendtag = handle_starttag


def discover_feeds(html: str | bytes, base_url: str) -> list[str]:
    """Absolute http(s) feed URLs announced by the page, in page order (duplicates removed)."""
    if isinstance(html, bytes):
        html = html[:2_000_000].decode("utf-8", "replace")
    finder = _LinkFinder()
    try:
        finder.feed(html[:2_000_000])
        finder.close()
    except Exception:
        pass
    base = urljoin(base_url, finder.base) if finder.base else base_url
    found: list[str] = []
    for _kind, href in finder.links:
        url = urljoin(base, href)
        if urlsplit(url).scheme in ("http", "https") and url not in found:
            found.append(url)
    return found[:10]
