"""An in-memory SPM whose tasks have finished by the first poll: the engine's own cost alone.

The throughput workloads (and the peers they are compared with) measure the engine, not a
storage back-end; this stands where VDSM would, with no I/O. ``fail_delete`` makes the task
of a disk finish failed, for histories that hold a failure too; ``hold`` keeps the tasks of
its disks running, for rounds in which nothing changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

from tasktrail.domain.model.async_task.machine import (
    AsyncTaskResult,
    AsyncTaskStatus,
    AsyncTaskType,
)
from tasktrail.domain.services.ports import StorageError, TaskReport

_SUCCEEDED = TaskReport(status=AsyncTaskStatus.FINISHED, result=AsyncTaskResult.SUCCESS)
_FAILED = TaskReport(
    status=AsyncTaskStatus.FINISHED,
    result=AsyncTaskResult.FAILURE,
    message="Image deletion failed",
)
_RUNNING = TaskReport(status=AsyncTaskStatus.RUNNING, result=AsyncTaskResult.UNKNOWN)


@dataclass
class InstantSpm:
    """Implements ``domain.services.ports.StoragePort`` in memory."""

    fail_delete: set[UUID] = field(default_factory=set)
    hold: set[UUID] = field(default_factory=set)
    tasks: dict[UUID, dict[str, tuple[UUID, TaskReport]]] = field(default_factory=dict)
    """Each pool's tasks by VDSM id, with their disk; a task is forgotten when it is cleared."""

    def create_task(
        self, storage_pool_id: UUID, task_id: str, task_type: AsyncTaskType, entity_id: UUID
    ) -> None:
        report = _FAILED if entity_id in self.fail_delete else _SUCCEEDED
        self.tasks.setdefault(storage_pool_id, {}).setdefault(task_id, (entity_id, report))

    def get_all_task_statuses(self, storage_pool_id: UUID) -> dict[str, TaskReport]:
        return {
            task_id: _RUNNING if entity in self.hold else report
            for task_id, (entity, report) in self.tasks.get(storage_pool_id, {}).items()
        }

    def clear_task(self, storage_pool_id: UUID, task_id: str) -> None:
        if self.tasks.get(storage_pool_id, {}).pop(task_id, None) is None:
            raise StorageError(f"task {task_id} not found", code=401)

    def stop_task(self, storage_pool_id: UUID, task_id: str) -> None:
        entity, _ = self.tasks[storage_pool_id][task_id]
        self.tasks[storage_pool_id][task_id] = (entity, _FAILED)
