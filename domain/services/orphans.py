"""Tasks the SPM runs that no command recorded: adopted as oVirt's unmanaged tasks, then cleared.

A command hands its storage task to the SPM inside its execute and records it in the same unit
of work; an engine that lost a race in between leaves a task on the SPM that no AsyncTask
records. oVirt meets such tasks in AsyncTaskManager.addStoragePoolExistingTasks: each is built
by AsyncTaskFactory.construct(creationInfo) as an SPMAsyncTask of ``ActionType.Unknown`` (no
command behind it), stored in ``async_tasks``, polled, and once it has ended cleared on the SPM
(SPMClearTask) and removed, with no end action. When a command's task later claims the same
SPM task, the Unknown one gives way (addTaskToManager's "now overriding it").

When to adopt (the grace period) is the runner's decision (``runners.orphan_watch``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import NAMESPACE_OID, UUID, uuid5

from tasktrail.domain.model.async_task.aggregate import AsyncTask
from tasktrail.domain.model.async_task.machine import AsyncTaskState, AsyncTaskType
from tasktrail.domain.model.events import Cause
from tasktrail.domain.services.ports import TASK_NOT_FOUND, StorageError

if TYPE_CHECKING:
    from tasktrail.domain.services.ports import Ports, UnitOfWork

UNKNOWN_ACTION = "Unknown"
"""oVirt's ``ActionType.Unknown``: the action type of a task no command owns."""
ENGINE_USER = "engine"
"""Who adopts: the engine itself (oVirt stores ``Guid.Empty`` as the user)."""
TASK_STATE_ERROR = 410
"""VDSM's TaskStateError: the SPM cannot clear the task now; it is left Ended and tried again."""


def adopted_id(vdsm_task_id: str) -> UUID:
    """The AsyncTask id of an adopted SPM task: the same for every engine, so two engines that
    adopt one task at once cannot both save it."""
    return uuid5(NAMESPACE_OID, f"tasktrail:orphan:{vdsm_task_id}")


def is_adopted(task: AsyncTask) -> bool:
    return task.action_type == UNKNOWN_ACTION and task.id == adopted_id(task.vdsm_task_id)


def adopt(ports: Ports, uow: UnitOfWork, storage_pool_id: UUID, vdsm_task_id: str) -> bool:
    """AsyncTaskFactory.construct(creationInfo), stored and polled; False if adopted before.

    Its command ids are its own id: oVirt makes up command ids no command entity is saved
    for, and nothing may ever end, fail or advance a command for this task.
    """
    task_id = adopted_id(vdsm_task_id)
    if uow.find(AsyncTask, task_id) is not None:
        return False
    cause = Cause.of(
        ports.clock, user_id=ENGINE_USER, correlation_id=f"orphan-{vdsm_task_id}"[:50]
    ).because_of(task_id)
    task = AsyncTask(
        cause,
        id=task_id,
        command_id=task_id,
        root_command_id=task_id,
        action_type=UNKNOWN_ACTION,
        step_id=None,
        storage_pool_id=storage_pool_id,
        vdsm_task_id=vdsm_task_id,
        task_type=AsyncTaskType.UNKNOWN,
    )
    uow.add(task)
    task.start_polling(cause)
    return True


def claimed(uow: UnitOfWork, task: AsyncTask) -> bool:
    """Whether a command recorded this SPM task after all (its id is the SPM's, ids.py)."""
    try:
        own_id = UUID(task.vdsm_task_id)
    except ValueError:
        return False
    return own_id != task.id and uow.find(AsyncTask, own_id) is not None


def give_way(ports: Ports, uow: UnitOfWork, task: AsyncTask) -> bool:
    """addTaskToManager's override: a command's task claims the SPM task, so the Unknown one
    is forgotten without touching the SPM (clearing would take the task from the command).
    True when it gave way."""
    if not is_adopted(task) or not claimed(uow, task):
        return False
    cause = ports.cause_for(task, task.command_id)
    if task.state in (AsyncTaskState.INITIALIZING, AsyncTaskState.POLLING):
        task.drop(cause)
    elif task.state is not AsyncTaskState.CLEARED:
        task.clear(cause)
    return True


def clear(ports: Ports, uow: UnitOfWork, task: AsyncTask) -> bool:
    """SPMAsyncTask.clearAsyncTask of an ended unmanaged task; True once it is Cleared.

    No command is asked: the task has none. A task the SPM no longer knows counts as cleared
    (as for every task); TaskStateError leaves it Ended, any other failure ClearFailed, and
    both are tried again.
    """
    if give_way(ports, uow, task):
        return True
    cause = ports.cause_for(task, task.command_id)
    try:
        ports.storage.clear_task(task.storage_pool_id, task.vdsm_task_id)
    except StorageError as error:
        if error.code == TASK_STATE_ERROR:
            return False
        if error.code != TASK_NOT_FOUND:
            task.fail_clear(cause, str(error))
            return False
    task.clear(cause)
    return True
