"""Clocks are passed into the domain so that replay and tests never read the wall clock."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class Clock(Protocol):
    """Tells the time; every event timestamp in tasktrail comes from one of these."""

    def now(self) -> datetime:
        """The current time, always timezone-aware (UTC)."""
        ...
