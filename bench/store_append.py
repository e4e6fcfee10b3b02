"""Per-transition cost: Command transitions appended by tasktrail vs the bare library."""

from __future__ import annotations

import time
from typing import cast
from uuid import uuid4

from bench.backends import databases
from bench.bare import BareCommand, bare_application
from bench.flows import fresh_store
from bench.report import Row, stopwatch
from tasktrail.domain.model.command.aggregate import Command
from tasktrail.domain.model.command.machine import COMMAND_TABLE, CommandStatus
from tasktrail.domain.model.events import Cause
from tasktrail.runners.clocks import SystemClock
from tasktrail.runners.database import normalise_url
from tasktrail.runners.event_store import Event


def run(quick: bool) -> list[Row]:
    count = 300 if quick else 3000
    rows = [_decision_cost()]
    for backend, url in databases("append"):
        ours = _tasktrail(url, count)
        bare = _bare(normalise_url(url), count)
        rows.append(
            Row(
                "store_append",
                f"events/s, 4 per save ({backend})",
                ours,
                "ev/s",
                "bare eventsourcing",
                bare,
                f"{count} aggregates",
            )
        )
    return rows


def _tasktrail(url: str, count: int) -> float:
    store = fresh_store(url)
    cause = Cause.of(SystemClock(), user_id="bench", correlation_id=str(uuid4()))
    with stopwatch() as elapsed:
        for _ in range(count):
            command = Command(cause, id=uuid4(), action_type="RemoveVm", parameters={})
            command.activate(cause, None)
            command.mark_executed(cause)
            command.end_synchronously(cause)
            store.append(cast(list[Event], command.collect_events()))
    return 4 * count / elapsed[0]


def _bare(url: str, count: int) -> float:
    app = bare_application(url)
    with stopwatch() as elapsed:
        for _ in range(count):
            aggregate = BareCommand("RemoveVm")
            aggregate.activate()
            aggregate.mark_executed()
            aggregate.succeed()
            app.save(aggregate)
    return 4 * count / elapsed[0]


def _decision_cost() -> Row:
    """Asking the shared machine whether a trigger may fire, vs a plain dict lookup."""
    calls = 100_000
    allowed = {(r.trigger, s): r.dest for r in COMMAND_TABLE.rows for s in r.sources}
    start = time.perf_counter()
    for _ in range(calls):
        COMMAND_TABLE.destination("succeed", CommandStatus.ACTIVE)
    ours = (time.perf_counter() - start) / calls * 1e6
    start = time.perf_counter()
    for _ in range(calls):
        allowed.get(("succeed", CommandStatus.ACTIVE))
    bare = (time.perf_counter() - start) / calls * 1e6
    return Row(
        "store_append",
        "legal-move check per trigger",
        ours,
        "µs",
        "dict lookup",
        bare,
        "one shared transitions.Machine per aggregate type",
    )
