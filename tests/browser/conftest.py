"""One console per test module: a real API server on a thread with an engine loop, on a SQLite
database of the module's own, and headless Chromium (Debian's package) driven by Playwright.

Storage tasks run until the test ends them (``finish_storage_tasks``), so a job's steps are
seen running however busy the machine is.
Without Chromium the tests fail saying how to install it; ``TASKTRAIL_SKIP_BROWSER=1`` skips
them instead. ``TASKTRAIL_SCREENSHOTS=docs/images`` writes the screenshots of the docs.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import pytest

from tasktrail.runners.api.app import create_app
from tasktrail.runners.api.server import ServerThread
from tasktrail.runners.api.settings import ApiSettings
from tasktrail.runners.bootstrap import Runtime, build_runtime
from tasktrail.runners.settings import Settings
from tasktrail.runners.store_tables import SPM_TASKS
from tasktrail.runners.users import Role, add_user
from tests.api.conftest import ended

CHROMIUM = Path(os.environ.get("TASKTRAIL_CHROMIUM", "/usr/bin/chromium"))
INSTALL = "apt-get update && apt-get install -y chromium"
TASK_SECONDS = 600
ADMIN = ("admin@internal", "admin-password")
VIEWER = ("viewer", "viewer-password")

pytestmark = pytest.mark.timeout(120)


@dataclass
class Console:
    url: str
    runtime: Runtime
    """The test's own runtime on the server's database."""
    pool_id: UUID
    browser: Any
    """Playwright's Browser."""
    shots: Path

    def page(self, user: tuple[str, str] = ADMIN, link: str = "") -> Any:
        """A new browser page opening ``link`` (e.g. ``#/run``), logged in through the
        console's login page as ``user``."""
        page = self.browser.new_context(viewport={"width": 1100, "height": 640}).new_page()
        page.set_default_timeout(20_000)
        page.goto(f"{self.url}/{link}")
        page.fill("input[name=username]", user[0])
        page.fill("input[name=password]", user[1])
        page.click("form.login button")
        page.wait_for_selector("#nav:not([hidden])")
        return page

    def add_vm(self, name: str, disks: int = 2, status: str = "Down") -> dict[str, Any]:
        """A VM made through the API (its engine runs it), once its AddVm has ended."""
        params = {"name": name, "storage_pool_id": str(self.pool_id), "disks": disks}
        body = {"action": "AddVm", "params": {**params, "status": status}}
        with httpx.Client(base_url=self.url, auth=ADMIN, timeout=30) as http:
            made = http.post("/api/v1/commands", json=body)
            assert made.status_code == 202, made.text
            ended(http, made.json()["command_id"])
        ids: dict[str, Any] = made.json()["action_return_value"]
        return ids

    def finish_storage_tasks(self, running: int) -> None:
        """Ends the simulated SPM's tasks now, once ``running`` of them have been ended."""
        deadline = time.monotonic() + 30
        while running > 0:
            assert time.monotonic() < deadline, f"{running} storage tasks never started"
            now = datetime.now(UTC)
            with self.runtime.database.begin() as connection:
                running -= connection.execute(
                    SPM_TASKS.update().where(SPM_TASKS.c.finishes_at > now).values(finishes_at=now)
                ).rowcount
            time.sleep(0.05)


def _playwright() -> Any:
    """Playwright's sync API, or a failure (a skip, when asked) that says what to install."""
    missing = [] if CHROMIUM.exists() else [f"Chromium at {CHROMIUM} (`{INSTALL}`)"]
    try:
        from playwright.sync_api import sync_playwright  # noqa: PLC0415 - only where it runs
    except ImportError:
        missing.append("playwright (`pip install -e '.[dev]'`)")
    if not missing:
        return sync_playwright
    reason = f"the browser tests need {' and '.join(missing)}; TASKTRAIL_SKIP_BROWSER=1 skips them"
    if os.environ.get("TASKTRAIL_SKIP_BROWSER") == "1":
        pytest.skip(reason)
    pytest.fail(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with _playwright()() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM))
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def console(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    folder = tmp_path_factory.mktemp("console")
    settings = Settings(
        db=f"sqlite:///{folder / 'tasktrail.db'}",
        spm_task_seconds=TASK_SECONDS,
        poll_interval=0.05,
        callback_initial=0.05,
    )
    runtime = build_runtime(settings)
    add_user(runtime.database, *ADMIN, Role.ADMIN)
    add_user(runtime.database, *VIEWER, Role.READ_ONLY)
    pool = runtime.engine.run_action("AddEmptyStoragePool", {"name": "dc1"}, user="admin")
    runtime.loop().run_until_idle()
    served = build_runtime(settings)
    shots = Path(os.environ.get("TASKTRAIL_SCREENSHOTS") or folder)
    try:
        with ServerThread(create_app(served, ApiSettings(stream_poll=0.02))) as server:
            pool_id = UUID(pool.action_return_value["storage_pool_id"])
            yield Console(server.url, runtime, pool_id, browser, shots)
            for context in browser.contexts:
                context.close()  # their live streams closed, the server stops at once
    finally:
        served.database.dispose()
        runtime.database.dispose()
