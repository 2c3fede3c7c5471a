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
from lasna.store.removal import Removal

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


def after_removal(store: Store, removal: Removal | None = None) -> bool:
    """After rows were deleted or pseudonymised (retention, ``lasna erase``, ``leaders remove --forget``):
    bring the weekly facts and the coverage ledger current now, inside the command that removed them, so
    that no later reader (a dashboard page, ``lasna tips``) pays for it, and no number is read from
    removed rows.

    With the ``removal`` the store's removal method recorded (and facts current before it): only the
    (leader, week) pairs holding the removed or rewritten rows, or rows of any leader linked to them, are
    refreshed (unless they are more than :data:`REBUILD_SHARE` of all weeks) (:func:`refresh_facts`, :func:`lasna.coverage.refresh`), equal to a full rebuild; a
    forgotten leader's facts went with her rows. Otherwise (or if the facts are still not current
    after the refresh) everything is rebuilt. Returns True when it rebuilt."""
    from lasna import coverage, facts

    if removal is None or not _current_before(removal):
        return ensure_current(store)
    posts, inter = removal_frames(removal)
    changed = facts.link_keys(posts, inter)
    touched = facts.touched_weeks(posts, inter)
    if changed:  # rows of any leader linked to them (a reply to a removed reply in another leader's thread)
        leaders = sorted(int(x.id) for x in store.leaders(include_inactive=True) if x.id is not None)
        near_p, near_i = store.fact_linked_rows(leaders, changed, seen_only=True)
        touched |= facts.touched_weeks(near_p, near_i)
    touched = {k for k in touched if k[0] not in removal.forgotten}
    if len(touched) > REBUILD_SHARE * store.fact_week_count():  # a first retention run trims half the store
        return ensure_current(store)
    pairs = {p for p in removal.contact_pairs if p[0] not in removal.forgotten}
    coverage.refresh(store, touched)  # own posts deleted: their weeks; the rest are marked
    refresh_facts(store, touched, changed, contact_pairs=pairs)
    if not touched:  # only a forgotten leader's rows went (with her facts): record the facts as current
        facts.mark_current(store)
        coverage.mark_current(store)
    if not (facts.is_current(store) and coverage.is_current(store)):
        return ensure_current(store)
    return False


REBUILD_SHARE = 0.125
"""A removal touching more than this share of the stored leader-weeks rebuilds instead: a refreshed week
costs about seven times its share of a rebuild (50 k posts: retention deleting half the store refreshed
in 24 s CPU, rebuilt in 6.6 s)."""


def _current_before(removal: Removal) -> bool:
    from coaching.facts import FACTS_VERSION
    from lasna.coverage import COVERAGE_VERSION

    before = removal.source_before
    return (before is not None and removal.facts_state == f"{before}|{FACTS_VERSION}"
            and removal.coverage_state == f"{before}|{COVERAGE_VERSION}")


def removal_frames(removal: Removal):
    """The recorded rows as the facts frames name their columns (leader_id, indexed_at, ids)."""
    import pandas as pd

    out = []
    for rows, cols in ((removal.posts, ["post_id", "reply_parent_id", "reply_root_id"]),
                       (removal.interactions, ["interaction_id", "parent_id", "root_id"])):
        frame = pd.DataFrame(rows, columns=["leader_id", "created_at", "indexed_at", *cols])
        for col in ("created_at", "indexed_at"):
            frame[col] = pd.to_datetime(frame[col], utc=True)
        frame["indexed_at"] = frame["indexed_at"].fillna(frame["created_at"])
        out.append(frame)
    return out[0], out[1]


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
                  chunk_weeks: int = REFRESH_CHUNK_WEEKS, contact_pairs: Iterable[tuple[int, str]] = ()) -> None:
    """``lasna.facts.refresh_weeks`` for the touched weeks (``changed``: the link keys of the rows
    enriched, :attr:`lasna.enrich.EnrichResult.links`), whole leaders at a time in chunks of about
    ``chunk_weeks`` (a week's facts read only its own leader's rows, so leaders can be refreshed apart).
    A catch-up that needs several chunks refreshes without ``changed``: it touches most weeks anyway,
    and each chunk would otherwise look up every changed row of every leader. ``contact_pairs``: first
    contacts to recompute besides those of the weeks' own replies (:func:`lasna.facts.refresh_weeks`)."""
    if not touched:
        return
    from lasna import facts

    contact_pairs = set(contact_pairs)
    if len(touched) <= chunk_weeks:
        facts.refresh_weeks(store, touched, changed, contact_pairs=contact_pairs)
        return
    weeks_of: dict[int, list[date]] = {}
    for leader_id, week in touched:
        weeks_of.setdefault(leader_id, []).append(week)
    chunk: set[tuple[int, date]] = set()
    for leader_id in sorted(weeks_of):
        chunk.update((leader_id, week) for week in weeks_of[leader_id])
        if len(chunk) >= chunk_weeks:
            facts.refresh_weeks(store, chunk, contact_pairs=_pairs_of(contact_pairs, chunk))
            chunk = set()
    if chunk:
        facts.refresh_weeks(store, chunk, contact_pairs=_pairs_of(contact_pairs, chunk))


def _pairs_of(pairs: set[tuple[int, str]], weeks: set[tuple[int, date]]) -> set[tuple[int, str]]:
    leaders = {lid for lid, _ in weeks}
    return {p for p in pairs if p[0] in leaders}
