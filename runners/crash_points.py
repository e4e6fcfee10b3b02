"""Crash points for recovery tests: the engine kills itself at its k-th save of events.

``TASKTRAIL_CRASH_AFTER_SAVES=k``: SIGKILL right after the k-th transaction that stored events
commits. ``TASKTRAIL_CRASH_BEFORE_SAVES=k``: SIGKILL right before the k-th one, after whatever
the round did (storage calls included) but before any of it is saved. No clean-up, no flush.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Sequence

from tasktrail.runners.event_store import Event, EventStore

AFTER = "TASKTRAIL_CRASH_AFTER_SAVES"
BEFORE = "TASKTRAIL_CRASH_BEFORE_SAVES"


def install_from_environment(store: EventStore) -> None:
    after, before = os.environ.get(AFTER), os.environ.get(BEFORE)
    if not (after or before):
        return
    saves = [0]
    append = store.append

    def append_then_maybe_die(events: Sequence[Event]) -> list[int]:
        if events:
            saves[0] += 1
        if before and events and saves[0] >= int(before):
            os.kill(os.getpid(), signal.SIGKILL)
        positions = append(events)
        if after and events and saves[0] >= int(after):
            os.kill(os.getpid(), signal.SIGKILL)
        return positions

    store.append = append_then_maybe_die  # type: ignore[method-assign]
