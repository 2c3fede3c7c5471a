"""Mastodon via its public REST API (own statuses incl. replies and boosts; replies by others).

Importing registers the collector.
"""

from collectors.mastodon.collector import MastodonCollector
from collectors.mastodon.normalize import IdMap, normalize_context, normalize_reply, normalize_status

__all__ = ["IdMap", "MastodonCollector", "normalize_context", "normalize_reply", "normalize_status"]
