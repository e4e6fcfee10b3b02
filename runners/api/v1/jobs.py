"""Jobs, newest first, and one job with its tree of steps."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from pydantic import AwareDatetime

from tasktrail.runners.api import reading
from tasktrail.runners.api.access import Reader
from tasktrail.runners.api.state import api_state
from tasktrail.runners.api.v1.audit import MAX_POSITION
from tasktrail.runners.api.views import JobQuery, JobTree, JobView

router = APIRouter(tags=["jobs"])


def job_query(
    *,
    status: Annotated[str | None, Query(description="e.g. STARTED, FINISHED, FAILED.")] = None,
    correlation_id: str | None = None,
    action_type: Annotated[str | None, Query(description="e.g. RemoveVm.")] = None,
    owner: Annotated[str | None, Query(description="The user who ran the job.")] = None,
    since: Annotated[AwareDatetime | None, Query(description="Started at or after.")] = None,
    until: Annotated[AwareDatetime | None, Query(description="Started before.")] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_POSITION, description="Jobs to skip.")] = 0,
) -> JobQuery:
    return JobQuery(
        status=status,
        correlation_id=correlation_id,
        action_type=action_type,
        owner=owner,
        since=since,
        until=until,
        limit=limit,
        offset=offset,
    )


@router.get("/jobs")
def list_jobs(
    request: Request, user: Reader, query: Annotated[JobQuery, Depends(job_query)]
) -> list[JobView]:
    """Filters combine with AND; ``offset`` pages (newer jobs shift later pages)."""
    return reading.jobs(api_state(request).runtime.read_model, query)


@router.get("/jobs/{job_id}")
def get_job(request: Request, job_id: UUID, user: Reader) -> JobTree:
    """The job with its steps, each with its sub-steps (a storage task's step under its
    command's EXECUTING step), each with the command that began it."""
    return reading.job_tree(api_state(request).runtime.read_model, job_id)
