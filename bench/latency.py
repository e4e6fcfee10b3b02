"""From a storage task finishing to its root command ending, vs oVirt's fixed 10 s polling."""

from __future__ import annotations

import time
from datetime import datetime
from uuid import UUID, uuid4

import sqlalchemy as sa

from bench.backends import databases
from bench.flows import Flows
from bench.report import Row, percentile
from domain.clock import SystemClock
from domain.command.aggregate import Command
from domain.command.machine import CommandStatus
from domain.framework.in_flight import CommandInFlight, InFlight
from domain.store import EventStore
from runners.callback_timing import CallbackTiming
from runners.engine_loop import EngineLoop
from runners.simulated_spm import SimulatedSpm

POLL_INTERVAL = 0.05
OVIRT_POLLING = 10.0


def run(quick: bool) -> list[Row]:
    count = 10 if quick else 100
    rows = [_tick_cost(10_000)]
    for backend, url in databases("latency"):
        samples = _latencies(url, count)
        for pct in (50, 99):
            rows.append(
                Row(
                    "latency",
                    f"task finished -> root ended p{pct} ({backend})",
                    percentile(samples, pct),
                    "s",
                    "oVirt AsyncTaskPollingRate",
                    OVIRT_POLLING,
                    f"poll interval {POLL_INTERVAL}s, {count} RemoveVm-3",
                )
            )
    return rows


def _latencies(url: str, count: int) -> list[float]:
    flows = Flows(url, lambda store: SimulatedSpm(_database(store), SystemClock(), 0.3))
    spm = flows.spm
    assert isinstance(spm, SimulatedSpm)
    vms = flows.vms(count)
    roots = [
        flows.engine.run_action("RemoveVm", {"vm_id": v}, user="bench").command_id for v in vms
    ]
    finish: dict[UUID, datetime] = {}
    for task in spm.list_tasks():
        finish[task["entity_id"]] = task["finishes_at"]
    loop = EngineLoop(flows.engine)
    while loop.step():
        time.sleep(POLL_INTERVAL)
    samples = []
    for root in roots:
        command = flows.store.load(Command, root)  # type: ignore[arg-type]
        disks = [UUID(d) for d in _disks(flows, command)]
        finished = max(_aware(finish[d]) for d in disks)
        samples.append((command.modified_on - finished).total_seconds())
    return samples


def _disks(flows: Flows, command: Command) -> list[str]:
    child = flows.store.load(Command, command.child_ids[0])
    return list(child.parameters["disk_ids"])


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=SystemClock().now().tzinfo)


def _tick_cost(in_flight: int) -> Row:
    """One callback-poller tick over 10,000 waiting commands, none of them due.

    The baseline is the tick itself (oVirt's AsyncCommandPollingLoopInSeconds, 1 s): the ratio
    is the share of each second the bookkeeping costs.
    """
    loop = EngineLoop.__new__(EngineLoop)
    loop.in_flight = InFlight(
        commands={
            uuid4(): CommandInFlight("RemoveVm", None, uuid4(), True, CommandStatus.ACTIVE, True)
            for _ in range(in_flight)
        }
    )
    loop.timing = CallbackTiming()
    loop.monotonic = time.monotonic
    ticks = 50
    start = time.perf_counter()
    for _ in range(ticks):
        loop._poll_callbacks()
    ours = (time.perf_counter() - start) / ticks * 1000
    return Row(
        "latency",
        "callback poller tick, 10,000 in flight",
        ours,
        "ms",
        "one tick interval",
        1000.0,
        "nothing due: bookkeeping only",
    )


def _database(store: EventStore) -> sa.Engine:
    engine: sa.Engine = store.recorder.datastore.engine  # type: ignore[attr-defined]
    return engine
