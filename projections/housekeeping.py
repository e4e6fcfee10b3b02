"""What the engine's housekeeping asks the read model: jobs old enough to delete."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import sqlalchemy as sa

from tasktrail.projections.tables import LIVE

_FAILED_ENDS = ("FAILED", "ABORTED", "UNKNOWN")


def jobs_to_clean_up(
    database: sa.Engine, succeeded_before: datetime, failed_before: datetime
) -> list[UUID]:
    """oVirt's DeleteCompletedJobsOlderThanDate: auto-cleared jobs that ended before the
    cutoff of their status (the engine checks each against its aggregate before deleting).
    """
    job = LIVE.job
    finished = sa.and_(job.c.status == "FINISHED", job.c.end_time < succeeded_before)
    failed = sa.and_(job.c.status.in_(_FAILED_ENDS), job.c.end_time < failed_before)
    query = sa.select(job.c.job_id).where(job.c.is_auto_cleared, sa.or_(finished, failed))
    with database.connect() as connection:
        return list(connection.execute(query).scalars())


def started_jobs(database: sa.Engine) -> list[UUID]:
    """Jobs still STARTED (oVirt's finalizeJobs looks at these at engine start)."""
    job = LIVE.job
    with database.connect() as connection:
        return list(
            connection.execute(sa.select(job.c.job_id).where(job.c.status == "STARTED")).scalars()
        )


def commands_with_snapshots(database: sa.Engine) -> list[UUID]:
    """Commands that still have compensation data (business_entity_snapshot's command ids)."""
    snapshots = LIVE.business_entity_snapshot
    query = sa.select(snapshots.c.command_id).distinct()
    with database.connect() as connection:
        return list(connection.execute(query).scalars())
