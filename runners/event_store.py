"""The event store: eventsourcing's Application on eventsourcing-sqlalchemy, pydantic events.

It appends the events of one decision atomically, loads aggregates by replaying their streams
(counting how often, since that is what the aggregate cache saves), and reads the notification
log for the follower. Which database it opens is given by whoever builds it.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar, cast
from uuid import UUID

import sqlalchemy as sa
from eventsourcing.application import AggregateNotFoundError as LibNotFoundError
from eventsourcing.application import Application, ProcessingEvent
from eventsourcing.persistence import ApplicationRecorder, IntegrityError, Mapper
from eventsourcing_sqlalchemy.factory import SQLAlchemyFactory
from eventsourcing_sqlalchemy.recorders import SQLAlchemyApplicationRecorder

from tasktrail.domain.model.aggregate import StateMachineAggregate
from tasktrail.domain.model.errors import (
    AggregateNotFoundError,
    ConcurrencyError,
    WrongAggregateTypeError,
)
from tasktrail.projections.event_log import Recorded
from tasktrail.runners.event_chain import ChainedRecorder
from tasktrail.runners.serialization import PydanticMapper
from tasktrail.runners.snapshots import Snapshots, due
from tasktrail.runners.store_tables import EVENTS
from tasktrail.runners.transient import is_transient

A = TypeVar("A", bound=StateMachineAggregate)
Event = StateMachineAggregate.Event


class EventStore(Application[UUID]):
    """Appends aggregates' events atomically and rebuilds aggregates at any version."""

    name = "tasktrail"

    def __init__(self, env: dict[str, str]) -> None:
        super().__init__(env)
        self.loads = 0
        """Aggregates rebuilt from their streams by this store (``Repository.get`` calls)."""
        self.snapshot_table: Snapshots | None = None
        """Snapshots of growing streams (``runners.snapshots``); none for a store in memory."""
        if isinstance(self.factory, SQLAlchemyFactory):
            self.snapshot_table = Snapshots(self.factory.aggregate_recorder("snapshots"))
        self.appended = Appended()
        """What this store appended lately, for the follower (``Appended``)."""

    def construct_recorder(self) -> ApplicationRecorder:
        """The library's recorder, writing each event's chained digest with it (tamper-evidence).

        A store in memory (what-if replays) keeps the library's plain recorder: it is never
        an audit trail.
        """
        if not isinstance(self.factory, SQLAlchemyFactory):
            return super().construct_recorder()
        return ChainedRecorder(self.factory.datastore, events_table_name=f"{self.name}_events")

    def construct_mapper(self) -> Mapper[UUID]:
        return PydanticMapper(transcoder=self.factory.transcoder())

    def append(self, events: Sequence[Event]) -> list[int]:
        """Stores ``events`` in one transaction, in the order given; returns their positions.

        Raises ConcurrencyError, and stores nothing, when another writer got to one of the
        aggregates first. Recorded as ``Application.save`` records, without its asking each
        event whether it is an event or an aggregate (a runtime Protocol check per event: a
        fifth of a save's time).
        """
        if not events:
            return []
        processing: ProcessingEvent[UUID] = ProcessingEvent()
        processing.events.extend(events)
        try:
            recordings = self._record(processing)
        except IntegrityError as error:
            raise ConcurrencyError(sorted({e.originator_id for e in events}, key=str)) from error
        positions = [r.notification.id for r in recordings]
        self.appended.add([Recorded(p, e) for p, e in zip(positions, events, strict=True)])
        return positions

    def load(self, cls: type[A], aggregate_id: UUID, version: int | None = None) -> A:
        """The aggregate as of ``version`` (default: now), from its newest snapshot at or below
        that version and the events after it, or replayed from the start of its stream."""
        self.loads += 1
        try:
            aggregate: Any = self._from_snapshot(aggregate_id, version)
            if aggregate is None:
                aggregate = self.repository.get(aggregate_id, version=version)
        except LibNotFoundError:
            raise AggregateNotFoundError(aggregate_id, cls.__name__) from None
        if not isinstance(aggregate, cls):
            raise WrongAggregateTypeError(aggregate_id, cls.__name__, type(aggregate).__name__)
        return aggregate

    def _from_snapshot(self, aggregate_id: UUID, version: int | None) -> Any:
        found = self.snapshot_table and self.snapshot_table.newest(aggregate_id, version)
        if not found:
            return None
        aggregate: Any = found
        for event in self.events.get(aggregate_id, gt=found.version, lte=version):
            aggregate = cast(Event, event).mutate(aggregate)
        return aggregate

    def keep_snapshot(self, aggregate: StateMachineAggregate, saved_from: int) -> None:
        """Snapshots the just-saved aggregate when its stream crossed a snapshot boundary.

        Its events are committed already, so a database that fails now costs only the
        snapshot (the next boundary takes one), never the commit.
        """
        if self.snapshot_table is None or not due(aggregate, saved_from):
            return
        try:
            self.snapshot_table.take(aggregate)
        except Exception as error:
            if not is_transient(error):
                raise

    def replayed(self, aggregate_id: UUID, version: int) -> StateMachineAggregate:
        """The aggregate at ``version`` replayed from the start of its stream, never from a
        snapshot: what a snapshot is checked against."""
        return cast(StateMachineAggregate, self.repository.get(aggregate_id, version=version))

    def load_any(self, aggregate_id: UUID, version: int | None = None) -> StateMachineAggregate:
        return self.load(StateMachineAggregate, aggregate_id, version)

    def exists(self, aggregate_id: UUID) -> bool:
        return bool(self.recorder.select_events(aggregate_id, limit=1))

    def moved(self, versions: Mapping[UUID, int]) -> list[UUID]:
        """Those aggregates with events stored past the version given (0: any at all).

        One query for them all: a storage task is checked against its command and its root
        before it is handed to the SPM, a round trip each on PostgreSQL.
        """
        if not isinstance(self.recorder, SQLAlchemyApplicationRecorder):
            select = self.recorder.select_events
            return [i for i, v in versions.items() if select(i, gt=v, limit=1)]
        if not versions:
            return []
        c = EVENTS.c
        past = [
            sa.and_(c.originator_id == i, c.originator_version > v) for i, v in versions.items()
        ]
        query = sa.select(c.originator_id).where(sa.or_(*past)).distinct()
        with self.recorder.transaction(commit=False) as session:
            stored = set(session.execute(query).scalars())
        return [i for i in versions if i in stored]

    def head(self) -> int:
        """The position of the last stored event (0 for an empty store)."""
        return self.recorder.max_notification_id() or 0

    def read(self, after: int, limit: int, until: int | None = None) -> list[Recorded]:
        """Up to ``limit`` events stored after position ``after`` (up to ``until``), decoded."""
        notifications = self.recorder.select_notifications(after + 1, limit, stop=until)
        return [Recorded(n.id, cast(Event, self.mapper.to_domain_event(n))) for n in notifications]

    def events_of(self, aggregate_id: UUID, until: int | None = None) -> list[Event]:
        """One aggregate's events in order (up to version ``until``)."""
        return cast(list[Event], list(self.events.get(aggregate_id, lte=until)))


