"""Clocks are passed into the domain so that replay and tests never read the wall clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Tells the time; every event timestamp in tasktrail comes from one of these."""

    def now(self) -> datetime:
        """The current time, always timezone-aware (UTC)."""
        ...


class SystemClock:
    """The real clock, used by the runners and the CLI."""

    def now(self) -> datetime:
        return datetime.now(tz=UTC)


class ManualClock:
    """A clock that moves only when told to, so tests can assert exact timestamps."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 1, 1, tzinfo=UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, seconds: float) -> None:
        self._now += timedelta(seconds=seconds)
