"""Executing a command (oVirt's executeAction after validation): steps, execute, outcome.

A command's execution is one decision of the engine, saved in one database transaction with
whatever else the round decided. Inside it, oVirt's own structure is kept: ``transaction()``
blocks are oVirt's ``executeInNewTransaction`` units (a block that throws leaves nothing; the
blocks before it stay, and compensation then applies their snapshots); child commands run
inline in the parent's execute; storage tasks are submitted to the SPM as oVirt's RemoveImage
does (the verb, then the task recorded with its step), so a refusal fails the child at once.
Every id the storage hears of follows from the root command's id, so an execution that is
tried again after a crash submits the same tasks, which the SPM keeps only once.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from uuid import UUID

from tasktrail.domain.model.async_task.aggregate import AsyncTask
from tasktrail.domain.model.async_task.machine import AsyncTaskType
from tasktrail.domain.model.command.aggregate import Command
from tasktrail.domain.model.command.machine import CommandStatus
from tasktrail.domain.model.errors import RetryableError, TasktrailError
from tasktrail.domain.model.job.aggregate import Job
from tasktrail.domain.model.step.aggregate import Step
from tasktrail.domain.model.step.machine import StepEnum
from tasktrail.domain.services import compensation
from tasktrail.domain.services.failures import executed, execution_failed
from tasktrail.domain.services.ids import child_id_for, task_id_for
from tasktrail.domain.services.job_tracking import add_step, end_step, start_job
from tasktrail.domain.services.locks import release_all
from tasktrail.domain.services.messages import Msg
from tasktrail.domain.services.ports import StorageError
from tasktrail.domain.services.races import raise_if_raced

if TYPE_CHECKING:
    from enum import StrEnum

    from tasktrail.domain.model.events import Cause
    from tasktrail.domain.model.inventory.disk import Disk
    from tasktrail.domain.model.inventory.vm import Vm
    from tasktrail.domain.services.command_base import ActionParameters, CommandBase
    from tasktrail.domain.services.ports import EngineNotice, Ports, UnitOfWork


class StorageRefusedError(TasktrailError):
    """The SPM refused a storage verb; the command that asked fails with the SPM's words."""


def execute(ports: Ports, uow: UnitOfWork, command_id: UUID) -> bool:
    """Begins (EXECUTING step, ACTIVE) and executes a command; False when it had nothing to do."""
    command = uow.get(Command, command_id)
    if command.executed or command.state not in (CommandStatus.NOT_STARTED, CommandStatus.ACTIVE):
        return False
    handler = ports.registry.handler_for(command)
    cause = ports.cause_for(command, command_id)
    if command.state is CommandStatus.NOT_STARTED:
        _begin(uow, command, handler, cause)
    run = Execution(ports, uow, command_id, cause)
    try:
        result = handler.execute(run)
    except RetryableError:
        raise
    except Exception as error:  # noqa: BLE001 - recorded on the command, never lost
        raise_if_raced(uow)
        execution_failed(ports, uow, command_id, error)
    else:
        executed(ports, uow, command_id, result, succeeded=run.succeeded)
    return True


def _begin(uow: UnitOfWork, command: Command, handler: CommandBase[Any], cause: Cause) -> None:
    """EXECUTING starts (job step #1) and the command is ACTIVE (CommandBase.execute)."""
    step_id = None
    if command.job_id is not None and command.is_root:
        job = uow.find(Job, command.job_id) or _job_of_0_1(uow, handler, cause, command.job_id)
        step_id = add_step(uow, cause, job, StepEnum.EXECUTING, "Executing").id
    command.activate(cause, step_id)


def _job_of_0_1(uow: UnitOfWork, handler: CommandBase[Any], cause: Cause, job_id: UUID) -> Job:
    """A root validated by version 0.1 names a job 0.1 would have begun only now, at
    execution: it is begun as 0.1 did (its VALIDATING step passed), so the command resumes."""
    job = start_job(uow, handler, cause, job_id)
    end_step(uow.get(Step, job.step_ids[0]), cause, succeeded=True)
    return job


@dataclass(frozen=True)
class ChildOutcome:
    """How a child's execute went, as its parent sees it at once."""

    command_id: UUID
    failed: bool
    """It failed synchronously (oVirt: runInternalAction returned not succeeded)."""


