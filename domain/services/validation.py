"""Running an action up to execution (oVirt's Backend.runAction and internalValidate).

As in oVirt, a monitored action run by a user gets its job before validation: the job starts
with a VALIDATING step, which validation then finishes or fails (failing the job with it).
Locks are checked before ``validate()``. A valid command is saved NOT_STARTED with its locks
taken, for an engine to execute; a refused one is saved ended with oVirt's message list, so
history holds every request. A malformed correlation id records nothing at all.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from enum import Enum, StrEnum
from typing import Any
from uuid import UUID, uuid4

from tasktrail.domain.model.command.aggregate import Command
from tasktrail.domain.model.errors import TasktrailError
from tasktrail.domain.model.events import Cause
from tasktrail.domain.model.job.aggregate import Job
from tasktrail.domain.model.step.aggregate import Step
from tasktrail.domain.services.command_base import ActionParameters, CommandBase
from tasktrail.domain.services.job_tracking import end_job, end_step, start_job
from tasktrail.domain.services.locks import acquire_all, conflicts, release_all
from tasktrail.domain.services.messages import Msg, variable
from tasktrail.domain.services.ports import Lookups, Ports, UnitOfWork
from tasktrail.domain.services.return_value import ActionReturnValue

Params = Mapping[str, Any] | ActionParameters

CORRELATION_ID = re.compile(r"[0-9a-zA-Z_-]{1,50}", re.ASCII)
"""oVirt's rule on ActionParametersBase.correlationId: NO_SPECIAL_CHARACTERS, size 1 to 50."""
USER_NAME_LIMIT = 128
"""The longest user name tasktrail records: every event carries it, and the read model's event
index keeps it in a column this wide (projections/tt_tables.py uses this very limit)."""


class JobStart(Enum):
    """When a monitored action's job starts."""

    BEFORE_VALIDATION = "before"
    """Backend.runAction: a refused command leaves a FAILED job behind."""
    AFTER_VALIDATION = "after"
    """runMultipleActions: only a valid command gets a job, as it is about to run."""
    NEVER = "never"
    """A command validated only to be abandoned (run_only_if_all_valid)."""


class InternalActionError(TasktrailError):
    """An action that only a parent command may run (oVirt's runInternalAction)."""


class BadRequestError(TasktrailError):
    """A request no command could be recorded for (a user name out of bounds, …)."""


def validate_action(
    ports: Ports,
    uow: UnitOfWork,
    action_type: StrEnum | str,
    params: Params,
    *,
    user: str,
    correlation_id: str | None = None,
    job_start: JobStart = JobStart.BEFORE_VALIDATION,
) -> ActionReturnValue:
    """Validation and lock acquisition, recorded in ``uow``; nothing executes yet."""
    cls = ports.registry.command_class(action_type)
    if cls.internal:
        raise InternalActionError(
            f"{cls.action_type} is run only by its parent command, never on its own"
        )
    if not 0 < len(user) <= USER_NAME_LIMIT:
        raise BadRequestError(f"user name must be 1 to {USER_NAME_LIMIT} characters")
    handler = cls(cls.parse(params))
    if correlation_id and not CORRELATION_ID.fullmatch(correlation_id):
        return _bad_correlation_id(correlation_id)
    cause = Cause.of(
        ports.clock,
        user_id=user,
        correlation_id=correlation_id or uuid4().hex,
        causation_id=handler.caused_by(),
    )
    return _validate(uow, handler, cause, ports.lookups, job_start)


def _bad_correlation_id(correlation_id: str) -> ActionReturnValue:
    """ExecutionHandler.evaluateCorrelationId's answer: refused before any job or command."""
    return ActionReturnValue(
        valid=False,
        validation_messages=[
            Msg.CORRELATION_ID_INVALID.value,
            variable("regexp", "[0-9a-zA-Z_-]+"),
            Msg.ATTRIBUTE_PATH.value,
            variable("path", "correlationId"),
            variable("validatedValue", correlation_id[:60]),
        ],
    )


def _validate(
    uow: UnitOfWork,
    handler: CommandBase[Any],
    cause: Cause,
    lookups: Lookups,
    job_start: JobStart,
) -> ActionReturnValue:
    """oVirt's executeAction up to execute: job and VALIDATING, locks, validate(), outcome."""
    command_id = uuid4()
    acting = cause.because_of(command_id)
    monitored = handler.monitored
    first = monitored and job_start is JobStart.BEFORE_VALIDATION
    job = start_job(uow, handler, acting, uuid4()) if first else None
    locks = handler.locks()
    messages = conflicts(uow, locks) or handler.validate(uow, lookups)
    if messages:
        messages = [*handler.action_vars, *messages]
    else:
        acquire_all(uow, acting, command_id, locks)
        if monitored and job_start is JobStart.AFTER_VALIDATION:
            job = start_job(uow, handler, acting, uuid4())
    command = Command(
        cause,
        id=command_id,
        action_type=str(handler.action_type),
        parameters=handler.params.model_dump(mode="json"),
        job_id=job.id if job else None,
        has_callback=handler.has_callback,
    )
    uow.add(command)
    if job is not None:
        _end_validating(uow, acting, job, messages)
    if messages:
        command.fail_validation(cause, tuple(messages))
    return _returned(command, handler, messages, cause)


def _end_validating(uow: UnitOfWork, cause: Cause, job: Job, messages: list[str]) -> None:
    """A failed validation fails the job and its STARTED steps (ExecutionHandler.endStep)."""
    validating = uow.get(Step, job.step_ids[0])
    if not messages:
        end_step(validating, cause, succeeded=True)
        return
    end_step(validating, cause, succeeded=False, reason=", ".join(messages))
    end_job(uow, cause, job, succeeded=False, reason=", ".join(messages))


def _returned(
    command: Command, handler: CommandBase[Any], messages: list[str], cause: Cause
) -> ActionReturnValue:
    return ActionReturnValue(
        valid=not messages,
        action_return_value=None if messages else handler.planned_result(),
        validation_messages=list(messages),
        job_id=command.job_id,
        command_id=command.id,
        correlation_id=cause.correlation_id,
    )


def abandon(ports: Ports, uow: UnitOfWork, command_id: UUID) -> None:
    """A validated command that will not run (run_only_if_all_valid): its locks go."""
    command = uow.get(Command, command_id)
    cause = ports.cause_for(command, command_id)
    command.fail_validation(cause, (Msg.NOT_ALL_COMMANDS_VALID.value,))
    release_all(uow, cause, command_id, ports.registry.handler_for(command).locks())
    if command.job_id is not None:
        end_job(uow, cause, uow.get(Job, command.job_id), False, Msg.NOT_ALL_COMMANDS_VALID)
