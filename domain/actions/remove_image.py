"""RemoveImage: one SPM deleteImage task for one disk, with its DELETE_IMAGE step."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from domain.actions.action_type import ActionType
from domain.model.async_task.machine import AsyncTaskType
from domain.model.command.aggregate import Command
from domain.model.events import Cause
from domain.model.inventory.disk import Disk, DiskStatus
from domain.model.step.machine import StepEnum
from domain.services.command_base import ActionParameters, CommandBase
from domain.services.execution import Execution
from domain.services.ports import EngineNotice, UnitOfWork


class RemoveImageParameters(ActionParameters):
    disk_id: UUID
    vm_id: UUID | None
    storage_pool_id: UUID


class RemoveImageCommand(CommandBase[RemoveImageParameters]):
    action_type = ActionType.REMOVE_IMAGE
    parameters_class = RemoveImageParameters
    storage_tasks = 1
    finalizing_step = True
    internal = True

    def execute(self, run: Execution) -> Any:
        disk = run.uow.get(Disk, self.params.disk_id)
        run.record_storage_task(
            index=0,
            storage_pool_id=self.params.storage_pool_id,
            task_type=AsyncTaskType.DELETE_IMAGE,
            step_type=StepEnum.DELETE_IMAGE,
            entity_id=disk.id,
            description=f"Deleting image {disk.alias}",
        )

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
