"""RemoveImage: one SPM deleteImage task for one disk, with its DELETE_IMAGE step."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from domain.actions.action_type import ActionType
from domain.async_task.machine import AsyncTaskType
from domain.command.aggregate import Command
from domain.events import Cause
from domain.framework.command_base import ActionParameters, CommandBase
from domain.framework.engine_ports import EngineNotice
from domain.framework.execution import Execution
from domain.framework.unit_of_work import UnitOfWork
from domain.inventory.disk import Disk, DiskStatus
from domain.step.machine import StepEnum


class RemoveImageParameters(ActionParameters):
    disk_id: UUID
    vm_id: UUID | None
    storage_pool_id: UUID


class RemoveImageCommand(CommandBase[RemoveImageParameters]):
    action_type = ActionType.REMOVE_IMAGE
    parameters_class = RemoveImageParameters
    storage_tasks = 1
    finalizing_step = True

    def execute(self, run: Execution) -> Any:
        with run.transaction() as uow:
            disk = uow.get(Disk, self.params.disk_id)
            run.record_storage_task(
                uow,
                index=0,
                storage_pool_id=self.params.storage_pool_id,
                task_type=AsyncTaskType.DELETE_IMAGE,
                step_type=StepEnum.DELETE_IMAGE,
                entity_id=disk.id,
                description=f"Deleting image {disk.alias}",
            )
        run.submit_storage_tasks(self.storage_tasks)

    def end_successfully(
        self, uow: UnitOfWork, command: Command, cause: Cause
    ) -> list[EngineNotice]:
        uow.get(Disk, self.params.disk_id).remove(cause)
        return [
            EngineNotice(name="ImageDeleted", entity_id=self.params.disk_id, command_id=command.id)
        ]

    def end_with_failure(
        self, uow: UnitOfWork, command: Command, cause: Cause
    ) -> list[EngineNotice]:
        disk = uow.get(Disk, self.params.disk_id)
        if disk.state is DiskStatus.LOCKED:
            disk.mark_illegal(cause)
        return []
