"""Session fixture for the real local Bluesky network (shared/bsky-devnet).

Import it into a test module (``from bluesky_devnet_fixture import bsky_devnet``).
It finds the devnet folder in ``$BSKY_DEVNET_DIR`` or ``../shared/bsky-devnet``
relative to the repository root. With ``$BSKY_DEVNET_INFO_FILE`` it reuses a
network that is already running and neither starts nor stops it; otherwise it
runs ``start`` once per session (``$BSKY_DEVNET_CACHE`` is passed on) and ``stop``
at the end. Without the folder the tests are skipped with the reason printed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent


def devnet_dir() -> Path | None:
    env = os.environ.get("BSKY_DEVNET_DIR")
    candidates = [Path(env)] if env else [REPO_ROOT.parent / "shared" / "bsky-devnet", REPO_ROOT / "shared" / "bsky-devnet"]
    for candidate in candidates:
        if (candidate / "start").is_file() and (candidate / "stop").is_file():
            return candidate
    return None


@pytest.fixture(scope="session")
def bsky_devnet():
    """The parsed devnet.json of a running network."""
    reuse = os.environ.get("BSKY_DEVNET_INFO_FILE")
    if reuse:
        path = Path(reuse)
        if not path.is_file():
            pytest.skip(f"BSKY_DEVNET_INFO_FILE={reuse} does not exist")
        yield json.loads(path.read_text())
        return
    folder = devnet_dir()
    if folder is None:
        reason = "bsky-devnet folder not found (set BSKY_DEVNET_DIR or put it at ../shared/bsky-devnet)"
        print(f"\nSKIP devnet tests: {reason}", file=sys.stderr)
        pytest.skip(reason)
    env = dict(os.environ)
    proc = subprocess.run([str(folder / "start")], capture_output=True, text=True, timeout=900, env=env)
    if proc.returncode != 0:
        subprocess.run([str(folder / "stop")], capture_output=True, timeout=120, env=env)
        pytest.fail(f"bsky-devnet start failed:\n{proc.stderr[-4000:]}", pytrace=False)
    info_path = proc.stdout.strip().splitlines()[-1]
    try:
        yield json.loads(Path(info_path).read_text())
    finally:
        subprocess.run([str(folder / "stop")], capture_output=True, timeout=120, env=env)


def wait_for_appview(check, what: str, timeout: float = 30) -> None:
    """Poll ``check()`` until the AppView has indexed what a test wrote (it lags the PDS)."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"AppView never showed: {what}"
        time.sleep(0.3)
