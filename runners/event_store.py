"""The event store: eventsourcing's Application on eventsourcing-sqlalchemy, pydantic events.

It appends the events of one decision atomically, loads aggregates by replaying their streams
(counting how often, since that is what the aggregate cache saves), and reads the notification
log for the follower. Which database it opens is given by whoever builds it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar, cast
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError as LibNotFoundError
from eventsourcing.application import Application
from eventsourcing.persistence import ApplicationRecorder, IntegrityError, Mapper
from eventsourcing_sqlalchemy.factory import SQLAlchemyFactory

from tasktrail.domain.model.aggregate import StateMachineAggregate
from tasktrail.domain.model.errors import (
    AggregateNotFoundError,
    ConcurrencyError,
    WrongAggregateTypeError,
)
from tasktrail.projections.event_log import Recorded
from tasktrail.runners.event_chain import ChainedRecorder
from tasktrail.runners.serialization import PydanticMapper

A = TypeVar("A", bound=StateMachineAggregate)
Event = StateMachineAggregate.Event


class EventStore(Application[UUID]):
    """Appends aggregates' events atomically and rebuilds aggregates at any version."""

    name = "tasktrail"

    def __init__(self, env: dict[str, str]) -> None:
        super().__init__(env)
        self.loads = 0
        """Aggregates rebuilt from their streams by this store (``Repository.get`` calls)."""

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
        aggregates first.
        """
        if not events:
            return []
        try:
            recordings = self.save(*events)
        except IntegrityError as error:
            raise ConcurrencyError(sorted({e.originator_id for e in events}, key=str)) from error
        return [r.notification.id for r in recordings]

    def load(self, cls: type[A], aggregate_id: UUID, version: int | None = None) -> A:
        """The aggregate as of ``version`` (default: now), replayed from the database."""
        self.loads += 1
        try:
            aggregate: Any = self.repository.get(aggregate_id, version=version)
        except LibNotFoundError:
            raise AggregateNotFoundError(aggregate_id, cls.__name__) from None
        if not isinstance(aggregate, cls):
            raise WrongAggregateTypeError(aggregate_id, cls.__name__, type(aggregate).__name__)
        return aggregate

    def load_any(self, aggregate_id: UUID, version: int | None = None) -> StateMachineAggregate:
        return self.load(StateMachineAggregate, aggregate_id, version)

    def exists(self, aggregate_id: UUID) -> bool:
        return bool(self.recorder.select_events(aggregate_id, limit=1))

    def moved_past(self, aggregate_id: UUID, version: int) -> bool:
        """Whether events of the aggregate are stored past ``version`` (0: any at all)."""
        return bool(self.recorder.select_events(aggregate_id, gt=version, limit=1))

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
