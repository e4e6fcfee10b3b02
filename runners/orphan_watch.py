"""Which SPM tasks no AsyncTask records, and since when: the orphans an engine may adopt.

Every poll of a pool (SPMGetAllTasksStatuses lists all its tasks) and the engine's first poll
of every pool (oVirt's addStoragePoolExistingTasks at SPM start), repeated once per grace,
pass the SPM's task ids here.
An id no AsyncTask records is a candidate from the moment this engine first saw it, by its own
monotonic clock; it is adopted (``domain.services.orphans``) only once it has stayed unknown
for the grace period, so a healthy engine's task between its SPM call and its save, or a
recorded task this engine's read model has not followed yet, is never taken.

The grace is the larger of ``MIN_GRACE`` and ``GRACE_POLLS`` poll intervals. A healthy engine
records the task in the unit of work that made the SPM call, so it is unknown for one round
and its save; a round that throws or whose save fails is decided again after the retry
back-off, which is capped at 30 s (``runners.retries``), and records the same task (same id);
the adopting engine then reads that save one round later. 60 s is twice the back-off cap plus
those rounds; 20 intervals keep the same margin for an engine polling slowly (up to 60 s).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from uuid import UUID

import sqlalchemy as sa

from tasktrail.projections import in_flight

MIN_GRACE = 60.0
"""Seconds an SPM task stays unknown before it is adopted, at least."""
GRACE_POLLS = 20
"""…and at least this many poll intervals."""


def grace_for(poll_interval: float) -> float:
    return max(MIN_GRACE, GRACE_POLLS * poll_interval)


@dataclass
class OrphanWatch:
    database: sa.Engine
    monotonic: Callable[[], float]
    grace: float
    _since: dict[UUID, dict[str, float]] = field(default_factory=dict)
    """Candidates by pool: SPM task id → when this engine first saw it unknown."""
    _recorded: dict[UUID, set[str]] = field(default_factory=dict)
    """SPM task ids known recorded, by pool, while the SPM reports them: a task polled once
    and ended but not yet cleared is not looked up again."""

    def pools(self) -> set[UUID]:
        """Pools with candidates: polled each interval until these are adopted or gone."""
        return {pool for pool, candidates in self._since.items() if candidates}

    def seen(self, pool_id: UUID, reported: Iterable[str], polled: set[str]) -> list[str]:
        """One report of the pool's SPM; ``polled`` are the ids the poll itself tracks.
        Returns the candidates whose grace has passed, to adopt now."""
        now = self.monotonic()
        ids = set(reported)
        known = (self._recorded.get(pool_id, set()) | polled) & ids
        unknown = ids - known
        if unknown:
            found = in_flight.recorded_vdsm_tasks(self.database, unknown)
            known |= found
            unknown -= found
        self._recorded[pool_id] = known
        since = self._since.get(pool_id, {})
        self._since[pool_id] = {v: since.get(v, now) for v in unknown}
        return sorted(v for v, t in self._since[pool_id].items() if now - t >= self.grace)
