"""One engine, one thread: follow the log, execute, poll callbacks and storage pools.

The threaded runners of ``serve`` do the same work concurrently; this loop is what scripts,
the demo's ``--until-idle`` mode and the tests drive step by step.
"""

from __future__ import annotations

from uuid import UUID

from domain.framework.callbacks import poll_callback
from domain.framework.engine import Engine
from domain.framework.in_flight import InFlight
from domain.framework.task_tracking import poll_pool
from domain.state_machine import Transitioned


class EngineLoop:
    def __init__(self, engine: Engine, batch_size: int = 500) -> None:
        self.engine = engine
        self.in_flight = InFlight()
        self.position = 0
        self.batch_size = batch_size
        self._started: set[UUID] = set()

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
        self.follow()
        for command_id in self.in_flight.roots_to_execute():
            if command_id not in self._started:
                self._started.add(command_id)
                self.engine.execute(command_id)
        self.follow()
        for pool_id, task_ids in self.in_flight.tasks_by_pool().items():
            poll_pool(self.engine, pool_id, task_ids)
        self.follow()
        self._poll_callbacks()
        self.follow()
        return not self.in_flight.idle

    def _poll_callbacks(self) -> None:
        while self.in_flight.parents_due:
            for command_id in sorted(self.in_flight.parents_due):
                self.in_flight.parents_due.discard(command_id)
                poll_callback(self.engine, command_id)
            self.follow()

    def run_until_idle(self, max_steps: int = 1000) -> int:
        """Steps until nothing is in flight; raises if it never settles."""
        for taken in range(1, max_steps + 1):
            if not self.step():
                return taken
        raise RuntimeError(f"still in flight after {max_steps} steps: {self.in_flight}")
