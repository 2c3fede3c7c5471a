import json
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import coaching

FORBIDDEN = ["lasna.store", "sqlalchemy", "httpx", "atproto", "streamlit", "requests", "alembic", "feedparser"]


def test_importing_every_coaching_module_pulls_in_no_io_library():
    mods = ["coaching"] + [f"coaching.{m.name}" for m in pkgutil.iter_modules(coaching.__path__)]
    code = (
        "import importlib, json, sys\n"
        f"for m in {mods!r}: importlib.import_module(m)\n"
        f"print(json.dumps([f for f in {FORBIDDEN!r} if any(k == f or k.startswith(f + '.') for k in sys.modules)]))\n"
    )
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": str(root)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=root, check=True)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []
    assert len(mods) >= 8  # features, metrics, composites, scoring, definitions, classifier, topics, evaluate, ...
