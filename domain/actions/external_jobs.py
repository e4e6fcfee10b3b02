"""External jobs and steps: an outside system reports its own work as oVirt jobs and steps
(oVirt's AddExternalJob, AddExternalStep, EndExternalStep, EndExternalJob, ClearExternalJob).

None of them is monitored (they get no job of their own) and they take no locks. Their
validation messages are oVirt's, including its quirks: EndExternalJob says VAR__ACTION__CLEAR
(copied from ClearExternalJob), and AddExternalStep appends its VAR__ words after the errors.
"""

from __future__ import annotations

from typing import Any, TypeVar
from uuid import UUID, uuid4

from pydantic import Field

from tasktrail.domain.actions.action_type import ActionType
from tasktrail.domain.model.errors import WrongAggregateTypeError
from tasktrail.domain.model.events import AuditNote, Subject
from tasktrail.domain.model.job.aggregate import Job
from tasktrail.domain.model.job.machine import JobExecutionStatus
from tasktrail.domain.model.step.aggregate import Step
from tasktrail.domain.model.step.machine import StepEnum
from tasktrail.domain.services.command_base import ActionParameters, CommandBase, Phase
from tasktrail.domain.services.execution import Execution
from tasktrail.domain.services.job_tracking import add_step, end_job, end_step
from tasktrail.domain.services.messages import Msg, Var
from tasktrail.domain.services.ports import Lookups, UnitOfWork

SYSTEM = Subject(entity_id=UUID("aaa00000-0000-0000-0000-123456789aaa"), entity_type="System")
"""oVirt's SYSTEM_OBJECT_ID: an external job's subject."""
STARTED = JobExecutionStatus.STARTED


class AddExternalJobParameters(ActionParameters):
    description: str = Field(max_length=4000)
    auto_cleared: bool = False
    """REST's default: an external job stays until cleared."""
    job_id: UUID = Field(default_factory=uuid4)


class AddExternalJobCommand(CommandBase[AddExternalJobParameters]):
    action_type = ActionType.ADD_EXTERNAL_JOB
    parameters_class = AddExternalJobParameters
    monitored = False

    def validate(self, uow: UnitOfWork, lookups: Lookups) -> list[str]:
        return [] if self.params.description.strip() else [Msg.EMPTY_DESCRIPTION.value]

    def planned_result(self) -> Any:
        return str(self.params.job_id)

    def execute(self, run: Execution) -> Any:
        p = self.params
        job = Job(
            run.cause,
            id=p.job_id,
            action_type=str(self.action_type),
            description=p.description,
            subjects=(SYSTEM,),
            external=True,
            auto_cleared=p.auto_cleared,
        )
        run.uow.add(job)
        return str(job.id)

    def audit(
        self, uow: UnitOfWork, phase: Phase, succeeded: bool, result: Any = None
    ) -> AuditNote | None:
        if phase is not Phase.EXECUTE:
            return None
        log_type = "USER_ADD_EXTERNAL_JOB" if succeeded else "USER_ADD_EXTERNAL_JOB_FAILED"
        return AuditNote(log_type=log_type, values={"description": self.params.description})


class AddExternalStepParameters(ActionParameters):
    parent_id: UUID
    """The job, or the step, the new step goes under."""
    description: str = Field(max_length=4000)
    step_type: StepEnum = StepEnum.EXECUTING
    step_id: UUID = Field(default_factory=uuid4)


class AddExternalStepCommand(CommandBase[AddExternalStepParameters]):
    action_type = ActionType.ADD_EXTERNAL_STEP
    parameters_class = AddExternalStepParameters
    monitored = False

    def validate(self, uow: UnitOfWork, lookups: Lookups) -> list[str]:
        """Parent first, then description (both may be said), then the job must be external;
        the VAR__ words come last."""
        job, parent_step = _parent(uow, self.params.parent_id)
        messages = [] if job or parent_step else [Msg.NO_PARENT.value]
        if not self.params.description.strip():
            messages.append(Msg.EMPTY_DESCRIPTION.value)
        if not messages and job is not None and not job.external:
            messages.append(Msg.NOT_EXTERNAL.value)
        return [*messages, Var.ACTION_ADD.value, Var.TYPE_EXTERNAL_JOB.value] if messages else []

    def planned_result(self) -> Any:
        return str(self.params.step_id)

    def execute(self, run: Execution) -> Any:
        p = self.params
        job, parent_step = _parent(run.uow, p.parent_id)
        if parent_step is not None:
            job = run.uow.get(Job, parent_step.job_id)
        step = add_step(
            run.uow,
            run.cause,
            job or run.uow.get(Job, p.parent_id),
            p.step_type,
            p.description,
            parent_step_id=parent_step.id if parent_step else None,
            step_id=p.step_id,
            external=True,
        )
        return str(step.id)


