"""One "transaction" of the seed: aggregates loaded once, changed, and saved atomically."""

from __future__ import annotations

from typing import TypeVar
from uuid import UUID

from domain.errors import AggregateNotFoundError
from domain.state_machine import StateMachineAggregate
from domain.store import EventStore

A = TypeVar("A", bound=StateMachineAggregate)


class UnitOfWork:
    """An identity map over the store; ``commit`` appends every pending event or none."""

    def __init__(self, store: EventStore) -> None:
        self.store = store
        self._seen: dict[UUID, StateMachineAggregate] = {}

    def get(self, cls: type[A], aggregate_id: UUID) -> A:
        seen = self._seen.get(aggregate_id)
        if seen is None:
            seen = self._seen[aggregate_id] = self.store.load(cls, aggregate_id)
        if not isinstance(seen, cls):
            raise AggregateNotFoundError(aggregate_id, cls.__name__)
        return seen

    def find(self, cls: type[A], aggregate_id: UUID) -> A | None:
        try:
            return self.get(cls, aggregate_id)
        except AggregateNotFoundError:
            return None

    def add(self, *aggregates: StateMachineAggregate) -> None:
        for aggregate in aggregates:
            self._seen[aggregate.id] = aggregate

    def commit(self) -> int:
        """Saves what changed; returns the last position written (0 if nothing changed)."""
        return self.store.save_all(*self._seen.values())
