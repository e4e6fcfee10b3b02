"""One engine's duties, round after round: follow the log, execute, poll storage and callbacks.

Nothing is lost by failing: every duty re-reads the aggregates it acts on, so the next round,
or another engine, does the work. Failures are therefore contained at two levels. A duty that
throws is logged and the round goes on (an oVirt poller died on one exception, BZ 1633777);
one command or pool that throws is logged as a warning (no event: nothing happened to record)
and retried with back-off while the other items of the duty proceed (``runners.retries``).
"""

from __future__ import annotations

import logging
import queue
import time
from collections.abc import Callable
from concurrent.futures import Executor, Future
from functools import partial
from uuid import UUID

from domain.errors import ConcurrencyError
from domain.framework.callbacks import poll_callback
from domain.framework.engine import Engine
from domain.framework.in_flight import InFlight
from domain.framework.task_tracking import poll_pool
from domain.state_machine import Transitioned
from runners.callback_timing import CallbackTiming
from runners.checkpoint import Checkpoint
from runners.leases import Leases, SoleEngine
from runners.retries import Retries

log = logging.getLogger("tasktrail.engine")


class EngineLoop:
    def __init__(
        self,
        engine: Engine,
        *,
        batch_size: int = 500,
        leases: Leases | None = None,
        timing: CallbackTiming | None = None,
        executor: Executor | None = None,
        checkpoint: Checkpoint | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        pool_interval: float = 0.0,
        checkpoint_interval: float = 0.0,
        retries: Retries | None = None,
        on_executed: Callable[[], None] | None = None,
    ) -> None:
        """``pool_interval``: least seconds between two SPM polls of a pool (0: every round).

        ``checkpoint_interval``: least seconds between two checkpoint saves (0: every round
        that read events). ``on_executed`` is called from the executor's thread when an
        execute returns, so that a server can start its next round at once.
        """
        self.engine = engine
        self.batch_size = batch_size
        self.leases = leases or SoleEngine()
        self.timing = timing or CallbackTiming()
        self.executor = executor
        self.checkpoint = checkpoint
        self.monotonic = monotonic
        self.pool_interval = pool_interval
        self.checkpoint_interval = checkpoint_interval
        self.retries = retries or Retries()
        self.on_executed = on_executed
        self.position, self.in_flight = checkpoint.load() if checkpoint else (0, InFlight())
        self._started: set[UUID] = set()
        self._finished: queue.SimpleQueue[tuple[UUID, BaseException | None, float]] = (
            queue.SimpleQueue()
        )
        self._saved_position = self.position
        self._next_pool_poll = 0.0
        self._next_checkpoint = 0.0

    def follow(self) -> int:
        """Folds every event stored since the last call; returns how many were read."""
        store = self.engine.ports.store
        read = 0
        while True:
            batch = store.recorder.select_notifications(self.position + 1, self.batch_size)
            for notification in batch:
                event = store.mapper.to_domain_event(notification)
                assert isinstance(event, Transitioned)
                self.in_flight.observe(event)
                self.position = notification.id
            read += len(batch)
            if len(batch) < self.batch_size:
                return read

    def step(self) -> bool:
        """One round of every duty; True while anything is still in flight."""
        self._guarded("follow the log", self.follow)
        self._guarded("renew leases", self.leases.renew)
        self._guarded("execute commands", self._execute_pending)
        self._guarded("poll storage pools", self._poll_pools)
        self._guarded("follow the log", self.follow)
        self._guarded("poll callbacks", self._poll_callbacks)
        self._guarded("follow the log", self.follow)
        self._guarded("save the checkpoint", self.save_checkpoint)
        self._guarded("forget settled retries", self._forget_settled)
        return not self.in_flight.idle

    def _guarded(self, duty: str, work: Callable[[], object]) -> None:
        try:
            work()
        except ConcurrencyError:
            log.debug("another engine or thread moved first while trying to %s", duty)
        except Exception:  # logged; the next round tries again
            log.warning("could not %s; will try again next round", duty, exc_info=True)

    def _each(self, duty: str, key: UUID, work: Callable[[], object]) -> None:
        """One item of a duty: its failure backs that item off, the other items go on."""
        now = self.monotonic()
        if not self.retries.allowed(key, now):
            return
        try:
            work()
        except ConcurrencyError:
            log.debug("another engine or thread moved first on %s %s", duty, key)
        except Exception as error:  # noqa: BLE001 - logged, retried with back-off
            self._failed(duty, key, error, now)
        else:
            self.retries.succeeded(key)

    def _failed(self, duty: str, key: UUID, error: BaseException, now: float) -> None:
        delay = self.retries.failed(key, now)
        failures = self.retries.failures(key)
        log.warning(
            "could not %s %s (failure %d in a row); retrying in %.0f s",
            duty,
            key,
            failures,
            delay,
            exc_info=error,
        )

    def _execute_pending(self) -> None:
        self._collect_finished()
        for command_id in self.in_flight.to_execute():
            root = self.in_flight.commands[command_id].root_id
            if command_id in self._started or not self.leases.owns(root):
                continue
            if self.executor is None:
                self._each("execute", command_id, partial(self.engine.execute, command_id))
            elif self.retries.allowed(command_id, self.monotonic()):
                self._started.add(command_id)
                future = self.executor.submit(self.engine.execute, command_id)
                future.add_done_callback(partial(self._executed, command_id))

    def _executed(self, command_id: UUID, done: Future[None]) -> None:
        """In the executor's thread: hand the outcome to the loop's thread, wake it up."""
        error = None if done.cancelled() else done.exception()
        self._finished.put((command_id, error, self.monotonic()))
        if self.on_executed is not None:
            self.on_executed()

    def _collect_finished(self) -> None:
        """Executes that returned may run again if still pending (say, they lost every race);
        those that threw (say, the database went away) are retried with back-off."""
        while not self._finished.empty():
            command_id, error, at = self._finished.get()
            self._started.discard(command_id)
            if error is None:
                self.retries.succeeded(command_id)
            else:
                self._failed("execute", command_id, error, at)

    def _poll_pools(self) -> None:
        """oVirt's SPMGetAllTasksStatuses: once per pool with tasks in flight, none without."""
        pools = self.in_flight.tasks_by_pool()
        now = self.monotonic()
        if not pools or now < self._next_pool_poll:
            return
        self._next_pool_poll = now + self.pool_interval
        for pool_id, task_ids in pools.items():
            if self.leases.owns(pool_id):
                poll = partial(self._poll_pool, pool_id, task_ids)
                self._each("poll storage pool", pool_id, poll)

    def _poll_pool(self, pool_id: UUID, task_ids: list[UUID]) -> None:
        polled = poll_pool(self.engine, pool_id, task_ids)
        if polled.error is not None:
            log.warning("the SPM of pool %s did not answer: %s", pool_id, polled.error)

    def _poll_callbacks(self) -> None:
        """Parents made due by events at once, then the back-off sweep of the others."""
        now = self.monotonic()
        for command_id in self.in_flight.callback_commands():
            self.timing.track(command_id, now)
        while self.in_flight.parents_due:
            for command_id in sorted(self.in_flight.parents_due):
                self.in_flight.parents_due.discard(command_id)
                self._each("evaluate", command_id, partial(self._evaluate, command_id, now, False))
            self.follow()
        for command_id in self.timing.due(now):
            self._each("evaluate", command_id, partial(self._evaluate, command_id, now, True))

    def _evaluate(self, command_id: UUID, now: float, swept: bool) -> None:
        command = self.in_flight.commands.get(command_id)
        if command is None:
            self.timing.forget(command_id)
            return
        if not self.leases.owns(command.root_id):
            return
        if swept:
            self.timing.back_off(command_id, now)
        if poll_callback(self.engine, command_id).ended:
            self.timing.forget(command_id)

    def save_checkpoint(self, *, force: bool = False) -> None:
        """Saves what is in flight and the position it was folded up to, if either moved."""
        now = self.monotonic()
        if self.checkpoint is None or self.position <= self._saved_position:
            return
        if not force and now < self._next_checkpoint:
            return
        self.checkpoint.save(self.position, self.in_flight)
        self._saved_position = self.position
        self._next_checkpoint = now + self.checkpoint_interval

    def _forget_settled(self) -> None:
        in_flight = set(self.in_flight.commands) | set(self.in_flight.tasks_by_pool())
        self.retries.forget_all_but(in_flight)

    def run_until_idle(self, max_steps: int = 200) -> int:
        """Steps until nothing is in flight; raises if it never settles."""
        for taken in range(1, max_steps + 1):
            if not self.step():
                return taken
        raise RuntimeError(f"still in flight after {max_steps} steps: {self.in_flight}")
