"""The Job aggregate: what an operator watches for one user action (oVirt's job table)."""

from __future__ import annotations

from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.domain import event

from tasktrail.domain.model.aggregate import StateMachineAggregate
from tasktrail.domain.model.events import EventMeta, Subject
from tasktrail.domain.model.job.machine import JOB_TABLE, JobExecutionStatus


class Job(StateMachineAggregate):
    """Started by a monitored root command; lists its steps; ends with the root command."""

    TABLE = JOB_TABLE
    # The event classes @event makes from the methods below, declared for type checkers.
    Started: ClassVar[type[Any]]
    StepAdded: ClassVar[type[Any]]
    Finished: ClassVar[type[Any]]
    Failed: ClassVar[type[Any]]
    Aborted: ClassVar[type[Any]]
    MarkedUnknown: ClassVar[type[Any]]
    AutoClearSet: ClassVar[type[Any]]
    CleanedUp: ClassVar[type[Any]]
    state: JobExecutionStatus
    action_type: str
    description: str
    step_ids: tuple[UUID, ...]
    step_parents: dict[UUID, UUID | None]
    failed_step_id: UUID | None
    reason: str | None
    subjects: tuple[Subject, ...]
    external: bool
    auto_cleared: bool

    @event("Started")
    def __init__(
        self,
        meta: EventMeta,
        id: UUID,
        action_type: str,
        description: str,
        subjects: tuple[Subject, ...] = (),
        external: bool = False,
        auto_cleared: bool = True,
    ) -> None:
        """``auto_cleared``: the job cleanup may delete it once it ended (oVirt's default)."""
        self.action_type = action_type
        self.description = description
        self.step_ids = ()
        self.step_parents = {}
        self.failed_step_id = None
        self.reason = None
        self.subjects = subjects
        self.external = external
        self.auto_cleared = auto_cleared

    @event("StepAdded")
    def add_step(self, meta: EventMeta, step_id: UUID, parent_step_id: UUID | None) -> None:
        self.step_ids = (*self.step_ids, step_id)
        self.step_parents = {**self.step_parents, step_id: parent_step_id}

    def next_step_number(self, parent_step_id: UUID | None) -> int:
        """oVirt numbers steps from 0 among the children of one parent (or of the job)."""
        return sum(1 for p in self.step_parents.values() if p == parent_step_id)

    @event("Finished")
    def finish(self, meta: EventMeta) -> None:
        pass

    @event("Failed")
    def fail(self, meta: EventMeta, failed_step_id: UUID | None, reason: str) -> None:
        self.failed_step_id = failed_step_id
        self.reason = reason

    @event("Aborted")
    def abort(self, meta: EventMeta) -> None:
        pass

    @event("MarkedUnknown")
    def mark_unknown(self, meta: EventMeta) -> None:
        pass

    @event("AutoClearSet")
    def set_auto_cleared(self, meta: EventMeta) -> None:
        """ClearExternalJob, or EndExternalJob with force: the cleanup may delete it."""
        self.auto_cleared = True

    @event("CleanedUp")
    def clean_up(self, meta: EventMeta) -> None:
        """JobRepositoryCleanupManager deleted it; history keeps it."""
