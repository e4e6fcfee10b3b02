"""The one mechanism behind every aggregate: a transition table, asked before any event.

Each aggregate type declares its legal moves once, as rows of (trigger, sources, dest, event).
One shared ``transitions.Machine`` per aggregate type answers "may this trigger fire from this
state?"; aggregates never own a machine (that costs ~740 µs and memory per object). The state
itself changes only when an event is applied, so replay rebuilds it without side effects.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from itertools import count
from typing import Any, ClassVar, Self
from uuid import UUID, uuid4

from eventsourcing.domain import OriginatorIDError, OriginatorVersionError
from pydantic import PrivateAttr
from transitions import Machine

from domain.errors import IllegalTransitionError
from domain.events import Cause, DomainEvent, EventMeta

CREATE = "create"
_SEQUENCE = count()


@dataclass(frozen=True)
class Row:
    """One legal move: ``trigger`` takes the aggregate from any of ``sources`` to ``dest``.

    ``dest`` None marks an internal move: the event records a fact, the state stays.
    """

    trigger: str
    sources: tuple[StrEnum, ...]
    dest: StrEnum | None
    event: str
    why: str


class TransitionTable:
    """An aggregate type's states, its creation states and its rows, checked once at import."""

    def __init__(
        self,
        name: str,
        states: type[StrEnum],
        initial: Iterable[StrEnum],
        rows: Iterable[Row],
    ) -> None:
        self.name = name
        self.states = states
        self.initial = tuple(initial)
        self.rows = tuple(rows)
        self._events = {row.trigger: row.event for row in self.rows}
        self._check_unambiguous()
        self.machine = Machine(
            model=None,
            states=[state.value for state in states],
            transitions=[
                {
                    "trigger": row.trigger,
                    "source": [s.value for s in row.sources],
                    "dest": row.dest.value if row.dest else None,
                }
                for row in self.rows
            ],
            initial=None,
            auto_transitions=False,
        )

    def _check_unambiguous(self) -> None:
        seen: dict[tuple[str, str], str] = {}
        for row in self.rows:
            if self._events[row.trigger] != row.event:
                raise ValueError(f"{self.name}: trigger {row.trigger!r} records two event types")
            for source in row.sources:
                key = (row.trigger, source.value)
                if key in seen:
                    raise ValueError(f"{self.name}: {key} has two destinations")
                seen[key] = row.dest.value if row.dest else source.value

    def destination(self, trigger: str, source: StrEnum) -> StrEnum | None:
        """Where ``trigger`` leads from ``source``, or None when the table forbids it."""
        found = self.machine.get_transitions(trigger, source=source.value)
        if not found:
            return None
        dest = found[0].dest
        return source if dest is None else self.states(dest)

    def event_name(self, trigger: str) -> str:
        return self._events[trigger]

    @property
    def triggers(self) -> tuple[str, ...]:
        return tuple(self._events)


class Transitioned(DomainEvent):
    """Base of every aggregate event: the move it records and who caused it."""

    trigger: str
    from_state: str | None
    to_state: str
    meta: EventMeta
    _sequence: int = PrivateAttr(default_factory=lambda: next(_SEQUENCE))
    """Order of creation in this process, so one save stores its events as they happened."""

    @property
    def sequence(self) -> int:
        return self._sequence

    def mutate(self, aggregate: StateMachineAggregate | None) -> StateMachineAggregate | None:
        assert aggregate is not None
        if self.originator_id != aggregate.id:
            raise OriginatorIDError(self.originator_id, aggregate.id)
        if self.originator_version != aggregate.version + 1:
            raise OriginatorVersionError(self.originator_version, aggregate.version + 1)
        aggregate.state = aggregate.TABLE.states(self.to_state)
        self.apply(aggregate)
        aggregate.version = self.originator_version
        aggregate.modified_on = self.timestamp
        return aggregate

    def apply(self, aggregate: Any) -> None:
        """Sets the fields this event carries; the state itself is set by ``mutate``."""


