"""``tt_vm``, ``tt_disk`` and ``tt_storage_pool``: the simulated managed world.

A VM's or disk's row is deleted when it is removed (its stream ends there), as oVirt deletes
``vm_static`` in RemoveVm's second transaction and an image's rows when RemoveImage ends well;
history still has them, and audit entries carry the names they need.
"""

from __future__ import annotations

from tasktrail.domain.model.events import Transitioned
from tasktrail.domain.model.inventory.disk import Disk
from tasktrail.domain.model.inventory.storage_pool import StoragePool
from tasktrail.domain.model.inventory.vm import Vm
from tasktrail.projections.changes import Change, Delete, Insert, Update


def project_vm(event: Transitioned) -> list[Change]:
    key = {"vm_guid": event.originator_id}
    if isinstance(event, Vm.Created):
        return [
            Insert(
                "tt_vm",
                {
                    **key,
                    "vm_name": event.name,
                    "status": event.to_state,
                    "origin": event.origin.value,
                    "storage_pool_id": event.storage_pool_id,
                    "snapshot_in_progress": False,
                    "backup_in_progress": False,
                    "creation_date": event.timestamp,
                    "last_update": event.timestamp,
                },
            )
        ]
    if isinstance(event, Vm.Removed):
        return [Delete("tt_vm", key)]
    values: dict[str, object] = {"status": event.to_state, "last_update": event.timestamp}
    flags: dict[str, dict[str, object]] = {
        "AttachedToPool": {"vm_pool_id": getattr(event, "vm_pool_id", None)},
        "DetachedFromPool": {"vm_pool_id": None},
        "SnapshotBegan": {"snapshot_in_progress": True},
        "SnapshotEnded": {"snapshot_in_progress": False},
        "BackupBegan": {"backup_in_progress": True},
        "BackupEnded": {"backup_in_progress": False},
    }
    values |= flags.get(type(event).__name__, {})
    return [Update("tt_vm", key, values)]


def project_disk(event: Transitioned) -> list[Change]:
    key = {"image_guid": event.originator_id}
    if isinstance(event, Disk.Created):
        return [
            Insert(
                "tt_disk",
                {
                    **key,
                    "disk_alias": event.alias,
                    "vm_guid": event.vm_id,
                    "storage_pool_id": event.storage_pool_id,
                    "size_gb": event.size_gb,
                    "imagestatus": event.to_state,
                    "last_update": event.timestamp,
                },
            )
        ]
    if isinstance(event, Disk.Removed):
        return [Delete("tt_disk", key)]
    return [Update("tt_disk", key, {"imagestatus": event.to_state, "last_update": event.timestamp})]


def project_storage_pool(event: Transitioned) -> list[Change]:
    key = {"id": event.originator_id}
    if isinstance(event, StoragePool.Created):
        return [Insert("tt_storage_pool", {**key, "name": event.name, "status": event.to_state})]
    return [Update("tt_storage_pool", key, {"status": event.to_state})]
