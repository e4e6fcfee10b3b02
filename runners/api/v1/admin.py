"""The read model and incident bundles: status for everyone; verify, rebuild and import for
admins (verify and rebuild replay the whole log; an import writes a whole store)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from pydantic import BaseModel

from tasktrail.projections.read_model import status, verify
from tasktrail.runners.api.access import Admin, Reader
from tasktrail.runners.api.errors import BadInputError, RefusedError
from tasktrail.runners.api.state import api_state
from tasktrail.runners.bundle import ImportRefusedError, import_bundle, job_bundle
from tasktrail.runners.bundle_format import Bundle, BundleError, checked
from tasktrail.runners.event_chain import check

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


class LogCheck(BaseModel):
    checked: int
    """Events found intact before the first break (all of them when intact)."""
    intact: bool
    first_break_position: int | None
    problem: str | None


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


@router.post("/log/verify")
def verify_log(request: Request, user: Admin) -> LogCheck:
    """Walks the whole event log against its chained digests (``tasktrail verify-log``)."""
    with api_state(request).runtime.database.connect() as connection:
        checked, found = check(connection)
    return LogCheck(
        checked=checked,
        intact=found is None,
        first_break_position=None if found is None else found.position,
        problem=None if found is None else found.what,
    )


@router.get("/jobs/{job_id}/bundle")
def export_bundle(request: Request, job_id: UUID, user: Reader) -> Bundle:
    """The job's whole tree of events (tasktrail-bundle/2), to import into an empty database."""
    return job_bundle(api_state(request).runtime.read_model, job_id)


@router.post("/bundles", status_code=201)
def import_into_empty(
    request: Request, user: Admin, bundle: Bundle, resume: bool = False
) -> Imported:
    """Checks the whole bundle (400 naming what is wrong), then loads it into this database,
    which must hold no events yet (409), in one transaction. Without ``resume`` the database
    becomes an archive no engine runs on, so an API running an engine refuses it (409)."""
    state = api_state(request)
    runtime = state.runtime
    try:
        events = checked(bundle, "the bundle")
        if state.engine is not None and not resume and not runtime.store.head():
            raise RefusedError(
                "this API runs an engine: import with resume=true, or into an API without one"
            )
        count = import_bundle(runtime.store, bundle, events, resume=resume)
    except ImportRefusedError as error:
        raise RefusedError(str(error)) from None
    except BundleError as error:
        raise BadInputError(str(error)) from None
    runtime.read_model.catch_up(runtime.settings.batch_size)
    return Imported(job_id=bundle.job_id, events=count)
