"""The AsyncTaskManager's logic: submit tasks, record what polls report, end, clear.

The storage side cannot push, so the engine asks each pool's SPM for all its tasks' statuses
and hands the answer here. Only tasks whose report differs from what is recorded are loaded
(``changed``), so a poll of a pool whose tasks all still run costs no aggregate at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING
from uuid import UUID

from tasktrail.domain.model.async_task.aggregate import AsyncTask
from tasktrail.domain.model.async_task.machine import (
    AsyncTaskResult,
    AsyncTaskState,
    AsyncTaskStatus,
)
from tasktrail.domain.model.command.aggregate import Command
from tasktrail.domain.model.command.machine import CommandStatus
from tasktrail.domain.model.step.aggregate import Step
from tasktrail.domain.services import orphans
from tasktrail.domain.services.ending import settle_and_end
from tasktrail.domain.services.ids import task_id_for
from tasktrail.domain.services.job_tracking import end_step
from tasktrail.domain.services.messages import Msg
from tasktrail.domain.services.ports import TASK_NOT_FOUND, StorageError, TaskReport

if TYPE_CHECKING:
    from tasktrail.domain.model.events import Cause
    from tasktrail.domain.services.ports import Ports, UnitOfWork

_TO_CLEAR = (
    AsyncTaskState.ENDED,
    AsyncTaskState.ATTEMPTING_END_ACTION,
    AsyncTaskState.CLEAR_FAILED,
)


@dataclass(frozen=True)
class PolledTask:
    """What the engine knows of a task it polls, without loading it (an async_tasks row)."""

    task_id: UUID
    vdsm_task_id: str
    status: AsyncTaskStatus
    result: AsyncTaskResult
    started_at: datetime
    status_since: datetime


def changed(
    ports: Ports, tasks: list[PolledTask], reports: dict[str, TaskReport], now: datetime
) -> list[UUID]:
    """The tasks a poll has news of: a new status or result, a disappearance, or age."""
    limits = ports.settings
    found = []
    for task in tasks:
        report = reports.get(task.vdsm_task_id)
        if report is None:
            news = True
        elif report.status.is_running:
            too_old = (now - task.started_at).total_seconds() > limits.zombie_task_limit
            news = too_old or (report.status, report.result) != (task.status, task.result)
        else:
            news = True
        if news:
            found.append(task.task_id)
    return found


def record_report(ports: Ports, uow: UnitOfWork, task_id: UUID, report: TaskReport | None) -> bool:
    """One task's news from a poll; True when the task has now ended."""
    task = uow.get(AsyncTask, task_id)
    if task.state is not AsyncTaskState.POLLING or orphans.give_way(ports, uow, task):
        return False
    cause = ports.cause_for(task, task.command_id)
    if report is None:
        return _missing(ports, uow, task, cause)
    if not report.status.is_running:
        _end(uow, task, cause, report, zombie=False)
        return True
    if _is_zombie(ports, task, cause):
        try:
            ports.storage.stop_task(task.storage_pool_id, task.vdsm_task_id)
        except StorageError:
            return False  # the SPM would not stop it now; the next poll asks again
        _end(uow, task, cause, report.model_copy(update={"message": "zombie task stopped"}), True)
        return True
    if (report.status, report.result) != (task.status, task.result):
        task.record_status(cause, report.status, report.result)
    return False


def _is_zombie(ports: Ports, task: AsyncTask, cause: Cause) -> bool:
    age = (cause.now() - task.created_on).total_seconds()
    return age > ports.settings.zombie_task_limit


def _missing(ports: Ports, uow: UnitOfWork, task: AsyncTask, cause: Cause) -> bool:
    """A task the SPM no longer reports is ``unknown`` and ends failed on that very poll
    (SPMAsyncTask.updateTask: our tasks always carry their entity, so the pre-polling lapse
    never applies)."""
    report = TaskReport(
        status=AsyncTaskStatus.UNKNOWN,
        result=AsyncTaskResult.UNKNOWN,
        message="the SPM does not report the task",
    )
    _end(uow, task, cause, report, zombie=False)
    return True


