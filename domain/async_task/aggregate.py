"""The AsyncTask aggregate: the engine's view of one SPM task (oVirt's async_tasks row)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from domain.async_task.machine import (
    ASYNC_TASK_TABLE,
    AsyncTaskResult,
    AsyncTaskState,
    AsyncTaskStatus,
    AsyncTaskType,
)
from domain.events import Cause
from domain.state_machine import Created as BaseCreated
from domain.state_machine import StateMachineAggregate, Transitioned


class AsyncTask(StateMachineAggregate):
    """Tracks a storage task for its command and step, with the SPM's last reported status."""

    TABLE = ASYNC_TASK_TABLE
    state: AsyncTaskState

    command_id: UUID
    root_command_id: UUID
    action_type: str
    step_id: UUID | None
    storage_pool_id: UUID
    vdsm_task_id: str
    task_type: AsyncTaskType
    entity_id: UUID | None
    status: AsyncTaskStatus
    result: AsyncTaskResult
    zombie: bool
    status_since: datetime
    clear_failures: int
    error: str | None

    class Created(BaseCreated):
        command_id: UUID
        root_command_id: UUID
        action_type: str
        step_id: UUID | None
        storage_pool_id: UUID
        vdsm_task_id: str
        task_type: AsyncTaskType
        entity_id: UUID | None

        def apply(self, aggregate: AsyncTask) -> None:
            aggregate.command_id = self.command_id
            aggregate.root_command_id = self.root_command_id
            aggregate.action_type = self.action_type
            aggregate.step_id = self.step_id
            aggregate.storage_pool_id = self.storage_pool_id
            aggregate.vdsm_task_id = self.vdsm_task_id
            aggregate.task_type = self.task_type
            aggregate.entity_id = self.entity_id
            aggregate.status = AsyncTaskStatus.INIT
            aggregate.result = AsyncTaskResult.UNKNOWN
            aggregate.zombie = False
            aggregate.status_since = self.timestamp
            aggregate.clear_failures = 0
            aggregate.error = None

    class StatusPolled(Transitioned):
        status: AsyncTaskStatus
        result: AsyncTaskResult
        error: str | None = None

        def apply(self, aggregate: AsyncTask) -> None:
            if self.status is not aggregate.status:
                aggregate.status_since = self.timestamp
            aggregate.status = self.status
            aggregate.result = self.result
            aggregate.error = self.error

    class Ended(StatusPolled):
        zombie: bool = False

        def apply(self, aggregate: AsyncTask) -> None:
            super().apply(aggregate)
            aggregate.zombie = self.zombie

    class ClearFailed(Transitioned):
        error: str

        def apply(self, aggregate: AsyncTask) -> None:
            aggregate.clear_failures += 1
            aggregate.error = self.error

    @classmethod
    def create(
        cls,
        cause: Cause,
        *,
        command_id: UUID,
        root_command_id: UUID,
        action_type: str,
        step_id: UUID | None,
        storage_pool_id: UUID,
        vdsm_task_id: str,
        task_type: AsyncTaskType,
        entity_id: UUID | None = None,
        id: UUID | None = None,
    ) -> AsyncTask:
        return cls._create(
            cls.Created,
            cause,
            AsyncTaskState.INITIALIZING,
            id=id,
            command_id=command_id,
            root_command_id=root_command_id,
            action_type=action_type,
            step_id=step_id,
            storage_pool_id=storage_pool_id,
            vdsm_task_id=vdsm_task_id,
            task_type=task_type,
            entity_id=entity_id,
        )

    @property
    def ended_successfully(self) -> bool:
        """oVirt's getTaskEndedSuccessfully: finished, success, and not forced as a zombie."""
        return (
            self.status is AsyncTaskStatus.FINISHED
            and self.result is AsyncTaskResult.SUCCESS
            and not self.zombie
        )

    def start_polling(self, cause: Cause) -> None:
        self._transition("start_polling", cause)

    def record_status(
        self,
        cause: Cause,
        status: AsyncTaskStatus,
        result: AsyncTaskResult,
        error: str | None = None,
    ) -> None:
        self._transition("record_status", cause, status=status, result=result, error=error)

    def end(
        self,
        cause: Cause,
        status: AsyncTaskStatus,
        result: AsyncTaskResult,
        *,
        error: str | None = None,
        zombie: bool = False,
    ) -> None:
        self._transition("end", cause, status=status, result=result, error=error, zombie=zombie)

    def attempt_end_action(self, cause: Cause) -> None:
        self._transition("attempt_end_action", cause)

    def repoll(self, cause: Cause) -> None:
        self._transition("repoll", cause)

    def clear(self, cause: Cause) -> None:
        self._transition("clear", cause)

    def fail_clear(self, cause: Cause, error: str) -> None:
        self._transition("fail_clear", cause, error=error)
