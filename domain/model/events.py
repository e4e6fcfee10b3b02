"""What every recorded event carries: its place in its stream, its time, and who caused it."""

from __future__ import annotations

from datetime import datetime
from itertools import count
from typing import ClassVar
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, PrivateAttr

from tasktrail.domain.model.clock import Clock

_SEQUENCE = count()


class EventMeta(BaseModel):
    """Audit metadata stamped on every event, so history answers "who, and on whose behalf"."""

    model_config = ConfigDict(frozen=True)

    correlation_id: str
    """Ties together everything one user request set in motion (oVirt's correlation id)."""
    user_id: str
    """The user on whose behalf the event was recorded; runners act as ``engine``."""
    causation_id: UUID | None = None
    """The command whose work caused this event, if any."""


class Cause(EventMeta):
    """An ``EventMeta`` that also knows the time: what every aggregate method is given.

    Aggregates never read a clock; the service that acts hands them a cause, and the event
    records its metadata and the cause's clock reading (so replay and tests are exact).
    """

    _clock: Clock = PrivateAttr()

    @classmethod
    def of(
        cls, clock: Clock, *, user_id: str, correlation_id: str, causation_id: UUID | None = None
    ) -> Cause:
        cause = cls(user_id=user_id, correlation_id=correlation_id, causation_id=causation_id)
        cause._clock = clock
        return cause

    @classmethod
    def acting_for(cls, clock: Clock, meta: EventMeta, command_id: UUID | None) -> Cause:
        """Events an engine records later keep the user and correlation id of the request."""
        return cls.of(
            clock, user_id=meta.user_id, correlation_id=meta.correlation_id, causation_id=command_id
        )

    def because_of(self, command_id: UUID) -> Cause:
        """The same actor and request, now acting for ``command_id``."""
        return Cause.acting_for(self._clock, self, command_id)

    def now(self) -> datetime:
        return self._clock.now()

    def plain(self) -> EventMeta:
        """The metadata alone, as events store it."""
        return EventMeta(
            correlation_id=self.correlation_id,
            user_id=self.user_id,
            causation_id=self.causation_id,
        )


class Transitioned(BaseModel):
    """The fields every stored event has: the move it records, when, and who caused it.

    ``class_version`` is bumped when an event's payload changes shape; an ``upcast_vN_vN+1``
    static method on the event class upgrades older stored events as they are read.
    """

    model_config = ConfigDict(frozen=True)
    class_version: ClassVar[int] = 1
    TOPIC: ClassVar[str]

    originator_id: UUID
    originator_version: int
    timestamp: AwareDatetime
    trigger: str
    from_state: str | None
    to_state: str
    meta: EventMeta
    _sequence: int = PrivateAttr(default_factory=lambda: next(_SEQUENCE))
    """Order of creation in this process, so one save stores its events as they happened."""

    @property
    def sequence(self) -> int:
        return self._sequence


def sequence_mark() -> int:
    """A number below every event created from now on (a savepoint's cheap bookmark)."""
    return next(_SEQUENCE)


class AuditNote(BaseModel):
    """What oVirt's audit log says of a command's phase: the AuditLogType and its values.

    The command decides the type (oVirt's getAuditLogTypeValue) and fills the template's
    values while it still knows them (the VM's name, after its row is gone); the read model
    renders the row.
    """

    model_config = ConfigDict(frozen=True)

    log_type: str
    """An AuditLogType name, e.g. USER_REMOVE_VM_FINISHED."""
    values: dict[str, str] = {}
    """The message template's values by name, e.g. {"VmName": "web1"}."""


class Subject(BaseModel):
    """An entity a job or step is about (oVirt's job_subject_entity / step_subject_entity)."""

    model_config = ConfigDict(frozen=True)

    entity_id: UUID
    entity_type: str
    """oVirt's VdcObjectType name: VM, Disk, Storage, System, …"""
    weight: int | None = None
    """A step's share of its entity's progress, in percent (step_entity_weight)."""
