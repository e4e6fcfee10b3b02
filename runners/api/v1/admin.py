"""The read model and incident bundles: status for everyone; verify, rebuild and import for
admins (verify and rebuild replay the whole log; an import writes a whole store)."""

from __future__ import annotations

import base64
import tempfile
from pathlib import Path
from typing import Any, Literal
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from projections.read_model import status, verify
from runners.api.access import Admin, Reader
from runners.api.errors import BadInputError, RefusedError
from runners.api.state import api_state
from runners.bundle import export_job, import_bundle
from runners.event_store import EventStore

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


class BundledEvent(BaseModel):
    """One stored event, byte for byte (its state base64-encoded)."""

    originator_id: UUID
    originator_version: int = Field(ge=1)
    topic: str
    state: str

    def stored(self) -> StoredEvent:
        return StoredEvent(
            originator_id=self.originator_id,
            originator_version=self.originator_version,
            topic=self.topic,
            state=base64.b64decode(self.state, validate=True),
        )


class Bundle(BaseModel):
    """A job's whole tree of events, as ``tasktrail export`` writes it."""

    format: Literal["tasktrail-bundle/1"]
    engine_version: str
    job_id: UUID
    events: list[BundledEvent]


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
    """Rebuilds into shadow tables at the live tables' position and compares row by row; an
    empty list means no drift."""
    runtime = api_state(request).runtime
    drift = verify(runtime.database, runtime.store, runtime.settings.batch_size)
    return [Drift(**vars(d)) for d in drift]


@router.post("/projections/rebuild")
def rebuild_projections(request: Request, user: Admin) -> Rebuilt:
    """Applies the whole log again into shadow tables and swaps them in at one position."""
    runtime = api_state(request).runtime
    return Rebuilt(applied=runtime.read_model.rebuild(runtime.settings.batch_size))


@router.get("/jobs/{job_id}/bundle")
def export_bundle(request: Request, job_id: UUID, user: Reader) -> Bundle:
    """The job's whole tree of events (tasktrail-bundle/1), to import into an empty database."""
    runtime = api_state(request).runtime
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bundle.json"
        export_job(runtime.store, runtime.read_model, job_id, path)
        return Bundle.model_validate_json(path.read_text())


@router.post("/bundles", status_code=201)
def import_into_empty(request: Request, user: Admin, bundle: Bundle) -> Imported:
    """Loads a bundle (as exported) into this database, which must hold no events yet (409)."""
    runtime = api_state(request).runtime
    if runtime.store.head():
        raise RefusedError("this database holds events already: bundles go into empty ones")
    _readable(runtime.store, bundle)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bundle.json"
        path.write_text(bundle.model_dump_json())
        job_id, count = import_bundle(runtime.store, path)
    runtime.read_model.catch_up(runtime.settings.batch_size)
    return Imported(job_id=job_id, events=count)


def _readable(store: EventStore, bundle: Bundle) -> None:
    """Every event decodes as one of tasktrail's, so nothing unreadable is ever stored."""
    for index, event in enumerate(bundle.events):
        try:
            store.mapper.to_domain_event(event.stored())
        except Exception as error:  # noqa: BLE001 - any failure to decode means a bad bundle
            raise BadInputError(f"event {index} of the bundle cannot be read: {error}") from None
