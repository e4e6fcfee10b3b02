"""W1: RemoveVm with 3 disks end to end (storage finishing at once), vs the bare store.

Two shapes, each against the bare eventsourcing library appending the same events in the same
transactions: all commands in flight at once (one engine round commits the work of all of
them), and one command at a time (each RemoveVm's own transactions). The one-at-a-time run
also counts what a single RemoveVm-3 costs: store transactions, and aggregates rebuilt from
the database (``EventStore.loads``: the ``Repository.get`` calls the aggregate cache did not
save), with the cache as a running engine has it and emptied before each command (an engine
just started).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from bench.backends import databases
from bench.bare import append, bare_application
from bench.flows import Flows
from bench.report import Row, stopwatch
from bench.sizes import size
from tasktrail.runners.database import normalise_url

W = "W1 RemoveVm-3"
LOADS_TARGET = 15
"""Issue 18: at most 15 ``Repository.get`` per RemoveVm-3."""
TRANSACTIONS_BEFORE = 26
"""Issue 18: the old core's transactions per RemoveVm-3 (the count to beat)."""
COLD = 10
"""RemoveVm-3 run each on an emptied cache."""


@dataclass(frozen=True)
class Measured:
    count: int
    seconds: float
    sizes: list[int]
    """Events per store transaction, in order."""
    loads: int
    bare_seconds: float

    @property
    def events(self) -> int:
        return sum(self.sizes)

    def per_command(self, total: float) -> float:
        return total / self.count


def run(quick: bool) -> list[Row]:
    count = size("w1_commands", quick, 50, 500)
    rows = []
    for backend, url in databases("w1"):
        flows = Flows(url)
        vms = flows.vms(2 * count + COLD)
        batch = _measure(flows, url, partial(flows.remove, vms[:count]), count)
        single = _measure(flows, url, partial(flows.remove_one_by_one, vms[count:-COLD]), count)
        cold = _cold_loads(flows, vms[-COLD:])
        flows.close()
        rows += _throughput(backend, f"{count} in flight", batch)
        rows += _throughput(backend, "one at a time", single)
        rows += _costs(backend, single, cold)
    return rows


def _measure(flows: Flows, url: str, work: Callable[[], object], count: int) -> Measured:
    """Times ``work`` plus bringing the read model up to date, then the bare store's share."""
    flows.transactions.clear()
    loads = flows.store.loads
    with stopwatch() as elapsed:
        work()
        flows.read_model.catch_up()
    sizes = list(flows.transactions.sizes)
    with stopwatch() as bare_elapsed:
        append(bare_application(normalise_url(url)), sizes)
    return Measured(count, elapsed[0], sizes, flows.store.loads - loads, bare_elapsed[0])


def _cold_loads(flows: Flows, vms: list[str]) -> float:
    """Loads per RemoveVm-3 when every one starts on an empty aggregate cache."""
    loads = flows.store.loads
    for vm in vms:
        flows.cache.clear()
        flows.remove([vm])
    return (flows.store.loads - loads) / len(vms)


def _throughput(backend: str, shape: str, m: Measured) -> list[Row]:
    note = (
        f"{m.per_command(m.events):.0f} events and {m.per_command(len(m.sizes)):.2f} "
        "transactions per RemoveVm"
    )
    return [
        Row(
            W,
            f"commands/s incl. projections, {shape} ({backend})",
            m.count / m.seconds,
            "cmd/s",
            note=note,
        ),
        Row(
            W,
            f"events/s end to end, {shape} ({backend})",
            m.events / m.seconds,
            "ev/s",
            "bare eventsourcing, same events and transactions",
            m.events / m.bare_seconds,
            "target ≥ 0.6",
        ),
    ]


def _costs(backend: str, single: Measured, cold: float) -> list[Row]:
    return [
        Row(
            W,
            f"Repository.get per RemoveVm-3 ({backend})",
            single.per_command(single.loads),
            "loads",
            "issue 18 target",
            LOADS_TARGET,
            "EventStore.loads, one at a time, cache warm (VMs made by this engine)",
        ),
        Row(
            W,
            f"Repository.get per RemoveVm-3, cold cache ({backend})",
            cold,
            "loads",
            "issue 18 target",
            LOADS_TARGET,
            f"cache emptied before each of {COLD} (an engine just started)",
        ),
        Row(
            W,
            f"transactions per RemoveVm-3 ({backend})",
            single.per_command(len(single.sizes)),
            "txn",
            "old core (issue 18)",
            TRANSACTIONS_BEFORE,
            "one at a time",
        ),
    ]
