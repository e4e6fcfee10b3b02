"""``serve``: an engine loop driven round after round, woken by commits, stopped by signals.

A ``Server`` is a context manager. Entering it takes its share of the work (partition leases
on PostgreSQL, everything on SQLite) and listens for other processes' commits (PostgreSQL
NOTIFY). ``run`` then does one round after another: at once while work is due, else when a
commit wakes it or the next poll or sweep comes round. ``stop`` (or SIGTERM/SIGINT under
``stopping_on_signals``) lets the current round finish; leaving the context gives the leases
back. With ``until_idle``, ``run`` returns once nothing is in flight.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Self

from tasktrail.runners.bootstrap import Runtime
from tasktrail.runners.bundle import refuse_archive
from tasktrail.runners.engine_loop import EngineLoop
from tasktrail.runners.wakeup import NotifyListener

log = logging.getLogger("tasktrail.serve")


class Server:
    def __init__(
        self,
        runtime: Runtime,
        *,
        until_idle: bool = False,
        stop_event: threading.Event | None = None,
    ) -> None:
        self.runtime = runtime
        self.until_idle = until_idle
        self.stop_event = stop_event or threading.Event()
        policy = runtime.settings.restart_policy
        self.loop: EngineLoop = runtime.loop(runtime.shared_leases(), policy)
        self._listener: NotifyListener | None = None

    def __enter__(self) -> Self:
        database = self.runtime.database
        refuse_archive(database)
        if database.dialect.name == "postgresql":
            channel = self.runtime.store.recorder.channel_name  # type: ignore[attr-defined]
            self._listener = NotifyListener(database, channel, self.runtime.wakeup).start()
        url = database.url.render_as_string(hide_password=True)
        log.info("serving %s (poll every %ss)", url, self.runtime.settings.poll_interval)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._listener is not None:
            self._listener.stop()
        self.loop.leases.close()
        log.info("stopped after %d rounds", self.loop.rounds)

    def run(self) -> int:
        """Rounds until stopped (or idle, with ``until_idle``); returns how many ran."""
        while not self.stop_event.is_set():
            busy = self.loop.step()
            if self.until_idle and not busy:
                break
            self.runtime.wakeup.wait(self._pause(busy))
        return self.loop.rounds

    def _pause(self, busy: bool) -> float:
        """No pause while work is due; else until the next poll or sweep, a wake-up cutting in."""
        if not busy:
            return self.runtime.settings.poll_interval
        return self.loop.wait_time()

    def stop(self) -> None:
        """Safe from a signal handler or another thread: the current round finishes first."""
        self.stop_event.set()
        self.runtime.wakeup.set()


class StoppedWhileStarting(Exception):  # noqa: N818 - a stop request, not an error
    """SIGTERM or SIGINT came before the engine served: nothing was started, nothing to finish."""


@contextmanager
def stopping_while_starting() -> Iterator[None]:
    """SIGTERM and SIGINT while the database is opened (which may wait out a restarting server
    for a minute) stop at once, raising ``StoppedWhileStarting``: no round has begun."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(number: int, _frame: object) -> None:
        raise StoppedWhileStarting(signal.Signals(number).name)

    previous = {signum: signal.signal(signum, stop) for signum in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


@contextmanager
def stopping_on_signals(server: Server) -> Iterator[Server]:
    """SIGTERM and SIGINT stop ``server`` after its current round.

    Python lets only the main thread set handlers; elsewhere stop the server with ``stop``.
    """
    if threading.current_thread() is not threading.main_thread():
        yield server
        return

    def stop(number: int, _frame: object) -> None:
        log.info("%s: stopping after the current round", signal.Signals(number).name)
        server.stop()

    previous = {signum: signal.signal(signum, stop) for signum in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield server
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def serve(
    runtime: Runtime, *, until_idle: bool = False, stop_event: threading.Event | None = None
) -> int:
    """What ``tasktrail serve`` runs: a server with signal handling; returns the rounds run."""
    server = Server(runtime, until_idle=until_idle, stop_event=stop_event)
    with stopping_on_signals(server), server:
        return server.run()
