"""What is in flight, read from the read model: where an engine's reactions start from.

An engine reacts to the events it follows; these queries cover what it did not see happen:
work left by an engine that stopped (at start, or when it takes over another's partitions),
what the storage poller must ask about, and the sweep that catches anything missed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

import sqlalchemy as sa

from tasktrail.domain.model.async_task.machine import (
    AsyncTaskResult,
    AsyncTaskState,
    AsyncTaskStatus,
)
from tasktrail.domain.model.command.machine import ENDED_STATUSES, CommandStatus
from tasktrail.domain.services.task_tracking import PolledTask
from tasktrail.projections.tables import LIVE, Tables

_ENDED = [s.value for s in ENDED_STATUSES]


@dataclass(frozen=True)
class InFlight:
    """Everything not yet ended, by what it needs next; each item carries its root or pool."""

    to_execute: list[tuple[UUID, UUID]]
    """(command, root): validated roots not begun, and commands whose execute never finished."""
    to_advance: list[tuple[UUID, UUID]]
    """(command, root): executed commands not yet ended."""
    to_submit: list[tuple[UUID, UUID]]
    """(task, root): storage tasks recorded but not yet accepted by the SPM."""
    to_settle: list[tuple[UUID, UUID]]
    """(task, root): storage tasks ended or failing to clear, whose command may act."""


def in_flight(engine: sa.Engine, tables: Tables = LIVE) -> InFlight:
    c, t = tables.tt_command, tables.tt_async_task
    with engine.connect() as connection:
        commands = connection.execute(
            sa.select(c.c.command_id, c.c.root_command_id, c.c.status, c.c.executed).where(
                c.c.status.not_in(_ENDED)
            )
        ).all()
        tasks = connection.execute(
            sa.select(t.c.task_id, t.c.root_command_id, t.c.task_state)
        ).all()
    runnable = (CommandStatus.NOT_STARTED.value, CommandStatus.ACTIVE.value)
    initializing = AsyncTaskState.INITIALIZING.value
    return InFlight(
        to_execute=[(r[0], r[1]) for r in commands if not r[3] and r[2] in runnable],
        to_advance=[(r[0], r[1]) for r in commands if r[3]],
        to_submit=[(r[0], r[1]) for r in tasks if r[2] == initializing],
        to_settle=[(r[0], r[1]) for r in tasks if r[2] != initializing],
    )


def polling(engine: sa.Engine, tables: Tables = LIVE) -> dict[UUID, list[PolledTask]]:
    """The tasks each storage pool's SPM must be asked about (those Polling), by pool, in the
    order they were created."""
    t, tracked, e = tables.async_tasks, tables.tt_async_task, tables.event_index
    created = (
        sa.select(e.c.position)
        .where(e.c.aggregate_id == t.c.task_id, e.c.version == 1)
        .scalar_subquery()
    )
    query = (
        sa.select(
            t.c.task_id,
            tracked.c.vdsm_task_id,
            t.c.storage_pool_id,
            tracked.c.status,
            tracked.c.result,
            t.c.started_at,
            tracked.c.last_update,
        )
        .join(tracked, tracked.c.task_id == t.c.task_id)
        .where(tracked.c.task_state == AsyncTaskState.POLLING.value)
        .order_by(created)
    )
    pools: dict[UUID, list[PolledTask]] = {}
    with engine.connect() as connection:
        for row in connection.execute(query):
            pools.setdefault(row.storage_pool_id, []).append(
                PolledTask(
                    task_id=row.task_id,
                    vdsm_task_id=row.vdsm_task_id,
                    status=AsyncTaskStatus(row.status),
                    result=AsyncTaskResult(row.result),
                    started_at=_aware(row.started_at),
                    status_since=_aware(row.last_update),
                )
            )
    return pools


def unsettled_tasks(engine: sa.Engine, tables: Tables = LIVE) -> list[tuple[UUID, UUID]]:
    """(task, root) of tasks the storage is done with but the engine is not: ended, waiting
    for their command's end, or failing to clear. Each poll looks at them again."""
    t = tables.tt_async_task
    done = [
        AsyncTaskState.ENDED.value,
        AsyncTaskState.ATTEMPTING_END_ACTION.value,
        AsyncTaskState.CLEAR_FAILED.value,
    ]
    query = sa.select(t.c.task_id, t.c.root_command_id).where(t.c.task_state.in_(done))
    with engine.connect() as connection:
        return [(r[0], r[1]) for r in connection.execute(query)]


def recorded_vdsm_tasks(
    engine: sa.Engine, vdsm_task_ids: set[str], tables: Tables = LIVE
) -> set[str]:
    """Which of these SPM task ids an AsyncTask records (any state until it is cleared)."""
    t = tables.tt_async_task
    query = sa.select(t.c.vdsm_task_id).where(t.c.vdsm_task_id.in_(sorted(vdsm_task_ids)))
    with engine.connect() as connection:
        return set(connection.execute(query).scalars())


def storage_pools(engine: sa.Engine, tables: Tables = LIVE) -> list[UUID]:
    """Every storage pool, whose SPM an engine asks for its tasks when it starts."""
    p = tables.tt_storage_pool
    with engine.connect() as connection:
        return list(connection.execute(sa.select(p.c.id)).scalars())


def callback_commands(engine: sa.Engine, tables: Tables = LIVE) -> list[tuple[UUID, UUID]]:
    """(command, root) of every callback command not yet ended: what the sweep re-checks."""
    c = tables.tt_command
    query = sa.select(c.c.command_id, c.c.root_command_id).where(
        c.c.callback_enabled.is_(True), c.c.status.not_in(_ENDED)
    )
    with engine.connect() as connection:
        return [(r[0], r[1]) for r in connection.execute(query)]


def anything_in_flight(engine: sa.Engine, tables: Tables = LIVE) -> bool:
    c, t = tables.tt_command, tables.async_tasks
    with engine.connect() as connection:
        command = connection.execute(
            sa.select(c.c.command_id).where(c.c.status.not_in(_ENDED)).limit(1)
        ).first()
        task = connection.execute(sa.select(t.c.task_id).limit(1)).first()
    return command is not None or task is not None


def _aware(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; every time tasktrail stores is UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


class ReadModelLookups:
    """What validation asks of the work in flight, answered by the read model."""

    def __init__(self, engine: sa.Engine, tables: Tables = LIVE) -> None:
        self.engine = engine
        self.tables = tables

    def tasks_in_pool(self, storage_pool_id: UUID) -> int:
        t = self.tables.async_tasks
        query = sa.select(sa.func.count()).where(t.c.storage_pool_id == storage_pool_id)
        with self.engine.connect() as connection:
            return connection.execute(query).scalar() or 0
