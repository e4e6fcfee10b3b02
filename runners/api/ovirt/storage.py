"""``/disks`` and ``/datacenters``: the disks and the storage pools (oVirt's data centers)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from tasktrail.runners.api import reading
from tasktrail.runners.api.access import Reader
from tasktrail.runners.api.ovirt.listing import listing, shown
from tasktrail.runners.api.ovirt.mapping import API, data_center_node, disk_node
from tasktrail.runners.api.ovirt.requests import Query, entity_id
from tasktrail.runners.api.ovirt.responses import document
from tasktrail.runners.api.state import api_state

router = APIRouter(prefix=API)
SEARCHABLE = {"disks": ("id", "alias", "name", "status"), "datacenters": ("id", "name", "status")}


@router.get("/disks")
def list_disks(request: Request, user: Reader) -> Response:
    disks = reading.disks(api_state(request).runtime.read_model)
    fields = SEARCHABLE["disks"]
    return listing(request, "disks", "disk", fields, (shown(disk_node(d), fields) for d in disks))


@router.get("/disks/{disk_id}")
def get_disk(request: Request, disk_id: str, user: Reader) -> Response:
    Query(request, ())
    disk = reading.disk(api_state(request).runtime.read_model, entity_id(disk_id, "disk"))
    return document(request.headers, "disk", disk_node(disk))


@router.get("/datacenters")
def list_data_centers(request: Request, user: Reader) -> Response:
    pools = reading.data_centers(api_state(request).runtime.read_model)
    fields = SEARCHABLE["datacenters"]
    entries = (shown(data_center_node(p), fields) for p in pools)
    return listing(request, "data_centers", "data_center", fields, entries)


@router.get("/datacenters/{pool_id}")
def get_data_center(request: Request, pool_id: str, user: Reader) -> Response:
    Query(request, ())
    model = api_state(request).runtime.read_model
    pool = reading.data_center(model, entity_id(pool_id, "data center"))
    return document(request.headers, "data_center", data_center_node(pool))
