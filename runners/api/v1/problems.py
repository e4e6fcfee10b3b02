"""Errors in tasktrail's API: a status and ``{"detail": …}`` naming what was wrong."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from tasktrail.domain.model.errors import TasktrailError
from tasktrail.runners.api.errors import ApiError, RefusedError, translated


class Problem(BaseModel):
    detail: str
    """What was wrong: the parameter, id or value, and why."""
    command_id: UUID | None = None
    """For a command the engine refused (409): the command that records the refusal."""


ERRORS: dict[int | str, dict[str, Any]] = {
    "default": {
        "model": Problem,
        "description": (
            "400 bad input, 401 no or wrong credentials, 403 a role that may not, 404 an "
            "unknown id, 409 refused by the engine, 413 a body too large, 503 try again"
        ),
    }
}
"""Documented on every route: any of these errors may answer it."""


def install(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _api_error)  # type: ignore[arg-type]
    app.add_exception_handler(TasktrailError, _tasktrail_error)  # type: ignore[arg-type]


async def _api_error(request: Request, error: ApiError) -> JSONResponse:
    headers = {"WWW-Authenticate": 'Basic realm="tasktrail"'} if error.status == 401 else None
    body: dict[str, Any] = {"detail": error.detail}
    if isinstance(error, RefusedError) and error.command_id is not None:
        body["command_id"] = str(error.command_id)
    return JSONResponse(body, error.status, headers)


async def _tasktrail_error(request: Request, error: TasktrailError) -> JSONResponse:
    return await _api_error(request, translated(error))
