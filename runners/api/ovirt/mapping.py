"""The views as oVirt's API types: element names, enum values and links as its mappers give them.

Statuses are lower-case (API version 4); a step type outside the API's StepEnum shows as
``unknown``, as in oVirt's StepMapper. Users have no ``/users`` resource here, so an owner is
an id without a link.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from tasktrail.projections.ovirt_codes import user_uuid
from tasktrail.runners.api.ovirt.document import Node, Value
from tasktrail.runners.api.views import DataCenterView, DiskView, JobView, StepView, VmView

API = "/ovirt-engine/api"
COLLECTIONS = ("datacenters", "disks", "jobs", "vms")
"""The collections this API serves, as the root links them."""

_API_STEP_TYPES = {"VALIDATING", "EXECUTING", "FINALIZING", "REBALANCING_VOLUME", "REMOVING_BRICKS"}
_VM_STATUS = {
    "Down": "down",
    "Up": "up",
    "Suspended": "suspended",
    "ImageLocked": "image_locked",
    "ImageIllegal": "down",  # oVirt shows a VM with an illegal image as stopped
}
_DATA_CENTER_STATUS = {
    "Uninitialized": "uninitialized",
    "Up": "up",
    "Maintenance": "maintenance",
    "NotOperational": "not_operational",
    "NonResponsive": "problematic",
}


def job_node(job: JobView) -> Node:
    href = f"{API}/jobs/{job.id}"
    fields: dict[str, Value] = {
        "description": job.description,
        "auto_cleared": job.auto_cleared,
        "end_time": job.end_time,
        "external": job.external,
        "last_updated": job.last_updated,
        "start_time": job.start_time,
        "status": job.status.lower(),
        "owner": Node(id=str(owner_id(job.owner))),
    }
    actions = {"clear": f"{href}/clear", "end": f"{href}/end"}
    return Node(str(job.id), href, fields, {"steps": f"{href}/steps"}, actions)


def owner_id(owner: str) -> UUID:
    """The owner's id: the column's value when it is one, else the id of that user name."""
    try:
        return UUID(owner)
    except ValueError:
        return user_uuid(owner)


def step_node(step: StepView) -> Node:
    job_href = f"{API}/jobs/{step.job_id}"
    href = f"{job_href}/steps/{step.id}"
    parent = step.parent_step_id
    fields: dict[str, Value] = {
        "description": step.description,
        "end_time": step.end_time,
        "external": step.external,
        "external_type": step.external_system.lower() if step.external_system else None,
        "number": step.number,
        "start_time": step.start_time,
        "status": step.status.lower(),
        "type": step.type.lower() if step.type in _API_STEP_TYPES else "unknown",
        "job": Node(str(step.job_id), job_href),
        "parent_step": Node(str(parent), f"{job_href}/steps/{parent}") if parent else None,
    }
    return Node(str(step.id), href, fields, actions={"end": f"{href}/end"})


def vm_node(vm: VmView) -> Node:
    href = f"{API}/vms/{vm.id}"
    fields: dict[str, Value] = {
        "name": vm.name,
        "creation_time": vm.created_at,
        "origin": vm.origin.lower(),
        "status": _VM_STATUS.get(vm.status, "unknown"),
    }
    return Node(str(vm.id), href, fields, {"diskattachments": f"{href}/diskattachments"})


def disk_node(disk: DiskView) -> Node:
    fields: dict[str, Value] = {
        "alias": disk.alias,
        "name": disk.alias,
        "provisioned_size": disk.size_gb << 30,
        "status": disk.status.lower(),
        "storage_type": "image",
    }
    return Node(str(disk.id), f"{API}/disks/{disk.id}", fields)


def attachment_node(disk: DiskView) -> Node:
    """A disk as attached to its VM; oVirt names the attachment by the disk's id."""
    vm_href = f"{API}/vms/{disk.vm_id}"
    fields: dict[str, Value] = {
        "disk": Node(str(disk.id), f"{API}/disks/{disk.id}"),
        "vm": Node(str(disk.vm_id), vm_href),
    }
    return Node(str(disk.id), f"{vm_href}/diskattachments/{disk.id}", fields)


def data_center_node(pool: DataCenterView) -> Node:
    fields: dict[str, Value] = {
        "name": pool.name,
        "status": _DATA_CENTER_STATUS.get(pool.status, "problematic"),
    }
    return Node(str(pool.id), f"{API}/datacenters/{pool.id}", fields)


def api_root(user: str, version: str, vms: list[VmView], now: datetime) -> Node:
    """What ``GET /ovirt-engine/api`` answers: the product, a summary, the collections."""
    product: dict[str, Value] = {
        "name": "tasktrail",
        "vendor": "tasktrail",
        "version": Node(
            fields={
                "build": 0,
                "full_version": f"4.5.0 (tasktrail {version})",
                "major": 4,
                "minor": 5,
                "revision": 0,
            }
        ),
    }
    up = sum(vm.status == "Up" for vm in vms)
    summary: dict[str, Value] = {"vms": Node(fields={"active": up, "total": len(vms)})}
    links = {name: f"{API}/{name}" for name in COLLECTIONS}
    links |= {f"{name}/search": f"{API}/{name}?search={{query}}" for name in COLLECTIONS}
    me = Node(id=str(user_uuid(user)))
    fields: dict[str, Value] = {
        "product_info": Node(fields=product),
        "summary": Node(fields=summary),
        "time": now,
        "authenticated_user": me,
        "effective_user": me,
    }
    return Node(fields=fields, links=links)
