"""Redrive: finishing what a failed command tree left undone, as a new command.

A failed RemoveVm leaves behind the part that failed: a disk whose image could not be deleted
is ILLEGAL, its RemoveImage ENDED_WITH_FAILURE. Redriving runs each such failed leaf again
(the same action, the same parameters) as a child of a new ``Redrive`` command, whose own
request is audited like any other and names the old command as its cause. What counts as
still undone is asked of the world, not of the old commands, so a second redrive of the same
tree finds nothing left to do: redrive is idempotent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from tasktrail.domain.model.command.aggregate import Command
from tasktrail.domain.model.command.machine import CommandStatus
from tasktrail.domain.model.errors import TasktrailError
from tasktrail.domain.model.inventory.disk import Disk, DiskStatus
from tasktrail.domain.model.lock.aggregate import EngineLock, lock_id
from tasktrail.domain.model.lock.machine import LockState
from tasktrail.domain.services.ports import UnitOfWork


class RedriveError(TasktrailError):
    """A command that cannot be redriven, and why (one line a user can act on)."""


def _image_still_there(uow: UnitOfWork, parameters: dict[str, Any]) -> bool:
    """A failed RemoveImage is undone while its disk is still ILLEGAL."""
    disk = uow.find(Disk, UUID(str(parameters["disk_id"])))
    return disk is not None and not disk.deleted and disk.state is DiskStatus.ILLEGAL


LOCK_GROUP = "REDRIVE"
"""The lock a redrive holds on the tree it finishes, so that two never run at once."""

UNDONE: dict[str, Callable[[UnitOfWork, dict[str, Any]], bool]] = {
    "RemoveImage": _image_still_there,
}
"""The actions redrive knows how to finish, each with how to tell its work is still undone."""


def root_of(uow: UnitOfWork, command_id: UUID) -> Command:
    """The root of the tree ``command_id`` belongs to; RedriveError if there is none."""
    command = uow.find(Command, command_id)
    if command is None:
        raise RedriveError(f"no command {command_id}")
    return command if command.is_root else uow.get(Command, command.root_command_id)


def undone(uow: UnitOfWork, command_id: UUID, *, redriving: bool = False) -> list[Command]:
    """The failed leaves of the tree whose work is still undone, in the tree's order.

    ``redriving``: asked by the redrive that holds the tree's lock, which is then no refusal.
    """
    root = root_of(uow, command_id)
    _check_ended_badly(root)
    lock = uow.find(EngineLock, lock_id(LOCK_GROUP, root.id))
    if not redriving and lock is not None and lock.state is not LockState.FREE:
        raise RedriveError(f"a redrive of {root.action_type} {root.id} is running")
    found, queue = [], [root]
    while queue:
        command = queue.pop(0)
        queue.extend(uow.get(Command, c) for c in command.child_ids)
        if _is_undone(uow, command):
            found.append(command)
    if not found:
        raise RedriveError(f"nothing left to redrive in {root.action_type} {root.id}")
    return found


def _check_ended_badly(root: Command) -> None:
    name = f"{root.action_type} {root.id}"
    if not root.state.is_ended:
        raise RedriveError(f"{name} is still {root.state.value}; cancel it or let it end first")
    if root.state is CommandStatus.ENDED_SUCCESSFULLY:
        raise RedriveError(f"{name} succeeded; there is nothing to redrive")
    if not root.executed and not root.child_ids:
        raise RedriveError(f"{name} never ran (refused at validation); run it again instead")


def _is_undone(uow: UnitOfWork, command: Command) -> bool:
    if command.child_ids or command.state is not CommandStatus.ENDED_WITH_FAILURE:
        return False
    still = UNDONE.get(command.action_type)
    return still is not None and still(uow, command.parameters)
