"""What every recorded event carries: position in its stream, time, and who caused it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import ClassVar
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict

from domain.clock import Clock


class EventMeta(BaseModel):
    """Audit metadata stamped on every event, so history answers "who, and on whose behalf"."""

    model_config = ConfigDict(frozen=True)

    correlation_id: str
    """Ties together everything one user request set in motion (oVirt's correlation id)."""
    user_id: str
    """The user on whose behalf the event was recorded; runners act as ``engine``."""
    causation_id: UUID | None = None
    """The command whose work caused this event, if any."""


@dataclass(frozen=True)
class Cause:
    """The clock and metadata a domain method stamps on the events it records."""

    clock: Clock
    meta: EventMeta

    @classmethod
    def of(cls, clock: Clock, *, user_id: str, correlation_id: str) -> Cause:
        return cls(clock, EventMeta(user_id=user_id, correlation_id=correlation_id))

    def because_of(self, command_id: UUID) -> Cause:
        """The same actor and request, now acting for ``command_id``."""
        return replace(self, meta=self.meta.model_copy(update={"causation_id": command_id}))

    def now(self) -> datetime:
        return self.clock.now()


class DomainEvent(BaseModel):
    """A frozen, versioned fact; pydantic validates its payload before anything is recorded.

    ``class_version`` is bumped when a payload changes shape, and an ``upcast_vN_vN+1``
    static method on the class upgrades older stored events as they are read.
    """

    model_config = ConfigDict(frozen=True)
    class_version: ClassVar[int] = 1

    originator_id: UUID
    originator_version: int
    timestamp: AwareDatetime
