"""RemoveImage: the SPM's deleteImage task for one disk, with its DELETE_IMAGE step.

It runs its own end action (COMMAND_MANAGED): once its task ends, the image's rows go
(success) or the image is left ILLEGAL with oVirt's DELETE_IMAGE_GROUP_TASK_FAILED entry.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from tasktrail.domain.actions.action_type import ActionType
from tasktrail.domain.model.async_task.machine import AsyncTaskType
from tasktrail.domain.model.command.aggregate import Command
from tasktrail.domain.model.events import AuditNote, Cause
from tasktrail.domain.model.inventory.disk import Disk, DiskStatus
from tasktrail.domain.model.step.machine import StepEnum
from tasktrail.domain.services.command_base import (
    ActionParameters,
    CommandBase,
    EndProcedure,
    Phase,
)
from tasktrail.domain.services.execution import Execution
from tasktrail.domain.services.ports import EngineNotice, UnitOfWork


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
    end_procedure = EndProcedure.COMMAND_MANAGED

    def execute(self, run: Execution) -> Any:
        disk = run.uow.get(Disk, self.params.disk_id)
        run.start_storage_task(
            index=0,
            storage_pool_id=self.params.storage_pool_id,
            task_type=AsyncTaskType.DELETE_IMAGE,
            step_type=StepEnum.DELETE_IMAGE,
            entity_id=disk.id,
            description="Deleting Image",
        )

    def end_successfully(self, uow: UnitOfWork, command: Command, cause: Cause) -> None:
        uow.get(Disk, self.params.disk_id).remove(cause)
        disk_id, command_id = self.params.disk_id, command.id
        uow.announce(EngineNotice(name="ImageDeleted", entity_id=disk_id, command_id=command_id))

    def end_with_failure(self, uow: UnitOfWork, command: Command, cause: Cause) -> None:
        disk = uow.get(Disk, self.params.disk_id)
        if disk.state is DiskStatus.LOCKED:
            disk.mark_illegal(cause)

    def audit(
        self, uow: UnitOfWork, phase: Phase, succeeded: bool, result: Any = None
    ) -> AuditNote | None:
        """Its end with failure logs DELETE_IMAGE_GROUP_TASK_FAILED (RemoveImageCommand:296)."""
        if phase is not Phase.END_FAILURE:
            return None
        disk = str(self.params.disk_id)
        values = {"DiskId": disk, "VolumeIds": disk}
        return AuditNote(log_type="DELETE_IMAGE_GROUP_TASK_FAILED", values=values)
