"""What an engine does at start-up with work a stopped engine left in flight.

tasktrail's default is to resume: a validated command is executed, tasks are polled and
callbacks evaluated as if the engine had never stopped. That is deliberate: every step of a
command is saved atomically, so nothing is ever half done, and nothing needs giving up.

``--restart-policy ovirt`` does instead exactly what oVirt's engine does when it starts
(Backend.initialize, then InitBackendServicesOnStartupBean), one decision per item:

1. ``compensate``: every command with compensation data is compensated (CommandCompensator);
   tasktrail's atomic executions never leave any, so this finds nothing in practice.
2. ``forget_unstarted``: a validated root never executed lived only in oVirt's memory; the
   restart forgets it (UNKNOWN here, its locks released).
3. ``finalize_job`` (finalizeJobs): a STARTED job and its STARTED steps become UNKNOWN, unless
   one of its steps has an external id (a storage task) whatever that step's status.
4. ``end_unmanaged`` (handleUnmanagedCommands): an ACTIVE command without a callback and
   without a storage task ends with failure.
5. ``fail_unexecuted`` (CommandCallbacksPoller): a callback command never executed becomes
   EXECUTION_FAILED; the callback poll then fails and ends it.
6. ``drop_unreported`` (addStoragePoolExistingTasks): a task the SPM does not report is
   dropped, its step and command untouched: a RemoveImage whose task was lost then never ends.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from tasktrail.domain.model.async_task.aggregate import AsyncTask
from tasktrail.domain.model.async_task.machine import AsyncTaskState
from tasktrail.domain.model.command.aggregate import Command
from tasktrail.domain.model.command.machine import CommandStatus
from tasktrail.domain.model.job.aggregate import Job
from tasktrail.domain.model.job.machine import JobExecutionStatus
from tasktrail.domain.model.step.aggregate import Step
from tasktrail.domain.services import compensation
from tasktrail.domain.services.locks import release_all
from tasktrail.domain.services.messages import Msg
from tasktrail.domain.services.task_tracking import recorded_tasks

if TYPE_CHECKING:
    from uuid import UUID

    from tasktrail.domain.services.ports import Ports, UnitOfWork


class RestartPolicy(StrEnum):
    RESUME = "resume"
    """tasktrail's: carry on with everything in flight."""
    OVIRT = "ovirt"
    """oVirt's start-up, step by step."""


STARTED = JobExecutionStatus.STARTED


def compensate(ports: Ports, uow: UnitOfWork, command_id: UUID) -> bool:
    command = uow.get(Command, command_id)
    if command.state.is_ended or not command.snapshots:
        return False
    compensation.compensate(uow, command, ports.cause_for(command, command_id))
    return True


def forget_unstarted(ports: Ports, uow: UnitOfWork, command_id: UUID) -> bool:
    command = uow.get(Command, command_id)
    if command.state is not CommandStatus.NOT_STARTED or not command.is_root:
        return False
    cause = ports.cause_for(command, command_id)
    command.mark_unknown(cause)
    release_all(uow, cause, command_id, ports.registry.handler_for(command).locks())
    return True


def finalize_job(ports: Ports, uow: UnitOfWork, job_id: UUID) -> bool:
    job = uow.get(Job, job_id)
    steps = [uow.get(Step, s) for s in job.step_ids]
    if job.state is not STARTED or any(s.external_id for s in steps):
        return False
    cause = ports.cause_for(job)
    for step in (s for s in steps if s.state is STARTED):
        step.mark_unknown(cause)
    job.mark_unknown(cause)
    return True


def end_unmanaged(ports: Ports, uow: UnitOfWork, command_id: UUID) -> bool:
    command = uow.get(Command, command_id)
    if command.state is not CommandStatus.ACTIVE or command.has_callback:
        return False
    if recorded_tasks(ports, uow, command):
        return False
    command.end_with_failure(ports.cause_for(command, command_id), (Msg.ENGINE_RESTARTED.value,))
    return True


def fail_unexecuted(ports: Ports, uow: UnitOfWork, command_id: UUID) -> bool:
    command = uow.get(Command, command_id)
    if command.state is not CommandStatus.ACTIVE or not command.has_callback or command.executed:
        return False
    command.fail_execution(ports.cause_for(command, command_id), (Msg.ENGINE_RESTARTED.value,))
    return True


def drop_unreported(ports: Ports, uow: UnitOfWork, task_id: UUID, reported: set[str]) -> bool:
    task = uow.get(AsyncTask, task_id)
    live = task.state in (AsyncTaskState.INITIALIZING, AsyncTaskState.POLLING)
    if not live or task.vdsm_task_id in reported:
        return False
    task.drop(ports.cause_for(task, task.command_id))
    return True