APPENDED_SIZE = 5_000
"""Events kept for a follower that has not come by (a process with no engine loop keeps none
for long: the oldest go first)."""


class Appended:
    """The events this process stored lately, by position, as they were before being stored.

    The follower takes its own process's events from here instead of reading them back and
    decoding them (that was a tenth of a RemoveVm's cost). Only a run that follows straight on
    from the follower's position is given: anything between (another process's events, a
    position a failed transaction used) is read from the store as before.
    """

    def __init__(self, size: int = APPENDED_SIZE) -> None:
        self.size = size
        self._by_position: dict[int, Recorded] = {}
        self._lock = threading.Lock()

    def add(self, recorded: Sequence[Recorded]) -> None:
        with self._lock:
            for r in recorded:
                self._by_position[r.position] = r
            while len(self._by_position) > self.size:
                del self._by_position[next(iter(self._by_position))]

    def after(self, position: int, limit: int) -> list[Recorded]:
        """Up to ``limit`` events stored from ``position + 1`` on, without a gap; those up to
        ``position`` are forgotten (whoever asks has them)."""
        with self._lock:
            for old in [p for p in self._by_position if p <= position]:
                del self._by_position[old]
            run: list[Recorded] = []
            while len(run) < limit and (found := self._by_position.get(position + 1)) is not None:
                run.append(found)
                position += 1
            return run
