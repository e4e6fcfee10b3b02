"""What happens after ``execute`` returns or throws (oVirt's executeWithoutTransaction)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

from domain.model.command.aggregate import Command
from domain.model.errors import RetryableError
from domain.model.job.aggregate import Job
from domain.services.ending import close_root
from domain.services.messages import Msg

if TYPE_CHECKING:
    from domain.model.events import Cause
    from domain.services.command_base import CommandBase
    from domain.services.ports import EngineNotice, Ports, UnitOfWork


def executed(ports: Ports, uow: UnitOfWork, command_id: UUID, result: Any) -> None:
    """execute returned: compensation data is dropped; a synchronous command ends here."""
    command = uow.get(Command, command_id)
    handler = ports.registry.handler_for(command)
    cause = ports.cause_for(command, command_id)
    command.mark_executed(cause)
    if command.snapshots:
        command.clear_snapshots(cause)
    if not handler.has_callback and handler.storage_tasks == 0:
        command.end_synchronously(cause)
        if command.is_root:
            job = uow.get(Job, command.job_id) if command.job_id else None
            close_root(uow, cause, job, command, handler.lock_requests())


def execution_failed(ports: Ports, uow: UnitOfWork, command_id: UUID, error: Exception) -> None:
    """execute threw (what it changed is already undone): the failure is recorded, never lost."""
    command = uow.get(Command, command_id)
    handler = ports.registry.handler_for(command)
    cause = ports.cause_for(command, command_id)
    messages = [Msg.ENGINE.value, f"{type(error).__name__}: {error}"]
    if handler.has_callback:
        command.fail_execution(cause, tuple(messages))
        return
    notices = _end_with_failure_hook(uow, command, cause, handler, messages)
    command.end_with_failure(cause, tuple(messages))
    if command.is_root:
        job = uow.get(Job, command.job_id) if command.job_id else None
        close_root(uow, cause, job, command, handler.lock_requests())
    uow.announce(*notices)


def _end_with_failure_hook(
    uow: UnitOfWork, command: Command, cause: Cause, handler: CommandBase[Any], messages: list[str]
) -> list[EngineNotice]:
    """A command with no callback has no later end action: its failure end runs now.

    If that throws too, the failure is still recorded (with both errors): a command must
    never stay ACTIVE because its clean-up failed.
    """
    try:
        with uow.savepoint():
            return handler.end_with_failure(uow, command, cause)
    except RetryableError:
        raise
    except Exception as error:  # noqa: BLE001 - kept in the command's messages
        messages.append(f"{Msg.END_ACTION_FAILED}: {type(error).__name__}: {error}")
        return []
