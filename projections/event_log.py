"""What projections read: the event log, by position, and one aggregate's stream.

The event store (in ``runners``) provides it; projections and replay depend only on this.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol
from uuid import UUID

from tasktrail.domain.model.aggregate import StateMachineAggregate

Event = StateMachineAggregate.Event


@dataclass(frozen=True)
class Recorded:
    """An event and its position in the notification log."""

    position: int
    event: Event


class EventLog(Protocol):
    def head(self) -> int:
        """The position of the last stored event (0 for an empty log)."""
        ...

    def read(self, after: int, limit: int, until: int | None = None) -> list[Recorded]:
        """Up to ``limit`` events stored after position ``after`` (up to ``until``), in order."""
        ...

    def events_of(self, aggregate_id: UUID, until: int | None = None) -> list[Event]:
        """One aggregate's events in order (up to version ``until``)."""
        ...

    def load_any(self, aggregate_id: UUID, version: int | None = None) -> StateMachineAggregate:
        """The aggregate replayed up to ``version`` (default: all of it)."""
        ...
