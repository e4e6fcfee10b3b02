"""The Disk aggregate (oVirt's images row): a VM's disk image on a storage pool."""

from __future__ import annotations

from enum import StrEnum
from uuid import UUID

from domain.events import Cause
from domain.state_machine import Created as BaseCreated
from domain.state_machine import Row, StateMachineAggregate, TransitionTable


class DiskStatus(StrEnum):
    """oVirt's ImageStatus, plus the removal tasktrail records instead of deleting a row."""

    OK = "OK"
    LOCKED = "LOCKED"
    ILLEGAL = "ILLEGAL"
    REMOVED = "REMOVED"


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
        # RemoveImage's end action: the image is gone from storage.
        Row("remove", (S.LOCKED,), S.REMOVED, "Removed", "the image was deleted"),
    ],
)


class Disk(StateMachineAggregate):
    TABLE = DISK_TABLE
    state: DiskStatus

    alias: str
    vm_id: UUID | None
    storage_pool_id: UUID
    size_gb: int

    class Created(BaseCreated):
        alias: str
        vm_id: UUID | None
        storage_pool_id: UUID
        size_gb: int

        def apply(self, aggregate: Disk) -> None:
            aggregate.alias = self.alias
            aggregate.vm_id = self.vm_id
            aggregate.storage_pool_id = self.storage_pool_id
            aggregate.size_gb = self.size_gb

    @classmethod
    def create(
        cls,
        cause: Cause,
        *,
        alias: str,
        vm_id: UUID | None,
        storage_pool_id: UUID,
        size_gb: int = 10,
        id: UUID | None = None,
    ) -> Disk:
        return cls._create(
            cls.Created,
            cause,
            DiskStatus.OK,
            id=id,
            alias=alias,
            vm_id=vm_id,
            storage_pool_id=storage_pool_id,
            size_gb=size_gb,
        )

    def lock(self, cause: Cause) -> None:
        self._transition("lock", cause)

    def unlock(self, cause: Cause) -> None:
        self._transition("unlock", cause)

    def mark_illegal(self, cause: Cause) -> None:
        self._transition("mark_illegal", cause)

    def remove(self, cause: Cause) -> None:
        self._transition("remove", cause)
