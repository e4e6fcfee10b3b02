"""The child-commands callback (oVirt's ChildCommandsCallbackBase.doPolling), on events and
sweeps.

A parent waits for its children as oVirt's does: a child not yet executed or still running is
waited for, and so is a child that runs its own end action (COMMAND_MANAGED) until it has run
it; a child its parent ends (PARENT_MANAGED) counts once it has settled. The parent is then
SUCCEEDED only if it executed and no child failed, else FAILED, and its end action runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tasktrail.domain.model.command.aggregate import Command
from tasktrail.domain.model.command.machine import CommandStatus
from tasktrail.domain.services.ending import keep_status, runs_own_end, settle_and_end
from tasktrail.domain.services.messages import Msg

if TYPE_CHECKING:
    from uuid import UUID

    from tasktrail.domain.model.events import Cause
    from tasktrail.domain.services.ports import Ports, UnitOfWork

S = CommandStatus
_SETTLING = (S.ACTIVE, S.EXECUTION_FAILED)
_SETTLED = (S.SUCCEEDED, S.FAILED)


def poll_callback(ports: Ports, uow: UnitOfWork, command_id: UUID) -> bool:
    """One evaluation of a callback command: wait, or settle and end it; True once ended."""
    command = uow.get(Command, command_id)
    expire_overdue(ports, uow, command)
    if command.state in _SETTLED:
        return settle_and_end(ports, uow, command_id, keep_status)
    if command.state not in _SETTLING:
        return command.state.is_ended
    if waiting_on(ports, uow, command):
        return False
    return settle_and_end(ports, uow, command_id, _settle_by_children)


def waiting_on(ports: Ports, uow: UnitOfWork, command: Command) -> list[str]:
    """Why a callback command cannot settle yet: its execute, or children not done."""
    if command.state is S.ACTIVE and not command.executed:
        return [f"execute of {command.action_type} {command.id}"]
    children = [uow.get(Command, child_id) for child_id in command.child_ids]
    return [
        f"child {c.action_type} {c.id} ({c.state.value})"
        for c in children
        if _child_pending(ports, c)
    ]


def _child_pending(ports: Ports, child: Command) -> bool:
    if child.state in (S.NOT_STARTED, S.ACTIVE):
        return True
    if child.state in (S.EXECUTION_FAILED, S.SUCCEEDED, S.FAILED):
        return runs_own_end(ports, child)
    return False


def expire_overdue(ports: Ports, uow: UnitOfWork, command: Command) -> None:
    """CommandsRepository.markExpiredCommandsAsFailure: a callback command's direct children
    (or, without children, the command itself) ACTIVE for longer than CoCoLifeInMinutes
    since they were last saved become FAILED. A COMMAND_MANAGED child still ends itself.
    """
    if command.state.is_ended:
        return
    targets = [uow.get(Command, c) for c in command.child_ids] or [command]
    now = ports.clock.now()
    for target in targets:
        idle = (now - target.modified_on).total_seconds()
        if target.state is S.ACTIVE and idle > ports.settings.command_life:
            target.fail(ports.cause_for(target, target.id), (Msg.EXPIRED.value,))


def _child_failed(child: Command) -> bool:
    return child.state in (S.FAILED, S.EXECUTION_FAILED, S.ENDED_WITH_FAILURE, S.UNKNOWN)


def _child_failure(child: Command) -> str:
    """The child's failure with its own last words (a storage refusal, say), if it has any."""
    words = [m for m in child.messages if m != Msg.ENGINE]
    said = f": {words[-1]}" if words else ""
    return f"{Msg.CHILD_FAILED}: {child.action_type} {child.id}{said}"


def _settle_by_children(uow: UnitOfWork, command: Command, cause: Cause) -> None:
    """setCommandEndStatus: SUCCEEDED iff executed and no child failed."""
    if command.state in _SETTLED:
        return
    children = [uow.get(Command, child_id) for child_id in command.child_ids]
    failed = [c for c in children if _child_failed(c)]
    if command.state is S.ACTIVE and command.executed and not failed:
        command.succeed(cause)
        return
    reasons = tuple(_child_failure(c) for c in failed)
    command.fail(cause, reasons or command.messages)
