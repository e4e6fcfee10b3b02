"""The ``job`` and ``step`` tables: what an operator watches while an action runs."""

from __future__ import annotations

from domain.model.events import Transitioned
from domain.model.job.aggregate import Job
from domain.model.step.aggregate import Step
from projections.changes import Change, Delete, Insert, Update

_ENDED = {"FINISHED", "FAILED", "ABORTED"}


def project_job(event: Transitioned) -> list[Change]:
    key = {"job_id": event.originator_id}
    if isinstance(event, Job.CleanedUp):
        return [Delete("job", key)]
    if isinstance(event, Job.Started):
        return [
            Insert(
                "job",
                {
                    **key,
                    "action_type": event.action_type,
                    "description": event.description,
                    "status": event.to_state,
                    "owner_id": event.meta.user_id,
                    "correlation_id": event.meta.correlation_id,
                    "start_time": event.timestamp,
                    "last_update_time": event.timestamp,
                    "is_external": event.external,
                    "is_auto_cleared": event.auto_cleared,
                },
            )
        ]
    values: dict[str, object] = {"status": event.to_state, "last_update_time": event.timestamp}
    if isinstance(event, Job.AutoClearSet):
        values["is_auto_cleared"] = True
    elif event.to_state in _ENDED and event.from_state != event.to_state:
        values["end_time"] = event.timestamp
    if isinstance(event, Job.Failed):
        values |= {"failed_step_id": event.failed_step_id, "reason": event.reason}
    return [Update("job", key, values)]


def project_step(event: Transitioned) -> list[Change]:
    key = {"step_id": event.originator_id}
    if isinstance(event, Step.Started):
        return [
            Insert(
                "step",
                {
                    **key,
                    "parent_step_id": event.parent_step_id,
                    "job_id": event.job_id,
                    "step_type": event.step_type.value,
                    "description": event.description,
                    "step_number": event.step_number,
                    "status": event.to_state,
                    "start_time": event.timestamp,
                    "correlation_id": event.meta.correlation_id,
                    "is_external": event.external,
                },
            )
        ]
    values: dict[str, object] = {"status": event.to_state}
    if event.to_state in _ENDED:
        values["end_time"] = event.timestamp
    if isinstance(event, Step.Failed):
        values["reason"] = event.reason
    if isinstance(event, Step.ExternalAttached):
        values |= {
            "external_id": event.external_id,
            "external_system_type": event.external_system_type,
        }
    return [Update("step", key, values)]
