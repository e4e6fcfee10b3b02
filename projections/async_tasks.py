"""``async_tasks``: storage tasks the engine still tracks; a cleared task's row is deleted."""

from __future__ import annotations

from domain.model.async_task.aggregate import AsyncTask
from domain.model.async_task.machine import AsyncTaskState
from domain.model.events import Transitioned
from projections.changes import Change, Delete, Insert, Update


def project_async_task(event: Transitioned) -> list[Change]:
    key = {"task_id": event.originator_id}
    if isinstance(event, AsyncTask.Created):
        return [
            Insert(
                "async_tasks",
                {
                    **key,
                    "action_type": event.action_type,
                    "status": "init",
                    "result": "unknown",
                    "task_state": event.to_state,
                    "step_id": event.step_id,
                    "command_id": event.command_id,
                    "root_command_id": event.root_command_id,
                    "started_at": event.timestamp,
                    "last_update": event.timestamp,
                    "storage_pool_id": event.storage_pool_id,
                    "task_type": event.task_type.value,
                    "vdsm_task_id": event.vdsm_task_id,
                    "entity_id": event.entity_id,
                    "user_id": event.meta.user_id,
                },
            )
        ]
    if event.to_state == AsyncTaskState.CLEARED:
        return [Delete("async_tasks", key)]
    values: dict[str, object] = {"task_state": event.to_state, "last_update": event.timestamp}
    if isinstance(event, AsyncTask.StatusPolled | AsyncTask.Ended):
        values |= {"status": event.status.value, "result": event.result.value, "error": event.error}
    if isinstance(event, AsyncTask.ClearFailed):
        values["error"] = event.error
    return [Update("async_tasks", key, values)]
