"""W2: many RemoveVm in flight through real ``serve`` processes on PostgreSQL.

Throughput with two engines is compared with one engine on the same work; latency runs from
a storage task finishing on the SPM to its root command ending, against oVirt's fixed 10 s.
A task finishes ``TASK_SECONDS`` after it was submitted; its ``PollingStarted`` event is
recorded just after the submission returns, so the latency read from it is at most the
submission's own few milliseconds short.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from uuid import UUID

from bench.backends import databases
from bench.flows import Flows
from bench.report import Row, percentile
from bench.sizes import size
from tasktrail.domain.model.async_task.aggregate import AsyncTask
from tasktrail.domain.model.command.aggregate import Command
from tasktrail.domain.model.command.machine import CommandStatus
from tasktrail.projections import in_flight
from tasktrail.runners.clocks import SystemClock
from tasktrail.runners.event_store import Event
from tasktrail.runners.simulated_spm import SimulatedSpm

TASK_SECONDS = 0.5
POLL_INTERVAL = 0.05
OVIRT_POLLING = ("oVirt AsyncTaskPollingRate", 10.0)
ROOT = Path(__file__).resolve().parent.parent


def run(quick: bool) -> list[Row]:
    count = size("w2_commands", quick, 60, 1000)
    for backend, url in databases("w2"):
        if backend != "postgresql":
            continue
        one = _through_serve(url, count, engines=1)
        two = _through_serve(url, count, engines=2)
        return [
            Row(
                "W2 serve",
                f"RemoveVm-1/s, {count} in flight, 2 engines",
                two[0],
                "cmd/s",
                "1 engine",
                one[0],
                f"poll interval {POLL_INTERVAL} s, tasks of {TASK_SECONDS} s",
            ),
            *(
                Row(
                    "W2 serve",
                    f"task end → root end p{pct}, 2 engines",
                    percentile(two[1], pct),
                    "s",
                    *OVIRT_POLLING,
                )
                for pct in (50, 99)
            ),
        ]
    return [Row("W2 serve", "not run: PostgreSQL unreachable", 0, "")]


def _through_serve(url: str, count: int, engines: int) -> tuple[float, list[float]]:
    flows = Flows(url, lambda database: SimulatedSpm(database, SystemClock(), TASK_SECONDS))
    roots = flows.submit(flows.vms(count, disks=1))
    flows.read_model.catch_up()
    env = {
        **os.environ,
        "TASKTRAIL_DB": url,
        "TASKTRAIL_SPM_TASK_SECONDS": str(TASK_SECONDS),
        "TASKTRAIL_POLL_INTERVAL": str(POLL_INTERVAL),
    }
    start = time.perf_counter()
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "bench.serve_engine"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(engines)
    ]
    try:
        _wait_until_idle(flows, processes)
        elapsed = time.perf_counter() - start
    finally:
        for process in processes:
            process.terminate()
            process.wait(30)
    latencies = _latencies(flows, roots)
    flows.close()
    return count / elapsed, latencies


def _wait_until_idle(flows: Flows, processes: list[subprocess.Popen[bytes]]) -> None:
    deadline = time.monotonic() + 600
    while in_flight.anything_in_flight(flows.database):
        if any(p.poll() is not None for p in processes):
            raise RuntimeError("a serve process exited while work was in flight")
        if time.monotonic() > deadline:
            raise TimeoutError("RemoveVm still in flight after 600 s")
        time.sleep(0.2)


def _latencies(flows: Flows, roots: list[UUID]) -> list[float]:
    """Per root, from the finish of its last storage task (submitted + TASK_SECONDS) to the
    root's end, in seconds; read from the whole log once."""
    tasks: dict[UUID, UUID] = {}
    submitted: dict[UUID, datetime] = {}
    ended: dict[UUID, datetime] = {}
    position = 0
    while batch := flows.store.read(position, 2000):
        position = batch[-1].position
        for event in (recorded.event for recorded in batch):
            _note(event, tasks, submitted, ended)
    finished: dict[UUID, datetime] = {}
    for task, root in tasks.items():
        done = submitted[task] + timedelta(seconds=TASK_SECONDS)
        finished[root] = max(done, finished.get(root, done))
    return [(ended[root] - finished[root]).total_seconds() for root in roots]


def _note(
    event: Event,
    tasks: dict[UUID, UUID],
    submitted: dict[UUID, datetime],
    ended: dict[UUID, datetime],
) -> None:
    if isinstance(event, AsyncTask.Created):
        tasks[event.originator_id] = getattr(event, "root_command_id")  # noqa: B009
    elif isinstance(event, AsyncTask.Event) and event.trigger == "start_polling":
        submitted[event.originator_id] = event.timestamp
    elif isinstance(event, Command.Event) and CommandStatus(event.to_state).is_ended:
        ended.setdefault(event.originator_id, event.timestamp)
