"""What happens after ``execute`` returns or throws (oVirt's executeWithoutTransaction)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

from domain.async_task.aggregate import AsyncTask
from domain.async_task.machine import AsyncTaskResult, AsyncTaskState, AsyncTaskStatus
from domain.command.aggregate import Command
from domain.command.machine import CommandStatus
from domain.framework.compensation import compensate
from domain.framework.ending import close_root
from domain.framework.execution import task_id_for
from domain.framework.job_tracking import end_step
from domain.framework.messages import Msg
from domain.framework.unit_of_work import UnitOfWork
from domain.job.aggregate import Job
from domain.step.aggregate import Step

if TYPE_CHECKING:
    from domain.events import Cause
    from domain.framework.command_base import CommandBase
    from domain.framework.engine import Engine
    from domain.framework.engine_ports import EngineNotice


def executed(engine: Engine, command_id: UUID, result: Any) -> None:
    """execute returned: compensation data is dropped; a synchronous command ends here."""
    uow = UnitOfWork(engine.ports.store)
    command = uow.get(Command, command_id)
    handler = engine.handler_for(command)
    cause = engine.ports.cause_for(command, command_id)
    command.mark_executed(cause)
    if command.snapshots:
        command.clear_snapshots(cause)
    if not handler.has_callback and handler.storage_tasks == 0:
        command.end_synchronously(cause)
        if command.is_root:
            job = uow.get(Job, command.job_id) if command.job_id else None
            close_root(uow, cause, job, command, handler.lock_requests())
    uow.commit()


def execution_failed(engine: Engine, command_id: UUID, error: Exception) -> None:
    """execute threw: what it changed is compensated and the failure recorded, never lost."""
    uow = UnitOfWork(engine.ports.store)
    command = uow.get(Command, command_id)
    handler = engine.handler_for(command)
    cause = engine.ports.cause_for(command, command_id)
    messages = [Msg.ENGINE.value, f"{type(error).__name__}: {error}"]
    notices: list[EngineNotice] = []
    if command.state is CommandStatus.NOT_STARTED:
        command.fail(cause, messages)
    elif command.snapshots:
        compensate(uow, command, cause)
    _abandon_unsubmitted_tasks(uow, command, handler.storage_tasks, cause)
    if handler.has_callback:
        if command.state is CommandStatus.ACTIVE:
            command.fail_execution(cause, messages)
    else:
        notices = _end_with_failure_hook(uow, command, cause, handler, messages)
        command.end_with_failure(cause, messages)
        if command.is_root:
            job = uow.get(Job, command.job_id) if command.job_id else None
            close_root(uow, cause, job, command, handler.lock_requests())
    uow.commit()
    for notice in notices:
        engine.ports.notify(notice)


def _end_with_failure_hook(
    uow: UnitOfWork, command: Command, cause: Cause, handler: CommandBase[Any], messages: list[str]
) -> list[EngineNotice]:
    """A command with no callback has no later end action: its failure end runs now.

    If that throws too, the failure is still recorded (with both errors): a command must
    never stay ACTIVE because its clean-up failed.
    """
    try:
        return handler.end_with_failure(uow, command, cause)
    except Exception as error:  # noqa: BLE001 - kept in the command's messages
        messages.append(f"{Msg.END_ACTION_FAILED}: {type(error).__name__}: {error}")
        return []


def _abandon_unsubmitted_tasks(uow: UnitOfWork, command: Command, count: int, cause: Cause) -> None:
    """Tasks recorded but never accepted by the SPM end failed and are cleared at once."""
    for index in range(count):
        task = uow.find(AsyncTask, task_id_for(command.id, index))
        if task is None or task.state is not AsyncTaskState.INITIALIZING:
            continue
        task.end(
            cause,
            AsyncTaskStatus.UNKNOWN,
            AsyncTaskResult.FAILURE,
            error="never submitted to the SPM",
        )
        task.clear(cause)
        if task.step_id is not None:
            end_step(uow.get(Step, task.step_id), cause, False, "storage task never submitted")
