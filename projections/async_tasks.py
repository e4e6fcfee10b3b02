"""``async_tasks``, ``async_tasks_entities`` and ``tt_async_task``: storage tasks in flight.

The ``async_tasks`` row is oVirt's, written once when the task is created and deleted when it
is cleared (``Deleteasync_tasks``), with what oVirt writes there: ``running``/``success``
(oVirt's polling never updates them), the action type and ids of the command that runs the end
action (for a RemoveImage under RemoveVm, whose callback ends it, the RemoveImage itself),
``deleteImage`` as 5. What tasktrail's poller knows besides (the engine-side state, the SPM's
last reported status and result, the family's root) is in ``tt_async_task``, deleted with it.
"""

from __future__ import annotations

from typing import Any

from tasktrail.domain.model.async_task.aggregate import AsyncTask
from tasktrail.domain.model.async_task.machine import (
    AsyncTaskResult,
    AsyncTaskState,
    AsyncTaskStatus,
)
from tasktrail.domain.model.events import Transitioned
from tasktrail.projections.changes import Change, Delete, Insert, Update
from tasktrail.projections.ovirt_codes import (
    ASYNC_TASK_RESULT,
    ASYNC_TASK_STATUS,
    ASYNC_TASK_TYPE,
    action,
    as_uuid,
    user_uuid,
)

TASK_ENTITY_TYPE = "Disk"
"""The VdcObjectType of a task's entity: every storage task tasktrail runs works on a disk
(oVirt names the storage domain, ``Storage``; tasktrail's storage has no domains)."""


def project_async_task(event: Transitioned) -> list[Change]:
    key = {"task_id": event.originator_id}
    if isinstance(event, AsyncTask.Created):
        return _created(event)
    if event.to_state == AsyncTaskState.CLEARED:
        return [Delete("async_tasks", key)]
    values: dict[str, object] = {"task_state": event.to_state, "last_update": event.timestamp}
    if isinstance(event, AsyncTask.StatusPolled | AsyncTask.Ended):
        values |= {"status": event.status.value, "result": event.result.value, "error": event.error}
    if isinstance(event, AsyncTask.ClearFailed):
        values["error"] = event.error
    return [Update("tt_async_task", key, values)]


def _created(event: Any) -> list[Change]:
    task_id = event.originator_id
    row = {
        "task_id": task_id,
        "action_type": action(event.action_type).id,
        "status": ASYNC_TASK_STATUS[AsyncTaskStatus.RUNNING.value],
        "result": ASYNC_TASK_RESULT[AsyncTaskResult.SUCCESS.value],
        "step_id": event.step_id,
        "command_id": event.command_id,
        "started_at": event.timestamp,
        "storage_pool_id": event.storage_pool_id,
        "task_type": ASYNC_TASK_TYPE.get(event.task_type.value, 0),
        "vdsm_task_id": as_uuid(event.vdsm_task_id),
        "root_command_id": event.command_id,
        "user_id": user_uuid(event.meta.user_id),
    }
    tracked = {
        "task_id": task_id,
        "root_command_id": event.root_command_id,
        "task_state": event.to_state,
        "status": AsyncTaskStatus.INIT.value,
        "result": AsyncTaskResult.UNKNOWN.value,
        "last_update": event.timestamp,
        "vdsm_task_id": event.vdsm_task_id,
        "error": None,
    }
    changes: list[Change] = [Insert("async_tasks", row), Insert("tt_async_task", tracked)]
    if event.entity_id is not None:
        entity = {"entity_id": event.entity_id, "entity_type": TASK_ENTITY_TYPE}
        changes.append(Insert("async_tasks_entities", {"async_task_id": task_id, **entity}))
    return changes
