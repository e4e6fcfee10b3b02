"""What happens after ``execute`` returns or throws (oVirt's executeWithoutTransaction).

The command is ``executed`` when execute returned, succeeded or not. Success drops the
compensation data; failure (an exception, or execute saying it did not succeed) applies it.
A command with nothing asynchronous (no callback, no storage task) ends here; one with a
callback that failed is EXECUTION_FAILED, and its callback settles it. Locks of execution
scope are freed here, as are all locks of a command that failed or has nothing to wait for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

from tasktrail.domain.model.command.aggregate import Command
from tasktrail.domain.model.errors import RetryableError
from tasktrail.domain.model.job.aggregate import Job
from tasktrail.domain.services.command_base import LockScope, Phase
from tasktrail.domain.services.compensation import compensate
from tasktrail.domain.services.ending import close_root
from tasktrail.domain.services.locks import release_all
from tasktrail.domain.services.messages import Msg
from tasktrail.domain.services.races import raise_if_raced

if TYPE_CHECKING:
    from tasktrail.domain.model.events import AuditNote, Cause
    from tasktrail.domain.services.command_base import CommandBase
    from tasktrail.domain.services.ports import Ports, UnitOfWork


def executed(
    ports: Ports, uow: UnitOfWork, command_id: UUID, result: Any, *, succeeded: bool
) -> None:
    """execute returned; ``succeeded`` false is oVirt's setSucceeded(false)."""
    command = uow.get(Command, command_id)
    handler = ports.registry.handler_for(command)
    cause = ports.cause_for(command, command_id)
    command.mark_executed(cause, succeeded, result, _audit(uow, handler, succeeded, result))
    if not succeeded:
        _failed(uow, command, handler, cause, messages=[Msg.ENGINE.value])
        return
    if command.snapshots:
        command.clear_snapshots(cause)
    if _waits(handler):
        _free_locks(uow, handler, command, cause, at_end=False)
        return
    command.end_synchronously(cause)
    _close(uow, handler, command, cause)


def execution_failed(ports: Ports, uow: UnitOfWork, command_id: UUID, error: Exception) -> None:
    """execute threw: compensation puts back what it changed; the failure is recorded."""
    command = uow.get(Command, command_id)
    handler = ports.registry.handler_for(command)
    cause = ports.cause_for(command, command_id)
    messages = [Msg.ENGINE.value, f"{type(error).__name__}: {error}"]
    _failed(uow, command, handler, cause, messages=messages, audit=_audit(uow, handler, False))


def _failed(
    uow: UnitOfWork,
    command: Command,
    handler: CommandBase[Any],
    cause: Cause,
    *,
    messages: list[str],
    audit: AuditNote | None = None,
) -> None:
    compensate(uow, command, cause)
    if handler.has_callback:
        command.fail_execution(cause, tuple(messages), audit)
        _free_locks(uow, handler, command, cause, at_end=True)
        return
    _end_with_failure_hook(uow, command, cause, handler, messages)
    command.end_with_failure(cause, tuple(messages), audit)
    _close(uow, handler, command, cause)


def _waits(handler: CommandBase[Any]) -> bool:
    """Something asynchronous will end it: a callback, or storage tasks it recorded."""
    return handler.has_callback or handler.storage_tasks > 0


def _close(uow: UnitOfWork, handler: CommandBase[Any], command: Command, cause: Cause) -> None:
    if command.is_root:
        job = uow.get(Job, command.job_id) if command.job_id else None
        close_root(uow, cause, job, command, handler.locks())
    else:
        _free_locks(uow, handler, command, cause, at_end=True)


def _free_locks(
    uow: UnitOfWork, handler: CommandBase[Any], command: Command, cause: Cause, *, at_end: bool
) -> None:
    """freeLockExecute: execution-scoped locks go now; all of them when nothing waits."""
    if at_end or handler.lock_scope is LockScope.EXECUTION:
        release_all(uow, cause, command.id, handler.locks())


def _audit(
    uow: UnitOfWork, handler: CommandBase[Any], succeeded: bool, result: Any = None
) -> AuditNote | None:
    """Internal commands never log by themselves (oVirt's @InternalCommandAttribute)."""
    if handler.internal:
        return None
    return handler.audit(uow, Phase.EXECUTE, succeeded, result)


def _end_with_failure_hook(
    uow: UnitOfWork, command: Command, cause: Cause, handler: CommandBase[Any], messages: list[str]
) -> None:
    """A command with nothing asynchronous has no later end action: its failure end runs now.

    If that throws too, the failure is still recorded (with both errors): a command must
    never stay ACTIVE because its clean-up failed.
    """
    try:
        with uow.savepoint():
            handler.end_with_failure(uow, command, cause)
    except RetryableError:
        raise
    except Exception as error:  # noqa: BLE001 - kept in the command's messages
        raise_if_raced(uow)
        messages.append(f"{Msg.END_ACTION_FAILED}: {type(error).__name__}: {error}")
