"""The API process's one reader of the event log: live streams wait on it, metrics learn from it.

It starts at the store's head, so what it counts is what happened while this process ran (as
Prometheus expects of counters and histograms), and looks again every ``interval`` seconds.
A look that fails (the database away) is logged and tried again at the next one: the thread
never dies of it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence

from tasktrail.projections.event_log import Recorded
from tasktrail.runners.event_store import EventStore

log = logging.getLogger("tasktrail.api")
Observer = Callable[[Recorded], None]
_BATCH = 500


class LogWatcher:
    def __init__(self, store: EventStore, interval: float, observers: Sequence[Observer]) -> None:
        self.store = store
        self.interval = interval
        self.observers = observers
        self.head = 0
        """The last position read: everything up to it has been seen."""
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="tasktrail-log-watcher", daemon=True)

    def start(self) -> None:
        self.head = self.store.head()
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stopping.wait(self.interval):
            try:
                self._look()
            except Exception:
                log.warning("could not read the event log; trying again", exc_info=True)

    def _look(self) -> None:
        while True:
            batch = self.store.read(self.head, _BATCH)
            for recorded in batch:
                for observer in self.observers:
                    observer(recorded)
            if batch:
                self.head = batch[-1].position
            if len(batch) < _BATCH:
                return
