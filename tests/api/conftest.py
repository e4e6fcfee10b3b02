"""A live API for every test: a real uvicorn server on a thread of the test process, serving
over TCP with an engine loop, on each kind of database (``database_url``).

The test keeps its own runtime on the same database, as another process would: it sets up a
storage pool before the server starts, injects storage faults, and reads what was written.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import httpx
import pytest

from tasktrail.runners.api.app import create_app
from tasktrail.runners.api.server import ServerThread
from tasktrail.runners.api.settings import ApiSettings
from tasktrail.runners.bootstrap import Runtime, build_runtime
from tasktrail.runners.settings import Settings
from tasktrail.runners.users import Role, add_user

ADMIN = ("admin@internal", "admin-password")
OPERATOR = ("operator", "operator-password")
VIEWER = ("viewer", "viewer-password")

pytestmark = pytest.mark.timeout(120)


@dataclass
class LiveApi:
    url: str
    runtime: Runtime
    """The test's own runtime on the server's database."""
    pool_id: UUID
    """A storage pool (data center) that is up."""

    @property
    def ovirt(self) -> str:
        return f"{self.url}/ovirt-engine/api"

    def client(self, user: tuple[str, str] | None = ADMIN, **options: Any) -> httpx.Client:
        """An HTTP client, with Basic credentials of ``user`` (None: no credentials)."""
        return httpx.Client(base_url=self.url, auth=user, timeout=30, **options)

    def written(self) -> int:
        """The position of the last event stored: unchanged when nothing was written."""
        return self.runtime.store.head()


def settings_for(url: str) -> Settings:
    return Settings(db=url, spm_task_seconds=0, poll_interval=0.02, callback_initial=0.05)


@contextmanager
def serve(url: str, **api: Any) -> Iterator[ServerThread]:
    """The API on ``url``'s database, with an engine unless told otherwise."""
    runtime = build_runtime(settings_for(url))
    settings = ApiSettings(**{"stream_poll": 0.02, "sync_timeout": 30, **api})
    try:
        with ServerThread(create_app(runtime, settings)) as server:
            yield server
    finally:
        runtime.database.dispose()


@pytest.fixture
def live_api(database_url: str) -> Iterator[LiveApi]:
    """The API with an admin user (``ADMIN``) and a storage pool that is up."""
    runtime = build_runtime(settings_for(database_url))
    add_user(runtime.database, *ADMIN, Role.ADMIN)
    pool = runtime.engine.run_action("AddEmptyStoragePool", {"name": "dc1"}, user="admin")
    runtime.loop().run_until_idle()
    with serve(database_url) as server:
        yield LiveApi(server.url, runtime, UUID(pool.action_return_value["storage_pool_id"]))
    runtime.database.dispose()


@pytest.fixture
def every_role(live_api: LiveApi) -> LiveApi:
    """The live API with an operator (``OPERATOR``) and a read-only user (``VIEWER``) too."""
    add_user(live_api.runtime.database, *OPERATOR, Role.OPERATOR)
    add_user(live_api.runtime.database, *VIEWER, Role.READ_ONLY)
    return live_api


def add_vm(
    live_api: LiveApi, name: str, disks: int = 2, user: tuple[str, str] = ADMIN
) -> dict[str, Any]:
    """A VM made through tasktrail's API, once its AddVm has ended; its ids."""
    params = {"name": name, "storage_pool_id": str(live_api.pool_id), "disks": disks}
    with live_api.client(user) as http:
        made = http.post("/api/v1/commands", json={"action": "AddVm", "params": params})
        assert made.status_code == 202, made.text
        ended(http, made.json()["command_id"])
    ids: dict[str, Any] = made.json()["action_return_value"]
    return ids


def ended(http: httpx.Client, command_id: str, seconds: float = 30) -> dict[str, Any]:
    """The command (read from the API) once it has ended."""
    deadline = time.monotonic() + seconds
    while True:
        found = http.get(f"/api/v1/commands/{command_id}")
        if found.status_code == 200 and found.json()["status"].startswith("ENDED"):
            command: dict[str, Any] = found.json()
            return command
        assert time.monotonic() < deadline, f"command {command_id} did not end"
        time.sleep(0.02)