def _end(uow: UnitOfWork, task: AsyncTask, cause: Cause, report: TaskReport, zombie: bool) -> None:
    """handleEndedTask: the task is Ended and its step FINISHED or FAILED."""
    task.end(cause, report.status, report.result, report.message or None, zombie)
    if task.step_id is not None:
        reason = report.message or f"storage task ended {report.status.value}/{report.result.value}"
        end_step(uow.get(Step, task.step_id), cause, task.ended_successfully, reason)


def submit(ports: Ports, uow: UnitOfWork, task_id: UUID) -> bool:
    """Hands an Initializing task to the SPM, then polls it; True when it is now Polling.

    The SPM's refusal ends the task failed with the SPM's own words. Any other error leaves
    it unknown whether the SPM took the task: it stays Initializing and is submitted again
    (by the same id, so the SPM keeps at most one). A task that is not stored (recorded by a
    round whose save failed) has nothing to submit.
    """
    task = uow.find(AsyncTask, task_id)
    if task is None or task.state is not AsyncTaskState.INITIALIZING:
        return False
    cause = ports.cause_for(task, task.command_id)
    assert task.entity_id is not None
    try:
        ports.storage.create_task(
            task.storage_pool_id, task.vdsm_task_id, task.task_type, task.entity_id
        )
    except StorageError as refused:
        message = f"{Msg.STORAGE_REFUSED}: {refused}"
        _end(uow, task, cause, _refusal(message), zombie=False)
        return False
    task.start_polling(cause)
    if task.step_id is not None:
        uow.get(Step, task.step_id).attach_external(cause, task.vdsm_task_id)
    return True


def _refusal(message: str) -> TaskReport:
    return TaskReport(
        status=AsyncTaskStatus.UNKNOWN, result=AsyncTaskResult.FAILURE, message=message
    )


def end_task_command(ports: Ports, uow: UnitOfWork, command_id: UUID) -> bool:
    """endActionIfNecessary: once all of a command's tasks ended, its end action runs."""
    command = uow.get(Command, command_id)
    if command.state.is_ended:
        return True
    if not command.executed:
        return False
    tasks = recorded_tasks(ports, uow, command)
    live = (AsyncTaskState.INITIALIZING, AsyncTaskState.POLLING)
    if any(t.state in live or t.dropped for t in tasks):
        return False
    return settle_and_end(ports, uow, command_id, _TaskSettle(ports))


class _TaskSettle:
    """Moves the command's ended tasks to AttemptingEndAction and settles it by their outcome."""

    def __init__(self, ports: Ports) -> None:
        self.ports = ports

    def __call__(self, uow: UnitOfWork, command: Command, cause: Cause) -> None:
        tasks = recorded_tasks(self.ports, uow, command)
        for task in tasks:
            if task.state is AsyncTaskState.ENDED:
                task.attempt_end_action(cause)
        if command.state is not CommandStatus.ACTIVE:
            return
        failed = [t for t in tasks if not t.ended_successfully]
        if failed:
            why = (f"{Msg.IMAGE_DELETE_FAILED}: {t.error or t.result.value}" for t in failed)
            command.fail(cause, tuple(why))
        else:
            command.succeed(cause)


def recorded_tasks(ports: Ports, uow: UnitOfWork, command: Command) -> list[AsyncTask]:
    """The storage tasks a command recorded: ids follow from its id; a refused one was never."""
    count = ports.registry.handler_for(command).storage_tasks
    found = (uow.find(AsyncTask, task_id_for(command.id, i)) for i in range(count))
    return [task for task in found if task is not None]


def clear(ports: Ports, uow: UnitOfWork, task_id: UUID) -> bool:
    """SPMClearTask once the task's command has ended; True when the task is now Cleared.

    A task the SPM no longer knows counts as cleared: that is what a clear whose answer was
    lost looks like afterwards. A failed clear is recorded and retried later. An adopted
    orphan has no command: it is cleared once it has ended (``orphans``).
    """
    task = uow.get(AsyncTask, task_id)
    if orphans.is_adopted(task):
        return task.state in _TO_CLEAR and orphans.clear(ports, uow, task)
    if task.state not in _TO_CLEAR or not uow.get(Command, task.command_id).state.is_ended:
        return False
    cause = ports.cause_for(task, task.command_id)
    try:
        ports.storage.clear_task(task.storage_pool_id, task.vdsm_task_id)
    except StorageError as error:
        if error.code != TASK_NOT_FOUND:
            task.fail_clear(cause, str(error))
            return False
    task.clear(cause)
    return True
