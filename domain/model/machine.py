"""A state machine as a table of rows, asked before any event is recorded.

Each aggregate type declares its legal moves once, as rows of (trigger, sources, dest, event).
One shared ``transitions.Machine`` per aggregate type answers "may this trigger fire from this
state?" (aggregates never own a machine: that costs ~740 µs and memory per object) and draws
the diagrams in the docs. The state itself changes only when an event is applied.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from transitions import Machine

CREATE = "create"


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
    deletes: bool = False
    """The move ends the entity (oVirt deletes its row): nothing may happen to it afterwards."""


class TransitionTable:
    """An aggregate type's states, its creation states and its rows, checked once at import."""

    def __init__(
        self,
        name: str,
        states: type[StrEnum],
        initial: Iterable[StrEnum],
        rows: Iterable[Row],
        created: str = "Created",
    ) -> None:
        """``created`` names the event that begins the aggregate's stream."""
        self.name = name
        self.states = states
        self.initial = tuple(initial)
        self.rows = tuple(rows)
        self.created = created
        self._by_event = {row.event: row for row in self.rows}
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
        if len(self._by_event) != len(self.rows):
            raise ValueError(f"{self.name}: two rows record the same event type")
        if len({row.trigger for row in self.rows}) != len(self.rows):
            raise ValueError(f"{self.name}: two rows share a trigger")

    def destination(self, trigger: str, source: StrEnum) -> StrEnum | None:
        """Where ``trigger`` leads from ``source``, or None when the table forbids it."""
        found = self.machine.get_transitions(trigger, source=source.value)
        if not found:
            return None
        dest = found[0].dest
        return source if dest is None else self.states(dest)

    def row_of(self, event_name: str) -> Row:
        """The row whose move records ``event_name``."""
        return self._by_event[event_name]

    @property
    def triggers(self) -> tuple[str, ...]:
        return tuple(row.trigger for row in self.rows)

    @property
    def events(self) -> tuple[str, ...]:
        """Every event the aggregate records: its creation, then one per row."""
        return (self.created, *(row.event for row in self.rows))
