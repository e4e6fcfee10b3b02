"""What every route of one API process shares: the runtime, settings, users, log watcher."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from starlette.requests import Request

from tasktrail.runners.api.auth import Authenticator
from tasktrail.runners.api.engine_thread import BackgroundEngine
from tasktrail.runners.api.latency import EndLatency
from tasktrail.runners.api.log_watcher import LogWatcher
from tasktrail.runners.api.settings import ApiSettings
from tasktrail.runners.bootstrap import Runtime


@dataclass(frozen=True)
class ApiState:
    runtime: Runtime
    settings: ApiSettings
    authenticator: Authenticator
    watcher: LogWatcher
    latency: EndLatency
    engine: BackgroundEngine | None
    """The engine loop running in this process, if any (``--engine``)."""


def api_state(request: Request) -> ApiState:
    return cast(ApiState, request.app.state.api)
