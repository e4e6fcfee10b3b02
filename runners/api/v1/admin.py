"""The read model and incident bundles: status for everyone; verify, rebuild and import for
admins (verify and rebuild replay the whole log; an import writes a whole store)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Body, Request
from pydantic import BaseModel

from projections.read_model import status, verify
from runners.api.access import Admin, Reader
from runners.api.state import api_state
from runners.bundle import export_job, import_bundle

router = APIRouter(tags=["read model and bundles"])


class ProjectionStatus(BaseModel):
    name: str
    position: int
    head: int
    lag: int
    """Events stored but not yet applied."""


class Drift(BaseModel):
    table: str
    key: str
    column: str
    live: Any
    rebuilt: Any


class Rebuilt(BaseModel):
    applied: int
    """Events applied from the first one."""


class Imported(BaseModel):
    job_id: UUID
    events: int


@router.get("/projections")
def projection_status(request: Request, user: Reader) -> list[ProjectionStatus]:
    runtime = api_state(request).runtime
    return [
        ProjectionStatus(name=s.name, position=s.position, head=s.head, lag=s.lag)
        for s in status(runtime.database, runtime.store)
    ]


@router.post("/projections/verify")
def verify_projections(request: Request, user: Admin) -> list[Drift]:
    """Rebuilds into shadow tables and compares row by row; an empty list means no drift."""
    runtime = api_state(request).runtime
    drift = verify(runtime.database, runtime.store, runtime.settings.batch_size)
    return [Drift(**vars(d)) for d in drift]


@router.post("/projections/rebuild")
def rebuild_projections(request: Request, user: Admin) -> Rebuilt:
    """Empties every table of the read model and applies the whole log again."""
    runtime = api_state(request).runtime
    return Rebuilt(applied=runtime.read_model.rebuild(runtime.settings.batch_size))


@router.get("/jobs/{job_id}/bundle")
def export_bundle(request: Request, job_id: UUID, user: Reader) -> dict[str, Any]:
    """The job's whole tree of events (tasktrail-bundle/1), to import into an empty database."""
    runtime = api_state(request).runtime
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bundle.json"
        export_job(runtime.store, runtime.read_model, job_id, path)
        bundle: dict[str, Any] = json.loads(path.read_text())
    return bundle


@router.post("/bundles", status_code=201)
def import_into_empty(
    request: Request, user: Admin, bundle: Annotated[dict[str, Any], Body()]
) -> Imported:
    """Loads a bundle (as exported) into this database, which must hold no events yet."""
    runtime = api_state(request).runtime
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bundle.json"
        path.write_text(json.dumps(bundle))
        job_id, count = import_bundle(runtime.store, path)
    runtime.read_model.catch_up(runtime.settings.batch_size)
    return Imported(job_id=job_id, events=count)
