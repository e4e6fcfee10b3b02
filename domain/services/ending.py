"""End actions: a command that has SUCCEEDED or FAILED runs its end method and is ENDED_*.

Settling (SUCCEEDED/FAILED) and ending are recorded together when the end method works; when
it throws, what it changed is undone, the settled status is kept with the failed attempt, and
the end is tried again on the next evaluation, a bounded number of times (oVirt's end methods
retried forever, BZ 1451413, is what we must not do).

Steps as oVirt's ExecutionHandler places them: a root's end marks its EXECUTING step FINISHED
(whatever the outcome) and starts a FINALIZING job step, which the job's end closes with the
job's status; a command with a step of its own (a storage task's, e.g. RemoveImage's
DELETE_IMAGE) finalizes under that step and marks it with the command's outcome.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from tasktrail.domain.model.async_task.aggregate import AsyncTask
from tasktrail.domain.model.command.aggregate import Command
from tasktrail.domain.model.command.machine import CommandStatus
from tasktrail.domain.model.errors import RetryableError
from tasktrail.domain.model.job.aggregate import Job
from tasktrail.domain.model.job.machine import JobExecutionStatus
from tasktrail.domain.model.step.aggregate import Step
from tasktrail.domain.model.step.machine import StepEnum
from tasktrail.domain.services.command_base import EndProcedure, Phase
from tasktrail.domain.services.ids import task_id_for
from tasktrail.domain.services.job_tracking import add_step, end_job, end_step
from tasktrail.domain.services.locks import LockRequest, release_all
from tasktrail.domain.services.messages import Msg
from tasktrail.domain.services.races import raise_if_raced

if TYPE_CHECKING:
    from uuid import UUID

    from tasktrail.domain.model.events import AuditNote, Cause
    from tasktrail.domain.services.ports import Ports, UnitOfWork

Settle = Callable[["UnitOfWork", Command, "Cause"], None]
_SETTLED = (CommandStatus.SUCCEEDED, CommandStatus.FAILED)


def settle_and_end(ports: Ports, uow: UnitOfWork, command_id: UUID, settle: Settle) -> bool:
    """Settles the command with ``settle`` and runs its end action; True once it has ended.

    A child whose end its parent runs (PARENT_MANAGED) is only settled here.
    """
    command = uow.get(Command, command_id)
    if command.state.is_ended:
        return True
    cause = ports.cause_for(command, command.id)
    try:
        with uow.savepoint():
            settle(uow, command, cause)
            if not runs_own_end(ports, command):
                return False
            end_command(ports, uow, command, cause, run_hooks=True)
    except RetryableError:
        raise
    except Exception as error:  # noqa: BLE001 - recorded on the command, never lost
        raise_if_raced(uow)
        return _record_failed_attempt(ports, uow, command, settle, error)
    return True


def runs_own_end(ports: Ports, command: Command) -> bool:
    """oVirt's shouldExecuteEndMethod: a root, or a COMMAND_MANAGED child."""
    handler = ports.registry.handler_for(command)
    return command.is_root or handler.end_procedure is EndProcedure.COMMAND_MANAGED


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
    finalizing = _start_finalizing(uow, cause, job, command, handler.finalizing_step)
    if run_hooks:
        end = handler.end_successfully if succeeded else handler.end_with_failure
        end(uow, command, cause)
    audit = handler.audit(uow, Phase.END_SUCCESS if succeeded else Phase.END_FAILURE, succeeded)
    _end(command, cause, succeeded, audit if run_hooks else None)
    _end_children(ports, uow, command, cause)
    if finalizing is not None:
        _end_finalizing(uow, cause, finalizing, succeeded)
    if command.is_root:
        close_root(uow, cause, job, command, handler.locks())


def _end(command: Command, cause: Cause, succeeded: bool, audit: AuditNote | None) -> None:
    if succeeded:
        command.end_successfully(cause, audit)
    else:
        command.end_with_failure(cause, command.messages, audit)


def _end_children(ports: Ports, uow: UnitOfWork, command: Command, cause: Cause) -> None:
    """The children whose end is their parent's (PARENT_MANAGED) end with it."""
    for child_id in command.child_ids:
        child = uow.get(Command, child_id)
        if child.state in _SETTLED and not runs_own_end(ports, child):
            acting = ports.cause_for(child, child.id)
            _end(child, acting, child.state is CommandStatus.SUCCEEDED, None)


def _start_finalizing(
    uow: UnitOfWork, cause: Cause, job: Job | None, command: Command, wanted: bool
) -> Step | None:
    """oVirt's handleStepsOnEnd: a root's FINALIZING job step, or a sub-step of its own."""
    if job is None or job.state is not JobExecutionStatus.STARTED:
        return None
    if command.is_root:
        if command.step_id is not None:
            end_step(uow.get(Step, command.step_id), cause, succeeded=True)
        return add_step(uow, cause, job, StepEnum.FINALIZING, "Finalizing")
    own = _own_step(uow, command) if wanted else None
    if own is None:
        return None
    return add_step(uow, cause, job, StepEnum.FINALIZING, "Finalizing", parent_step_id=own.id)


def _own_step(uow: UnitOfWork, command: Command) -> Step | None:
    """A task-driven command's context step: the step of its storage task."""
    task = uow.find(AsyncTask, task_id_for(command.id, 0))
    return uow.get(Step, task.step_id) if task is not None and task.step_id else None


def _end_finalizing(uow: UnitOfWork, cause: Cause, finalizing: Step, succeeded: bool) -> None:
    """endFinalizingStepAndCurrentStep: a root's FINALIZING waits for the job's end; a
    sub-step ends at once and marks its parent step with the outcome."""
    if finalizing.parent_step_id is None:
        return
    end_step(finalizing, cause, succeeded=True)
    parent = uow.get(Step, finalizing.parent_step_id)
    if parent.state is JobExecutionStatus.STARTED:
        end_step(parent, cause, succeeded)


def close_root(
    uow: UnitOfWork, cause: Cause, job: Job | None, command: Command, locks: list[LockRequest]
) -> None:
    """The root command has ended: its job and steps end with it and its locks are freed."""
    succeeded = command.state is CommandStatus.ENDED_SUCCESSFULLY
    if job is not None and job.state is JobExecutionStatus.STARTED:
        end_job(uow, cause, job, succeeded, "; ".join(command.messages) or "failed")
    release_all(uow, cause, command.id, locks)
