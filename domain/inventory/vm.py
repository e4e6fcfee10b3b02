"""The Vm aggregate: the managed world's virtual machine, locked while commands work on it."""

from __future__ import annotations

from enum import StrEnum
from uuid import UUID

from domain.events import Cause
from domain.state_machine import Created as BaseCreated
from domain.state_machine import Row, StateMachineAggregate, Transitioned, TransitionTable


class VmStatus(StrEnum):
    DOWN = "Down"
    UP = "Up"
    IMAGE_LOCKED = "ImageLocked"
    IMAGE_ILLEGAL = "ImageIllegal"
    REMOVED = "Removed"


class VmOrigin(StrEnum):
    """Where a VM comes from; only engine-managed VMs may be removed by RemoveVm."""

    OVIRT = "OVIRT"
    HOSTED_ENGINE = "HOSTED_ENGINE"
    EXTERNAL = "EXTERNAL"


S = VmStatus
_PRESENT = (S.DOWN, S.UP, S.IMAGE_LOCKED, S.IMAGE_ILLEGAL)

VM_TABLE = TransitionTable(
    "Vm",
    VmStatus,
    initial=[S.DOWN, S.UP],
    rows=[
        Row("run", (S.DOWN,), S.UP, "Started", "the VM was powered on"),
        Row("stop", (S.UP,), S.DOWN, "Stopped", "the VM was powered off"),
        # RemoveVm transaction 1: the VM's images are locked while its disks go.
        Row(
            "lock_image",
            (S.DOWN, S.IMAGE_ILLEGAL),
            S.IMAGE_LOCKED,
            "ImageLocked",
            "a command works on its images",
        ),
        # Compensation puts a locked VM back to Down.
        Row("unlock_image", (S.IMAGE_LOCKED,), S.DOWN, "ImageUnlocked", "the work was undone"),
        Row(
            "mark_image_illegal",
            (S.IMAGE_LOCKED,),
            S.IMAGE_ILLEGAL,
            "ImageMarkedIllegal",
            "its images are in an unknown state",
        ),
        # RemoveVm transaction 2: the VM's records are removed.
        Row("remove", (S.IMAGE_LOCKED, S.DOWN), S.REMOVED, "Removed", "the VM was deleted"),
        # Compensation of transaction 2 brings the VM's records back, still locked.
        Row("restore", (S.REMOVED,), S.IMAGE_LOCKED, "Restored", "its removal was undone"),
        Row("attach_to_pool", _PRESENT, None, "AttachedToPool", "the VM joined a VM pool"),
        Row("detach_from_pool", _PRESENT, None, "DetachedFromPool", "the VM left its VM pool"),
        Row("begin_snapshot", _PRESENT, None, "SnapshotBegan", "a snapshot is being taken"),
        Row("end_snapshot", _PRESENT, None, "SnapshotEnded", "the snapshot is done"),
        Row("begin_backup", _PRESENT, None, "BackupBegan", "a backup is running"),
        Row("end_backup", _PRESENT, None, "BackupEnded", "the backup is done"),
    ],
)


class Vm(StateMachineAggregate):
    TABLE = VM_TABLE
    state: VmStatus

    name: str
    origin: VmOrigin
    storage_pool_id: UUID
    disk_ids: list[UUID]
    vm_pool_id: UUID | None
    snapshot_in_progress: bool
    backup_in_progress: bool

    class Created(BaseCreated):
        name: str
        origin: VmOrigin
        storage_pool_id: UUID
        disk_ids: list[UUID]

        def apply(self, aggregate: Vm) -> None:
            aggregate.name = self.name
            aggregate.origin = self.origin
            aggregate.storage_pool_id = self.storage_pool_id
            aggregate.disk_ids = list(self.disk_ids)
            aggregate.vm_pool_id = None
            aggregate.snapshot_in_progress = False
            aggregate.backup_in_progress = False

    class AttachedToPool(Transitioned):
        vm_pool_id: UUID

        def apply(self, aggregate: Vm) -> None:
            aggregate.vm_pool_id = self.vm_pool_id

    class DetachedFromPool(Transitioned):
        def apply(self, aggregate: Vm) -> None:
            aggregate.vm_pool_id = None

    class SnapshotBegan(Transitioned):
        def apply(self, aggregate: Vm) -> None:
            aggregate.snapshot_in_progress = True

    class SnapshotEnded(Transitioned):
        def apply(self, aggregate: Vm) -> None:
            aggregate.snapshot_in_progress = False

    class BackupBegan(Transitioned):
        def apply(self, aggregate: Vm) -> None:
            aggregate.backup_in_progress = True

    class BackupEnded(Transitioned):
        def apply(self, aggregate: Vm) -> None:
            aggregate.backup_in_progress = False

    @classmethod
    def create(
        cls,
        cause: Cause,
        *,
        name: str,
        storage_pool_id: UUID,
        disk_ids: list[UUID],
        status: VmStatus = VmStatus.DOWN,
        origin: VmOrigin = VmOrigin.OVIRT,
        id: UUID | None = None,
    ) -> Vm:
        return cls._create(
            cls.Created,
            cause,
            status,
            id=id,
            name=name,
            origin=origin,
            storage_pool_id=storage_pool_id,
            disk_ids=disk_ids,
        )

    def run(self, cause: Cause) -> None:
        self._transition("run", cause)

    def stop(self, cause: Cause) -> None:
        self._transition("stop", cause)

    def lock_image(self, cause: Cause) -> None:
        self._transition("lock_image", cause)

    def unlock_image(self, cause: Cause) -> None:
        self._transition("unlock_image", cause)

    def mark_image_illegal(self, cause: Cause) -> None:
        self._transition("mark_image_illegal", cause)

    def remove(self, cause: Cause) -> None:
        self._transition("remove", cause)

    def restore(self, cause: Cause) -> None:
        self._transition("restore", cause)

    def attach_to_pool(self, cause: Cause, vm_pool_id: UUID) -> None:
        self._transition("attach_to_pool", cause, vm_pool_id=vm_pool_id)

    def detach_from_pool(self, cause: Cause) -> None:
        self._transition("detach_from_pool", cause)

    def begin_snapshot(self, cause: Cause) -> None:
        self._transition("begin_snapshot", cause)

    def end_snapshot(self, cause: Cause) -> None:
        self._transition("end_snapshot", cause)

    def begin_backup(self, cause: Cause) -> None:
        self._transition("begin_backup", cause)

    def end_backup(self, cause: Cause) -> None:
        self._transition("end_backup", cause)
