"""W1: RemoveVm with 3 disks end to end (storage finishing at once), vs the bare store."""

from __future__ import annotations

from bench.backends import databases
from bench.bare import append, bare_application
from bench.flows import Flows
from bench.report import Row, stopwatch
from projections.read_model import ReadModel
from runners.database import normalise_url


def run(quick: bool) -> list[Row]:
    count = 20 if quick else 200
    rows = []
    for backend, url in databases("w1"):
        flows = Flows(url)
        vms = flows.vms(count)
        model = ReadModel(flows.store)
        model.create()
        model.catch_up()
        flows.counting.saves.clear()
        with stopwatch() as elapsed:
            flows.remove(vms)
            model.catch_up()
        saves = list(flows.counting.saves)
        events = sum(saves)
        with stopwatch() as bare_elapsed:
            append(bare_application(normalise_url(url)), saves)
        rows += [
            Row(
                "W1 RemoveVm-3",
                f"commands/s incl. projections ({backend})",
                count / elapsed[0],
                "cmd/s",
                note=f"{events / count:.0f} events and {len(saves) / count:.0f} "
                "transactions per RemoveVm",
            ),
            Row(
                "W1 RemoveVm-3",
                f"events/s end to end ({backend})",
                events / elapsed[0],
                "ev/s",
                "bare eventsourcing, same events and transactions",
                events / bare_elapsed[0],
            ),
        ]
    return rows
