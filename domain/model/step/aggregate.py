"""The Step aggregate: one phase of a job; steps nest under a parent step."""

from __future__ import annotations

from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.domain import event

from tasktrail.domain.model.aggregate import StateMachineAggregate
from tasktrail.domain.model.events import EventMeta, Subject
from tasktrail.domain.model.job.machine import JobExecutionStatus
from tasktrail.domain.model.step.machine import STEP_TABLE, StepEnum


class Step(StateMachineAggregate):
    """Typed (VALIDATING, EXECUTING, DELETE_IMAGE, …), numbered, described, maybe external."""

    TABLE = STEP_TABLE
    # The event classes @event makes from the methods below, declared for type checkers.
    Started: ClassVar[type[Any]]
    Finished: ClassVar[type[Any]]
    Failed: ClassVar[type[Any]]
    Aborted: ClassVar[type[Any]]
    MarkedUnknown: ClassVar[type[Any]]
    ExternalAttached: ClassVar[type[Any]]
    ProgressReported: ClassVar[type[Any]]
    state: JobExecutionStatus
    job_id: UUID
    parent_step_id: UUID | None
    step_type: StepEnum
    step_number: int
    description: str
    external_id: str | None
    external_system_type: str | None
    reason: str | None
    subjects: tuple[Subject, ...]
    external: bool
    progress: int | None

    @event("Started")
    def __init__(
        self,
        meta: EventMeta,
        id: UUID,
        job_id: UUID,
        step_type: StepEnum,
        step_number: int,
        description: str,
        parent_step_id: UUID | None = None,
        subjects: tuple[Subject, ...] = (),
        external: bool = False,
    ) -> None:
        """``external``: added from outside (AddExternalStep), not by a command."""
        self.job_id = job_id
        self.parent_step_id = parent_step_id
        self.step_type = step_type
        self.step_number = step_number
        self.description = description
        self.external_id = None
        self.external_system_type = None
        self.reason = None
        self.subjects = subjects
        self.external = external
        self.progress = None

    @event("Finished")
    def finish(self, meta: EventMeta) -> None:
        pass

    @event("Failed")
    def fail(self, meta: EventMeta, reason: str) -> None:
        self.reason = reason

    @event("Aborted")
    def abort(self, meta: EventMeta) -> None:
        pass

    @event("MarkedUnknown")
    def mark_unknown(self, meta: EventMeta) -> None:
        pass

    @event("ProgressReported")
    def report_progress(self, meta: EventMeta, progress: int) -> None:
        """oVirt's updateStepProgress: how far, in percent."""
        self.progress = progress

    @event("ExternalAttached")
    def attach_external(
        self, meta: EventMeta, external_id: str, external_system_type: str = "VDSM"
    ) -> None:
        self.external_id = external_id
        self.external_system_type = external_system_type
