"""The AsyncTaskManager's logic: one SPM poll per storage pool, then ends, end actions, clears.

The storage side cannot push, so the runner calls ``poll_pool`` for each pool with tasks in
flight; everything the poll learns is recorded in one transaction per pool.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from pydantic import BaseModel, Field

from domain.async_task.aggregate import AsyncTask
from domain.async_task.machine import AsyncTaskResult, AsyncTaskState, AsyncTaskStatus
from domain.command.aggregate import Command
from domain.command.machine import CommandStatus
from domain.framework.ending import settle_and_end
from domain.framework.execution import task_id_for
from domain.framework.job_tracking import end_step
from domain.framework.messages import Msg
from domain.framework.unit_of_work import UnitOfWork
from domain.ports import TASK_NOT_FOUND, StorageError, TaskReport
from domain.step.aggregate import Step

if TYPE_CHECKING:
    from domain.events import Cause
    from domain.framework.engine import Engine

_TO_CLEAR = (AsyncTaskState.ATTEMPTING_END_ACTION, AsyncTaskState.CLEAR_FAILED)
_TO_END = (AsyncTaskState.ENDED, AsyncTaskState.ATTEMPTING_END_ACTION)
"""A task whose command's end action failed stays AttemptingEndAction until a retry ends it."""


class PoolPoll(BaseModel):
    storage_pool_id: UUID
    error: str | None = None
    ended_commands: list[UUID] = Field(default_factory=list)
    cleared: list[UUID] = Field(default_factory=list)


def poll_pool(engine: Engine, storage_pool_id: UUID, task_ids: list[UUID]) -> PoolPoll:
    """SPMGetAllTasksStatuses once for the pool, then everything that follows from it."""
    try:
        reports = engine.ports.storage.get_all_task_statuses(storage_pool_id)
    except StorageError as error:
        return PoolPoll(storage_pool_id=storage_pool_id, error=str(error))
    commands = _record_reports(engine, task_ids, reports)
    ended = [c for c in commands if end_task_command(engine, c)]
    cleared = clear_tasks(engine, task_ids)
    return PoolPoll(storage_pool_id=storage_pool_id, ended_commands=ended, cleared=cleared)


def _record_reports(
    engine: Engine, task_ids: list[UUID], reports: dict[str, TaskReport]
) -> list[UUID]:
    uow = UnitOfWork(engine.ports.store)
    commands: list[UUID] = []
    for task_id in task_ids:
        task = uow.get(AsyncTask, task_id)
        if task.state is AsyncTaskState.POLLING:
            _update(engine, uow, task, reports.get(task.vdsm_task_id))
        if task.state in _TO_END and task.command_id not in commands:
            commands.append(task.command_id)
    uow.commit()
    return commands


def _update(engine: Engine, uow: UnitOfWork, task: AsyncTask, report: TaskReport | None) -> None:
    cause = engine.ports.cause_for(task, task.command_id)
    now = engine.ports.clock.now()
    limits = engine.ports.settings
    if report is None:
        if task.status is not AsyncTaskStatus.UNKNOWN:
            task.record_status(cause, AsyncTaskStatus.UNKNOWN, AsyncTaskResult.UNKNOWN)
        elif (now - task.status_since).total_seconds() > limits.unknown_task_limit:
            _end(
                uow,
                task,
                cause,
                TaskReport(
                    status=AsyncTaskStatus.UNKNOWN,
                    result=AsyncTaskResult.FAILURE,
                    message="the SPM does not know the task",
                ),
                True,
            )
        return
    if report.status.is_running:
        if (now - task.created_on).total_seconds() > limits.zombie_task_limit:
            engine.ports.storage.stop_task(task.storage_pool_id, task.vdsm_task_id)
            _end(
                uow, task, cause, report.model_copy(update={"message": "zombie task stopped"}), True
            )
        elif (report.status, report.result) != (task.status, task.result):
            task.record_status(cause, report.status, report.result)
        return
    _end(uow, task, cause, report, False)


def _end(uow: UnitOfWork, task: AsyncTask, cause: Cause, report: TaskReport, zombie: bool) -> None:
    """handleEndedTask: the task is Ended and its step FINISHED or FAILED."""
    task.end(cause, report.status, report.result, error=report.message or None, zombie=zombie)
    if task.step_id is not None:
        reason = report.message or f"storage task ended {report.status.value}/{report.result.value}"
        end_step(uow.get(Step, task.step_id), cause, task.ended_successfully, reason)


def end_task_command(engine: Engine, command_id: UUID) -> bool:
    """endActionIfNecessary: once all of a command's tasks ended, its end action runs."""
    command = engine.ports.store.load(Command, command_id)
    if command.state.is_ended:
        return True
    if not command.executed:
        return False
    count = engine.handler_for(command).storage_tasks
    tasks = [engine.ports.store.load(AsyncTask, task_id_for(command_id, i)) for i in range(count)]
    if any(t.state in (AsyncTaskState.INITIALIZING, AsyncTaskState.POLLING) for t in tasks):
        return False
    return settle_and_end(engine, command_id, _TaskSettle(count))


class _TaskSettle:
    """Moves the command's ended tasks to AttemptingEndAction and settles it by their outcome."""

    def __init__(self, count: int) -> None:
        self.count = count

    def __call__(self, uow: UnitOfWork, command: Command, cause: Cause) -> None:
        tasks = [uow.get(AsyncTask, task_id_for(command.id, i)) for i in range(self.count)]
        for task in tasks:
            if task.state is AsyncTaskState.ENDED:
                task.attempt_end_action(cause)
        if command.state is not CommandStatus.ACTIVE:
            return
        failed = [t for t in tasks if not t.ended_successfully]
        if failed:
            command.fail(
                cause, [f"{Msg.IMAGE_DELETE_FAILED}: {t.error or t.result.value}" for t in failed]
            )
        else:
            command.succeed(cause)


def clear_tasks(engine: Engine, task_ids: list[UUID]) -> list[UUID]:
    """SPMClearTask for every task whose command has ended; a failed clear is retried next poll.

    Each clear is saved on its own, right after the SPM answered, so that a crash can lose at
    most one answer; and a task the SPM no longer knows counts as cleared, because that is
    what a clear whose answer was lost looks like afterwards.
    """
    store = engine.ports.store
    cleared = []
    for task_id in task_ids:
        task = store.load(AsyncTask, task_id)
        ended = task.state in _TO_CLEAR and store.load(Command, task.command_id).state.is_ended
        if ended and _clear(engine, task):
            cleared.append(task_id)
        if ended:
            store.save_all(task)
    return cleared


def _clear(engine: Engine, task: AsyncTask) -> bool:
    cause = engine.ports.cause_for(task, task.command_id)
    try:
        engine.ports.storage.clear_task(task.storage_pool_id, task.vdsm_task_id)
    except StorageError as error:
        if error.code != TASK_NOT_FOUND:
            task.fail_clear(cause, str(error))
            return False
    task.clear(cause)
    return True
