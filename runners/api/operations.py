"""``/health`` for load balancers and supervisors, ``/metrics`` for Prometheus.

``/health`` needs no credentials and says only whether this process can serve: the database
answers and, with ``--engine``, its engine loop is alive (503 otherwise). ``/metrics`` needs
a read-only user (Prometheus sends Basic credentials or a bearer token).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse

from tasktrail.runners.api.access import Reader
from tasktrail.runners.api.metrics import exposition
from tasktrail.runners.api.ovirt.requests import Query
from tasktrail.runners.api.prometheus import CONTENT_TYPE
from tasktrail.runners.api.state import api_state

router = APIRouter()


@router.get("/health")
def health(request: Request) -> JSONResponse:
    Query(request, ())
    state = api_state(request)
    found: dict[str, Any] = {"database": _database_answers(state.runtime.database)}
    if state.engine is not None:
        found["engine"] = "running" if state.engine.alive else "stopped"
    healthy = found["database"] and found.get("engine", "running") == "running"
    return JSONResponse(
        {"status": "ok" if healthy else "failing", **found}, 200 if healthy else 503
    )


def _database_answers(database: sa.Engine) -> bool:
    try:
        with database.connect() as connection:
            connection.execute(sa.text("select 1"))
    except sa.exc.DBAPIError:
        return False
    return True


@router.get("/metrics")
def metrics(request: Request, user: Reader) -> PlainTextResponse:
    Query(request, ())
    return PlainTextResponse(exposition(api_state(request)), media_type=CONTENT_TYPE)
