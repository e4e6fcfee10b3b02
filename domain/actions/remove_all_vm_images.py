"""RemoveAllVmImages: one RemoveImage child per disk; ends when all of them have ended."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from domain.actions.action_type import ActionType
from domain.actions.remove_image import RemoveImageParameters
from domain.services.command_base import ActionParameters, CommandBase
from domain.services.execution import Execution


class RemoveAllVmImagesParameters(ActionParameters):
    vm_id: UUID
    storage_pool_id: UUID
    disk_ids: list[UUID]


class RemoveAllVmImagesCommand(CommandBase[RemoveAllVmImagesParameters]):
    action_type = ActionType.REMOVE_ALL_VM_IMAGES
    parameters_class = RemoveAllVmImagesParameters
    has_callback = True

    internal = True

    def execute(self, run: Execution) -> Any:
        p = self.params
        run.start_children(
            [
                (
                    ActionType.REMOVE_IMAGE,
                    RemoveImageParameters(
                        disk_id=disk_id, vm_id=p.vm_id, storage_pool_id=p.storage_pool_id
                    ),
                )
                for disk_id in p.disk_ids
            ]
        )
