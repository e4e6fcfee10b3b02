"""The Step aggregate: one phase of a job; steps nest under a parent step."""

from __future__ import annotations

from uuid import UUID

from domain.events import Cause
from domain.job.machine import JobExecutionStatus
from domain.state_machine import Created as BaseCreated
from domain.state_machine import StateMachineAggregate, Transitioned
from domain.step.machine import STEP_TABLE, StepEnum


class Step(StateMachineAggregate):
    """Typed (VALIDATING, EXECUTING, DELETE_IMAGE, …), numbered, described, maybe external."""

    TABLE = STEP_TABLE
    state: JobExecutionStatus

    job_id: UUID
    parent_step_id: UUID | None
    step_type: StepEnum
    step_number: int
    description: str
    external_id: str | None
    external_system_type: str | None
    reason: str | None

    class Started(BaseCreated):
        job_id: UUID
        parent_step_id: UUID | None
        step_type: StepEnum
        step_number: int
        description: str

        def apply(self, aggregate: Step) -> None:
            aggregate.job_id = self.job_id
            aggregate.parent_step_id = self.parent_step_id
            aggregate.step_type = self.step_type
            aggregate.step_number = self.step_number
            aggregate.description = self.description
            aggregate.external_id = None
            aggregate.external_system_type = None
            aggregate.reason = None

    class ExternalAttached(Transitioned):
        external_id: str
        external_system_type: str

        def apply(self, aggregate: Step) -> None:
            aggregate.external_id = self.external_id
            aggregate.external_system_type = self.external_system_type

    class Failed(Transitioned):
        reason: str

        def apply(self, aggregate: Step) -> None:
            aggregate.reason = self.reason

    @classmethod
    def start(
        cls,
        cause: Cause,
        *,
        job_id: UUID,
        step_type: StepEnum,
        step_number: int,
        description: str,
        parent_step_id: UUID | None = None,
        id: UUID | None = None,
    ) -> Step:
        return cls._create(
            cls.Started,
            cause,
            JobExecutionStatus.STARTED,
            id=id,
            job_id=job_id,
            parent_step_id=parent_step_id,
            step_type=step_type,
            step_number=step_number,
            description=description,
        )

    def finish(self, cause: Cause) -> None:
        self._transition("finish", cause)

    def fail(self, cause: Cause, reason: str) -> None:
        self._transition("fail", cause, reason=reason)

    def abort(self, cause: Cause) -> None:
        self._transition("abort", cause)

    def mark_unknown(self, cause: Cause) -> None:
        self._transition("mark_unknown", cause)

    def attach_external(self, cause: Cause, external_id: str, system: str = "VDSM") -> None:
        self._transition(
            "attach_external", cause, external_id=external_id, external_system_type=system
        )
