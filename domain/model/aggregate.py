"""The base of every aggregate: eventsourcing's aggregate and ``@event``, guarded by a table.

An aggregate method decorated with eventsourcing's ``@event`` is both the command (calling it
records an event) and the apply code (the method body runs when the event is applied, now and
on every replay). This base adds what oVirt's machines need on top: before any event exists,
the aggregate's ``TABLE`` is asked whether the move is legal from the current state, and the
event records the move (trigger, from, to) with its cause (who, for which request, when).

Every aggregate and event has a stable topic (``Command``, ``Command.Succeeded``), so stored
events do not depend on module paths and nothing is ever imported by a name read from storage.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar, Self
from uuid import UUID, uuid4

from eventsourcing.domain import (
    BaseAggregate,
    CanInitAggregate,
    CanMutateAggregate,
    CommandMethodDecorator,
)
from eventsourcing.utils import register_topic

from tasktrail.domain.model.errors import IllegalTransitionError
from tasktrail.domain.model.events import Cause, EventMeta, Transitioned
from tasktrail.domain.model.machine import CREATE, TransitionTable

_RECORDING: ContextVar[list[Any] | None] = ContextVar("recording", default=None)


@contextmanager
def recording() -> Iterator[list[Any]]:
    """Every event triggered on any aggregate inside the block, in the order triggered.

    Lets whoever drives the domain react to what a decision recorded before it is saved.
    """
    events: list[Any] = []
    token = _RECORDING.set(events)
    try:
        yield events
    finally:
        _RECORDING.reset(token)


class StateMachineAggregate(BaseAggregate[UUID]):
    """An event-sourced aggregate whose every state change is a row of its ``TABLE``."""

    TABLE: ClassVar[TransitionTable]
    TOPIC: ClassVar[str]
    if TYPE_CHECKING:  # set by the events; not dataclass fields of the library's aggregate
        state: StrEnum
        origin_meta: EventMeta
        """Who created it and for which request; engine-driven events keep that lineage."""
        deleted: bool
        """Ended by a move that deletes it (oVirt removes its row); its stream is closed."""
        state_since: datetime
        """When it entered its state (a job's end_time, once it ended)."""

    class Event(Transitioned, CanMutateAggregate[UUID]):
        def apply(self, aggregate: Any) -> None:
            if self.to_state != self.from_state:
                aggregate.state_since = self.timestamp
            aggregate.state = aggregate.TABLE.states(self.to_state)
            aggregate.deleted = aggregate.TABLE.row_of(type(self).__name__).deletes

    class Created(Event, CanInitAggregate[UUID]):
        originator_topic: str

        def apply(self, aggregate: Any) -> None:
            aggregate.origin_meta = self.meta
            aggregate.state = aggregate.TABLE.states(self.to_state)
            aggregate.state_since = self.timestamp
            aggregate.deleted = False

    @staticmethod
    def create_id(*_: Any, **__: Any) -> UUID:
        return uuid4()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "TABLE" in vars(cls):
            _name_topics(cls)

    @classmethod
    def _create(
        cls,
        event_class: type[CanInitAggregate[UUID]],
        *,
        id: UUID | None = None,
        **kwargs: Any,
    ) -> Self:
        """The creation event: its state must be one the table allows a new aggregate in."""
        state = kwargs.get("to_state", cls.TABLE.initial[0])
        if state not in cls.TABLE.initial:
            raise IllegalTransitionError(cls.__name__, id or UUID(int=0), "new", CREATE)
        kwargs.update(_stamp(kwargs.pop("meta")), trigger=CREATE, from_state=None)
        kwargs["to_state"] = cls.TABLE.states(state).value
        created = super()._create(event_class, id=id, **kwargs)
        _record(created.pending_events[-1])
        return created

    def trigger_event(self, event_class: type[CanMutateAggregate[UUID]], **kwargs: Any) -> None:
        """Records exactly one event for a move the table allows, or raises and records nothing."""
        row = self.TABLE.row_of(event_class.__name__)
        dest = None if self.deleted else self.TABLE.destination(row.trigger, self.state)
        if dest is None:
            name, state = type(self).__name__, "deleted" if self.deleted else self.state.value
            raise IllegalTransitionError(name, self.id, state, row.trigger)
        kwargs.update(_stamp(kwargs.pop("meta")), trigger=row.trigger)
        kwargs.update(from_state=self.state.value, to_state=dest.value)
        super().trigger_event(event_class, **kwargs)
        _record(self.pending_events[-1])

    def may(self, trigger: str) -> bool:
        """Whether the table allows ``trigger`` now; lets callers choose without raising."""
        return not self.deleted and self.TABLE.destination(trigger, self.state) is not None

    def __copy__(self) -> Self:
        """A copy to change without touching the original (its pending events included).

        Apply code replaces collections rather than mutating them, so a shallow copy is enough.
        """
        copied = type(self).__new__(type(self))
        copied.__dict__.update(self.__dict__)
        copied.__dict__["_pending_events"] = list(self._pending_events)
        return copied


def _record(event: Any) -> None:
    sink = _RECORDING.get()
    if sink is not None:
        sink.append(event)


def _stamp(cause: Any) -> dict[str, Any]:
    """The event fields a cause fills in: its metadata and its clock's reading."""
    if not isinstance(cause, Cause):
        raise TypeError(f"aggregate methods take a Cause, not {type(cause).__name__}")
    return {"meta": cause.plain(), "timestamp": cause.now()}


def _name_topics(cls: type[StateMachineAggregate]) -> None:
    """Stable topics ``Aggregate`` and ``Aggregate.Event``, and every table row's event checked."""
    cls.TOPIC = cls.__name__
    register_topic(cls.TOPIC, cls)
    missing = [name for name in cls.TABLE.events if name not in vars(cls)]
    if missing:
        raise TypeError(f"{cls.__name__}: no @event method records {', '.join(missing)}")
    for name in cls.TABLE.events:
        event_class = vars(cls)[name]
        event_class.TOPIC = f"{cls.__name__}.{name}"
        register_topic(event_class.TOPIC, event_class)
    for method in vars(cls).values():
        if isinstance(method, CommandMethodDecorator) and method.event_cls_name:
            _keep_defaults(vars(cls)[method.event_cls_name], method.decorated_func)


def _keep_defaults(event_class: Any, method: Any) -> None:
    """A method parameter's default becomes its event field's: a field added later (with a
    default) leaves the events stored before it readable, with that default.
    """
    defaults = {
        name: p.default
        for name, p in inspect.signature(method).parameters.items()
        if p.default is not p.empty and name in event_class.model_fields
    }
    for name, default in defaults.items():
        event_class.model_fields[name].default = default
    if defaults:
        event_class.model_rebuild(force=True)
