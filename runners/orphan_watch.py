"""Which SPM tasks no AsyncTask records, and since when: the orphans an engine may adopt.

Every poll of a pool (SPMGetAllTasksStatuses lists all its tasks) and the engine's first poll
of every pool (oVirt's addStoragePoolExistingTasks at SPM start) pass the SPM's task ids here.
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
    _since: dict[str, tuple[UUID, float]] = field(default_factory=dict)
    """Candidates: SPM task id → (pool, when this engine first saw it unknown)."""
    _recorded: dict[str, UUID] = field(default_factory=dict)
    """SPM task ids seen recorded, by pool, while the SPM reports them: not asked again."""

    def pools(self) -> set[UUID]:
        """Pools with candidates: polled each interval until these are adopted or gone."""
        return {pool for pool, _ in self._since.values()}

    def seen(self, pool_id: UUID, reported: Iterable[str], polled: set[str]) -> list[str]:
        """One report of the pool's SPM; ``polled`` are the ids the poll itself tracks.
        Returns the candidates whose grace has passed, to adopt now."""
        now = self.monotonic()
        ids = set(reported)
        self._forget(pool_id, ids)
        unknown = ids - polled - self._recorded.keys()
        if unknown:
            recorded = in_flight.recorded_vdsm_tasks(self.database, unknown)
            self._recorded.update(dict.fromkeys(recorded, pool_id))
            unknown -= recorded
        for vdsm_task_id in unknown - self._since.keys():
            self._since[vdsm_task_id] = (pool_id, now)
        for vdsm_task_id in ids - unknown:
            self._since.pop(vdsm_task_id, None)
        return sorted(v for v in unknown if now - self._since[v][1] >= self.grace)

    def _forget(self, pool_id: UUID, reported: set[str]) -> None:
        """Ids of this pool its SPM no longer reports (cleared, or never ours to wait for)."""
        for table in (self._since, self._recorded):
            gone = [v for v, entry in table.items() if _pool(entry) == pool_id]
            for vdsm_task_id in gone:
                if vdsm_task_id not in reported:
                    del table[vdsm_task_id]


def _pool(entry: tuple[UUID, float] | UUID) -> UUID:
    return entry[0] if isinstance(entry, tuple) else entry
