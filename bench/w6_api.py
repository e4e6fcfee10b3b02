"""W6: the HTTP API at 1,000 jobs, beside the CLI answering the same questions.

A real uvicorn server (on a thread, over TCP) with an engine serves the database; one client
with a kept-alive connection asks, one request after another:

* ``GET /ovirt-engine/api/jobs``: every job, as oVirt's XML (what the SDK's ``list()`` reads);
* ``GET /api/v1/history?limit=100&cursor=…``: pages of 100 events from all over the log.

Baselines are the CLI answering the same (``tasktrail jobs --json``, ``tasktrail history
--limit 100 --json``) as a user runs it: a process each time, Python's start included.

The live stream's delay runs from the commit of an event (the writer's append returning) to
the moment a client reading ``/api/v1/events`` has it, against the stream's poll interval.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple
from uuid import UUID

import httpx

from bench.backends import databases
from bench.flows import Flows
from bench.report import Row, percentile
from bench.sizes import size
from tasktrail.runners.api.app import create_app
from tasktrail.runners.api.server import ServerThread
from tasktrail.runners.api.settings import ApiSettings
from tasktrail.runners.bootstrap import build_runtime
from tasktrail.runners.settings import Settings
from tasktrail.runners.users import Role, add_user

TASKTRAIL = str(Path(sys.executable).with_name("tasktrail"))
USER = ("bench", "bench-password")
STREAM_POLL = ApiSettings().stream_poll


def run(quick: bool) -> list[Row]:
    jobs = size("w6_jobs", quick, 200, 1000)
    requests = size("w6_requests", quick, 30, 200)
    rows: list[Row] = []
    for backend, url in databases("w6"):
        flows = Flows(url, timed=True)
        try:
            rows += _measure(flows, backend, jobs, requests)
        finally:
            flows.close()
    return rows


def _measure(flows: Flows, backend: str, jobs: int, requests: int) -> list[Row]:
    vms = flows.vms(jobs // 2, disks=1)
    flows.remove(vms[: jobs - jobs // 2])
    add_user(flows.database, *USER, Role.OPERATOR)
    runtime = build_runtime(Settings(db=flows.url))
    try:
        with ServerThread(create_app(runtime, ApiSettings())) as server, _client(server) as http:
            listing = _timed(http, ["/ovirt-engine/api/jobs"] * requests)
            pages = _timed(http, _history_pages(flows, requests))
            delays = _stream_delays(http, flows, max(10, requests // 3))
    finally:
        runtime.database.dispose()
    cli_jobs = _cli(flows.url, "jobs", "--json")
    cli_history = _cli(flows.url, "history", "--limit", "100", "--json")
    at = f"{jobs:,} jobs, one client"
    return [
        *_rows(
            Asked("GET /ovirt-engine/api/jobs", listing, cli_jobs, "tasktrail jobs"), backend, at
        ),
        *_rows(
            Asked("GET /api/v1/history page of 100", pages, cli_history, "tasktrail history"),
            backend,
            at,
        ),
        Row(
            "W6 API",
            f"event stream delay p99, commit → client ({backend})",
            percentile(delays, 99) * 1000,
            "ms",
            "stream poll interval",
            STREAM_POLL * 1000,
            f"p50 {percentile(delays, 50) * 1000:.1f} ms over {len(delays)} events",
        ),
    ]


def _client(server: ServerThread) -> httpx.Client:
    """A client with a bearer token from the SSO endpoint, its connection kept alive."""
    return httpx.Client(base_url=server.url, headers=_bearer(server.url), timeout=60)


def _bearer(url: str) -> dict[str, str]:
    form = {
        "grant_type": "password",
        "scope": "ovirt-app-api",
        "username": USER[0],
        "password": USER[1],
    }
    token = httpx.post(f"{url}/ovirt-engine/sso/oauth/token", data=form).json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


def _history_pages(flows: Flows, count: int) -> list[str]:
    """Pages of 100 events starting anywhere in the log (seeded)."""
    head = flows.store.head()
    picks = random.Random(6).choices(range(max(1, head - 100)), k=count)
    return [f"/api/v1/history?limit=100&cursor={offset}" for offset in picks]


def _timed(http: httpx.Client, paths: list[str]) -> list[float]:
    """Seconds each request took, one after another (after one to warm up)."""
    assert http.get(paths[0]).status_code == 200
    took = []
    for path in paths:
        start = time.perf_counter()
        answer = http.get(path)
        took.append(time.perf_counter() - start)
        assert answer.status_code == 200, answer.text
    return took


class Asked(NamedTuple):
    what: str
    took: list[float]
    """Seconds each API request took."""
    cli: float
    """Seconds the CLI took to answer the same."""
    command: str


def _rows(asked: Asked, backend: str, at: str) -> list[Row]:
    """Requests/s and p99 of the API, beside the CLI answering the same question."""
    took = asked.took
    return [
        Row(
            "W6 API",
            f"{asked.what} requests/s ({backend})",
            len(took) / sum(took),
            "req/s",
            f"{asked.command} (CLI) runs/s",
            1 / asked.cli,
            at,
        ),
        Row(
            "W6 API",
            f"{asked.what} p99 ({backend})",
            percentile(took, 99) * 1000,
            "ms",
            f"{asked.command} (CLI)",
            asked.cli * 1000,
            at,
        ),
    ]


def _cli(url: str, *command: str) -> float:
    """Seconds the CLI takes to answer, as a user runs it (the best of three)."""
    times = []
    for _ in range(3):
        start = time.perf_counter()
        subprocess.run([TASKTRAIL, "--db", url, *command], check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return min(times)


def _stream_delays(http: httpx.Client, flows: Flows, count: int) -> list[float]:
    """Delays from the commit of each of ``count`` new commands to the stream's client."""
    received: dict[tuple[UUID, int], datetime] = {}
    ready = threading.Event()
    reader = threading.Thread(target=_read_stream, args=(http, received, ready, count))
    reader.start()
    ready.wait(30)
    flows.transactions.clear()
    for number in range(count):
        flows.engine.run_action("AddEmptyStoragePool", {"name": f"w6-{number}"}, user="bench")
        time.sleep(0.01)
    reader.join(60)
    committed = flows.transactions.committed
    return [
        (received[key] - committed[key]).total_seconds() for key in committed if key in received
    ]


def _read_stream(
    http: httpx.Client,
    received: dict[tuple[UUID, int], datetime],
    ready: threading.Event,
    count: int,
) -> None:
    """Notes when each Command.Created arrives, until ``count`` of them have."""
    created = 0
    with http.stream("GET", "/api/v1/events") as stream:
        ready.set()
        for line in stream.iter_lines():
            if not line.startswith("data: "):
                continue
            event = json.loads(line.removeprefix("data: "))
            key = (UUID(event["aggregate_id"]), int(event["version"]))
            received[key] = datetime.now(UTC)
            created += event["aggregate_type"] == "Command" and event["event_type"] == "Created"
            if created >= count:
                return
