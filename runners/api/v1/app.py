"""tasktrail's own API, mounted at ``/api/v1``; its OpenAPI document is ``/api/v1/openapi.json``
and its interactive documentation ``/api/v1/docs``."""

from __future__ import annotations

from fastapi import Depends, FastAPI

from tasktrail.runners.api.state import ApiState
from tasktrail.runners.api.v1 import (
    admin,
    audit,
    commands,
    debugging,
    in_flight,
    jobs,
    problems,
    session,
    stream,
)
from tasktrail.runners.api.v1.query import no_unknown_query
from tasktrail.runners.bundle import engine_version

DESCRIPTION = """\
Commands, jobs with their step trees, the event history, replay, what is blocked, the read
model and incident bundles, and a live stream of events. Every route needs credentials: a
bearer token from `POST /ovirt-engine/sso/oauth/token`, or HTTP Basic. Read-only users read;
operators also run commands; admins also verify and rebuild the read model and import bundles.
"""


def v1_app(state: ApiState) -> FastAPI:
    app = FastAPI(
        title="tasktrail",
        version=engine_version(),
        description=DESCRIPTION,
        openapi_url="/openapi.json",
        docs_url="/docs",
        redoc_url=None,
    )
    app.state.api = state
    for module in (commands, jobs, audit, in_flight, admin, debugging, stream, session):
        app.include_router(
            module.router, dependencies=[Depends(no_unknown_query)], responses=problems.ERRORS
        )
    problems.install(app)
    return app
