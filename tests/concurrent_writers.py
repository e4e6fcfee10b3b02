"""Writers that append from processes of their own, started with ``spawn``: what the tests of
appends made at once on PostgreSQL run (a spawned process imports its target by name)."""

from __future__ import annotations

from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from typing import cast
from uuid import UUID, uuid4

from tasktrail.domain.model.command.aggregate import Command
from tasktrail.domain.model.errors import ConcurrencyError
from tasktrail.domain.model.events import Cause
from tasktrail.runners.clocks import SystemClock
from tasktrail.runners.database import open_event_store
from tasktrail.runners.event_store import Event, EventStore

Stored = tuple[list[int], list[tuple[UUID, int]]]
"""The positions one commit got, and the (stream, version) of its events in the order given."""

CAUSE = Cause.of(SystemClock(), user_id="writer", correlation_id="concurrent")


def new_command() -> Command:
    return Command(CAUSE, id=uuid4(), action_type="RemoveVm", parameters={})


def lifecycle(commands: int) -> list[Event]:
    """The events of ``commands`` new commands, each created, activated, executed and ended."""
    events: list[Event] = []
    for _ in range(commands):
        command = new_command()
        command.activate(CAUSE, None)
        command.mark_executed(CAUSE)
        command.end_synchronously(CAUSE)
        events += cast(list[Event], command.collect_events())
    return events


def append(store: EventStore, events: list[Event]) -> Stored:
    positions = store.append(events)
    return positions, [(e.originator_id, e.originator_version) for e in events]


def steady(url: str, barrier: Barrier, commits: int, out: Queue[list[Stored]]) -> None:
    """Appends ``commits`` commits of 4, 8 or 12 events, starting when the other writer does."""
    store = open_event_store(url)
    barrier.wait()
    out.put([append(store, lifecycle(1 + i % 3)) for i in range(commits)])


def clashing(url: str, barrier: Barrier, shared: UUID, out: Queue[Stored | str]) -> None:
    """Activates the ``shared`` command together with a new command of its own, in one commit;
    puts what it stored, or "clash" when the other writer moved ``shared`` first."""
    store = open_event_store(url)
    command = store.load(Command, shared)
    command.activate(CAUSE, None)
    events = cast(list[Event], command.collect_events()) + lifecycle(1)
    barrier.wait()
    try:
        out.put(append(store, events))
    except ConcurrencyError:
        out.put("clash")
