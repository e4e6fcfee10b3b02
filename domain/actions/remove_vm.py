"""RemoveVm, as oVirt's RemoveVmCommand does it: validations in its order, transactions 1 and 2,
RemoveAllVmImages, and a callback that ends it once every RemoveImage has ended.

Transaction 1 locks the VM's images (its status kept for compensation) and the VM lock is
freed right after it (Scope.Execution); transaction 2 deletes the VM's rows and locks its
disks, keeping ILLEGAL as each disk's compensation; RemoveAllVmImages then starts one
RemoveImage per disk (children of RemoveVm). If a disk could not start being deleted, execute
does not succeed: the disks are left ILLEGAL by compensation and VmDeleted is not fired.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from tasktrail.domain.actions.action_type import ActionType
from tasktrail.domain.actions.remove_all_vm_images import RemoveAllVmImagesParameters
from tasktrail.domain.model.events import AuditNote, Subject
from tasktrail.domain.model.inventory.disk import Disk, DiskStatus
from tasktrail.domain.model.inventory.storage_pool import StoragePool, StoragePoolStatus
from tasktrail.domain.model.inventory.vm import Vm, VmStatus
from tasktrail.domain.services.command_base import ActionParameters, CommandBase, LockScope, Phase
from tasktrail.domain.services.execution import Execution
from tasktrail.domain.services.locks import LockRequest
from tasktrail.domain.services.messages import Msg, Var, variable
from tasktrail.domain.services.ports import EngineNotice, Lookups, UnitOfWork


class RemoveVmParameters(ActionParameters):
    vm_id: UUID
    remove_disks: bool = True
    """False detaches the disks instead (REST's ``detach_only``)."""
    force: bool = False


class RemoveVmCommand(CommandBase[RemoveVmParameters]):
    action_type = ActionType.REMOVE_VM
    parameters_class = RemoveVmParameters
    has_callback = True
    action_vars = (Var.ACTION_REMOVE.value, Var.TYPE_VM.value)
    lock_scope = LockScope.EXECUTION

    def description(self, uow: UnitOfWork) -> str:
        vm = uow.find(Vm, self.params.vm_id)
        return f"Removing VM {vm.name if vm else self.params.vm_id} from system"

    def subjects(self, uow: UnitOfWork) -> list[Subject]:
        return [Subject(entity_id=self.params.vm_id, entity_type="VM")]

    def lock_requests(self) -> list[LockRequest]:
        return [LockRequest("VM", self.params.vm_id)]

    def validate(self, uow: UnitOfWork, lookups: Lookups) -> list[str]:
        """RemoveVmCommand.validate's checks in oVirt's order; the first that fails answers."""
        vm = uow.find(Vm, self.params.vm_id)
        if vm is None or vm.deleted:
            return [Msg.VM_NOT_FOUND.value]
        if vm.delete_protected:
            return [Msg.DELETE_PROTECTION_ENABLED.value]
        for check in (self._status, self._pool_and_snapshot, self._storage, self._locked):
            refused = check(uow, vm, lookups)
            if refused:
                return refused
        return [Msg.VM_IS_DURING_BACKUP.value] if vm.backup_in_progress else []

    def _status(self, uow: UnitOfWork, vm: Vm, lookups: Lookups) -> list[str]:
        if vm.state is VmStatus.SUSPENDED:
            return [Msg.VM_NOT_DOWN.value]
        if vm.state is VmStatus.UP:
            return [Msg.VM_IS_RUNNING.value]
        return []

    def _pool_and_snapshot(self, uow: UnitOfWork, vm: Vm, lookups: Lookups) -> list[str]:
        if vm.vm_pool_id is not None:
            return [Msg.VM_ATTACHED_TO_POOL.value]
        return [Msg.VM_IS_DURING_SNAPSHOT.value] if vm.snapshot_in_progress else []

    def _storage(self, uow: UnitOfWork, vm: Vm, lookups: Lookups) -> list[str]:
        """Only a VM with disks needs its storage pool up and its disks unlocked."""
        if not vm.disk_ids:
            return []
        pool = uow.find(StoragePool, vm.storage_pool_id)
        if pool is None:
            return [Msg.STORAGE_POOL_NOT_FOUND.value]
        if pool.state is not StoragePoolStatus.UP:
            return [Msg.STORAGE_POOL_STATUS_ILLEGAL.value]
        locked = [d.alias for d in self._disks(uow, vm) if d.state is DiskStatus.LOCKED]
        if locked and not self.params.force:
            return [Msg.DISKS_LOCKED.value, variable("diskAliases", ", ".join(locked))]
        return []

    def _locked(self, uow: UnitOfWork, vm: Vm, lookups: Lookups) -> list[str]:
        """vmNotLocked; with force, refused only while the pool's SPM has tasks."""
        if vm.state is not VmStatus.IMAGE_LOCKED:
            return []
        if not self.params.force:
            return [Msg.VM_IS_LOCKED.value]
        busy = lookups.tasks_in_pool(vm.storage_pool_id) > 0
        return [Msg.VM_HAS_RUNNING_TASKS.value] if busy else []

    @staticmethod
    def _disks(uow: UnitOfWork, vm: Vm) -> list[Disk]:
        return [d for d in (uow.find(Disk, i) for i in vm.disk_ids) if d and not d.deleted]

    def execute(self, run: Execution) -> Any:
        vm = run.uow.get(Vm, self.params.vm_id)
        with run.transaction():
            if vm.state is not VmStatus.IMAGE_LOCKED:
                run.snapshot(vm)
                vm.lock_image(run.cause)
        run.free_locks()
        disks = self._disks(run.uow, vm) if self.params.remove_disks else []
        with run.transaction():
            for disk in disks:
                run.snapshot(disk, DiskStatus.ILLEGAL)
                disk.lock(run.cause)
            vm.remove(run.cause)
        unremoved = self._remove_images(run, vm, disks)
        if unremoved:
            run.succeeded = False
            return {"unremoved_disks": unremoved}
        run.announce(EngineNotice(name="VmDeleted", entity_id=vm.id, command_id=run.command_id))
        return None

    def _remove_images(self, run: Execution, vm: Vm, disks: list[Disk]) -> list[str]:
        """RemoveAllVmImages; the aliases of the disks whose deletion could not start."""
        if not disks:
            return []
        params = RemoveAllVmImagesParameters(
            vm_id=vm.id, storage_pool_id=vm.storage_pool_id, disk_ids=[d.id for d in disks]
        )
        [child] = run.run_children([(ActionType.REMOVE_ALL_VM_IMAGES, params)])
        failed = set(run.result_of(child.command_id) or [])
        return [d.alias for d in disks if str(d.id) in failed]

    def audit(
        self, uow: UnitOfWork, phase: Phase, succeeded: bool, result: Any = None
    ) -> AuditNote | None:
        """USER_REMOVE_VM_FINISHED, or …_WITH_ILLEGAL_DISKS; nothing at the end action."""
        if phase is not Phase.EXECUTE:
            return None
        vm = uow.find(Vm, self.params.vm_id)
        values = {"VmName": vm.name if vm else str(self.params.vm_id)}
        if succeeded:
            return AuditNote(log_type="USER_REMOVE_VM_FINISHED", values=values)
        disks = ", ".join((result or {}).get("unremoved_disks", []))
        return AuditNote(
            log_type="USER_REMOVE_VM_FINISHED_WITH_ILLEGAL_DISKS",
            values={**values, "DisksNames": disks},
        )
