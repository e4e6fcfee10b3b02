"""``GET /ovirt-engine/api``: the entry point every client reads first (the SDK's ``test()``,
``system_service().get()``): the product, a summary, links to the collections, the caller."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request, Response

from tasktrail.runners.api import reading
from tasktrail.runners.api.access import Reader
from tasktrail.runners.api.ovirt.mapping import API, api_root
from tasktrail.runners.api.ovirt.requests import Query
from tasktrail.runners.api.ovirt.responses import document
from tasktrail.runners.api.state import api_state
from tasktrail.runners.bundle import engine_version

router = APIRouter()


@router.get(API)
@router.get(f"{API}/")
def root(request: Request, user: Reader) -> Response:
    Query(request, ())
    vms = reading.vms(api_state(request).runtime.read_model)
    node = api_root(user.name, engine_version(), vms, datetime.now(UTC))
    return document(request.headers, "api", node)
