"""``vm_static``, ``images`` and ``storage_pool``: the managed world as operators see it.

Removed VMs and disks keep their rows with status Removed/REMOVED, so history and audit can
still name them and compensation can bring them back.
"""

from __future__ import annotations

from domain.model.events import Transitioned
from domain.model.inventory.disk import Disk
from domain.model.inventory.storage_pool import StoragePool
from domain.model.inventory.vm import Vm
from projections.changes import Change, Insert, Update


def project_vm(event: Transitioned) -> list[Change]:
    key = {"vm_guid": event.originator_id}
    if isinstance(event, Vm.Created):
        return [
            Insert(
                "vm_static",
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
    status = "Removed" if isinstance(event, Vm.Removed) else event.to_state
    values: dict[str, object] = {"status": status, "last_update": event.timestamp}
    flags: dict[str, dict[str, object]] = {
        "AttachedToPool": {"vm_pool_id": getattr(event, "vm_pool_id", None)},
        "DetachedFromPool": {"vm_pool_id": None},
        "SnapshotBegan": {"snapshot_in_progress": True},
        "SnapshotEnded": {"snapshot_in_progress": False},
        "BackupBegan": {"backup_in_progress": True},
        "BackupEnded": {"backup_in_progress": False},
    }
    values |= flags.get(type(event).__name__, {})
    return [Update("vm_static", key, values)]


def project_disk(event: Transitioned) -> list[Change]:
    key = {"image_guid": event.originator_id}
    if isinstance(event, Disk.Created):
        return [
            Insert(
                "images",
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
    status = "REMOVED" if isinstance(event, Disk.Removed) else event.to_state
    return [Update("images", key, {"imagestatus": status, "last_update": event.timestamp})]


def project_storage_pool(event: Transitioned) -> list[Change]:
    key = {"id": event.originator_id}
    if isinstance(event, StoragePool.Created):
        return [Insert("storage_pool", {**key, "name": event.name, "status": event.to_state})]
    return [Update("storage_pool", key, {"status": event.to_state})]
