"""The API process's ASGI application: oVirt's API, the SSO endpoint, ``/health``,
``/metrics``, and tasktrail's own API mounted at ``/api/v1``.

Building it opens nothing; its lifespan starts the log watcher and, with ``engine``, an
engine loop on a thread, and stops them when the server shuts down.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from http import HTTPStatus

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import Response

from tasktrail.domain.model.errors import TasktrailError
from tasktrail.runners.api import operations
from tasktrail.runners.api.auth import Authenticator
from tasktrail.runners.api.console import mount_console
from tasktrail.runners.api.engine_thread import BackgroundEngine
from tasktrail.runners.api.errors import ApiError, translated
from tasktrail.runners.api.latency import EndLatency
from tasktrail.runners.api.limits import BodyLimit
from tasktrail.runners.api.log_watcher import LogWatcher
from tasktrail.runners.api.ovirt import jobs, root, sso, storage, vms
from tasktrail.runners.api.ovirt.requests import version_4
from tasktrail.runners.api.ovirt.responses import fault
from tasktrail.runners.api.settings import ApiSettings
from tasktrail.runners.api.state import ApiState
from tasktrail.runners.api.v1.app import v1_app
from tasktrail.runners.bootstrap import Runtime


def create_app(runtime: Runtime, settings: ApiSettings) -> FastAPI:
    state = _state(runtime, settings)
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None, lifespan=_lifespan(state))
    app.state.api = state
    for module in (root, jobs, vms, storage):
        app.include_router(module.router, dependencies=[Depends(version_4)])
    app.include_router(sso.router)
    app.include_router(operations.router)
    app.mount("/api/v1", v1_app(state))
    mount_console(app)
    app.add_exception_handler(ApiError, _fault)  # type: ignore[arg-type]
    app.add_exception_handler(TasktrailError, _tasktrail_fault)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _invalid)  # type: ignore[arg-type]
    app.add_exception_handler(HTTPException, _http_fault)  # type: ignore[arg-type]
    app.add_middleware(
        BodyLimit, limit=settings.max_body_bytes, bundle_limit=settings.max_bundle_bytes
    )
    return app


def _state(runtime: Runtime, settings: ApiSettings) -> ApiState:
    latency = EndLatency()
    return ApiState(
        runtime=runtime,
        settings=settings,
        authenticator=Authenticator(
            runtime.database, settings.token_seconds, settings.basic_cache_seconds
        ),
        watcher=LogWatcher(runtime.store, settings.stream_poll, [latency]),
        latency=latency,
        engine=BackgroundEngine(runtime) if settings.engine else None,
    )


def _lifespan(state: ApiState) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def running(app: FastAPI) -> AsyncIterator[None]:
        state.watcher.start()
        if state.engine is not None:
            state.engine.start()
        try:
            yield
        finally:
            if state.engine is not None:
                state.engine.stop()
            state.watcher.stop()

    return running


async def _fault(request: Request, error: ApiError) -> Response:
    return fault(request.headers, error)


async def _tasktrail_fault(request: Request, error: TasktrailError) -> Response:
    return fault(request.headers, translated(error))


async def _invalid(request: Request, error: RequestValidationError) -> Response:
    problems = "; ".join(
        f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors()
    )
    return fault(request.headers, ApiError(problems))


async def _http_fault(request: Request, error: HTTPException) -> Response:
    found = ApiError(str(error.detail))
    found.status, found.reason = error.status_code, HTTPStatus(error.status_code).phrase
    return fault(request.headers, found)
