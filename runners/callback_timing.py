"""The CommandCallbacksPoller's sweep: each callback command re-checked on a growing interval.

Events make a parent be checked at once when a child ends; this sweep is the safety net for
anything missed (a lost reaction, a crashed engine), with oVirt's back-off: 1, 2, 4, 8, 10, 10 s.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID


@dataclass
class CallbackTiming:
    initial: float = 1.0
    """Seconds before the first sweep of a command (AsyncCommandPollingLoopInSeconds)."""
    maximum: float = 10.0
    """The back-off cap (AsyncCommandPollingRateInSeconds)."""
    _interval: dict[UUID, float] = field(default_factory=dict)
    _due: dict[UUID, float] = field(default_factory=dict)

    def track(self, command_id: UUID, now: float) -> None:
        """A command (re)enters the sweep, due after the initial delay."""
        if command_id not in self._due:
            self._interval[command_id] = self.initial
            self._due[command_id] = now + self.initial

    def due(self, now: float) -> list[UUID]:
        return [command_id for command_id, at in self._due.items() if at <= now]

    def back_off(self, command_id: UUID, now: float) -> None:
        """Nothing changed: wait twice as long next time, up to the cap."""
        interval = min(self.maximum, self._interval.get(command_id, self.initial) * 2)
        self._interval[command_id] = interval
        self._due[command_id] = now + interval

    def forget(self, command_id: UUID) -> None:
        self._interval.pop(command_id, None)
        self._due.pop(command_id, None)

    def forget_all_but(self, command_ids: set[UUID]) -> None:
        """Commands no longer in flight leave the sweep."""
        for command_id in [c for c in self._due if c not in command_ids]:
            self.forget(command_id)

    def next_due(self, command_id: UUID) -> float | None:
        return self._due.get(command_id)

    def __len__(self) -> int:
        return len(self._due)
