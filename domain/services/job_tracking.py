"""Jobs and steps as oVirt's ExecutionHandler keeps them: what an operator watches."""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID, uuid4

from domain.model.job.aggregate import Job
from domain.model.job.machine import JobExecutionStatus
from domain.model.step.aggregate import Step
from domain.model.step.machine import StepEnum

if TYPE_CHECKING:
    from domain.model.events import Cause
    from domain.services.ports import UnitOfWork


def add_step(
    uow: UnitOfWork,
    cause: Cause,
    job: Job,
    step_type: StepEnum,
    description: str,
    *,
    parent_step_id: UUID | None = None,
) -> Step:
    step = Step(
        cause,
        id=uuid4(),
        job_id=job.id,
        step_type=step_type,
        step_number=job.next_step_number(parent_step_id),
        description=description,
        parent_step_id=parent_step_id,
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
