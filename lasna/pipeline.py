"""The data flow after a batch is stored: collect → ``Store.save_batch`` → enrich → facts → views.

:func:`after_ingest` is called right after each stored batch (the collection runner per account, the
importers, the demo loader): it enriches what the batch added or changed (and re-links the incoming
messages a new own reply answers) — the rows ``Store.save_batch`` queued, read without scanning the
leaders' history — then refreshes the facts of the (leader, ISO week) pairs it touched.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date

from lasna.store import Store

log = logging.getLogger(__name__)


def after_ingest(store: Store, leader_ids: Iterable[int | None], *, quiet: bool = False) -> set[tuple[int, date]]:
    """Enrich what stored batches queued for these leaders, refresh the facts of the weeks that changed;
    returns those (leader_id, week_start) pairs. Idempotent: a second call finds nothing pending.

    ``quiet`` (the collection runner): a failure is logged, not raised: the batch is stored, and what it
    left pending is caught up by the next batch, ``lasna enrich`` or the next read."""
    from lasna import enrich

    ids = sorted({int(i) for i in leader_ids if i is not None})
    if not ids:
        return set()
    try:
        result = enrich.enrich_pending(store, ids, queued=True)
        refresh_facts(store, result.touched, result.links)
    except Exception:
        if not quiet:
            raise
        log.exception("enrichment after ingest failed for leaders %s; `lasna enrich` catches up", ids)
        return set()
    return result.touched


def after_removal(store: Store) -> bool:
    """After rows were deleted or pseudonymised (retention, ``lasna erase``, ``leaders remove --forget``):
    rebuild the weekly facts now, inside the command that removed them, so that no later reader (a
    dashboard page, ``lasna tips``) pays for the rebuild, and no number is read from removed rows.
    Returns True when it rebuilt (nothing was removed: the facts are still current)."""
    from lasna import coverage, facts

    rebuilt = facts.ensure_current(store)  # rebuilds the coverage ledger with the facts
    if not rebuilt:
        coverage.ensure_current(store)
    return rebuilt


def refresh_facts(store: Store, touched: set[tuple[int, date]], changed: set[str] | None = None) -> None:
    """``lasna.facts.refresh_weeks`` for the touched weeks (``changed``: the link keys of the rows
    enriched, :attr:`lasna.enrich.EnrichResult.links`)."""
    if not touched:
        return
    from lasna import facts

    facts.refresh_weeks(store, touched, changed)
