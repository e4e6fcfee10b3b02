"""Push, not sleep: a commit wakes the engine loop at once.

In the same process, whoever saves work for the loop calls ``Wakeup.set``. Other processes
on PostgreSQL are heard through LISTEN/NOTIFY: the event store sends a NOTIFY with every
append, and a listener thread here turns it into a wake-up. Polling stays only for the storage
side (which cannot push) and as the fallback when a notification is missed.
"""

from __future__ import annotations

import logging
import select
import threading
from typing import Any

import sqlalchemy as sa

log = logging.getLogger("tasktrail.wakeup")


class Wakeup:
    def __init__(self) -> None:
        self._event = threading.Event()

    def set(self) -> None:
        self._event.set()

    def wait(self, timeout: float) -> bool:
        """Sleeps until woken or ``timeout`` seconds passed; True if woken."""
        woken = self._event.wait(timeout)
        self._event.clear()
        return woken


class NotifyListener:
    """Listens on the event store's channel and wakes the loop when another process appends."""

    def __init__(self, engine: sa.Engine, channel: str, wakeup: Wakeup) -> None:
        self.engine = engine
        self.channel = channel
        self.wakeup = wakeup
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="notify-listener", daemon=True)

    def start(self) -> NotifyListener:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(timeout=2)

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                self._listen()
            except Exception:
                log.debug("notification listener lost its connection", exc_info=True)
                self._stopping.wait(1.0)

    def _listen(self) -> None:
        raw: Any = self.engine.raw_connection()
        try:
            raw.set_isolation_level(0)
            raw.cursor().execute(f"LISTEN {self.channel}")
            while not self._stopping.is_set():
                if select.select([raw], [], [], 0.2)[0]:
                    raw.poll()
                    if raw.notifies:
                        raw.notifies.clear()
                        self.wakeup.set()
        finally:
            raw.close()
