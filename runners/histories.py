"""A recorded run, wherever it is kept: a job or command in a database, a bundle, a fixture.

Each becomes a ``History``: the events of every aggregate the run touched (its inventory's
earlier events too, which is what "entity state as it stood" is answered from), decoded by
today's code (upcasters included) and put in the order they were stored, and the run's root
command. Reading a history never writes anything.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from eventsourcing.persistence import MapperDeserialisationError, StoredEvent
from pydantic import ValidationError

from tasktrail.domain.model.aggregate import StateMachineAggregate
from tasktrail.domain.model.command.aggregate import Command
from tasktrail.domain.model.errors import AggregateNotFoundError, TasktrailError
from tasktrail.domain.model.job.aggregate import Job
from tasktrail.projections.queries import NotFoundError
from tasktrail.projections.read_model import ReadModel
from tasktrail.runners.bundle import BundleError, job_aggregates, read_bundle
from tasktrail.runners.event_store import EventStore

Event = StateMachineAggregate.Event


class HistoryError(TasktrailError):
    """The run asked for cannot be found or read."""


class UndecodableError(HistoryError):
    """A recorded event no event class (or upcaster) of today's code reads."""


@dataclass(frozen=True)
class History:
    """A recorded run: its events in stored order and its root command."""

    events: list[Event]
    root_id: UUID
    source: str


def memory_store() -> EventStore:
    """An event store in memory, for reading and replaying without writing anywhere."""
    return EventStore(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})


def from_stored(
    stored: list[StoredEvent], root_id: UUID | None, source: str, job_id: UUID | None = None
) -> History:
    """Decodes ``stored`` in order; without a root, the root command of ``job_id`` (or of
    the only job there is)."""
    store = memory_store()
    store.recorder.insert_events(stored)
    try:
        events = [r.event for r in store.read(0, len(stored) + 1)]
    except (MapperDeserialisationError, ValidationError, ValueError) as error:
        raise UndecodableError(f"{source}: an event today's code cannot read: {error}") from None
    return History(events, root_id or _root_of_job(events, source, job_id), source)


def _root_of_job(events: list[Event], source: str, job_id: UUID | None) -> UUID:
    roots = {
        e.originator_id: getattr(e, "job_id", None)
        for e in events
        if type(e) is Command.Created and getattr(e, "parent_command_id", None) is None
    }
    jobs = [r for r, job in roots.items() if job is not None and job_id in (None, job)]
    if len(jobs) != 1:
        raise HistoryError(f"{source} holds no single command run under a job")
    return jobs[0]


def from_file(path: Path) -> History:
    """A bundle (``tasktrail export``) or one of the project's recorded fixtures."""
    try:
        body: dict[str, Any] = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise BundleError(f"cannot read {path}: {error}") from None
    if "events" in body and "format" not in body:
        stored = [_stored(e, e["state"].encode()) for e in body["events"]]
        root = body.get("root_command_id")
        return from_stored(stored, UUID(root) if root else None, str(path))
    bundle, stored = read_bundle(path)  # checked whole, in log order
    return from_stored(stored, None, str(path), bundle.job_id)


def _stored(entry: dict[str, Any], state: bytes) -> StoredEvent:
    return StoredEvent(
        originator_id=UUID(entry["originator_id"]),
        originator_version=entry["originator_version"],
        topic=entry["topic"],
        state=state,
    )


def from_database(store: EventStore, model: ReadModel, item_id: UUID) -> History:
    """The run of a job or command (any command of the family) stored in ``store``: the
    aggregates its bundle would hold (``tasktrail export``)."""
    root_id = root_command(store, model, item_id)
    job_id = store.load(Command, root_id).job_id
    if job_id is None:
        raise HistoryError(f"command {root_id} ran without a job; only jobs' runs are replayed")
    events = [e for i in job_aggregates(model, job_id) for e in store.events_of(i)]
    return History(_stored_order(model, events), root_id, f"the database's {root_id}")


def root_command(store: EventStore, model: ReadModel, item_id: UUID) -> UUID:
    """The root command of a job, or of the tree a command belongs to."""
    try:
        found = store.load_any(item_id)
    except AggregateNotFoundError:
        raise NotFoundError(f"no job or command {item_id}") from None
    if isinstance(found, Command):
        return found.root_command_id
    if not isinstance(found, Job):
        raise NotFoundError(f"{item_id} is a {type(found).__name__}, not a job or command")
    commands = model.tables.tt_command
    with model.engine.connect() as connection:
        root = connection.execute(
            sa.select(commands.c.command_id).where(
                commands.c.job_id == item_id, commands.c.parent_command_id.is_(None)
            )
        ).scalar()
    if root is None:
        raise NotFoundError(f"job {item_id} has no command")
    return UUID(str(root))


def _stored_order(model: ReadModel, events: list[Event]) -> list[Event]:
    index = model.tables.event_index
    ids = {e.originator_id for e in events}
    with model.engine.connect() as connection:
        rows = connection.execute(
            sa.select(index.c.aggregate_id, index.c.version, index.c.position).where(
                index.c.aggregate_id.in_(ids)
            )
        ).all()
    position = {(UUID(str(a)), v): p for a, v, p in rows}
    return sorted(events, key=lambda e: position.get((e.originator_id, e.originator_version), 0))


def run_id(what: str) -> UUID:
    """``what`` as a job or command id; refused naming it when it is neither id nor file."""
    try:
        return UUID(what)
    except ValueError:
        raise HistoryError(f"{what!r} is neither a job or command id nor a file") from None
