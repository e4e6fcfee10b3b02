"""What the services are given from outside: a unit of work, the storage, a clock, listeners."""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, TypeVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from tasktrail.domain.model.aggregate import StateMachineAggregate
from tasktrail.domain.model.async_task.machine import (
    AsyncTaskResult,
    AsyncTaskStatus,
    AsyncTaskType,
)
from tasktrail.domain.model.clock import Clock
from tasktrail.domain.model.errors import TasktrailError
from tasktrail.domain.model.events import Cause, EventMeta

if TYPE_CHECKING:
    from tasktrail.domain.services.command_base import ActionRegistry

A = TypeVar("A", bound=StateMachineAggregate)

TASK_NOT_FOUND = 401
"""VDSM's code for a task id the SPM does not know."""


class EngineNotice(BaseModel):
    """A domain event fired to listeners after the fact is stored (oVirt's VmDeleted, …)."""

    model_config = ConfigDict(frozen=True)

    name: str
    entity_id: UUID
    command_id: UUID


class UnitOfWork(Protocol):
    """The aggregates of one decision: each loaded once, changed, and saved together or not."""

    def get(self, cls: type[A], aggregate_id: UUID) -> A:
        """The aggregate as this unit of work sees it; raises AggregateNotFoundError."""
        ...

    def find(self, cls: type[A], aggregate_id: UUID) -> A | None:
        """The aggregate, or None if it does not exist."""
        ...

    def add(self, *aggregates: StateMachineAggregate) -> None:
        """New aggregates to save with the others."""
        ...

    def announce(self, *notices: EngineNotice) -> None:
        """Domain events for listeners, fired once this unit of work is saved."""
        ...

    def stale(self, *aggregate_ids: UUID) -> list[UUID]:
        """Of the aggregates read here (those named, or else those read inside the innermost
        open savepoint), the ones another writer has stored events of since: what was decided
        from them is a lost race."""
        ...

    def savepoint(self) -> AbstractContextManager[None]:
        """Changes made inside are kept if the block ends normally, undone if it raises.

        Aggregates keep their identity: references taken before the block stay valid.
        """
        ...


class Lookups(Protocol):
    """What validation may ask beyond aggregates: facts kept about the work in flight."""

    def tasks_in_pool(self, storage_pool_id: UUID) -> int:
        """How many storage tasks the engine still tracks on the pool (AsyncTaskManager)."""
        ...


class NoLookups:
    """For tools that validate nothing that needs them (every answer: none)."""

    def tasks_in_pool(self, storage_pool_id: UUID) -> int:
        return 0


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

    The engine chooses each task's id and ``create_task`` is idempotent on it, so a task whose
    submission's answer was lost can simply be submitted again.
    """

    def create_task(
        self, storage_pool_id: UUID, task_id: str, task_type: AsyncTaskType, entity_id: UUID
    ) -> None:
        """Starts (or, if it exists, leaves alone) the storage task ``task_id``.

        Raises StorageError when the SPM refuses it; any other error leaves it unknown whether
        the task was accepted.
        """
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


@dataclass(frozen=True)
class EngineSettings:
    """Timings of the storage-task side, in seconds (oVirt's defaults are far longer)."""

    zombie_task_limit: float = 3000 * 60.0
    """A task still running this long is stopped and ended (AsyncTaskZombieTaskLifeInMinutes)."""
    end_action_max_retries: int = 5
    """End methods that throw are retried this often, then the command fails (BZ 1451413)."""
    command_life: float = 3000 * 60.0
    """An ACTIVE command older than this fails (CoCoLifeInMinutes)."""
    job_cleanup_rate: float = 10 * 60.0
    """How often ended jobs are looked for to delete (JobCleanupRateInMinutes)."""
    succeeded_job_life: float = 10 * 60.0
    """A FINISHED job is deleted this long after it ended (SucceededJobCleanupTimeInMinutes)."""
    failed_job_life: float = 60 * 60.0
    """A FAILED, ABORTED or UNKNOWN job likewise (FailedJobCleanupTimeInMinutes)."""


@dataclass(frozen=True)
class Ports:
    """Everything a service may use besides its unit of work."""

    clock: Clock
    storage: StoragePort
    registry: ActionRegistry
    settings: EngineSettings = field(default_factory=EngineSettings)
    lookups: Lookups = field(default_factory=NoLookups)

    def cause_for(self, aggregate: StateMachineAggregate, command_id: UUID | None = None) -> Cause:
        """Events the engine records later keep the user and correlation id of the request."""
        meta: EventMeta = aggregate.origin_meta
        return Cause.acting_for(self.clock, meta, command_id)
