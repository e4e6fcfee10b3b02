"""Cancelling a running command as oVirt does.

oVirt has no "cancel command" verb of its own: a command's storage tasks are stopped on the
SPM (``AsyncTaskManager.cancelTask`` → ``SPMStopTask``, then polling goes on), the SPM then
reports each stopped task finished with failure, and the command fails the usual way: its end
action with failure (RemoveImage leaves the disk ILLEGAL), compensation, the job FAILED (not
ABORTED, which oVirt keeps for external jobs ended with ``force``), its locks freed and its
tasks cleared. A command not yet executed has no task to stop; it is failed and ended here,
its job and locks with it.
"""

from __future__ import annotations

from uuid import UUID

from tasktrail.domain.model.async_task.aggregate import AsyncTask
from tasktrail.domain.model.async_task.machine import AsyncTaskState
from tasktrail.domain.model.command.aggregate import Command
from tasktrail.domain.model.command.machine import CommandStatus
from tasktrail.domain.model.errors import TasktrailError
from tasktrail.domain.model.events import Cause
from tasktrail.domain.services.ending import end_command
from tasktrail.domain.services.ports import Ports, UnitOfWork
from tasktrail.domain.services.task_tracking import recorded_tasks

CANCELLED = "ACTION_TYPE_FAILED_CANCELLED_BY_USER"
"""The failure a cancelled command records."""


class CancelError(TasktrailError):
    """A command that cannot be cancelled, and why."""


def running_root(uow: UnitOfWork, command_id: UUID) -> Command:
    """The root of ``command_id``'s tree, if it is still running; CancelError otherwise."""
    command = uow.find(Command, command_id)
    if command is None:
        raise CancelError(f"no command {command_id}")
    root = command if command.is_root else uow.get(Command, command.root_command_id)
    if root.state.is_ended:
        raise CancelError(f"{root.action_type} {root.id} has already ended ({root.state.value})")
    return root


def stoppable(ports: Ports, uow: UnitOfWork, command_id: UUID) -> tuple[Command, list[AsyncTask]]:
    """The running root and its tasks the SPM runs; CancelError if there is nothing to stop."""
    root = running_root(uow, command_id)
    tasks = [
        task
        for command in _tree(uow, root)
        for task in recorded_tasks(ports, uow, command)
        if task.state is AsyncTaskState.POLLING
    ]
    if root.state is not CommandStatus.NOT_STARTED and not tasks:
        raise CancelError(
            f"{root.action_type} {root.id} has no storage task running to stop; it ends on its own"
        )
    return root, tasks


def cancel(ports: Ports, uow: UnitOfWork, cause: Cause, command_id: UUID) -> list[str]:
    """Stops the tree's storage tasks (or ends a tree not yet executed); says what it did."""
    root, tasks = stoppable(ports, uow, command_id)
    if root.state is CommandStatus.NOT_STARTED:
        root.fail(cause, (CANCELLED,))
        end_command(ports, uow, root, cause)
        return [f"{root.action_type} {root.id} ended before it ran"]
    for task in tasks:
        ports.storage.stop_task(task.storage_pool_id, task.vdsm_task_id)
    return [f"stopped task {task.vdsm_task_id} on the SPM" for task in tasks]


def _tree(uow: UnitOfWork, root: Command) -> list[Command]:
    found, queue = [], [root]
    while queue:
        command = queue.pop(0)
        found.append(command)
        queue.extend(uow.get(Command, c) for c in command.child_ids)
    return found