class Created(Transitioned):
    """Base of every aggregate's first event; it builds the aggregate from nothing."""

    aggregate_class: ClassVar[type[StateMachineAggregate]]

    def mutate(self, aggregate: StateMachineAggregate | None) -> StateMachineAggregate | None:
        assert aggregate is None
        cls = type(self).aggregate_class
        new = cls.__new__(cls)
        new.id = self.originator_id
        new.version = self.originator_version
        new.created_on = self.timestamp
        new.modified_on = self.timestamp
        new.state = cls.TABLE.states(self.to_state)
        new.origin_meta = self.meta
        new.pending_events = []
        self.apply(new)
        return new


class StateMachineAggregate:
    """An event-sourced aggregate whose every state change is a row of its ``TABLE``.

    It follows eventsourcing's aggregate protocol (``id``, ``version``, ``collect_events``)
    with pydantic events, so the library's application, repository and notification log
    store and replay it unchanged.
    """

    TABLE: ClassVar[TransitionTable]

    id: UUID
    version: int
    created_on: Any
    modified_on: Any
    state: StrEnum
    origin_meta: EventMeta
    """Who created it and for which request; later engine-driven events keep that lineage."""
    pending_events: list[Transitioned]

    def __init_subclass__(cls) -> None:
        super().__init_subclass__()
        for value in vars(cls).values():
            if isinstance(value, type) and issubclass(value, Created):
                value.aggregate_class = cls
        if "TABLE" in vars(cls):
            cls._define_plain_events()

    @classmethod
    def _define_plain_events(cls) -> None:
        """Rows whose event carries no payload get a plain event class, named as in the row."""
        for row in cls.TABLE.rows:
            if row.event not in vars(cls):
                event_cls = type(row.event, (Transitioned,), {"__module__": cls.__module__})
                event_cls.__qualname__ = f"{cls.__qualname__}.{row.event}"
                setattr(cls, row.event, event_cls)
            declared = vars(cls)[row.event]
            if not issubclass(declared, Transitioned) or issubclass(declared, Created):
                raise TypeError(f"{cls.__name__}.{row.event} must be a Transitioned event")

    @classmethod
    def _create(
        cls,
        event_class: type[Created],
        cause: Cause,
        state: StrEnum,
        *,
        id: UUID | None = None,
        **payload: Any,
    ) -> Self:
        if state not in cls.TABLE.initial:
            raise IllegalTransitionError(cls.__name__, id or UUID(int=0), "new", CREATE)
        event = event_class(
            originator_id=id or uuid4(),
            originator_version=1,
            timestamp=cause.now(),
            trigger=CREATE,
            from_state=None,
            to_state=state.value,
            meta=cause.meta,
            **payload,
        )
        aggregate = event.mutate(None)
        assert isinstance(aggregate, cls)
        aggregate.pending_events.append(event)
        return aggregate

    def may(self, trigger: str) -> bool:
        """Whether the table allows ``trigger`` now; lets callers choose without raising."""
        return self.TABLE.destination(trigger, self.state) is not None

    def _transition(self, trigger: str, cause: Cause, **payload: Any) -> None:
        """Records exactly one event for an allowed trigger, or raises and records nothing."""
        dest = self.TABLE.destination(trigger, self.state)
        if dest is None:
            raise IllegalTransitionError(type(self).__name__, self.id, self.state.value, trigger)
        event_class: type[Transitioned] = getattr(type(self), self.TABLE.event_name(trigger))
        event = event_class(
            originator_id=self.id,
            originator_version=self.version + 1,
            timestamp=cause.now(),
            trigger=trigger,
            from_state=self.state.value,
            to_state=dest.value,
            meta=cause.meta,
            **payload,
        )
        event.mutate(self)
        self.pending_events.append(event)

    def collect_events(self) -> list[Transitioned]:
        events, self.pending_events = self.pending_events, []
        return events
