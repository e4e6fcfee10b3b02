"""Running an action for an API caller, as oVirt's REST layer runs one for its users.

An action naming something that does not exist is answered 404 and records nothing (checked
first without recording); any other refusal is recorded, as the engine records every refusal,
and answered 409 with its messages. A caller that does not ask for ``async`` waits until an
engine has executed the command and the read model shows it, as oVirt's synchronous calls
return once execution is done (storage tasks may still run).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any
from uuid import UUID

from tasktrail.domain.model.command.aggregate import Command
from tasktrail.domain.model.command.machine import CommandStatus
from tasktrail.domain.services.messages import Msg
from tasktrail.domain.services.return_value import ActionReturnValue
from tasktrail.runners.api.errors import RefusedError, TryAgainError, UnknownIdError
from tasktrail.runners.bootstrap import Runtime
from tasktrail.runners.users import User

_UNKNOWN_IDS = {
    Msg.VM_NOT_FOUND,
    Msg.STORAGE_POOL_NOT_FOUND,
    Msg.DISK_NOT_FOUND,
    Msg.NO_JOB,
    Msg.NO_STEP,
    Msg.NO_PARENT,
}
_WAIT_STEP = 0.02


def run(
    runtime: Runtime,
    action: str,
    params: Mapping[str, Any],
    user: User,
    correlation_id: str | None,
) -> ActionReturnValue:
    """Validates and records the command; raises UnknownIdError or RefusedError if refused."""
    engine = runtime.engine
    checked = engine.check(action, params, user=user.name, correlation_id=correlation_id)
    unknown = [m for m in checked.validation_messages if m in _UNKNOWN_IDS]
    if unknown:
        raise UnknownIdError(f"{action}: {', '.join(unknown)} ({_named_ids(params)})")
    returned = engine.run_action(action, params, user=user.name, correlation_id=correlation_id)
    if not returned.valid:
        raise RefusedError(f"[{', '.join(returned.validation_messages)}]", returned.command_id)
    return returned


def _named_ids(params: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in params.items() if k.endswith("_id"))


def wait_until_executed(runtime: Runtime, command_id: UUID, timeout: float) -> None:
    """Returns once an engine has executed the command and the read model shows it, so that
    what the caller reads next includes it; RefusedError if it ended in failure."""
    deadline = time.monotonic() + timeout
    while not _executed(runtime.store.load(Command, command_id)):
        _pause(deadline, f"command {command_id} is recorded, but no engine executed it")
    seen = runtime.store.head()
    while runtime.read_model.position() < seen:
        _pause(deadline, f"command {command_id} ran, but the read model is behind")


def _executed(command: Command) -> bool:
    if command.state is CommandStatus.ENDED_WITH_FAILURE:
        raise RefusedError(f"[{', '.join(command.messages)}]")
    return command.executed or command.state is CommandStatus.ENDED_SUCCESSFULLY


def _pause(deadline: float, waiting: str) -> None:
    if time.monotonic() > deadline:
        raise TryAgainError(
            f"{waiting} in time; it goes on when an engine serves the database "
            "(tasktrail serve, or tasktrail api --engine)"
        )
    time.sleep(_WAIT_STEP)
