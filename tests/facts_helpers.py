"""Test helper: everything the weekly facts hold, comparable between two moments or two stores."""

from __future__ import annotations

from datetime import date


def facts_snapshot(store) -> dict:
    """Every week row (packed blobs and version) and every first contact, as plain comparable values."""
    weeks = store.fact_weeks()
    lids = sorted(int(i) for i in weeks["leader_id"].unique())
    rows = store.fact_week_rows(None, date(1970, 1, 5), date(2100, 1, 4), with_ids=lids)
    contacts, _ = store.fact_contacts(None, -(2**62), 2**62)
    return {"weeks": {(int(r[0]), r[1]): (bytes(r[2]), bytes(r[3]), bytes(r[4]), r[5]) for r in rows},
            "contacts": sorted(map(tuple, contacts.astype(object).values.tolist()))}
