"""What is stuck: everything in flight, what it waits on, and how long since it last moved."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import sqlalchemy as sa
from pydantic import BaseModel

from tasktrail.domain.model.async_task.aggregate import AsyncTask
from tasktrail.domain.model.command.aggregate import Command
from tasktrail.domain.model.command.machine import CommandStatus
from tasktrail.domain.services.callbacks import waiting_on
from tasktrail.domain.services.ending import runs_own_end
from tasktrail.domain.services.ports import Ports, UnitOfWork
from tasktrail.projections import in_flight


class Blocked(BaseModel):
    id: UUID
    kind: str
    state: str
    waiting_on: list[str]
    idle_seconds: float


def blocked(ports: Ports, uow: UnitOfWork, database: sa.Engine, now: datetime) -> list[Blocked]:
    """Every command and storage task not yet ended (read from the read model), oldest first."""
    found = in_flight.in_flight(database)
    commands = {c for c, _ in found.to_execute + found.to_advance}
    tasks = {t for t, _ in found.to_submit + found.to_settle}
    tasks |= {t.task_id for pool in in_flight.polling(database).values() for t in pool}
    described = [_command(ports, uow, c, now) for c in commands] + [
        _task(uow, t, now) for t in tasks
    ]
    return sorted(described, key=lambda b: -b.idle_seconds)


def _command(ports: Ports, uow: UnitOfWork, command_id: UUID, now: datetime) -> Blocked:
    command = uow.get(Command, command_id)
    if command.state.value == "NOT_STARTED":
        reasons = ["an engine to execute it (is `tasktrail serve` running?)"]
    elif _ended_by_parent(ports, command):
        reasons = [f"its parent {command.parent_command_id} to end it (PARENT_MANAGED)"]
    elif command.has_callback:
        reasons = waiting_on(ports, uow, command)
    else:
        reasons = [f"its storage task(s) of {command.action_type}"]
    return Blocked(
        id=command_id,
        kind=f"Command {command.action_type}",
        state=command.state.value,
        waiting_on=reasons or ["its end action"],
        idle_seconds=(now - command.modified_on).total_seconds(),
    )


def _ended_by_parent(ports: Ports, command: Command) -> bool:
    settled = command.state in (CommandStatus.SUCCEEDED, CommandStatus.FAILED)
    return settled and not runs_own_end(ports, command)


def _task(uow: UnitOfWork, task_id: UUID, now: datetime) -> Blocked:
    task = uow.get(AsyncTask, task_id)
    reason = (
        f"SPM task {task.vdsm_task_id} on pool {task.storage_pool_id}: "
        f"last polled {task.status.value}/{task.result.value}"
    )
    return Blocked(
        id=task_id,
        kind=f"AsyncTask {task.task_type.value}",
        state=task.state.value,
        waiting_on=[reason],
        idle_seconds=(now - task.modified_on).total_seconds(),
    )
