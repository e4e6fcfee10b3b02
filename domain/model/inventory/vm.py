"""The Vm aggregate: the managed world's virtual machine, locked while commands work on it."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.domain import event

from tasktrail.domain.model.aggregate import StateMachineAggregate
from tasktrail.domain.model.events import EventMeta
from tasktrail.domain.model.machine import Row, TransitionTable


class VmStatus(StrEnum):
    """oVirt's VMStatus, the part tasktrail's VMs go through (a removed VM has no status:
    oVirt deletes its row, and its stream here ends)."""

    DOWN = "Down"
    UP = "Up"
    SUSPENDED = "Suspended"
    IMAGE_ILLEGAL = "ImageIllegal"
    IMAGE_LOCKED = "ImageLocked"

    @property
    def code(self) -> int:
        """The number oVirt stores (VMStatus.getValue())."""
        return _VM_STATUS_CODES[self]


_VM_STATUS_CODES = {
    VmStatus.DOWN: 0,
    VmStatus.UP: 1,
    VmStatus.SUSPENDED: 13,
    VmStatus.IMAGE_ILLEGAL: 14,
    VmStatus.IMAGE_LOCKED: 15,
}


class VmOrigin(StrEnum):
    """Where a VM comes from (oVirt's OriginType, the part tasktrail knows)."""

    OVIRT = "OVIRT"
    HOSTED_ENGINE = "HOSTED_ENGINE"
    EXTERNAL = "EXTERNAL"


S = VmStatus
_PRESENT = (S.DOWN, S.UP, S.SUSPENDED, S.IMAGE_LOCKED, S.IMAGE_ILLEGAL)

VM_TABLE = TransitionTable(
    "Vm",
    VmStatus,
    initial=[S.DOWN, S.UP],
    rows=[
        Row("run", (S.DOWN, S.SUSPENDED), S.UP, "Started", "the VM was powered on"),
        Row("stop", (S.UP, S.SUSPENDED), S.DOWN, "Stopped", "the VM was powered off"),
        Row("suspend", (S.UP,), S.SUSPENDED, "Suspended", "the VM was hibernated"),
        # RemoveVm transaction 1 (VmHandler.lockVm): the VM's images are locked while its disks go.
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
        # RemoveVm transaction 2 (removeVmFromDb): oVirt deletes the VM's rows; its stream ends.
        Row(
            "remove", (S.IMAGE_LOCKED, S.DOWN), None, "Removed", "the VM was deleted", deletes=True
        ),
        Row("attach_to_pool", _PRESENT, None, "AttachedToPool", "the VM joined a VM pool"),
        Row("detach_from_pool", _PRESENT, None, "DetachedFromPool", "the VM left its VM pool"),
        Row(
            "set_delete_protection",
            _PRESENT,
            None,
            "DeleteProtectionSet",
            "an operator turned delete protection on or off",
        ),
        Row("begin_snapshot", _PRESENT, None, "SnapshotBegan", "a snapshot is being taken"),
        Row("end_snapshot", _PRESENT, None, "SnapshotEnded", "the snapshot is done"),
        Row("begin_backup", _PRESENT, None, "BackupBegan", "a backup is running"),
        Row("end_backup", _PRESENT, None, "BackupEnded", "the backup is done"),
    ],
)


class Vm(StateMachineAggregate):
    TABLE = VM_TABLE
    # The event classes @event makes from the methods below, declared for type checkers.
    Created: ClassVar[type[Any]]
    Started: ClassVar[type[Any]]
    Stopped: ClassVar[type[Any]]
    ImageLocked: ClassVar[type[Any]]
    ImageUnlocked: ClassVar[type[Any]]
    ImageMarkedIllegal: ClassVar[type[Any]]
    Removed: ClassVar[type[Any]]
    Suspended: ClassVar[type[Any]]
    DeleteProtectionSet: ClassVar[type[Any]]
    AttachedToPool: ClassVar[type[Any]]
    DetachedFromPool: ClassVar[type[Any]]
    SnapshotBegan: ClassVar[type[Any]]
    SnapshotEnded: ClassVar[type[Any]]
    BackupBegan: ClassVar[type[Any]]
    BackupEnded: ClassVar[type[Any]]
    state: VmStatus
    name: str
    origin: VmOrigin
    storage_pool_id: UUID
    disk_ids: tuple[UUID, ...]
    vm_pool_id: UUID | None
    snapshot_in_progress: bool
    backup_in_progress: bool
    delete_protected: bool

    @event("Created")
    def __init__(
        self,
        meta: EventMeta,
        id: UUID,
        name: str,
        storage_pool_id: UUID,
        disk_ids: tuple[UUID, ...],
        origin: VmOrigin = VmOrigin.OVIRT,
        to_state: VmStatus = VmStatus.DOWN,
    ) -> None:
        """``to_state`` is Down or Up."""
        self.name = name
        self.origin = origin
        self.storage_pool_id = storage_pool_id
        self.disk_ids = disk_ids
        self.vm_pool_id = None
        self.snapshot_in_progress = False
        self.backup_in_progress = False
        self.delete_protected = False

    @event("Started")
    def run(self, meta: EventMeta) -> None:
        pass

    @event("Stopped")
    def stop(self, meta: EventMeta) -> None:
        pass

    @event("Suspended")
    def suspend(self, meta: EventMeta) -> None:
        pass

    @event("ImageLocked")
    def lock_image(self, meta: EventMeta) -> None:
        pass

    @event("ImageUnlocked")
    def unlock_image(self, meta: EventMeta) -> None:
        pass

    @event("ImageMarkedIllegal")
    def mark_image_illegal(self, meta: EventMeta) -> None:
        pass

    @event("Removed")
    def remove(self, meta: EventMeta) -> None:
        pass

    @event("AttachedToPool")
    def attach_to_pool(self, meta: EventMeta, vm_pool_id: UUID) -> None:
        self.vm_pool_id = vm_pool_id

    @event("DetachedFromPool")
    def detach_from_pool(self, meta: EventMeta) -> None:
        self.vm_pool_id = None

    @event("DeleteProtectionSet")
    def set_delete_protection(self, meta: EventMeta, protected: bool) -> None:
        self.delete_protected = protected

    @event("SnapshotBegan")
    def begin_snapshot(self, meta: EventMeta) -> None:
        self.snapshot_in_progress = True

    @event("SnapshotEnded")
    def end_snapshot(self, meta: EventMeta) -> None:
        self.snapshot_in_progress = False

    @event("BackupBegan")
    def begin_backup(self, meta: EventMeta) -> None:
        self.backup_in_progress = True

    @event("BackupEnded")
    def end_backup(self, meta: EventMeta) -> None:
        self.backup_in_progress = False
