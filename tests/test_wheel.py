"""A built wheel works without the source tree: `pip install .` then `lasna demo` in an empty folder
finds the demo data and the labelled training sets (shipped as lasna/_data)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_installed_wheel_loads_the_demo_and_scores_it(tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels), str(ROOT)],
                   check=True, capture_output=True, timeout=600)
    (wheel,) = wheels.glob("lasna-*.whl")
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(site), str(wheel)],
                   check=True, capture_output=True, timeout=600)
    empty = tmp_path / "empty"
    empty.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site), "LASNA_DATABASE_URL": f"sqlite:///{tmp_path / 'w.db'}",
           "XDG_CACHE_HOME": str(tmp_path / "cache")}

    def lasna(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "lasna.cli", *args], cwd=empty, env=env, capture_output=True,
                              text=True, timeout=600)

    where = subprocess.run([sys.executable, "-c", "import lasna, coaching; print(lasna.__file__, coaching.__file__)"],
                           cwd=empty, env=env, capture_output=True, text=True, check=True).stdout
    assert str(ROOT) not in where and str(site) in where, where  # really the installed copy
    loaded = lasna("demo", "--no-serve")
    assert loaded.returncode == 0, loaded.stderr
    scored = lasna("score", "--json")
    assert scored.returncode == 0, scored.stderr
    assert len(json.loads(scored.stdout)["leaders"]) == 14
