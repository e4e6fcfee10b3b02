"""The handle a command's ``execute`` works through: transactions, children, storage tasks."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING
from uuid import NAMESPACE_OID, UUID, uuid5

from domain.async_task.aggregate import AsyncTask
from domain.async_task.machine import AsyncTaskState, AsyncTaskType
from domain.command.aggregate import Command
from domain.framework import compensation
from domain.framework.job_tracking import add_step
from domain.framework.unit_of_work import UnitOfWork
from domain.inventory.disk import Disk
from domain.inventory.vm import Vm
from domain.job.aggregate import Job
from domain.step.aggregate import Step
from domain.step.machine import StepEnum

if TYPE_CHECKING:
    from domain.actions.action_type import ActionType
    from domain.events import Cause
    from domain.framework.command_base import ActionParameters
    from domain.framework.engine import Engine


def task_id_for(command_id: UUID, index: int) -> UUID:
    """Storage task ids are chosen by the engine, so a resumed command submits the same task."""
    return uuid5(NAMESPACE_OID, f"tasktrail:{command_id}:task:{index}")


class Execution:
    """Given to ``CommandBase.execute``: every change it makes goes through its transactions."""

    def __init__(self, engine: Engine, command_id: UUID, cause: Cause) -> None:
        self.engine = engine
        self.command_id = command_id
        self.cause = cause

    @contextmanager
    def transaction(self) -> Iterator[UnitOfWork]:
        """One atomic save of several aggregates (the seed's "transaction 1", "transaction 2")."""
        uow = UnitOfWork(self.engine.ports.store)
        yield uow
        uow.commit()

    def command(self, uow: UnitOfWork) -> Command:
        return uow.get(Command, self.command_id)

    def snapshot(self, uow: UnitOfWork, entity: Vm | Disk) -> None:
        compensation.snapshot(self.command(uow), self.cause, entity)

    def start_children(
        self, uow: UnitOfWork, children: list[tuple[ActionType, ActionParameters]]
    ) -> list[Command]:
        """Creates and activates child commands in ``uow``, under this command's job and step."""
        parent = self.command(uow)
        created = []
        for action_type, params in children:
            child_cls = self.engine.registry.command_class(action_type)
            child = Command.create(
                self.cause,
                action_type=action_type.value,
                parameters=params.model_dump(mode="json"),
                parent=parent,
                has_callback=child_cls.has_callback,
            )
            child.activate(self.cause.because_of(child.id), parent.step_id)
            created.append(child)
        parent.add_children(self.cause, [c.id for c in created])
        uow.add(*created)
        return created

    def execute_children(self) -> None:
        """Runs each child's execute that has not run yet; a child's failure is its own."""
        child_ids = self.engine.ports.store.load(Command, self.command_id).child_ids
        for child_id in child_ids:
            self.engine.execute(child_id)

    def record_storage_task(
        self,
        uow: UnitOfWork,
        *,
        index: int,
        storage_pool_id: UUID,
        task_type: AsyncTaskType,
        step_type: StepEnum,
        entity_id: UUID,
        description: str,
    ) -> AsyncTask:
        """The AsyncTask (Initializing) and its step, recorded before the SPM hears of it.

        A resumed command finds the task it recorded before and gets that one back.
        """
        command = self.command(uow)
        recorded = uow.find(AsyncTask, task_id_for(command.id, index))
        if recorded is not None:
            return recorded
        step = self._task_step(uow, command, step_type, description)
        task = AsyncTask.create(
            self.cause,
            id=task_id_for(command.id, index),
            command_id=command.id,
            root_command_id=command.root_command_id,
            action_type=command.action_type,
            step_id=step.id if step else None,
            storage_pool_id=storage_pool_id,
            vdsm_task_id=str(task_id_for(command.id, index)),
            task_type=task_type,
            entity_id=entity_id,
        )
        uow.add(task)
        return task

    def _task_step(
        self, uow: UnitOfWork, command: Command, step_type: StepEnum, description: str
    ) -> Step | None:
        if command.job_id is None:
            return None
        job = uow.get(Job, command.job_id)
        return add_step(
            uow, self.cause, job, step_type, description, parent_step_id=command.step_id
        )

    def submit_storage_tasks(self, count: int) -> None:
        """Hands Initializing tasks to the SPM (idempotently), then starts polling them."""
        ids = [task_id_for(self.command_id, i) for i in range(count)]
        store = self.engine.ports.store
        waiting = [
            t
            for t in (store.load(AsyncTask, i) for i in ids)
            if t.state is AsyncTaskState.INITIALIZING
        ]
        for task in waiting:
            self.engine.ports.storage.create_task(
                task.storage_pool_id, task.vdsm_task_id, task.task_type, _entity(task)
            )
        if not waiting:
            return
        with self.transaction() as uow:
            for task in waiting:
                self._start_polling(uow, uow.get(AsyncTask, task.id))

    def _start_polling(self, uow: UnitOfWork, task: AsyncTask) -> None:
        task.start_polling(self.cause)
        if task.step_id is not None:
            uow.get(Step, task.step_id).attach_external(self.cause, task.vdsm_task_id)


def _entity(task: AsyncTask) -> UUID:
    assert task.entity_id is not None
    return task.entity_id
