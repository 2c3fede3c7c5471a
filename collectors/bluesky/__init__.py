"""Bluesky collector (public AppView, unauthenticated). Importing registers it."""

from collectors.bluesky.collector import BlueskyCollector

__all__ = ["BlueskyCollector"]
