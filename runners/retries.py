"""Per-item back-off for work that threw: retried later, never dropped, never hammered.

One command or pool whose reaction keeps failing (a bug, a storage call that hangs up) must
neither stop the others (oVirt's poller died on one exception, BZ 1633777) nor be forgotten:
it is tried again after 1, 2, 4 … s, up to a cap, for as long as it is in flight. The schedule
is the callback sweep's own (``CallbackTiming``), with a longer cap.
"""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass, field
from uuid import UUID

from tasktrail.runners.callback_timing import CallbackTiming


def _schedule() -> CallbackTiming:
    return CallbackTiming(initial=1.0, maximum=30.0)


@dataclass
class Retries:
    schedule: CallbackTiming = field(default_factory=_schedule)
    """Seconds before the first retry (``initial``) and the cap of the doubling delay."""
    _failures: dict[UUID, int] = field(default_factory=dict)

    def allowed(self, key: UUID, now: float) -> bool:
        due = self.schedule.next_due(key)
        return due is None or due <= now

    def failed(self, key: UUID, now: float) -> float:
        """Counts one more failure; returns the seconds until the next attempt."""
        if key in self._failures:
            self.schedule.back_off(key, now)
        else:
            self.schedule.track(key, now)
        self._failures[key] = self._failures.get(key, 0) + 1
        return (self.schedule.next_due(key) or now) - now

    def succeeded(self, key: UUID) -> None:
        self._failures.pop(key, None)
        self.schedule.forget(key)

    def failures(self, key: UUID) -> int:
        return self._failures.get(key, 0)

    def forget_all_but(self, keys: Set[UUID]) -> None:
        """Items no longer in flight leave, so the record stays as small as the work."""
        for key in [k for k in self._failures if k not in keys]:
            self.succeeded(key)
