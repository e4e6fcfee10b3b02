"""End actions: a command that has SUCCEEDED or FAILED runs its end method and is ENDED_*.

Settling (SUCCEEDED/FAILED) and ending are recorded together when the end method works; when
it throws, what it changed is undone, the settled status is kept with the failed attempt, and
the end is tried again on the next evaluation, a bounded number of times (oVirt's end methods
retried forever, BZ 1451413, is what we must not do).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from domain.model.command.aggregate import Command
from domain.model.command.machine import CommandStatus
from domain.model.errors import RetryableError
from domain.model.job.aggregate import Job
from domain.model.job.machine import JobExecutionStatus
from domain.model.step.aggregate import Step
from domain.model.step.machine import StepEnum
from domain.services.job_tracking import add_step, end_job, end_step
from domain.services.locks import LockRequest, release_all
from domain.services.messages import Msg

if TYPE_CHECKING:
    from uuid import UUID

    from domain.model.events import Cause
    from domain.services.ports import Ports, UnitOfWork

Settle = Callable[["UnitOfWork", Command, "Cause"], None]


def settle_and_end(ports: Ports, uow: UnitOfWork, command_id: UUID, settle: Settle) -> bool:
    """Settles the command with ``settle`` and runs its end action; True once it has ended."""
    command = uow.get(Command, command_id)
    if command.state.is_ended:
        return True
    cause = ports.cause_for(command, command.id)
    try:
        with uow.savepoint():
            settle(uow, command, cause)
            end_command(ports, uow, command, cause, run_hooks=True)
    except RetryableError:
        raise
    except Exception as error:  # noqa: BLE001 - recorded on the command, never lost
        return _record_failed_attempt(ports, uow, command, settle, error)
    return True


def _record_failed_attempt(
    ports: Ports, uow: UnitOfWork, command: Command, settle: Settle, error: Exception
) -> bool:
    cause = ports.cause_for(command, command.id)
    settle(uow, command, cause)
    command.record_end_attempt_failure(cause, f"{type(error).__name__}: {error}")
    if command.end_attempt_failures <= ports.settings.end_action_max_retries:
        return False
    if command.state is CommandStatus.SUCCEEDED:
        command.fail(cause, (Msg.END_ACTION_FAILED.value, str(error)))
    end_command(ports, uow, command, cause, run_hooks=False)
    return True


def keep_status(uow: UnitOfWork, command: Command, cause: Cause) -> None:
    """For commands already SUCCEEDED or FAILED: nothing to settle, only the end to run."""


def end_command(
    ports: Ports, uow: UnitOfWork, command: Command, cause: Cause, *, run_hooks: bool = True
) -> None:
    """The end action of a SUCCEEDED or FAILED command, recorded in ``uow``."""
    handler = ports.registry.handler_for(command)
    succeeded = command.state is CommandStatus.SUCCEEDED
    job = uow.get(Job, command.job_id) if command.job_id else None
    finalizing = _start_finalizing(
        uow, cause, job, command, wanted=handler.finalizing_step, succeeded=succeeded
    )
    if run_hooks:
        end = handler.end_successfully if succeeded else handler.end_with_failure
        uow.announce(*end(uow, command, cause))
    if succeeded:
        command.end_successfully(cause)
    else:
        command.end_with_failure(cause, command.messages)
    if finalizing is not None:
        finalizing.finish(cause)
    if command.is_root:
        close_root(uow, cause, job, command, handler.lock_requests())


def _start_finalizing(
    uow: UnitOfWork,
    cause: Cause,
    job: Job | None,
    command: Command,
    *,
    wanted: bool,
    succeeded: bool,
) -> Step | None:
    """oVirt's handleStepsOnEnd: FINALIZING starts, and for a root it ends EXECUTING.

    A failed root leaves EXECUTING to ``end_job``, which blames the step that failed first.
    """
    if job is None or job.state is not JobExecutionStatus.STARTED:
        return None
    if not (wanted or command.is_root):
        return None
    if command.is_root and command.step_id is not None and succeeded:
        end_step(uow.get(Step, command.step_id), cause, succeeded=True)
    parent = None if command.is_root else command.step_id
    description = f"Finalizing {command.action_type}"
    return add_step(uow, cause, job, StepEnum.FINALIZING, description, parent_step_id=parent)


def close_root(
    uow: UnitOfWork, cause: Cause, job: Job | None, command: Command, locks: list[LockRequest]
) -> None:
    """The root command has ended: its job and steps end with it and its locks are freed."""
    succeeded = command.state is CommandStatus.ENDED_SUCCESSFULLY
    if job is not None and job.state is JobExecutionStatus.STARTED:
        end_job(uow, cause, job, succeeded, "; ".join(command.messages) or "failed")
    release_all(uow, cause, command.id, locks)
