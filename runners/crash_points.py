"""Crash points for recovery tests: the engine kills itself right after its k-th stored event.

Set ``TASKTRAIL_CRASH_AFTER_EVENTS=k``; the process is SIGKILLed (no clean-up, no flush)
as soon as a save brings the events it stored to k or more.
"""

from __future__ import annotations

import os
import signal
from typing import Any

from domain.store import EventStore

VARIABLE = "TASKTRAIL_CRASH_AFTER_EVENTS"


def install_from_environment(store: EventStore) -> None:
    limit = os.environ.get(VARIABLE)
    if not limit:
        return
    remaining = [int(limit)]
    save_all = store.save_all

    def save_then_maybe_die(*aggregates: Any) -> int:
        count = sum(len(a.pending_events) for a in aggregates if a is not None)
        position = save_all(*aggregates)
        remaining[0] -= count
        if count and remaining[0] <= 0:
            os.kill(os.getpid(), signal.SIGKILL)
        return position

    store.save_all = save_then_maybe_die  # type: ignore[method-assign]
