"""``/vms``: list, read, add (AddVm, for the demo inventory) and remove (RemoveVm) VMs, and
each VM's disk attachments.

``DELETE /vms/{id}`` takes oVirt's parameters: ``force``, ``detach_only`` (keep the disks:
RemoveVm with remove_disks=false), ``async`` (answer once recorded, not once executed) and
``correlation_id``, which the job and every event of the removal carry.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request, Response

from tasktrail.domain.model.inventory.vm import Vm
from tasktrail.runners.api import commands, reading
from tasktrail.runners.api.access import Operator, Reader
from tasktrail.runners.api.errors import BadInputError, UnknownIdError
from tasktrail.runners.api.ovirt.document import Many
from tasktrail.runners.api.ovirt.listing import listing, shown
from tasktrail.runners.api.ovirt.mapping import API, attachment_node, vm_node
from tasktrail.runners.api.ovirt.requests import Body, Query, body_of, correlation_id, entity_id
from tasktrail.runners.api.ovirt.responses import document
from tasktrail.runners.api.state import ApiState, api_state
from tasktrail.runners.api.views import VmView

router = APIRouter(prefix=f"{API}/vms")
SEARCHABLE = ("id", "name", "status")
VmBody = Annotated[Body, Depends(body_of("vm"))]
_NEW_VM_STATUS = {"down": "Down", "up": "Up"}


@router.get("")
def list_vms(request: Request, user: Reader) -> Response:
    vms = reading.vms(api_state(request).runtime.read_model)
    return listing(request, "vms", "vm", SEARCHABLE, (shown(vm_node(v), SEARCHABLE) for v in vms))


@router.get("/{vm_id}")
def get_vm(request: Request, vm_id: str, user: Reader) -> Response:
    Query(request, ())
    vm = reading.vm(api_state(request).runtime.read_model, entity_id(vm_id, "VM"))
    return document(request.headers, "vm", vm_node(vm))


@router.delete("/{vm_id}")
def remove_vm(request: Request, vm_id: str, user: Operator) -> Response:
    query = Query(request, ("async", "force", "detach_only", "correlation_id"))
    params = {
        "vm_id": str(entity_id(vm_id, "VM")),
        "remove_disks": not query.flag("detach_only"),
        "force": bool(query.flag("force")),
    }
    asynchronous = query.flag("async")
    state = api_state(request)
    returned = commands.run(state.runtime, "RemoveVm", params, user, correlation_id(request, query))
    if not asynchronous:
        _wait(state, returned.command_id)
    return Response(status_code=200)


@router.post("")
def add_vm(request: Request, user: Operator, body: VmBody) -> Response:
    query = Query(request, ("correlation_id",))
    state = api_state(request)
    params = _new_vm(state, body)
    returned = commands.run(state.runtime, "AddVm", params, user, correlation_id(request, query))
    _wait(state, returned.command_id)
    vm = state.runtime.store.load(Vm, UUID(returned.action_return_value["vm_id"]))
    return document(request.headers, "vm", vm_node(_view(vm)), 201)


def _new_vm(state: ApiState, body: Body) -> dict[str, Any]:
    """AddVm's parameters: the name, the data center (default: the first one up), the number
    of disk attachments as the number of disks, and the status (down or up)."""
    name = body.text("name")
    if not name:
        raise BadInputError("vm/name is required")
    status = (body.text("status") or "down").lower()
    if status not in _NEW_VM_STATUS:
        raise BadInputError(f"vm/status of a new VM is down or up, not {status!r}")
    pool = body.identifier("cluster", "data_center") or _default_pool(state)
    disks = body.count("disk_attachments", "disk_attachment")
    return {
        "name": name,
        "storage_pool_id": str(pool),
        "disks": disks,
        "status": _NEW_VM_STATUS[status],
    }


def _default_pool(state: ApiState) -> UUID:
    pools = [p for p in reading.data_centers(state.runtime.read_model) if p.status == "Up"]
    if not pools:
        raise BadInputError("no data center is up: name one in vm/cluster/data_center/@id")
    return pools[0].id


def _wait(state: ApiState, command_id: UUID | None) -> None:
    assert command_id is not None, "a valid command has an id"
    commands.wait_until_executed(state.runtime, command_id, state.settings.sync_timeout)


def _view(vm: Vm) -> VmView:
    return VmView(
        id=vm.id,
        name=vm.name,
        status=vm.state.value,
        origin=vm.origin.value,
        storage_pool_id=vm.storage_pool_id,
        created_at=vm.created_on,
    )


@router.get("/{vm_id}/diskattachments")
def list_attachments(request: Request, vm_id: str, user: Reader) -> Response:
    Query(request, ())
    model = api_state(request).runtime.read_model
    vm = reading.vm(model, entity_id(vm_id, "VM"))
    nodes = [attachment_node(d) for d in reading.disks(model, vm.id)]
    return document(request.headers, "disk_attachments", Many("disk_attachment", nodes))


@router.get("/{vm_id}/diskattachments/{attachment_id}")
def get_attachment(request: Request, vm_id: str, attachment_id: str, user: Reader) -> Response:
    Query(request, ())
    model = api_state(request).runtime.read_model
    disk = reading.disk(model, entity_id(attachment_id, "disk attachment"))
    if disk.vm_id != entity_id(vm_id, "VM"):
        raise UnknownIdError(f"disk {disk.id} is not attached to VM {vm_id}")
    return document(request.headers, "disk_attachment", attachment_node(disk))
