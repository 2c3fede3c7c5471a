"""Shared by the security probes: every test here is marked ``security``."""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "/tests/security/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.security)
