"""Compensation: what to put back if a command's execution fails after changing an entity.

A snapshot is an event on the command (oVirt's business_entity_snapshot row). As oVirt's
snapshotEntityStatus, it stores the status it is given: RemoveVm snapshots each disk as
ILLEGAL, so a failure leaves the disks ILLEGAL rather than pretending they were untouched.
An entity that was deleted (the VM's rows, in RemoveVm's transaction 2) is not brought back.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import TYPE_CHECKING

from tasktrail.domain.model.command.aggregate import Command, EntitySnapshot
from tasktrail.domain.model.inventory.disk import Disk, DiskStatus
from tasktrail.domain.model.inventory.vm import Vm, VmStatus

if TYPE_CHECKING:
    from tasktrail.domain.model.events import Cause
    from tasktrail.domain.services.ports import UnitOfWork

CHANGED_STATUS_ONLY = "CHANGED_STATUS_ONLY"


def snapshot(
    command: Command, cause: Cause, entity: Vm | Disk, status: StrEnum | None = None
) -> None:
    """Records the status to restore (``status``, else the current one), first one only."""
    if any(s.entity_id == entity.id for s in command.snapshots):
        return
    command.snapshot_entity(
        cause,
        EntitySnapshot(
            entity_id=entity.id,
            entity_type=type(entity).__name__,
            snapshot_type=CHANGED_STATUS_ONLY,
            state={"status": (status or entity.state).value},
        ),
    )


def compensate(uow: UnitOfWork, command: Command, cause: Cause) -> None:
    """Applies the command's snapshots newest first (CommandCompensator), then says so."""
    if not command.snapshots:
        return
    for taken in reversed(command.snapshots):
        _RESTORERS[taken.entity_type](uow, taken, cause)
    command.compensate(cause)


def _restore_vm(uow: UnitOfWork, taken: EntitySnapshot, cause: Cause) -> None:
    vm = uow.get(Vm, taken.entity_id)
    if not vm.deleted and vm.state is VmStatus.IMAGE_LOCKED and taken.state["status"] == "Down":
        vm.unlock_image(cause)


def _restore_disk(uow: UnitOfWork, taken: EntitySnapshot, cause: Cause) -> None:
    disk = uow.get(Disk, taken.entity_id)
    if disk.deleted or disk.state is not DiskStatus.LOCKED:
        return
    if taken.state["status"] == DiskStatus.ILLEGAL:
        disk.mark_illegal(cause)
    elif taken.state["status"] == DiskStatus.OK:
        disk.unlock(cause)


_RESTORERS: dict[str, Callable[[UnitOfWork, EntitySnapshot, Cause], None]] = {
    "Vm": _restore_vm,
    "Disk": _restore_disk,
}
