"""W2: many RemoveVm in flight through real ``serve`` processes on PostgreSQL.

Throughput with two engines is compared with one engine on the same work; latency runs from
a storage task finishing on the SPM to its root command ending, against oVirt's fixed 10 s.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from uuid import UUID

from bench.backends import databases
from bench.report import Row, percentile
from domain.async_task.aggregate import AsyncTask
from domain.clock import SystemClock
from domain.command.aggregate import Command
from domain.framework.engine import Engine
from domain.framework.engine_ports import EnginePorts
from domain.framework.execution import task_id_for
from runners.database import open_event_store
from runners.simulated_spm import SimulatedSpm

TASK_SECONDS = 0.5
TASKTRAIL = str(Path(sys.executable).with_name("tasktrail"))


def run(quick: bool) -> list[Row]:
    count = 60 if quick else 1000
    rows: list[Row] = []
    for backend, url in databases("w2"):
        if backend != "postgresql":
            continue
        one = _through_serve(url, count, engines=1)
        two = _through_serve(url, count, engines=2)
        rows.append(
            Row(
                "W2 serve",
                f"RemoveVm-1/s, {count} in flight, 2 engines",
                two[0],
                "cmd/s",
                "1 engine",
                one[0],
            )
        )
        for pct in (50, 99):
            rows.append(
                Row(
                    "W2 serve",
                    f"task end -> root end p{pct}, 2 engines",
                    percentile(two[1], pct),
                    "s",
                    "oVirt AsyncTaskPollingRate",
                    10.0,
                )
            )
    return rows or [Row("W2 serve", "not run: PostgreSQL unreachable", 0, "")]


def _through_serve(url: str, count: int, engines: int) -> tuple[float, list[float]]:
    store = open_event_store(url)
    spm = SimulatedSpm(store.recorder.datastore.engine, SystemClock(), TASK_SECONDS)  # type: ignore[attr-defined]
    engine = Engine(EnginePorts(store=store, storage=spm, clock=SystemClock()))
    pool = engine.run_action("AddEmptyStoragePool", {"name": f"w2-{engines}"}, user="bench")
    pool = pool.action_return_value
    vms = [
        engine.run_action(
            "AddVm", {"name": f"vm{i}", "disks": 1, **pool}, user="bench"
        ).action_return_value["vm_id"]
        for i in range(count)
    ]
    roots = [engine.validate_action("RemoveVm", {"vm_id": v}, user="bench").command_id for v in vms]
    env = {
        **os.environ,
        "TASKTRAIL_SPM_TASK_SECONDS": str(TASK_SECONDS),
        "TASKTRAIL_POLL_INTERVAL": "0.05",
    }
    start = time.perf_counter()
    processes = [
        subprocess.Popen(
            [TASKTRAIL, "--db", url, "serve"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(engines)
    ]
    try:
        while not all(store.load(Command, r).state.is_ended for r in roots):  # type: ignore[arg-type]
            time.sleep(0.2)
        elapsed = time.perf_counter() - start
    finally:
        for process in processes:
            process.terminate()
            process.wait(30)
    return count / elapsed, [_latency(store, r) for r in roots]  # type: ignore[arg-type]


def _latency(store: object, root: UUID) -> float:
    command = store.load(Command, root)  # type: ignore[attr-defined]
    [child] = command.child_ids
    [image] = store.load(Command, child).child_ids  # type: ignore[attr-defined]
    task_events = list(store.events.get(_task_of(store, image)))  # type: ignore[attr-defined]
    submitted = next(e.timestamp for e in task_events if e.trigger == "start_polling")
    return (command.modified_on - submitted).total_seconds() - TASK_SECONDS


def _task_of(store: object, command_id: UUID) -> UUID:
    task_id = task_id_for(command_id, 0)
    assert store.load(AsyncTask, task_id)  # type: ignore[attr-defined]
    return task_id
