"""The engine's housekeeping: oVirt's JobRepositoryCleanupManager, on the engine's rounds.

Every ``job_cleanup_rate`` seconds the read model is asked for ended, auto-cleared jobs past
their life; each is deleted by an event (``Job.CleanedUp``) once its aggregate agrees, so the
``job`` table forgets it while history and replay keep it. With several engines each cleans
the jobs its leases own.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from uuid import UUID

import sqlalchemy as sa

from tasktrail.domain.services.job_tracking import clean_up_job
from tasktrail.domain.services.ports import Ports, UnitOfWork
from tasktrail.projections.housekeeping import jobs_to_clean_up

log = logging.getLogger("tasktrail.housekeeping")


class JobCleanup:
    def __init__(self, ports: Ports, database: sa.Engine, monotonic: Callable[[], float]) -> None:
        self.ports = ports
        self.database = database
        self.monotonic = monotonic
        self.next_run = monotonic() + ports.settings.job_cleanup_rate
        """Like oVirt's, the first run comes one rate after start."""

    def run(self, uow: UnitOfWork, owns: Callable[[UUID], bool]) -> int:
        """Deletes the jobs due now (each in a savepoint of ``uow``); how many it deleted."""
        if self.monotonic() < self.next_run:
            return 0
        self.next_run = self.monotonic() + self.ports.settings.job_cleanup_rate
        return sum(self._clean(uow, job_id) for job_id in self._candidates() if owns(job_id))

    def _candidates(self) -> list[UUID]:
        settings, now = self.ports.settings, self.ports.clock.now()
        return jobs_to_clean_up(
            self.database,
            now - timedelta(seconds=settings.succeeded_job_life),
            now - timedelta(seconds=settings.failed_job_life),
        )

    def _clean(self, uow: UnitOfWork, job_id: UUID) -> bool:
        try:
            with uow.savepoint():
                return clean_up_job(self.ports, uow, job_id)
        except Exception:  # that job waits for the next run; the others go on
            log.warning("could not clean up job %s", job_id, exc_info=True)
            return False
