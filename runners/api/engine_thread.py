"""``serve``'s engine loop on a thread of the API process (``tasktrail api --engine``).

It shares the API's runtime, so a command the API records wakes it at once. Its storage port
is timed for the metrics. Stopping lets the current round finish and gives the leases back.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import replace

from tasktrail.runners.api.storage_timing import TimedStorage
from tasktrail.runners.bootstrap import Runtime
from tasktrail.runners.serve import Server

log = logging.getLogger("tasktrail.api")


class BackgroundEngine:
    def __init__(self, runtime: Runtime) -> None:
        self.storage = TimedStorage(runtime.ports.storage)
        timed = replace(runtime, ports=replace(runtime.ports, storage=self.storage))
        self.server = Server(timed)
        self._thread = threading.Thread(target=self._run, name="tasktrail-engine", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        try:
            with self.server:
                self.server.run()
        except Exception:
            log.exception("the API's engine loop stopped")

    def stop(self) -> None:
        self.server.stop()
        self._thread.join(timeout=30)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()
