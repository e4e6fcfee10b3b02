"""An idle round: storage tasks in flight, none of them changed, nothing else due.

Issue 18: "an idle round costs nothing that grows with the number of tasks in flight whose
status did not change". One engine round (follow the log, poll the pool, the callback sweep
when due, the in-flight check) is timed with a few tasks running and with many, every task
held running by the storage; the ratio is many / few (1.0 is flat).
"""

from __future__ import annotations

from uuid import UUID

from bench.backends import databases
from bench.flows import Flows
from bench.instant_spm import InstantSpm
from bench.report import Row, stopwatch
from bench.sizes import size

ROUNDS = 50
FEW = 1
"""RemoveVm-3 in flight for the baseline (3 tasks)."""


def run(quick: bool) -> list[Row]:
    many = size("idle_commands", quick, 100, 1000)
    rows = []
    for backend, url in databases("idle"):
        flows = Flows(url)
        vms = flows.vms(many)
        spm = flows.spm
        assert isinstance(spm, InstantSpm)
        spm.hold |= {UUID(disk) for vm in vms for disk in flows.disks[vm]}
        few_ms, _ = _idle_rounds(flows, vms[:FEW])
        many_ms, costs = _idle_rounds(flows, vms[FEW:])
        flows.close()
        rows.append(
            Row(
                "idle round",
                f"round, {3 * many} tasks running, none changed ({backend})",
                many_ms,
                "ms",
                f"{3 * FEW} tasks running",
                few_ms,
                f"target ≈ 1; per round: {costs}",
            )
        )
    return rows


def _idle_rounds(flows: Flows, vms: list[str]) -> tuple[float, str]:
    """RemoveVm-3 of ``vms`` (their tasks held running) added; ms per round once all polled."""
    flows.submit(vms)
    for _ in range(5):
        flows.loop.step()
    loads, commits = flows.store.loads, flows.loop.commits
    with stopwatch() as elapsed:
        for _ in range(ROUNDS):
            flows.loop.step()
    spent = f"{(flows.store.loads - loads) / ROUNDS:.1f} loads, "
    spent += f"{(flows.loop.commits - commits) / ROUNDS:.1f} commits"
    return elapsed[0] / ROUNDS * 1000, spent
