"""RemoveVm, as the seed walks it: eight validations, transactions 1 and 2, children.

Transaction 1 locks the VM's images and snapshots the VM for compensation; transaction 2
removes the VM's records and locks its disks; the child RemoveAllVmImages deletes the images,
and this command's callback ends it once that child has ended. The engine saves the whole
execution at once, so a crash leaves either all of it or none of it.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from domain.actions.action_type import ActionType
from domain.actions.remove_all_vm_images import RemoveAllVmImagesParameters
from domain.model.command.aggregate import Command
from domain.model.events import Cause
from domain.model.inventory.disk import Disk
from domain.model.inventory.storage_pool import StoragePool, StoragePoolStatus
from domain.model.inventory.vm import Vm, VmOrigin, VmStatus
from domain.services.command_base import ActionParameters, CommandBase
from domain.services.execution import Execution
from domain.services.locks import LockRequest
from domain.services.messages import Msg
from domain.services.ports import EngineNotice, UnitOfWork


class RemoveVmParameters(ActionParameters):
    vm_id: UUID
    remove_disks: bool = True
    force: bool = False


class RemoveVmCommand(CommandBase[RemoveVmParameters]):
    action_type = ActionType.REMOVE_VM
    parameters_class = RemoveVmParameters
    has_callback = True

    def description(self, uow: UnitOfWork) -> str:
        vm = uow.find(Vm, self.params.vm_id)
        return f"Removing VM {vm.name if vm else self.params.vm_id} from system"

    def validate(self, uow: UnitOfWork) -> list[str]:
        """The seed's checks in its order; the first that fails is the answer."""
        vm = uow.find(Vm, self.params.vm_id)
        if vm is None or vm.state is VmStatus.REMOVED:
            return [Msg.VM_NOT_FOUND.value]
        for refused, message in self._checks(uow, vm):
            if refused:
                return [message.value]
        return []

    def _checks(self, uow: UnitOfWork, vm: Vm) -> list[tuple[bool, Msg]]:
        pool = uow.find(StoragePool, vm.storage_pool_id)
        return [
            (vm.origin is not VmOrigin.OVIRT, Msg.VM_CANNOT_BE_REMOVED),
            (vm.state is VmStatus.UP, Msg.VM_IS_RUNNING),
            (vm.state is VmStatus.IMAGE_LOCKED, Msg.VM_IS_LOCKED),
            (vm.vm_pool_id is not None, Msg.VM_ATTACHED_TO_POOL),
            (vm.snapshot_in_progress, Msg.VM_IS_DURING_SNAPSHOT),
            (
                pool is None or pool.state is not StoragePoolStatus.UP,
                Msg.STORAGE_POOL_STATUS_ILLEGAL,
            ),
            (vm.backup_in_progress, Msg.VM_IS_DURING_BACKUP),
        ]

    def lock_requests(self) -> list[LockRequest]:
        return [LockRequest("VM", self.params.vm_id)]

    def execute(self, run: Execution) -> Any:
        vm = run.uow.get(Vm, self.params.vm_id)
        self._lock_vm(run, vm)
        disks = self._remove_vm_records(run, vm)
        if disks:
            child = RemoveAllVmImagesParameters(
                vm_id=vm.id, storage_pool_id=vm.storage_pool_id, disk_ids=list(disks)
            )
            run.start_children([(ActionType.REMOVE_ALL_VM_IMAGES, child)])

    def _lock_vm(self, run: Execution, vm: Vm) -> None:
        """The seed's transaction 1: the VM's images locked, its prior state kept."""
        run.snapshot(vm)
        vm.lock_image(run.cause)

    def _remove_vm_records(self, run: Execution, vm: Vm) -> tuple[UUID, ...]:
        """The seed's transaction 2: the VM's records removed and its disks LOCKED."""
        disk_ids = vm.disk_ids if self.params.remove_disks else ()
        for disk in (run.uow.get(Disk, d) for d in disk_ids):
            run.snapshot(disk)
            disk.lock(run.cause)
        vm.remove(run.cause)
        return disk_ids

    def end_successfully(
        self, uow: UnitOfWork, command: Command, cause: Cause
    ) -> list[EngineNotice]:
        return [EngineNotice(name="VmDeleted", entity_id=self.params.vm_id, command_id=command.id)]
