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
    return ensure_current(store)


def ensure_current(store: Store) -> bool:
    """Bring the weekly facts and the coverage ledger up to date (rebuilt when their source tables or their
    version changed, e.g. after rows were removed or after an upgrade that added or changed them).
    Returns True when the facts were rebuilt."""
    from lasna import coverage, facts

    rebuilt = facts.ensure_current(store)  # rebuilds the coverage ledger with the facts
    if not rebuilt:
        coverage.ensure_current(store)
    return rebuilt


REFRESH_CHUNK_WEEKS = 5_000
"""Leader-weeks per facts refresh. A batch touches far fewer; a catch-up after a version change touches every
week of every leader, and one refresh of all of them would hold the whole store in memory (6 GB at 1 M posts)."""


def refresh_facts(store: Store, touched: set[tuple[int, date]], changed: set[str] | None = None, *,
                  chunk_weeks: int = REFRESH_CHUNK_WEEKS) -> None:
    """``lasna.facts.refresh_weeks`` for the touched weeks (``changed``: the link keys of the rows
    enriched, :attr:`lasna.enrich.EnrichResult.links`), whole leaders at a time in chunks of about
    ``chunk_weeks`` (a week's facts read only its own leader's rows, so leaders can be refreshed apart).
    A catch-up that needs several chunks refreshes without ``changed``: it touches most weeks anyway,
    and each chunk would otherwise look up every changed row of every leader."""
    if not touched:
        return
    from lasna import facts

    if len(touched) <= chunk_weeks:
        facts.refresh_weeks(store, touched, changed)
        return
    weeks_of: dict[int, list[date]] = {}
    for leader_id, week in touched:
        weeks_of.setdefault(leader_id, []).append(week)
    chunk: set[tuple[int, date]] = set()
    for leader_id in sorted(weeks_of):
        chunk.update((leader_id, week) for week in weeks_of[leader_id])
        if len(chunk) >= chunk_weeks:
            facts.refresh_weeks(store, chunk)
            chunk = set()
    if chunk:
        facts.refresh_weeks(store, chunk)
