"""Run the `lasna` CLI as a subprocess against a scratch database (shared by the collector tests)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def cli_env(db_url: str, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO_ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env["LASNA_DATABASE_URL"] = db_url
    env["LASNA_CONFIG"] = str(Path(db_url.split("///")[-1]).with_suffix(".toml")) if db_url.startswith("sqlite") else "/nonexistent/lasna.toml"
    env.update(extra)
    return env


def run_cli(args: list[str], env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "lasna.cli", *args], env=env, capture_output=True, text=True, timeout=timeout
    )


def collect_json(env: dict[str, str], *args: str) -> tuple[int, dict]:
    proc = run_cli(["collect", "--json", *args], env)
    lines = [l for l in proc.stdout.splitlines() if l.strip()]
    assert len(lines) == 1, f"expected one JSON line, got stdout={proc.stdout!r} stderr={proc.stderr[-2000:]!r}"
    return proc.returncode, json.loads(lines[0])


if str(REPO_ROOT) not in sys.path:  # so tests can import benchmarks.fake_appview
    sys.path.insert(0, str(REPO_ROOT))
