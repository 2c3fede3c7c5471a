"""Where the bundled data lives: ``data/`` in a source checkout, ``lasna/_data`` in an installed wheel
(setup.py maps the one onto the other), so demo data and the labelled training sets are found either way."""

from __future__ import annotations

from pathlib import Path

_INSTALLED = Path(__file__).resolve().parent / "_data"
_CHECKOUT = Path(__file__).resolve().parent.parent / "data"


def data_path(*parts: str) -> Path:
    """``data/<parts>`` from the checkout when it is there, else from the installed package."""
    for root in (_CHECKOUT, _INSTALLED):
        candidate = root.joinpath(*parts)
        if candidate.exists():
            return candidate
    return _CHECKOUT.joinpath(*parts)  # neither: callers report the missing file by this path
