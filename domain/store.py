"""The event store: eventsourcing's Application, configured with pydantic events.

Which database it writes to is decided by its environment (an infrastructure factory and a
URL), given by whoever builds it; this module opens nothing by itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError as LibNotFoundError
from eventsourcing.application import Application
from eventsourcing.persistence import IntegrityError, Mapper

from domain.errors import AggregateNotFoundError, ConcurrencyError, WrongAggregateTypeError
from domain.serialization import PydanticMapper
from domain.state_machine import StateMachineAggregate

A = TypeVar("A", bound=StateMachineAggregate)


class EventStore(Application[UUID]):
    """Appends aggregates' events atomically and rebuilds aggregates at any version."""

    name = "tasktrail"

    def construct_mapper(self) -> Mapper[UUID]:
        return PydanticMapper(transcoder=self.factory.transcoder())

    def save_all(self, *aggregates: StateMachineAggregate | None) -> int:
        """Appends every pending event of ``aggregates`` in one transaction, or none of them.

        Returns the last notification position written (0 when nothing was pending).
        """
        pending = [a for a in aggregates if a is not None]
        writers = [a.id for a in pending if a.pending_events]
        events = sorted((e for a in pending for e in a.collect_events()), key=lambda e: e.sequence)
        if not events:
            return 0
        try:
            recordings = self.save(*events)
        except IntegrityError as error:
            raise ConcurrencyError(writers) from error
        return recordings[-1].notification.id if recordings else 0

    def load(self, cls: type[A], aggregate_id: UUID, version: int | None = None) -> A:
        """The aggregate as of ``version`` (default: now), checked to be a ``cls``."""
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

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        """One database transaction in which ``save_all`` and read-model writes commit together."""
        with self.recorder.transaction() as session:  # type: ignore[attr-defined]
            yield session
