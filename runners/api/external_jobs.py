"""External jobs and steps, which other systems report into the engine: oVirt's
AddExternalJob, EndExternalJob, ClearExternalJob, AddExternalStep and EndExternalStep.

The operations the API needs, one function each. Each runs its action and waits until an
engine has executed it and the read model shows it, so that the route can answer with the job
or step as it now stands. Refusals are the engine's (404 for an unknown job, step or parent;
409 with oVirt's messages for the rest, such as a job that is not external).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from tasktrail.runners.api import commands
from tasktrail.runners.api.state import ApiState
from tasktrail.runners.users import User


@dataclass(frozen=True)
class NewJob:
    description: str
    auto_cleared: bool
    correlation_id: str | None


@dataclass(frozen=True)
class NewStep:
    job_id: UUID
    step_type: str
    """The engine's StepEnum name: EXECUTING, VALIDATING, FINALIZING, …"""
    description: str
    parent_step_id: UUID | None
    """The step it goes under; None: directly under the job."""


def add_job(state: ApiState, user: User, job: NewJob) -> UUID:
    params = {"description": job.description, "auto_cleared": job.auto_cleared}
    return UUID(_done(state, "AddExternalJob", params, user, job.correlation_id))


def end_job(state: ApiState, user: User, job_id: UUID, succeeded: bool, force: bool) -> None:
    params = {"job_id": str(job_id), "succeeded": succeeded, "force": force}
    _done(state, "EndExternalJob", params, user)


def clear_job(state: ApiState, user: User, job_id: UUID) -> None:
    _done(state, "ClearExternalJob", {"job_id": str(job_id)}, user)


def add_step(state: ApiState, user: User, step: NewStep) -> UUID:
    params = {
        "parent_id": str(step.parent_step_id or step.job_id),
        "description": step.description,
        "step_type": step.step_type,
    }
    return UUID(_done(state, "AddExternalStep", params, user))


def end_step(state: ApiState, user: User, step_id: UUID, succeeded: bool) -> None:
    _done(state, "EndExternalStep", {"step_id": str(step_id), "succeeded": succeeded}, user)


def _done(
    state: ApiState,
    action: str,
    params: dict[str, Any],
    user: User,
    correlation_id: str | None = None,
) -> Any:
    """The action's own result, once executed and shown by the read model."""
    returned = commands.run(state.runtime, action, params, user, correlation_id)
    assert returned.command_id is not None, "a valid command has an id"
    commands.wait_until_executed(state.runtime, returned.command_id, state.settings.sync_timeout)
    return returned.action_return_value
