"""RemoveVm, exactly as the seed walks it: eight validations, transactions 1 and 2, children.

Transaction 1 locks the VM's images and snapshots the VM for compensation; transaction 2
removes the VM's records and locks its disks; the child RemoveAllVmImages deletes the images,
and this command's callback ends it once that child has ended. Each phase checks the VM
first, so a resumed execute does not repeat what a crashed one already saved.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from domain.actions.action_type import ActionType
from domain.actions.remove_all_vm_images import RemoveAllVmImagesParameters
from domain.command.aggregate import Command
from domain.events import Cause
from domain.framework.command_base import ActionParameters, CommandBase
from domain.framework.engine_ports import EngineNotice
from domain.framework.execution import Execution
from domain.framework.locks import LockRequest
from domain.framework.messages import Msg
from domain.framework.unit_of_work import UnitOfWork
from domain.inventory.disk import Disk
from domain.inventory.storage_pool import StoragePool, StoragePoolStatus
from domain.inventory.vm import Vm, VmOrigin, VmStatus


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
        self._lock_vm(run)
        disks = self._remove_vm_records(run)
        with run.transaction() as uow:
            if disks and not run.command(uow).child_ids:
                vm = uow.get(Vm, self.params.vm_id)
                child = RemoveAllVmImagesParameters(
                    vm_id=vm.id, storage_pool_id=vm.storage_pool_id, disk_ids=disks
                )
                run.start_children(uow, [(ActionType.REMOVE_ALL_VM_IMAGES, child)])
        run.execute_children()

    def _lock_vm(self, run: Execution) -> None:
        """Transaction 1: the VM's images locked, its prior state kept for compensation."""
        with run.transaction() as uow:
            vm = uow.get(Vm, self.params.vm_id)
            if vm.state in (VmStatus.DOWN, VmStatus.IMAGE_ILLEGAL):
                run.snapshot(uow, vm)
                vm.lock_image(run.cause)

    def _remove_vm_records(self, run: Execution) -> list[UUID]:
        """Transaction 2: the VM's records removed and its disks LOCKED, in one save."""
        with run.transaction() as uow:
            vm = uow.get(Vm, self.params.vm_id)
            disk_ids = vm.disk_ids if self.params.remove_disks else []
            if vm.state is VmStatus.IMAGE_LOCKED:
                for disk in (uow.get(Disk, d) for d in disk_ids):
                    run.snapshot(uow, disk)
                    disk.lock(run.cause)
                run.snapshot(uow, vm)
                vm.remove(run.cause)
        return disk_ids

    def end_successfully(
        self, uow: UnitOfWork, command: Command, cause: Cause
    ) -> list[EngineNotice]:
        return [EngineNotice(name="VmDeleted", entity_id=self.params.vm_id, command_id=command.id)]
