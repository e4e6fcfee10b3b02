"""Clocks for the runners: the wall clock, and a clock that moves only when told to.

The domain never reads a clock; whoever builds the engine hands it one of these.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(tz=UTC)


class ManualClock:
    """For recorded runs and tests: exact, repeatable timestamps."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 1, 1, tzinfo=UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, seconds: float) -> None:
        self._now += timedelta(seconds=seconds)
