"""The child-commands callback (oVirt's ChildCommandsCallbackBase), asked on events and sweeps.

A parent is SUCCEEDED only if it executed and none of its children failed; it then runs its end
action at once. Anything still in flight says what it waits on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from pydantic import BaseModel, Field

from domain.command.aggregate import Command
from domain.command.machine import CommandStatus
from domain.framework.ending import keep_status, settle_and_end
from domain.framework.messages import Msg
from domain.framework.unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from domain.events import Cause
    from domain.framework.engine import Engine

_SETTLING = (CommandStatus.ACTIVE, CommandStatus.EXECUTION_FAILED)
_SETTLED = (CommandStatus.SUCCEEDED, CommandStatus.FAILED)


class CallbackOutcome(BaseModel):
    command_id: UUID
    status: CommandStatus
    ended: bool
    waiting_on: list[str] = Field(default_factory=list)


def poll_callback(engine: Engine, command_id: UUID) -> CallbackOutcome:
    """One evaluation of a callback command: wait, or settle and end it."""
    command = engine.ports.store.load(Command, command_id)
    if command.state in _SETTLED:
        return _outcome(engine, command_id, settle_and_end(engine, command_id, keep_status))
    if command.state not in _SETTLING:
        return CallbackOutcome(
            command_id=command_id, status=command.state, ended=command.state.is_ended
        )
    waiting = waiting_on(engine, command)
    if waiting:
        return CallbackOutcome(
            command_id=command_id, status=command.state, ended=False, waiting_on=waiting
        )
    return _outcome(engine, command_id, settle_and_end(engine, command_id, _settle_by_children))


def waiting_on(engine: Engine, command: Command) -> list[str]:
    """Why a callback command cannot settle yet: its execute, or children still running."""
    if command.state is CommandStatus.ACTIVE and not command.executed:
        return [f"execute of {command.action_type} {command.id}"]
    store = engine.ports.store
    children = [store.load(Command, child_id) for child_id in command.child_ids]
    return [
        f"child {c.action_type} {c.id} ({c.state.value})" for c in children if not c.state.is_ended
    ]


def _settle_by_children(uow: UnitOfWork, command: Command, cause: Cause) -> None:
    if command.state in _SETTLED:
        return
    children = [uow.get(Command, child_id) for child_id in command.child_ids]
    failed = [c for c in children if c.state is not CommandStatus.ENDED_SUCCESSFULLY]
    if command.state is CommandStatus.ACTIVE and command.executed and not failed:
        command.succeed(cause)
        return
    reasons = [f"{Msg.CHILD_FAILED}: {c.action_type} {c.id}" for c in failed]
    command.fail(cause, reasons or command.messages)


def _outcome(engine: Engine, command_id: UUID, ended: bool) -> CallbackOutcome:
    command = engine.ports.store.load(Command, command_id)
    return CallbackOutcome(command_id=command_id, status=command.state, ended=ended)
