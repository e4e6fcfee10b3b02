"""The Vm aggregate: the managed world's virtual machine, locked while commands work on it."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.domain import event

from domain.model.aggregate import StateMachineAggregate
from domain.model.events import EventMeta
from domain.model.machine import Row, TransitionTable


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
    # The event classes @event makes from the methods below, declared for type checkers.
    Created: ClassVar[type[Any]]
    Started: ClassVar[type[Any]]
    Stopped: ClassVar[type[Any]]
    ImageLocked: ClassVar[type[Any]]
    ImageUnlocked: ClassVar[type[Any]]
    ImageMarkedIllegal: ClassVar[type[Any]]
    Removed: ClassVar[type[Any]]
    Restored: ClassVar[type[Any]]
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

    @event("Started")
    def run(self, meta: EventMeta) -> None:
        pass

    @event("Stopped")
    def stop(self, meta: EventMeta) -> None:
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

    @event("Restored")
    def restore(self, meta: EventMeta) -> None:
        pass

    @event("AttachedToPool")
    def attach_to_pool(self, meta: EventMeta, vm_pool_id: UUID) -> None:
        self.vm_pool_id = vm_pool_id

    @event("DetachedFromPool")
    def detach_from_pool(self, meta: EventMeta) -> None:
        self.vm_pool_id = None

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
