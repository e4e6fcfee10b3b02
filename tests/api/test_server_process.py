"""``tasktrail user add`` and ``tasktrail api`` as a user runs them: a real server process."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

TASKTRAIL = str(Path(sys.executable).with_name("tasktrail"))

pytestmark = pytest.mark.timeout(120)


def free_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port: int = probe.getsockname()[1]
        return port


def healthy(url: str, server: subprocess.Popen[str]) -> bool:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and server.poll() is None:
        try:
            return httpx.get(f"{url}/health", timeout=1).status_code == 200
        except httpx.TransportError:
            time.sleep(0.1)
    return False


def add_user(database_url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            TASKTRAIL,
            "--db",
            database_url,
            "user",
            "add",
            "ops",
            "--role",
            "operator",
            "--password-stdin",
        ],
        input="a password\n",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_tasktrail_api_serves_a_user_added_once_by_tasktrail_user_add(tmp_path: Path) -> None:
    """On SQLite only: the API on each database runs in-process in every other test."""
    database_url = f"sqlite:///{tmp_path / 'tasktrail.db'}"
    added = add_user(database_url)
    assert added.returncode == 0, added.stderr
    again = add_user(database_url)
    assert (again.returncode, again.stderr) == (2, "error: user 'ops' exists already\n")
    port = free_port()
    server = subprocess.Popen(
        [TASKTRAIL, "--db", database_url, "api", "--port", str(port), "--no-engine"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        assert healthy(url, server)
        token = httpx.post(
            f"{url}/ovirt-engine/sso/oauth/token",
            data={
                "grant_type": "password",
                "scope": "ovirt-app-api",
                "username": "ops",
                "password": "a password",
            },
        ).json()["access_token"]
        root = httpx.get(f"{url}/ovirt-engine/api", headers={"Authorization": f"Bearer {token}"})
        assert root.status_code == 200
        assert "<product_info>" in root.text
    finally:
        server.send_signal(signal.SIGTERM)
        _, log = server.communicate(timeout=30)
    # uvicorn shuts down gracefully, then lets the signal end the process as it would have.
    assert server.returncode == -signal.SIGTERM
    assert "Application shutdown complete." in log
