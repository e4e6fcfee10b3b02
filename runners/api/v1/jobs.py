"""Jobs, newest first, and one job with its tree of steps."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request

from runners.api import reading
from runners.api.access import Reader
from runners.api.state import api_state
from runners.api.views import JobTree, JobView

router = APIRouter(tags=["jobs"])


@router.get("/jobs")
def list_jobs(
    request: Request,
    user: Reader,
    status: Annotated[str | None, Query(description="e.g. STARTED, FINISHED, FAILED.")] = None,
    correlation_id: str | None = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 100,
) -> list[JobView]:
    model = api_state(request).runtime.read_model
    return reading.jobs(model, status, correlation_id, limit)


@router.get("/jobs/{job_id}")
def get_job(request: Request, job_id: UUID, user: Reader) -> JobTree:
    """The job with its steps, each with its sub-steps (a storage task's step under its
    command's EXECUTING step)."""
    return reading.job_tree(api_state(request).runtime.read_model, job_id)
