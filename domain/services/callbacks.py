"""The child-commands callback (oVirt's ChildCommandsCallbackBase), asked on events and sweeps.

A parent is SUCCEEDED only if it executed and none of its children failed; it then runs its end
action at once. Anything still in flight says what it waits on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from domain.model.command.aggregate import Command
from domain.model.command.machine import CommandStatus
from domain.services.ending import keep_status, settle_and_end
from domain.services.messages import Msg

if TYPE_CHECKING:
    from uuid import UUID

    from domain.model.events import Cause
    from domain.services.ports import Ports, UnitOfWork

_SETTLING = (CommandStatus.ACTIVE, CommandStatus.EXECUTION_FAILED)
_SETTLED = (CommandStatus.SUCCEEDED, CommandStatus.FAILED)


def poll_callback(ports: Ports, uow: UnitOfWork, command_id: UUID) -> bool:
    """One evaluation of a callback command: wait, or settle and end it; True once ended."""
    command = uow.get(Command, command_id)
    if command.state in _SETTLED:
        return settle_and_end(ports, uow, command_id, keep_status)
    if command.state not in _SETTLING:
        return command.state.is_ended
    if waiting_on(uow, command):
        return False
    return settle_and_end(ports, uow, command_id, _settle_by_children)


def waiting_on(uow: UnitOfWork, command: Command) -> list[str]:
    """Why a callback command cannot settle yet: its execute, or children still running."""
    if command.state is CommandStatus.ACTIVE and not command.executed:
        return [f"execute of {command.action_type} {command.id}"]
    children = [uow.get(Command, child_id) for child_id in command.child_ids]
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
    reasons = tuple(f"{Msg.CHILD_FAILED}: {c.action_type} {c.id}" for c in failed)
    command.fail(cause, reasons or command.messages)
