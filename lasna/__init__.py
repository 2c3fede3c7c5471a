"""Läsnä core: domain types, settings, storage and the ``lasna`` CLI."""

__version__ = "0.1.0"
