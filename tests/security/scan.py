"""Scan every table of the store for strings: the erasure tests' witness.

Walks ``schema.metadata.sorted_tables`` so a table added by a later migration is scanned without
touching this file; every column of every row is turned into text (JSON lists included) and
searched case-insensitively."""

from __future__ import annotations

import json

from sqlalchemy import select

from lasna.store import Store
from lasna.store import schema as t


def scan(store: Store, needles: set[str]) -> list[tuple[str, str, str]]:
    """(table, column, needle) for every cell that contains one of ``needles``."""
    lowered = {n.lower(): n for n in needles if n}
    hits: list[tuple[str, str, str]] = []
    with store.engine.connect() as conn:
        for table in t.metadata.sorted_tables:
            for row in conn.execute(select(table)).mappings():
                for column, value in row.items():
                    if value is None or isinstance(value, (int, float, bool)):
                        continue
                    text = value if isinstance(value, str) else json.dumps(value, default=str, ensure_ascii=False)
                    low = text.lower()
                    for needle, original in lowered.items():
                        if needle in low:
                            hits.append((table.name, column, original))
    return hits


def row_counts(store: Store) -> dict[str, int]:
    return store.counts()