def _parent(uow: UnitOfWork, parent_id: UUID) -> tuple[Job | None, Step | None]:
    """oVirt looks for a job with that id first, then for a step (of a job not cleaned up)."""
    job = _find(uow, Job, parent_id)
    if job is not None:
        return (None, None) if job.deleted else (job, None)
    step = _find(uow, Step, parent_id)
    if step is None or _gone(uow, step.job_id):
        return None, None
    return None, step


A = TypeVar("A", Job, Step)


def _find(uow: UnitOfWork, cls: type[A], aggregate_id: UUID) -> A | None:
    """The aggregate if ``aggregate_id`` is one of ``cls``; None for any other id."""
    try:
        return uow.find(cls, aggregate_id)
    except WrongAggregateTypeError:
        return None


def _gone(uow: UnitOfWork, job_id: UUID) -> bool:
    job = _find(uow, Job, job_id)
    return job is None or job.deleted


class EndExternalStepParameters(ActionParameters):
    step_id: UUID
    succeeded: bool = True


class EndExternalStepCommand(CommandBase[EndExternalStepParameters]):
    action_type = ActionType.END_EXTERNAL_STEP
    parameters_class = EndExternalStepParameters
    monitored = False

    def validate(self, uow: UnitOfWork, lookups: Lookups) -> list[str]:
        step = _find(uow, Step, self.params.step_id)
        if step is None:
            return [Msg.NO_STEP.value]
        if not step.external:
            return [Msg.NOT_EXTERNAL.value]
        if _gone(uow, step.job_id):
            return [Msg.NO_JOB.value, Var.ACTION_END.value, Var.TYPE_EXTERNAL_STEP.value]
        return []

    def execute(self, run: Execution) -> Any:
        """The step ends; a failed one fails its job and every STARTED step with it."""
        step = run.uow.get(Step, self.params.step_id)
        end_step(step, run.cause, self.params.succeeded, "ended as failed by its owner")
        job = run.uow.get(Job, step.job_id)
        if not self.params.succeeded and job.state is STARTED:
            end_job(run.uow, run.cause, job, False, "an external step failed")
        return None


class EndExternalJobParameters(ActionParameters):
    job_id: UUID
    succeeded: bool = True
    force: bool = False
    """Also lets the job cleanup delete it (auto_cleared)."""


class EndExternalJobCommand(CommandBase[EndExternalJobParameters]):
    action_type = ActionType.END_EXTERNAL_JOB
    parameters_class = EndExternalJobParameters
    monitored = False

    def validate(self, uow: UnitOfWork, lookups: Lookups) -> list[str]:
        return _external_job(uow, self.params.job_id)

    def execute(self, run: Execution) -> Any:
        """endJob (from STARTED only, its STARTED steps with it); force sets auto_cleared."""
        job = run.uow.get(Job, self.params.job_id)
        if job.state is STARTED:
            reason = "" if self.params.succeeded else "ended as failed by its owner"
            end_job(run.uow, run.cause, job, self.params.succeeded, reason)
        if self.params.force:
            job.set_auto_cleared(run.cause)
        return None


class ClearExternalJobParameters(ActionParameters):
    job_id: UUID


class ClearExternalJobCommand(CommandBase[ClearExternalJobParameters]):
    action_type = ActionType.CLEAR_EXTERNAL_JOB
    parameters_class = ClearExternalJobParameters
    monitored = False

    def validate(self, uow: UnitOfWork, lookups: Lookups) -> list[str]:
        return _external_job(uow, self.params.job_id)

    def execute(self, run: Execution) -> Any:
        """Lets the job cleanup delete the job; its status stays."""
        run.uow.get(Job, self.params.job_id).set_auto_cleared(run.cause)
        return None


def _external_job(uow: UnitOfWork, job_id: UUID) -> list[str]:
    """EndExternalJob's and ClearExternalJob's shared validate, VAR__ACTION__CLEAR and all."""
    job = _find(uow, Job, job_id)
    if job is None or job.deleted:
        found = Msg.NO_JOB.value
    elif not job.external:
        found = Msg.NOT_EXTERNAL.value
    else:
        return []
    return [found, Var.ACTION_CLEAR.value, Var.TYPE_EXTERNAL_JOB.value]
