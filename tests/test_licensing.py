"""docs/LICENSING.md states the licences of the copyleft parts of the install: they must match what the
installed packages declare, and no GPL-family package of the default install may be missing from it."""

from __future__ import annotations

import importlib.metadata as md
import re
from pathlib import Path

import pytest

packaging = pytest.importorskip("packaging.requirements")

DOC = Path(__file__).resolve().parent.parent / "docs" / "LICENSING.md"
#: ``License ::`` classifiers (their last part) -> SPDX, for packages without ``License-Expression``
CLASSIFIER_SPDX = {
    "GNU General Public License v3 or later (GPLv3+)": "GPL-3.0-or-later",
    "GNU Lesser General Public License v3 or later (LGPLv3+)": "LGPL-3.0-or-later",
    "GNU General Public License v2 or later (GPLv2+)": "GPL-2.0-or-later",
    "GNU Lesser General Public License v2 or later (LGPLv2+)": "LGPL-2.0-or-later",
    "Mozilla Public License 1.1 (MPL 1.1)": "MPL-1.1",
}


def declared_spdx(dist: str) -> str:
    meta = md.metadata(dist)
    if meta.get("License-Expression"):
        return meta["License-Expression"]
    found = [c.split(" :: ")[-1] for c in meta.get_all("Classifier") or [] if c.startswith("License :: OSI")]
    return " OR ".join(CLASSIFIER_SPDX.get(c, c) for c in found) or (meta.get("License") or "")


def documented() -> dict[str, str]:
    rows = re.findall(r"^\| ([\w.-]+) \| ([^|]+?) \|", DOC.read_text(encoding="utf-8"), re.MULTILINE)
    return {name: spdx for name, spdx in rows if name != "Package"}


def default_closure() -> set[str]:
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    seen: set[str] = set()
    stack = ["lasna"]
    while stack:
        name = canonicalize_name(stack.pop())
        if name in seen:
            continue
        seen.add(name)
        try:
            reqs = md.requires(name) or []
        except md.PackageNotFoundError:
            continue
        for r in reqs:
            req = Requirement(r)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                stack.append(req.name)
    return seen


def test_documented_licences_match_the_installed_metadata():
    docs = documented()
    assert {"pyvoikko", "kfst", "kfst-rs"} <= set(docs)
    checked = 0
    for name, spdx in docs.items():
        try:
            md.version(name)
        except md.PackageNotFoundError:
            continue
        assert declared_spdx(name) == spdx, (name, declared_spdx(name), spdx)
        checked += 1
    assert checked >= 3


def test_every_gpl_family_package_of_the_default_install_is_documented():
    docs = {n.lower() for n in documented()}
    closure = default_closure()
    assert "pyvoikko" in closure and "numpy" in closure  # the walk really followed the requirements
    copyleft = {n for n in closure if _installed(n) and "GPL" in declared_spdx(n)}
    assert copyleft, "expected pyvoikko (GPL) in the default install"
    assert copyleft <= docs, sorted(copyleft - docs)


def _installed(name: str) -> bool:
    try:
        md.version(name)
        return True
    except md.PackageNotFoundError:
        return False


def test_the_project_declares_mit_and_ships_the_licence_text():
    root = DOC.parent.parent
    assert "MIT License" in (root / "LICENSE").read_text(encoding="utf-8")
    assert 'license = { text = "MIT" }' in (root / "pyproject.toml").read_text(encoding="utf-8")
