"""What text can be stored at all: no NUL (PostgreSQL refuses it), no lone surrogates (not
encodable as UTF-8: SQLite and PostgreSQL both fail on them), no other control characters in
identifiers. Checked at the edges (imports, rosters, the command line) so a bad value is an
input error — one line, exit 2, nothing written — instead of a driver traceback half-way."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import fields, is_dataclass
from typing import Any

_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def problem(value: str, *, identifier: bool = False) -> str | None:
    """Why ``value`` cannot be stored (None if it can). Identifiers also refuse tabs/newlines."""
    if "\x00" in value:
        return "contains a NUL character"
    if _SURROGATE.search(value):
        return "contains a lone surrogate (\\ud800–\\udfff), which is not valid Unicode text"
    if identifier and (_CONTROL.search(value) or "\n" in value or "\r" in value or "\t" in value):
        return "contains control characters"
    return None


def storable_problems(items: Iterable[Any]) -> list[tuple[str, str, str]]:
    """(item id, field, reason) for every string field of the dataclass items that cannot be stored."""
    out: list[tuple[str, str, str]] = []
    for item in items:
        if not is_dataclass(item):
            continue
        ident = getattr(item, "id", "?")
        for f in fields(item):
            value = getattr(item, f.name)
            values = value if isinstance(value, (tuple, list)) else (value,)
            for v in values:
                if isinstance(v, str):
                    why = problem(v, identifier=f.name.endswith("id") or f.name.endswith("_ids"))
                    if why:
                        shown = ident.encode("utf-8", "backslashreplace").decode("ascii", "backslashreplace") \
                            if isinstance(ident, str) else ident
                        out.append((str(shown)[:80], f.name, why))
                        break
    return out