class Execution:
    """Given to ``CommandBase.execute``: the unit of work it changes, and the framework's help."""

    def __init__(self, ports: Ports, uow: UnitOfWork, command_id: UUID, cause: Cause) -> None:
        self.ports = ports
        self.uow = uow
        self.command_id = command_id
        self.cause = cause
        self.succeeded = True
        """execute clears it to say it did not succeed without throwing (setSucceeded(false))."""

    @property
    def command(self) -> Command:
        return self.uow.get(Command, self.command_id)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One of oVirt's new transactions: all of it, or (if it throws) none of it."""
        with self.uow.savepoint():
            yield

    def snapshot(self, entity: Vm | Disk, status: StrEnum | None = None) -> None:
        """Keeps what compensation puts back: ``status``, or the entity's current one."""
        compensation.snapshot(self.command, self.cause, entity, status)

    def free_locks(self) -> None:
        """Releases this command's locks now (oVirt's freeLock inside execute)."""
        handler = self.ports.registry.handler_for(self.command)
        release_all(self.uow, self.cause, self.command_id, handler.locks())

    def announce(self, *notices: EngineNotice) -> None:
        self.uow.announce(*notices)

    def result_of(self, command_id: UUID) -> Any:
        """What a child's execute returned (its ActionReturnValue.actionReturnValue)."""
        return self.uow.get(Command, command_id).return_value

    def run_children(
        self, children: Sequence[tuple[StrEnum, ActionParameters]], *, under_parent: bool = False
    ) -> list[ChildOutcome]:
        """Child commands, executed here in order (oVirt's runInternalAction).

        ``under_parent`` makes them children of this command's parent, as RemoveAllVmImages
        makes its RemoveImages children of RemoveVm. A child that fails records its failure.
        """
        command = self.command
        parent = command
        if under_parent and command.parent_command_id is not None:
            parent = self.uow.get(Command, command.parent_command_id)
        first = len(parent.child_ids)
        created = [self._child(parent, first + i, *child) for i, child in enumerate(children)]
        parent.add_children(self.cause, tuple(c.id for c in created))
        return [self._executed(child.id) for child in created]

    def _executed(self, child_id: UUID) -> ChildOutcome:
        execute(self.ports, self.uow, child_id)
        child = self.uow.get(Command, child_id)
        failed = child.state in (CommandStatus.ENDED_WITH_FAILURE, CommandStatus.EXECUTION_FAILED)
        return ChildOutcome(child_id, failed or not child.succeeded)

    def _child(
        self, parent: Command, index: int, action_type: StrEnum, params: ActionParameters
    ) -> Command:
        child_id = child_id_for(parent.id, index)
        child = Command(
            self.cause,
            id=child_id,
            action_type=str(action_type),
            parameters=params.model_dump(mode="json"),
            parent_command_id=parent.id,
            root_command_id=parent.root_command_id,
            job_id=parent.job_id,
            has_callback=self.ports.registry.command_class(action_type).has_callback,
        )
        child.activate(self.cause.because_of(child_id), parent.step_id)
        self.uow.add(child)
        return child

    def start_storage_task(
        self,
        *,
        index: int,
        storage_pool_id: UUID,
        task_type: AsyncTaskType,
        step_type: StepEnum,
        entity_id: UUID,
        description: str,
    ) -> AsyncTask:
        """The SPM verb, then the task recorded Polling with its step (CoCoAsyncTaskHelper).

        Not from a stale view: if another engine moved this command or its root since it was
        read, this is a lost race (ConcurrencyError) and the SPM hears nothing. The SPM keeps
        every id it accepted, so a submission that races past that check (or is tried again
        after a lost answer or a failed save) finds the task and starts nothing twice.
        Raises StorageRefusedError with the SPM's own message when it refuses.
        """
        command = self.command
        task_id = task_id_for(command.id, index)
        raise_if_raced(self.uow, command.root_command_id, command.id)
        try:
            self.ports.storage.create_task(storage_pool_id, str(task_id), task_type, entity_id)
        except StorageError as refused:
            raise StorageRefusedError(f"{Msg.STORAGE_REFUSED}: {refused}") from refused
        step = self._task_step(command, step_type, description)
        task = AsyncTask(
            self.cause,
            id=task_id,
            command_id=command.id,
            root_command_id=command.root_command_id,
            action_type=command.action_type,
            step_id=step.id if step else None,
            storage_pool_id=storage_pool_id,
            vdsm_task_id=str(task_id),
            task_type=task_type,
            entity_id=entity_id,
        )
        self.uow.add(task)
        task.start_polling(self.cause)
        if step is not None:
            step.attach_external(self.cause, task.vdsm_task_id)
        return task

    def _task_step(self, command: Command, step_type: StepEnum, description: str) -> Step | None:
        """A sub-step of the job's EXECUTING step (addTaskStep)."""
        if command.job_id is None:
            return None
        job = self.uow.get(Job, command.job_id)
        return add_step(
            self.uow, self.cause, job, step_type, description, parent_step_id=command.step_id
        )
