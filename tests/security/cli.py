"""Run `lasna` in a subprocess (a real exit code, a real stderr) for the security probes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def lasna(*args: str, db: str | None = None, env: dict | None = None, stdin: str | None = None,
          timeout: float = 120, cwd: str | Path | None = None) -> subprocess.CompletedProcess:
    full = dict(os.environ)
    full["PYTHONPATH"] = str(REPO) + os.pathsep + full.get("PYTHONPATH", "")
    if db:
        full["LASNA_DATABASE_URL"] = db
    full.update(env or {})
    return subprocess.run([sys.executable, "-m", "lasna.cli", *args], env=full, capture_output=True, text=True,
                          input=stdin, timeout=timeout, cwd=cwd)


def one_line_error(proc: subprocess.CompletedProcess) -> str:
    """The stderr of a refused command: exactly one non-empty line, no traceback."""
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    assert len(lines) == 1, f"expected one line on stderr, got: {proc.stderr[-3000:]!r}"
    return lines[0]
