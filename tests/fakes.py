"""An in-memory SPM for tests that need no database for storage (fakes, not mocks)."""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

from tasktrail.domain.model.async_task.machine import (
    AsyncTaskResult,
    AsyncTaskStatus,
    AsyncTaskType,
)
from tasktrail.domain.services.ports import StorageError, TaskReport
from tasktrail.runners.clocks import ManualClock

__all__ = ["FakeSpm", "ManualClock"]


@dataclass
class FakeTask:
    pool: UUID
    entity: UUID
    report: TaskReport


@dataclass
class FakeSpm:
    """Tasks finish at the first poll; ``fail_delete``/``fail_clear`` hold disk ids to fault."""

    tasks: dict[str, FakeTask] = field(default_factory=dict)
    fail_delete: set[UUID] = field(default_factory=set)
    fail_clear: set[UUID] = field(default_factory=set)
    fail_submit: set[UUID] = field(default_factory=set)
    hold: set[UUID] = field(default_factory=set)
    """Disks whose tasks keep reporting ``running``."""
    created: list[str] = field(default_factory=list)
    polls: int = 0

    def create_task(
        self, storage_pool_id: UUID, task_id: str, task_type: AsyncTaskType, entity_id: UUID
    ) -> None:
        if entity_id in self.fail_submit:
            raise StorageError(f"cannot submit task for {entity_id}")
        if task_id in self.tasks:
            return
        result = (
            AsyncTaskResult.FAILURE if entity_id in self.fail_delete else AsyncTaskResult.SUCCESS
        )
        message = "Image deletion failed" if entity_id in self.fail_delete else ""
        self.created.append(task_id)
        self.tasks[task_id] = FakeTask(
            storage_pool_id,
            entity_id,
            TaskReport(status=AsyncTaskStatus.FINISHED, result=result, message=message),
        )

    def get_all_task_statuses(self, storage_pool_id: UUID) -> dict[str, TaskReport]:
        self.polls += 1
        running = TaskReport(status=AsyncTaskStatus.RUNNING, result=AsyncTaskResult.UNKNOWN)
        return {
            k: running if t.entity in self.hold else t.report
            for k, t in self.tasks.items()
            if t.pool == storage_pool_id
        }

    def clear_task(self, storage_pool_id: UUID, task_id: str) -> None:
        task = self.tasks.get(task_id)
        if task is None:
            raise StorageError(f"task {task_id} not found", code=401)
        if task.entity in self.fail_clear:
            self.fail_clear.discard(task.entity)
            raise StorageError(f"cannot clear task {task_id}")
        del self.tasks[task_id]

    def stop_task(self, storage_pool_id: UUID, task_id: str) -> None:
        self.hold.discard(self.tasks[task_id].entity)  # a stopped task runs no longer
        self.tasks[task_id].report = TaskReport(
            status=AsyncTaskStatus.FINISHED, result=AsyncTaskResult.FAILURE, message="stopped"
        )
