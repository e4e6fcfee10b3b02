"""``tasktrail api``: the ASGI application served by uvicorn until SIGINT or SIGTERM; or on a
thread, for tests and benchmarks."""

from __future__ import annotations

import socket
import threading
import time
from typing import Self

import uvicorn
from starlette.types import ASGIApp

from tasktrail.runners.api.app import create_app
from tasktrail.runners.api.settings import ApiSettings
from tasktrail.runners.bootstrap import build_runtime
from tasktrail.runners.settings import Settings


def serve_api(settings: Settings, api: ApiSettings) -> None:
    """Opens the database (bringing its schema to the head revision) and serves until stopped;
    uvicorn's shutdown stops the engine loop and the log watcher in turn."""
    runtime = build_runtime(settings)
    try:
        uvicorn.run(create_app(runtime, api), host=api.host, port=api.port, log_level="info")
    finally:
        runtime.database.dispose()


class ServerThread:
    """The API served on a thread of this process, on a socket bound beforehand (port 0 picks
    a free one): what the tests and the benchmark run against. A context manager; leaving it
    shuts the server down as a signal would (lifespan shutdown included)."""

    def __init__(self, app: ASGIApp, host: str = "127.0.0.1") -> None:
        # A TCP socket named as such: asyncio then sets TCP_NODELAY on its connections (with
        # protocol 0 it does not, and each answer waits out the client's delayed ACK, ~40 ms).
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self.socket.bind((host, 0))
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
        self._thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self.socket.getsockname()[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> Self:
        self._thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the API server did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *_: object) -> None:
        self.server.should_exit = True
        self._thread.join(timeout=30)
        self.socket.close()
