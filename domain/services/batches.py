"""A batch of remedies as a job with one step per item: what an operator watches (``tasktrail
job``), recorded as it goes, and resumable.

The job's id follows from what the batch works on, and each step's from its item, so a batch
run again after a crash finds its job and steps and carries on: an item whose step was begun
is finished, never begun twice. A batch over the same items that already ended gets a job of
its own (the next of the series).
"""

from __future__ import annotations

from collections.abc import Iterable
from uuid import NAMESPACE_OID, UUID, uuid5

from tasktrail.domain.model.events import Cause
from tasktrail.domain.model.job.aggregate import Job
from tasktrail.domain.model.job.machine import JobExecutionStatus
from tasktrail.domain.model.step.aggregate import Step
from tasktrail.domain.model.step.machine import StepEnum
from tasktrail.domain.services.job_tracking import add_step, end_job, end_step
from tasktrail.domain.services.ports import UnitOfWork

ACTION_TYPE = "Remediate"
_SERIES = 1000
"""More batches over one set of items than anyone runs."""


def batch_id(remedy: str, item_ids: Iterable[UUID], number: int = 0) -> UUID:
    """The ``number``-th batch's job id for ``remedy`` over exactly these items."""
    items = ",".join(sorted(str(i) for i in item_ids))
    return uuid5(NAMESPACE_OID, f"tasktrail:batch:{remedy}:{items}:{number}")


def step_id_for(job_id: UUID, item_id: UUID) -> UUID:
    return uuid5(NAMESPACE_OID, f"tasktrail:batch:{job_id}:item:{item_id}")


def running_batch(uow: UnitOfWork, remedy: str, item_ids: list[UUID]) -> Job | None:
    """The batch over these items that an earlier run began and did not end, if any."""
    for number in range(_SERIES):
        job = uow.find(Job, batch_id(remedy, item_ids, number))
        if job is None:
            return None
        if job.state is JobExecutionStatus.STARTED:
            return job
    return None


def open_batch(
    uow: UnitOfWork, cause: Cause, remedy: str, item_ids: list[UUID], description: str
) -> Job:
    """The batch's job: the one still running over these items, else the next of the series."""
    for number in range(_SERIES):
        job_id = batch_id(remedy, item_ids, number)
        job = uow.find(Job, job_id)
        if job is None:
            job = Job(cause, id=job_id, action_type=ACTION_TYPE, description=description)
            uow.add(job)
            return job
        if job.state is JobExecutionStatus.STARTED:
            return job
    raise AssertionError("unreachable: a series this long is never run")


def begun(uow: UnitOfWork, job_id: UUID, item_id: UUID) -> Step | None:
    """The item's step, if an earlier run of this batch began it and did not end it."""
    step = uow.find(Step, step_id_for(job_id, item_id))
    return step if step is not None and step.state is JobExecutionStatus.STARTED else None


def begin_item(uow: UnitOfWork, cause: Cause, job: Job, item_id: UUID, description: str) -> Step:
    found = uow.find(Step, step_id_for(job.id, item_id))
    if found is not None:
        return found
    step_id = step_id_for(job.id, item_id)
    return add_step(uow, cause, job, StepEnum.EXECUTING, description, step_id=step_id)


def end_item(step: Step, cause: Cause, succeeded: bool, reason: str) -> None:
    end_step(step, cause, succeeded, reason)


def close_batch(uow: UnitOfWork, cause: Cause, job: Job, refused: int) -> None:
    """The job FINISHED, or FAILED naming how many items were refused."""
    end_job(uow, cause, job, refused == 0, f"{refused} item(s) refused")
