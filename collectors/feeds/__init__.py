"""RSS/Atom feeds (blogs, YouTube channels, Mastodon profile feeds). Importing registers the collector."""

from collectors.feeds.collector import FeedCollector
from collectors.feeds.discover import discover_feeds
from collectors.feeds.parse import ParsedFeed, parse_feed

__all__ = ["FeedCollector", "ParsedFeed", "discover_feeds", "parse_feed"]
