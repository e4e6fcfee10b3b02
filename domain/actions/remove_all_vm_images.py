"""RemoveAllVmImages: one RemoveImage per disk, each a child of RemoveVm (oVirt passes the parent
command on), and the list of disks whose deletion could not start.

As oVirt's, it always succeeds; a disk whose RemoveImage failed at once is marked ILLEGAL.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from tasktrail.domain.actions.action_type import ActionType
from tasktrail.domain.actions.remove_image import RemoveImageParameters
from tasktrail.domain.model.inventory.disk import Disk, DiskStatus
from tasktrail.domain.services.command_base import ActionParameters, CommandBase
from tasktrail.domain.services.execution import Execution


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
        children = [
            (
                ActionType.REMOVE_IMAGE,
                RemoveImageParameters(
                    disk_id=disk_id, vm_id=p.vm_id, storage_pool_id=p.storage_pool_id
                ),
            )
            for disk_id in p.disk_ids
        ]
        outcomes = run.run_children(children, under_parent=True)
        failed = [d for d, o in zip(p.disk_ids, outcomes, strict=True) if o.failed]
        for disk in (run.uow.get(Disk, d) for d in failed):
            if disk.state is DiskStatus.LOCKED:
                disk.mark_illegal(run.cause)
        return [str(d) for d in failed]
