"""One engine's duties, round after round: follow the log, execute, poll storage and callbacks.

Each duty is guarded: an exception is logged and the round goes on (an oVirt poller died on
one exception, BZ 1633777). Nothing is lost by skipping: every duty re-reads the aggregates it
acts on, so the next round, or another engine, does the work.
"""

from __future__ import annotations

import logging
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
    ) -> None:
        self.engine = engine
        self.batch_size = batch_size
        self.leases = leases or SoleEngine()
        self.timing = timing or CallbackTiming()
        self.executor = executor
        self.checkpoint = checkpoint
        self.monotonic = monotonic
        self.position, self.in_flight = checkpoint.load() if checkpoint else (0, InFlight())
        self._started: set[UUID] = set()
        self._saved_position = self.position

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
        self._guarded("poll callbacks", self._poll_callbacks)
        self._guarded("follow the log", self.follow)
        self._guarded("save the checkpoint", self.save_checkpoint)
        return not self.in_flight.idle

    def _guarded(self, duty: str, work: Callable[[], object]) -> None:
        try:
            work()
        except ConcurrencyError:
            log.debug("another engine or thread moved first while trying to %s", duty)
        except Exception:
            log.exception("could not %s; will try again next round", duty)

    def _execute_pending(self) -> None:
        self._started.intersection_update(self.in_flight.commands)
        for command_id in self.in_flight.to_execute():
            root = self.in_flight.commands[command_id].root_id
            if command_id in self._started or not self.leases.owns(root):
                continue
            self._started.add(command_id)
            if self.executor is None:
                self.engine.execute(command_id)
            else:
                future = self.executor.submit(self.engine.execute, command_id)
                future.add_done_callback(partial(self._executed, command_id))

    def _executed(self, command_id: UUID, done: Future[None]) -> None:
        """An execute that died unexpectedly (say, the database went away) is tried again."""
        if done.exception() is not None:
            log.error("execute of %s failed: %s", command_id, done.exception())
            self._started.discard(command_id)

    def _poll_pools(self) -> None:
        for pool_id, task_ids in self.in_flight.tasks_by_pool().items():
            if self.leases.owns(pool_id):
                poll_pool(self.engine, pool_id, task_ids)

    def _poll_callbacks(self) -> None:
        """Parents made due by events at once, then the back-off sweep of the others."""
        now = self.monotonic()
        for command_id in self.in_flight.callback_commands():
            self.timing.track(command_id, now)
        while self.in_flight.parents_due:
            for command_id in sorted(self.in_flight.parents_due):
                self.in_flight.parents_due.discard(command_id)
                self._evaluate(command_id, now, swept=False)
            self.follow()
        for command_id in self.timing.due(now):
            self._evaluate(command_id, now, swept=True)

    def _evaluate(self, command_id: UUID, now: float, *, swept: bool) -> None:
        command = self.in_flight.commands.get(command_id)
        if command is None:
            self.timing.forget(command_id)
            return
        if not self.leases.owns(command.root_id):
            return
        outcome = poll_callback(self.engine, command_id)
        if outcome.ended:
            self.timing.forget(command_id)
        elif swept:
            self.timing.back_off(command_id, now)

    def save_checkpoint(self) -> None:
        if self.checkpoint is not None and self.position > self._saved_position:
            self.checkpoint.save(self.position, self.in_flight)
            self._saved_position = self.position

    def run_until_idle(self, max_steps: int = 200) -> int:
        """Steps until nothing is in flight; raises if it never settles."""
        for taken in range(1, max_steps + 1):
            if not self.step():
                return taken
        raise RuntimeError(f"still in flight after {max_steps} steps: {self.in_flight}")
