"""Memory: an engine that completed many commands holds no more than one that completed few.

Measured in a process of its own (``python -m bench.memory URL TOTAL``), so what earlier
workloads left in this one does not flatten the ratio. RemoveVm-1 run 50 in flight at a time;
RSS is read after a tenth of them and after all (issue 18: 300 and 3,000, ratio at most 1.1).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import psutil

from bench.backends import databases
from bench.flows import Flows
from bench.report import Row
from bench.sizes import size

IN_FLIGHT = 50
ROOT = Path(__file__).resolve().parent.parent


def run(quick: bool) -> list[Row]:
    total = size("memory_commands", quick, 3000, 30_000)
    for backend, url in databases("memory"):
        return [_measure(backend, url, total)]
    return []


def _measure(backend: str, url: str, total: int) -> Row:
    done = subprocess.run(
        [sys.executable, "-m", "bench.memory", url, str(total)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=3600,
        check=True,
    )
    found = json.loads(done.stdout.strip().splitlines()[-1])
    return Row(
        "memory",
        f"RSS after {total:,} RemoveVm-1 ({backend})",
        found["late"],
        "MiB",
        f"RSS after {total // 10:,}",
        found["early"],
        f"target ≤ 1.1; {found['cached']:,} aggregates cached at the end",
    )


def _probe(url: str, total: int) -> dict[str, float]:
    flows = Flows(url, record=False)
    process = psutil.Process()
    early = 0.0
    for done in range(IN_FLIGHT, total + 1, IN_FLIGHT):
        flows.remove(flows.vms(IN_FLIGHT, disks=1))
        if not early and done >= total // 10:
            early = process.memory_info().rss / 2**20
    late = process.memory_info().rss / 2**20
    return {"early": early, "late": late, "cached": len(flows.cache)}


if __name__ == "__main__":
    print(json.dumps(_probe(sys.argv[1], int(sys.argv[2]))))
