"""What is stuck: everything in flight, what it waits on, and how long since it last moved."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel

from domain.async_task.aggregate import AsyncTask
from domain.command.aggregate import Command
from domain.framework.callbacks import waiting_on
from domain.framework.engine import Engine
from domain.framework.in_flight import InFlight


class Blocked(BaseModel):
    id: UUID
    kind: str
    state: str
    waiting_on: list[str]
    idle_seconds: float


def blocked(engine: Engine, in_flight: InFlight, now: datetime) -> list[Blocked]:
    """Every command and storage task not yet ended, oldest move first."""
    found = [_command(engine, cid, now) for cid in in_flight.commands]
    found += [_task(engine, tid, now) for tid in in_flight.tasks]
    return sorted(found, key=lambda b: -b.idle_seconds)


def _command(engine: Engine, command_id: UUID, now: datetime) -> Blocked:
    command = engine.ports.store.load(Command, command_id)
    if command.state.value == "NOT_STARTED":
        reasons = ["an engine to execute it (is `tasktrail serve` running?)"]
    elif command.has_callback:
        reasons = waiting_on(engine, command)
    else:
        reasons = [f"its storage task(s) of {command.action_type}"]
    return Blocked(
        id=command_id,
        kind=f"Command {command.action_type}",
        state=command.state.value,
        waiting_on=reasons or ["its end action"],
        idle_seconds=(now - command.modified_on).total_seconds(),
    )


def _task(engine: Engine, task_id: UUID, now: datetime) -> Blocked:
    task = engine.ports.store.load(AsyncTask, task_id)
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
