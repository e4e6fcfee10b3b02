"""The storage port of the API process's engine, timed: SPM polls, their failures and latency.

Only the engine loop polls the storage, so wrapping the port it is given measures every
``SPMGetAllTasksStatuses`` this process makes; ``serve`` processes elsewhere are not seen.
"""

from __future__ import annotations

import time
from uuid import UUID

from tasktrail.domain.model.async_task.machine import AsyncTaskType
from tasktrail.domain.services.ports import StoragePort, TaskReport
from tasktrail.runners.api.prometheus import Histogram

BOUNDS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)


class TimedStorage:
    """A ``StoragePort`` passing every call on, timing the polls."""

    def __init__(self, storage: StoragePort) -> None:
        self.storage = storage
        self.latency = Histogram(BOUNDS)
        self.failures = 0

    def create_task(
        self, storage_pool_id: UUID, task_id: str, task_type: AsyncTaskType, entity_id: UUID
    ) -> None:
        self.storage.create_task(storage_pool_id, task_id, task_type, entity_id)

    def get_all_task_statuses(self, storage_pool_id: UUID) -> dict[str, TaskReport]:
        start = time.perf_counter()
        try:
            return self.storage.get_all_task_statuses(storage_pool_id)
        except Exception:
            self.failures += 1
            raise
        finally:
            self.latency.observe(time.perf_counter() - start)

    def clear_task(self, storage_pool_id: UUID, task_id: str) -> None:
        self.storage.clear_task(storage_pool_id, task_id)

    def stop_task(self, storage_pool_id: UUID, task_id: str) -> None:
        self.storage.stop_task(storage_pool_id, task_id)
