"""The Disk aggregate (oVirt's images row): a VM's disk image on a storage pool."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.domain import event

from tasktrail.domain.model.aggregate import StateMachineAggregate
from tasktrail.domain.model.events import EventMeta
from tasktrail.domain.model.machine import Row, TransitionTable


class DiskStatus(StrEnum):
    """oVirt's ImageStatus (a deleted image has no status: oVirt deletes its rows)."""

    OK = "OK"
    LOCKED = "LOCKED"
    ILLEGAL = "ILLEGAL"

    @property
    def code(self) -> int:
        """The number oVirt stores (ImageStatus.getValue())."""
        return {DiskStatus.OK: 1, DiskStatus.LOCKED: 2, DiskStatus.ILLEGAL: 4}[self]


S = DiskStatus

DISK_TABLE = TransitionTable(
    "Disk",
    DiskStatus,
    initial=[S.OK],
    rows=[
        # RemoveVm transaction 2: the VM's disks are locked before their images are deleted.
        Row("lock", (S.OK, S.ILLEGAL), S.LOCKED, "Locked", "a command works on the image"),
        # Compensation, or a command that ended without touching storage.
        Row("unlock", (S.LOCKED,), S.OK, "Unlocked", "the work was undone"),
        # The storage task failed: the image's state on storage is unknown.
        Row("mark_illegal", (S.LOCKED,), S.ILLEGAL, "MarkedIllegal", "deleting the image failed"),
        # RemoveImage's end action: the image is gone from storage, oVirt deletes its rows.
        Row(
            "remove",
            (S.LOCKED, S.ILLEGAL),
            None,
            "Removed",
            "the image was deleted (also once compensation had marked it ILLEGAL)",
            deletes=True,
        ),
    ],
)


class Disk(StateMachineAggregate):
    TABLE = DISK_TABLE
    # The event classes @event makes from the methods below, declared for type checkers.
    Created: ClassVar[type[Any]]
    Locked: ClassVar[type[Any]]
    Unlocked: ClassVar[type[Any]]
    MarkedIllegal: ClassVar[type[Any]]
    Removed: ClassVar[type[Any]]
    state: DiskStatus
    alias: str
    vm_id: UUID | None
    storage_pool_id: UUID
    size_gb: int

    @event("Created")
    def __init__(
        self,
        meta: EventMeta,
        id: UUID,
        alias: str,
        vm_id: UUID | None,
        storage_pool_id: UUID,
        size_gb: int = 10,
    ) -> None:
        self.alias = alias
        self.vm_id = vm_id
        self.storage_pool_id = storage_pool_id
        self.size_gb = size_gb

    @event("Locked")
    def lock(self, meta: EventMeta) -> None:
        pass

    @event("Unlocked")
    def unlock(self, meta: EventMeta) -> None:
        pass

    @event("MarkedIllegal")
    def mark_illegal(self, meta: EventMeta) -> None:
        pass

    @event("Removed")
    def remove(self, meta: EventMeta) -> None:
        pass
