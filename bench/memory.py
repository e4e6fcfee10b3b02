"""Memory: an engine that completed many commands holds no more than one that completed few."""

from __future__ import annotations

import psutil

from bench.backends import databases
from bench.flows import Flows
from bench.report import Row


def run(quick: bool) -> list[Row]:
    total = 300 if quick else 100_000
    for backend, url in databases("memory"):
        return [_measure(backend, url, total)]
    return []


def _measure(backend: str, url: str, total: int) -> Row:
    flows = Flows(url)
    process = psutil.Process()
    early = 0.0
    for done in range(1, total + 1):
        flows.remove(flows.vms(1, disks=1))
        if done == max(1, total // 10):
            early = process.memory_info().rss / 2**20
    late = process.memory_info().rss / 2**20
    return Row(
        "memory",
        f"RSS after {total:,} RemoveVm-1 ({backend})",
        late,
        "MiB",
        f"RSS after {max(1, total // 10):,}",
        early,
        f"{len(flows.loop.in_flight.commands)} commands left in flight",
    )
