"""``/jobs`` and ``/jobs/{id}/steps``: the jobs and steps of oVirt's API (§7 of the reference).

Listing, reading and searching work on every job; adding, ending and clearing work on
external jobs and steps (``external_jobs``), after the ids and the body are checked.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from tasktrail.runners.api import external_jobs, reading
from tasktrail.runners.api.access import Operator, Reader
from tasktrail.runners.api.errors import BadInputError
from tasktrail.runners.api.ovirt.document import Many, Node
from tasktrail.runners.api.ovirt.listing import Entry, listing, shown
from tasktrail.runners.api.ovirt.mapping import API, job_node, step_node
from tasktrail.runners.api.ovirt.requests import Body, Query, body_of, correlation_id, entity_id
from tasktrail.runners.api.ovirt.responses import document
from tasktrail.runners.api.state import api_state
from tasktrail.runners.api.views import JobView, StepView

router = APIRouter(prefix=f"{API}/jobs")
SEARCHABLE = ("id", "description", "status", "correlation_id")
JobBody = Annotated[Body, Depends(body_of("job"))]
StepBody = Annotated[Body, Depends(body_of("step"))]
ActionBody = Annotated[Body, Depends(body_of("action"))]


def _entry(job: JobView) -> Entry:
    """The job's node; its correlation id is searchable though oVirt's Job does not show it."""
    node, values = shown(job_node(job), SEARCHABLE[:-1])
    return node, {**values, "correlation_id": job.correlation_id}


@router.get("")
def list_jobs(request: Request, user: Reader) -> Response:
    jobs = reading.jobs(api_state(request).runtime.read_model)
    return listing(request, "jobs", "job", SEARCHABLE, (_entry(job) for job in jobs))


@router.get("/{job_id}")
def get_job(request: Request, job_id: str, user: Reader) -> Response:
    Query(request, ())
    return document(request.headers, "job", job_node(_job(request, job_id)))


@router.get("/{job_id}/steps")
def list_steps(request: Request, job_id: str, user: Reader) -> Response:
    query = Query(request, ("max",))
    model = api_state(request).runtime.read_model
    found = reading.steps(model, entity_id(job_id, "job"))[: query.count("max")]
    return document(request.headers, "steps", Many("step", [step_node(s) for s in found]))


@router.get("/{job_id}/steps/{step_id}")
def get_step(request: Request, job_id: str, step_id: str, user: Reader) -> Response:
    Query(request, ())
    return document(request.headers, "step", step_node(_step(request, job_id, step_id)))


@router.post("")
def add_job(request: Request, user: Operator, body: JobBody) -> Response:
    query = Query(request, ("correlation_id",))
    description = body.text("description")
    if not description:
        raise BadInputError("job/description is required")
    auto_cleared = body.flag("auto_cleared") or False
    job = external_jobs.NewJob(description, auto_cleared, correlation_id(request, query))
    job_id = external_jobs.add_job(api_state(request), user, job)
    return document(request.headers, "job", job_node(_job(request, str(job_id))), 201)


@router.post("/{job_id}/end")
def end_job(request: Request, job_id: str, user: Operator, body: ActionBody) -> Response:
    """``succeeded`` (default true); ``force`` also lets the job cleanup delete it."""
    Query(request, ())
    job = _job(request, job_id)
    succeeded, force = body.flag("succeeded") is not False, body.flag("force") or False
    external_jobs.end_job(api_state(request), user, job.id, succeeded, force)
    return _completed(request, "job", job_node(_job(request, job_id)))


@router.post("/{job_id}/clear")
def clear_job(request: Request, job_id: str, user: Operator, body: ActionBody) -> Response:
    Query(request, ())
    job = _job(request, job_id)
    external_jobs.clear_job(api_state(request), user, job.id)
    return _completed(request, "job", job_node(_job(request, job_id)))


@router.post("/{job_id}/steps")
def add_step(request: Request, job_id: str, user: Operator, body: StepBody) -> Response:
    """``type`` and ``description``; ``parent_step/@id`` makes it a sub-step."""
    Query(request, ())
    job = _job(request, job_id)
    step_type, description = body.text("type"), body.text("description")
    if not step_type or not description:
        raise BadInputError("step/type and step/description are required")
    parent = body.identifier("parent_step")
    if parent is not None:
        _step(request, job_id, str(parent))
    step = external_jobs.NewStep(job.id, step_type.upper(), description, parent)
    step_id = external_jobs.add_step(api_state(request), user, step)
    return document(request.headers, "step", step_node(_step(request, job_id, str(step_id))), 201)


@router.post("/{job_id}/steps/{step_id}/end")
def end_step(
    request: Request, job_id: str, step_id: str, user: Operator, body: ActionBody
) -> Response:
    """``succeeded`` (default true); a failed step fails its job. ``force`` is ignored, as in
    oVirt."""
    Query(request, ())
    step = _step(request, job_id, step_id)
    succeeded = body.flag("succeeded") is not False
    external_jobs.end_step(api_state(request), user, step.id, succeeded)
    return _completed(request, "step", step_node(_step(request, job_id, step_id)))


def _completed(request: Request, what: str, node: Node) -> Response:
    """oVirt answers an action with ``<action>``: its status, and what it acted on."""
    return document(request.headers, "action", Node(fields={"status": "complete", what: node}))


def _job(request: Request, job_id: str) -> JobView:
    return reading.job(api_state(request).runtime.read_model, entity_id(job_id, "job"))


def _step(request: Request, job_id: str, step_id: str) -> StepView:
    model = api_state(request).runtime.read_model
    return reading.step(model, entity_id(job_id, "job"), entity_id(step_id, "step"))
