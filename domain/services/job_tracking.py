"""Jobs and steps as oVirt's ExecutionHandler keeps them: what an operator watches."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID, uuid4

from tasktrail.domain.model.job.aggregate import Job
from tasktrail.domain.model.job.machine import JobExecutionStatus
from tasktrail.domain.model.step.aggregate import Step
from tasktrail.domain.model.step.machine import StepEnum

if TYPE_CHECKING:
    from tasktrail.domain.model.events import Cause
    from tasktrail.domain.services.command_base import CommandBase
    from tasktrail.domain.services.ports import EngineSettings, Ports, UnitOfWork


def start_job(uow: UnitOfWork, handler: CommandBase[Any], cause: Cause, job_id: UUID) -> Job:
    """ExecutionHandler.createJob, then the VALIDATING step (job step #0)."""
    job = Job(
        cause,
        id=job_id,
        action_type=str(handler.action_type),
        description=handler.description(uow),
        subjects=tuple(handler.subjects(uow)),
    )
    uow.add(job)
    add_step(uow, cause, job, StepEnum.VALIDATING, "Validating")
    return job


def add_step(
    uow: UnitOfWork,
    cause: Cause,
    job: Job,
    step_type: StepEnum,
    description: str,
    *,
    parent_step_id: UUID | None = None,
    step_id: UUID | None = None,
    external: bool = False,
) -> Step:
    """A step numbered after its siblings (0-based, as oVirt's Job.addStep / Step.addStep)."""
    step = Step(
        cause,
        id=step_id or uuid4(),
        job_id=job.id,
        step_type=step_type,
        step_number=job.next_step_number(parent_step_id),
        description=description,
        parent_step_id=parent_step_id,
        external=external,
    )
    job.add_step(cause, step.id, parent_step_id)
    uow.add(step)
    return step


def end_step(step: Step, cause: Cause, succeeded: bool, reason: str = "") -> None:
    if step.state not in (JobExecutionStatus.STARTED, JobExecutionStatus.UNKNOWN):
        return
    if succeeded:
        step.finish(cause)
    else:
        step.fail(cause, reason or "failed")


def end_job(uow: UnitOfWork, cause: Cause, job: Job, succeeded: bool, reason: str) -> None:
    """Ends the job and every step still STARTED with it (oVirt's updateJobStepsCompleted)."""
    steps = [uow.get(Step, step_id) for step_id in job.step_ids]
    failed = next((s for s in steps if s.state is JobExecutionStatus.FAILED), None)
    for step in steps:
        end_step(step, cause, succeeded, reason)
    if succeeded:
        job.finish(cause)
        return
    blamed = failed or next((s for s in steps if s.step_type is StepEnum.EXECUTING), None)
    job.fail(cause, blamed.id if blamed else None, _why(failed, reason))


def _why(failed: Step | None, reason: str) -> str:
    if failed is None:
        return reason
    return f"step {failed.step_type} #{failed.step_number} failed: {failed.reason}"


_FAILED_ENDS = (JobExecutionStatus.FAILED, JobExecutionStatus.ABORTED, JobExecutionStatus.UNKNOWN)


def clean_up_job(ports: Ports, uow: UnitOfWork, job_id: UUID) -> bool:
    """oVirt's DeleteCompletedJobsOlderThanDate for one job: deleted (an event; history keeps
    it) if it is auto-cleared and ended longer ago than its status's life. True if deleted.
    """
    job = uow.find(Job, job_id)
    if job is None or job.deleted or not job.auto_cleared:
        return False
    life = _life(ports.settings, job.state)
    if life is None or (ports.clock.now() - job.state_since).total_seconds() <= life:
        return False
    job.clean_up(ports.cause_for(job))
    return True


def _life(settings: EngineSettings, status: JobExecutionStatus) -> float | None:
    if status is JobExecutionStatus.FINISHED:
        return settings.succeeded_job_life
    return settings.failed_job_life if status in _FAILED_ENDS else None
