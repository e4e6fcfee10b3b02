"""The storage back-end as the domain sees it (oVirt's SPM verbs), implemented in runners."""

from __future__ import annotations

from typing import Protocol
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from domain.async_task.machine import AsyncTaskResult, AsyncTaskStatus, AsyncTaskType
from domain.errors import TasktrailError

TASK_NOT_FOUND = 401
"""VDSM's code for a task id the SPM does not know."""


class StorageError(TasktrailError):
    """The storage back-end refused or failed a verb; ``code`` is VDSM-like."""

    def __init__(self, message: str, code: int = 100) -> None:
        self.code = code
        super().__init__(message)


class TaskReport(BaseModel):
    """One entry of SPMGetAllTasksStatuses."""

    model_config = ConfigDict(frozen=True)

    status: AsyncTaskStatus
    result: AsyncTaskResult
    message: str = ""


class StoragePort(Protocol):
    """What commands and the AsyncTaskManager ask of a storage pool's SPM.

    The engine chooses each task's id and ``create_task`` is idempotent on it, so a command
    interrupted between recording its AsyncTask and hearing back can simply submit again.
    """

    def create_task(
        self, storage_pool_id: UUID, task_id: str, task_type: AsyncTaskType, entity_id: UUID
    ) -> None:
        """Starts (or, if it exists, leaves alone) the storage task ``task_id``."""
        ...

    def get_all_task_statuses(self, storage_pool_id: UUID) -> dict[str, TaskReport]:
        """Every task the pool's SPM knows, by id; a missing id is a task it does not know."""
        ...

    def clear_task(self, storage_pool_id: UUID, task_id: str) -> None:
        """Makes the SPM forget a finished task; raises StorageError when it cannot."""
        ...

    def stop_task(self, storage_pool_id: UUID, task_id: str) -> None:
        """Asks the SPM to abort a running task."""
        ...
