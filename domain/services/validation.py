"""Running an action up to execution (oVirt's Backend.runAction and internalValidate).

Validation happens in the caller and is recorded at once: a valid command is saved
NOT_STARTED with its locks taken, for an engine to execute; a refused one is saved ended with
its messages, so history holds every request. Nothing else happens until an engine acts.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from enum import StrEnum
from typing import Any
from uuid import UUID, uuid4

from domain.model.command.aggregate import Command
from domain.model.errors import TasktrailError
from domain.model.events import Cause
from domain.services.command_base import ActionParameters, CommandBase
from domain.services.locks import acquire_all, conflicts, release_all
from domain.services.messages import Msg
from domain.services.ports import Ports, UnitOfWork
from domain.services.return_value import ActionReturnValue

Params = Mapping[str, Any] | ActionParameters

CORRELATION_ID = re.compile(r"^[\w-]{1,50}$", re.ASCII)
"""oVirt's rule (ValidationUtils): at most 50 letters, digits, ``_`` and ``-``."""
USER_NAME_LIMIT = 255
"""The longest user name tasktrail records."""


class InternalActionError(TasktrailError):
    """An action that only a parent command may run (oVirt's runInternalAction)."""


class BadRequestError(TasktrailError):
    """A request field no command could be recorded with (a malformed correlation id, …)."""


def validate_action(
    ports: Ports,
    uow: UnitOfWork,
    action_type: StrEnum | str,
    params: Params,
    *,
    user: str,
    correlation_id: str | None = None,
) -> ActionReturnValue:
    """Validation and lock acquisition, recorded in ``uow``; nothing executes yet."""
    cls = ports.registry.command_class(action_type)
    if cls.internal:
        raise InternalActionError(
            f"{cls.action_type} is run only by its parent command, never on its own"
        )
    _check_request(user, correlation_id)
    handler = cls(cls.parse(params))
    cause = Cause.of(ports.clock, user_id=user, correlation_id=correlation_id or uuid4().hex)
    return _validate(uow, handler, cause)


def _check_request(user: str, correlation_id: str | None) -> None:
    if not 0 < len(user) <= USER_NAME_LIMIT:
        raise BadRequestError(f"user name must be 1 to {USER_NAME_LIMIT} characters")
    if correlation_id is not None and not CORRELATION_ID.match(correlation_id):
        raise BadRequestError(
            f"{Msg.CORRELATION_ID_INVALID}: correlation id {correlation_id[:60]!r} must be at "
            "most 50 letters, digits, '_' or '-'"
        )


def _validate(uow: UnitOfWork, handler: CommandBase[Any], cause: Cause) -> ActionReturnValue:
    """oVirt's internalValidate order: locks are checked first, then validate()."""
    command_id = uuid4()
    locks = handler.lock_requests()
    messages = conflicts(uow, locks) or handler.validate(uow)
    if not messages:
        acquire_all(uow, cause.because_of(command_id), command_id, locks)
    command = Command(
        cause,
        id=command_id,
        action_type=str(handler.action_type),
        parameters=handler.params.model_dump(mode="json"),
        job_id=None if messages else uuid4(),
        has_callback=handler.has_callback,
    )
    uow.add(command)
    if messages:
        command.fail_validation(cause, tuple(messages))
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
    release_all(uow, cause, command_id, ports.registry.handler_for(command).lock_requests())
