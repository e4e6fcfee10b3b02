"""The AsyncTask aggregate: the engine's view of one SPM task (oVirt's async_tasks row)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.domain import event

from tasktrail.domain.model.aggregate import StateMachineAggregate
from tasktrail.domain.model.async_task.machine import (
    ASYNC_TASK_TABLE,
    AsyncTaskResult,
    AsyncTaskState,
    AsyncTaskStatus,
    AsyncTaskType,
)
from tasktrail.domain.model.events import EventMeta


class AsyncTask(StateMachineAggregate):
    """Tracks a storage task for its command and step, with the SPM's last reported status."""

    TABLE = ASYNC_TASK_TABLE
    # The event classes @event makes from the methods below, declared for type checkers.
    Created: ClassVar[type[Any]]
    PollingStarted: ClassVar[type[Any]]
    StatusPolled: ClassVar[type[Any]]
    Ended: ClassVar[type[Any]]
    EndActionAttempted: ClassVar[type[Any]]
    Repolled: ClassVar[type[Any]]
    Cleared: ClassVar[type[Any]]
    Dropped: ClassVar[type[Any]]
    ClearFailed: ClassVar[type[Any]]
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
    dropped: bool
    """Forgotten at an engine start under oVirt's policy: its command is never told it ended."""
    status_since: datetime
    clear_failures: int
    error: str | None

    @event("Created")
    def __init__(
        self,
        meta: EventMeta,
        id: UUID,
        command_id: UUID,
        root_command_id: UUID,
        action_type: str,
        step_id: UUID | None,
        storage_pool_id: UUID,
        vdsm_task_id: str,
        task_type: AsyncTaskType,
        entity_id: UUID | None = None,
        timestamp: datetime | None = None,
    ) -> None:
        """``timestamp`` is the event's own, filled in from the cause."""
        self.command_id = command_id
        self.root_command_id = root_command_id
        self.action_type = action_type
        self.step_id = step_id
        self.storage_pool_id = storage_pool_id
        self.vdsm_task_id = vdsm_task_id
        self.task_type = task_type
        self.entity_id = entity_id
        self.status = AsyncTaskStatus.INIT
        self.result = AsyncTaskResult.UNKNOWN
        self.zombie = False
        self.dropped = False
        self.status_since = _when(timestamp)
        self.clear_failures = 0
        self.error = None

    @property
    def ended_successfully(self) -> bool:
        """oVirt's getTaskEndedSuccessfully: finished, success, and not forced as a zombie."""
        return (
            self.status is AsyncTaskStatus.FINISHED
            and self.result is AsyncTaskResult.SUCCESS
            and not self.zombie
        )

    @event("PollingStarted")
    def start_polling(self, meta: EventMeta) -> None:
        pass

    @event("StatusPolled")
    def record_status(
        self,
        meta: EventMeta,
        status: AsyncTaskStatus,
        result: AsyncTaskResult,
        error: str | None = None,
        timestamp: datetime | None = None,
    ) -> None:
        self._polled(_when(timestamp), status, result, error)

    @event("Ended")
    def end(
        self,
        meta: EventMeta,
        status: AsyncTaskStatus,
        result: AsyncTaskResult,
        error: str | None = None,
        zombie: bool = False,
        timestamp: datetime | None = None,
    ) -> None:
        self._polled(_when(timestamp), status, result, error)
        self.zombie = zombie

    def _polled(
        self,
        timestamp: datetime,
        status: AsyncTaskStatus,
        result: AsyncTaskResult,
        error: str | None,
    ) -> None:
        if status is not self.status:
            self.status_since = timestamp
        self.status = status
        self.result = result
        self.error = error

    @event("EndActionAttempted")
    def attempt_end_action(self, meta: EventMeta) -> None:
        pass

    @event("Repolled")
    def repoll(self, meta: EventMeta) -> None:
        pass

    @event("Cleared")
    def clear(self, meta: EventMeta) -> None:
        pass

    @event("Dropped")
    def drop(self, meta: EventMeta) -> None:
        self.dropped = True

    @event("ClearFailed")
    def fail_clear(self, meta: EventMeta, error: str) -> None:
        self.clear_failures += 1
        self.error = error


def _when(timestamp: datetime | None) -> datetime:
    """The event's timestamp, which the aggregate base always fills in from the cause."""
    assert timestamp is not None
    return timestamp
