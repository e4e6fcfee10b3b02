"""Compensation: the prior state of each entity a command changes, and how to put it back.

A snapshot is an event on the command (oVirt's business_entity_snapshot row); undoing walks the
entity's own transition table back to the recorded state, so compensation is history too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from domain.model.command.aggregate import Command, EntitySnapshot
from domain.model.inventory.disk import Disk, DiskStatus
from domain.model.inventory.vm import Vm, VmStatus

if TYPE_CHECKING:
    from domain.model.events import Cause
    from domain.services.ports import UnitOfWork

CHANGED_STATUS_ONLY = "CHANGED_STATUS_ONLY"
DELETED_OR_UPDATED_ENTITY = "DELETED_OR_UPDATED_ENTITY"


def snapshot(
    command: Command, cause: Cause, entity: Vm | Disk, snapshot_type: str = CHANGED_STATUS_ONLY
) -> None:
    """Records ``entity``'s state once per command (oVirt keeps the first snapshot)."""
    if any(s.entity_id == entity.id for s in command.snapshots):
        return
    command.snapshot_entity(
        cause,
        EntitySnapshot(
            entity_id=entity.id,
            entity_type=type(entity).__name__,
            snapshot_type=snapshot_type,
            state={"status": entity.state.value},
        ),
    )


def compensate(uow: UnitOfWork, command: Command, cause: Cause) -> None:
    """Applies the command's snapshots newest first, then records that it did."""
    for taken in reversed(command.snapshots):
        _RESTORERS[taken.entity_type](uow, taken, cause)
    command.compensate(cause)


def _restore_vm(uow: UnitOfWork, taken: EntitySnapshot, cause: Cause) -> None:
    vm = uow.get(Vm, taken.entity_id)
    if vm.state is VmStatus.REMOVED:
        vm.restore(cause)
    if vm.state is VmStatus.IMAGE_LOCKED and taken.state["status"] == VmStatus.DOWN:
        vm.unlock_image(cause)


def _restore_disk(uow: UnitOfWork, taken: EntitySnapshot, cause: Cause) -> None:
    disk = uow.get(Disk, taken.entity_id)
    if disk.state is DiskStatus.LOCKED and taken.state["status"] == DiskStatus.OK:
        disk.unlock(cause)
    elif disk.state is DiskStatus.LOCKED and taken.state["status"] == DiskStatus.ILLEGAL:
        disk.mark_illegal(cause)


_RESTORERS: dict[str, Callable[[UnitOfWork, EntitySnapshot, Cause], None]] = {
    "Vm": _restore_vm,
    "Disk": _restore_disk,
}
