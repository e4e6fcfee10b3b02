"""oVirt's start-up, run by an engine started with ``--restart-policy ovirt``.

Finds what a stopped engine left in flight (in the partitions this engine holds) and hands
each item to ``domain.services.restart`` in oVirt's order; all of it is saved at once, before
the engine's first round.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from uuid import UUID

import sqlalchemy as sa

from tasktrail.domain.services import restart
from tasktrail.domain.services.ports import Ports, UnitOfWork
from tasktrail.projections import in_flight
from tasktrail.projections.housekeeping import commands_with_snapshots, started_jobs

log = logging.getLogger("tasktrail.restart")

Owns = Callable[[UUID], bool]


def restart_as_ovirt(ports: Ports, uow: UnitOfWork, database: sa.Engine, owns: Owns) -> int:
    """Every start-up decision oVirt makes, recorded in ``uow``; how many items changed."""
    found = in_flight.in_flight(database)
    commands = [c for c, root in found.to_execute + found.to_advance if owns(root)]
    changed = sum(restart.compensate(ports, uow, c) for c in commands_with_snapshots(database))
    changed += sum(restart.forget_unstarted(ports, uow, c) for c in commands)
    changed += sum(restart.finalize_job(ports, uow, j) for j in started_jobs(database) if owns(j))
    changed += sum(restart.end_unmanaged(ports, uow, c) for c in commands)
    changed += sum(restart.fail_unexecuted(ports, uow, c) for c in commands)
    changed += _drop_unreported(ports, uow, database, owns)
    log.info("restart policy ovirt: %d items changed", changed)
    return changed


def _drop_unreported(ports: Ports, uow: UnitOfWork, database: sa.Engine, owns: Owns) -> int:
    """Per pool whose SPM answers; a pool that does not keeps its tasks, never polled."""
    dropped = 0
    for pool_id, tasks in in_flight.polling(database).items():
        if not owns(pool_id):
            continue
        try:
            reported = set(ports.storage.get_all_task_statuses(pool_id))
        except Exception:  # as oVirt: that pool's tasks wait for its SPM
            log.warning("the SPM of pool %s did not answer at start", pool_id, exc_info=True)
            continue
        dropped += sum(restart.drop_unreported(ports, uow, t.task_id, reported) for t in tasks)
    return dropped
