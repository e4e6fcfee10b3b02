"""Executing a command (oVirt's executeAction after validation): job, steps, execute, outcome.

A command's whole execution is one decision in one unit of work: the job and its first
steps, what the action's ``execute`` changes, its children's executions and their storage
tasks (recorded Initializing) are saved together or not at all. The storage hears of the
tasks only after that save (the engine submits them), so a crash can never leave a task on
the storage side that history does not know.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import NAMESPACE_OID, UUID, uuid5

from domain.model.async_task.aggregate import AsyncTask
from domain.model.async_task.machine import AsyncTaskType
from domain.model.command.aggregate import Command
from domain.model.command.machine import CommandStatus
from domain.model.errors import RetryableError
from domain.model.job.aggregate import Job
from domain.model.step.aggregate import Step
from domain.model.step.machine import StepEnum
from domain.services import compensation
from domain.services.failures import executed, execution_failed
from domain.services.job_tracking import add_step, end_step

if TYPE_CHECKING:
    from enum import StrEnum

    from domain.model.events import Cause
    from domain.model.inventory.disk import Disk
    from domain.model.inventory.vm import Vm
    from domain.services.command_base import ActionParameters, CommandBase
    from domain.services.ports import Ports, UnitOfWork


def task_id_for(command_id: UUID, index: int) -> UUID:
    """Storage task ids are chosen by the engine, so a resubmission names the same task."""
    return uuid5(NAMESPACE_OID, f"tasktrail:{command_id}:task:{index}")


def child_id_for(parent_id: UUID, index: int) -> UUID:
    """Child command ids follow from the parent, so executing twice names the same children."""
    return uuid5(NAMESPACE_OID, f"tasktrail:{parent_id}:child:{index}")


def execute(ports: Ports, uow: UnitOfWork, command_id: UUID) -> bool:
    """Begins (job, steps, ACTIVE) and executes a command; False when it had nothing to do.

    What ``execute`` changes is undone if it throws; the failure is then recorded instead.
    """
    command = uow.get(Command, command_id)
    if command.executed or command.state not in (CommandStatus.NOT_STARTED, CommandStatus.ACTIVE):
        return False
    handler = ports.registry.handler_for(command)
    cause = ports.cause_for(command, command_id)
    if command.state is CommandStatus.NOT_STARTED:
        _begin(uow, command, handler, cause)
    try:
        with uow.savepoint():
            result = handler.execute(Execution(ports, uow, command_id, cause))
    except RetryableError:
        raise
    except Exception as error:  # noqa: BLE001 - recorded on the command, never lost
        execution_failed(ports, uow, command_id, error)
    else:
        executed(ports, uow, command_id, result)
    return True


def _begin(uow: UnitOfWork, command: Command, handler: CommandBase[Any], cause: Cause) -> None:
    """Job STARTED; VALIDATING STARTED -> FINISHED; EXECUTING STARTED; command ACTIVE."""
    step_id = None
    if command.job_id is not None and command.is_root:
        job = Job(
            cause,
            id=command.job_id,
            action_type=command.action_type,
            description=handler.description(uow),
        )
        uow.add(job)
        validating = add_step(uow, cause, job, StepEnum.VALIDATING, "Validating")
        end_step(validating, cause, succeeded=True)
        step_id = add_step(uow, cause, job, StepEnum.EXECUTING, "Executing").id
    command.activate(cause, step_id)


class Execution:
    """Given to ``CommandBase.execute``: the unit of work it changes, and the framework's help."""

    def __init__(self, ports: Ports, uow: UnitOfWork, command_id: UUID, cause: Cause) -> None:
        self.ports = ports
        self.uow = uow
        self.command_id = command_id
        self.cause = cause

    @property
    def command(self) -> Command:
        return self.uow.get(Command, self.command_id)

    def snapshot(self, entity: Vm | Disk) -> None:
        """Keeps ``entity``'s state for compensation (oVirt's business_entity_snapshot)."""
        compensation.snapshot(self.command, self.cause, entity)

    def start_children(self, children: list[tuple[StrEnum, ActionParameters]]) -> list[Command]:
        """Child commands under this command's job and step, then executed here, in order.

        A child that fails records its own failure; the parent's callback sees it end.
        """
        parent = self.command
        created = [self._child(parent, i, *child) for i, child in enumerate(children)]
        parent.add_children(self.cause, tuple(c.id for c in created))
        for child in created:
            execute(self.ports, self.uow, child.id)
        return created

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

    def record_storage_task(
        self,
        *,
        index: int,
        storage_pool_id: UUID,
        task_type: AsyncTaskType,
        step_type: StepEnum,
        entity_id: UUID,
        description: str,
    ) -> AsyncTask:
        """The AsyncTask (Initializing) and its step; the engine submits it once saved."""
        command = self.command
        step = self._task_step(command, step_type, description)
        task_id = task_id_for(command.id, index)
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
        return task

    def _task_step(self, command: Command, step_type: StepEnum, description: str) -> Step | None:
        if command.job_id is None:
            return None
        job = self.uow.get(Job, command.job_id)
        return add_step(
            self.uow, self.cause, job, step_type, description, parent_step_id=command.step_id
        )
