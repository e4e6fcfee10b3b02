"""What is in flight now: storage tasks, locks held, and what each unended thing waits on."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from tasktrail.runners.api import reading
from tasktrail.runners.api.access import Reader
from tasktrail.runners.api.state import api_state
from tasktrail.runners.api.views import LockView, TaskView
from tasktrail.runners.blocked import Blocked, blocked

router = APIRouter(tags=["in flight"])


@router.get("/tasks")
def list_tasks(request: Request, user: Reader) -> list[TaskView]:
    """async_tasks: the storage tasks still tracked."""
    return reading.tasks(api_state(request).runtime.read_model)


@router.get("/locks")
def list_locks(request: Request, user: Reader) -> list[LockView]:
    """engine_locks: who holds which lock, since when."""
    return reading.locks(api_state(request).runtime.read_model)


@router.get("/blocked")
def list_blocked(
    request: Request,
    user: Reader,
    older_than: Annotated[
        float, Query(ge=0, description="Only what has not moved for this many seconds.")
    ] = 0,
) -> list[Blocked]:
    """Every command and storage task not yet ended, what it waits on, longest idle first."""
    runtime = api_state(request).runtime
    every = blocked(
        runtime.ports, runtime.engine.unit_of_work(), runtime.database, runtime.ports.clock.now()
    )
    return [b for b in every if b.idle_seconds >= older_than]
