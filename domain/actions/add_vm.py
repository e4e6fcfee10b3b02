"""AddVm: a VM with N disks on a storage pool, so the inventory itself has history."""

from __future__ import annotations

from typing import Any, Self
from uuid import UUID, uuid4

from pydantic import Field, model_validator

from tasktrail.domain.actions.action_type import ActionType
from tasktrail.domain.model.events import AuditNote, Subject
from tasktrail.domain.model.inventory.disk import Disk
from tasktrail.domain.model.inventory.storage_pool import StoragePool, StoragePoolStatus
from tasktrail.domain.model.inventory.vm import Vm, VmStatus
from tasktrail.domain.services.command_base import ActionParameters, CommandBase, Phase
from tasktrail.domain.services.execution import Execution
from tasktrail.domain.services.locks import LockRequest
from tasktrail.domain.services.messages import Msg, Var
from tasktrail.domain.services.ports import Lookups, UnitOfWork


class AddVmParameters(ActionParameters):
    name: str = Field(min_length=1, max_length=64)
    storage_pool_id: UUID
    disks: int = Field(default=1, ge=0, le=64)
    status: VmStatus = VmStatus.DOWN
    vm_id: UUID = Field(default_factory=uuid4)
    disk_ids: list[UUID] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_id_per_disk(self) -> Self:
        if not self.disk_ids:
            object.__setattr__(self, "disk_ids", [uuid4() for _ in range(self.disks)])
        if len(self.disk_ids) != self.disks:
            raise ValueError(f"disk_ids has {len(self.disk_ids)} ids for {self.disks} disks")
        if self.status not in (VmStatus.DOWN, VmStatus.UP):
            raise ValueError(f"a new VM is Down or Up, not {self.status.value}")
        return self


class AddVmCommand(CommandBase[AddVmParameters]):
    action_type = ActionType.ADD_VM
    parameters_class = AddVmParameters

    action_vars = (Var.ACTION_ADD.value, Var.TYPE_VM.value)

    def description(self, uow: UnitOfWork) -> str:
        return f"Creating VM {self.params.name}"

    def subjects(self, uow: UnitOfWork) -> list[Subject]:
        return [Subject(entity_id=self.params.vm_id, entity_type="VM")]

    def audit(
        self, uow: UnitOfWork, phase: Phase, succeeded: bool, result: Any = None
    ) -> AuditNote | None:
        """USER_ADD_VM (no storage tasks here) or USER_FAILED_ADD_VM."""
        if phase is not Phase.EXECUTE:
            return None
        log_type = "USER_ADD_VM" if succeeded else "USER_FAILED_ADD_VM"
        return AuditNote(log_type=log_type, values={"VmName": self.params.name})

    def planned_result(self) -> Any:
        return {
            "vm_id": str(self.params.vm_id),
            "disk_ids": [str(d) for d in self.params.disk_ids],
            "storage_pool_id": str(self.params.storage_pool_id),
        }

    def validate(self, uow: UnitOfWork, lookups: Lookups) -> list[str]:
        """oVirt's AddVmCommand: the VM id must be new (VM_ID_EXISTS), the pool up."""
        pool = uow.find(StoragePool, self.params.storage_pool_id)
        if pool is None:
            return [Msg.STORAGE_POOL_NOT_FOUND.value]
        if pool.state is not StoragePoolStatus.UP:
            return [Msg.STORAGE_POOL_STATUS_ILLEGAL.value]
        if uow.find(Vm, self.params.vm_id) is not None:
            return [Msg.VM_ID_EXISTS.value]
        if any(uow.find(Disk, d) is not None for d in self.params.disk_ids):
            return [Msg.DISK_ALREADY_EXISTS.value]
        return []

    def lock_requests(self) -> list[LockRequest]:
        return [LockRequest("VM", self.params.vm_id)]

    def execute(self, run: Execution) -> Any:
        p = self.params
        for index, disk_id in enumerate(p.disk_ids, start=1):
            run.uow.add(
                Disk(
                    run.cause,
                    id=disk_id,
                    alias=f"{p.name}_Disk{index}",
                    vm_id=p.vm_id,
                    storage_pool_id=p.storage_pool_id,
                )
            )
        run.uow.add(
            Vm(
                run.cause,
                id=p.vm_id,
                name=p.name,
                storage_pool_id=p.storage_pool_id,
                disk_ids=tuple(p.disk_ids),
                to_state=p.status,
            )
        )
        return self.planned_result()
