"""Two engines in one test process, forced through the interleavings that failed in production.

Each ``Engines`` side is a whole engine as a ``serve`` process has it: its own event store
connection, aggregate cache, read model reader and engine loop, and its own ``SimulatedSpm`` on
the shared database. Nothing leases work on SQLite or in these loops, so both act on
everything: the worst case, where only optimistic concurrency and idempotent submission keep
them apart. ``HookedStorage`` runs a hook at a chosen point of a storage call (the other
engine's round, a barrier), which is how a test places the other engine inside this one's
window between the SPM accepting a task and the save that records it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from tasktrail.domain.model.async_task.machine import AsyncTaskType
from tasktrail.domain.model.errors import UnavailableError
from tasktrail.runners.clocks import SystemClock
from tasktrail.runners.event_store import Event
from tasktrail.runners.simulated_spm import SimulatedSpm
from tests.chaos.audit import Removal
from tests.scenario import Scenario

Hook = Callable[[], object]


class HookedStorage:
    """The simulated SPM, with hooks run once before or after a ``create_task``."""

    def __init__(self, database: sa.Engine, task_seconds: float = 0.0) -> None:
        self.spm = SimulatedSpm(database, SystemClock(), task_seconds)
        self.before: Hook | None = None
        self.after: Hook | None = None
        self.lose_answer = 0
        """How many accepted ``create_task`` calls still raise as if their answer was lost."""
        self.calls = 0
        self.current = ""
        """The task id of the ``create_task`` under way (what a hook is about)."""

    def create_task(
        self, storage_pool_id: UUID, task_id: str, task_type: AsyncTaskType, entity_id: UUID
    ) -> None:
        self.calls += 1
        self.current = task_id
        before, self.before = self.before, None
        if before is not None:
            before()
        self.spm.create_task(storage_pool_id, task_id, task_type, entity_id)
        after, self.after = self.after, None
        if after is not None:
            after()
        if self.lose_answer:
            self.lose_answer -= 1
            raise UnavailableError(f"the storage could not be reached: no answer for {task_id}")

    def __getattr__(self, name: str) -> Any:
        return getattr(self.spm, name)


def engine_on(url: str, task_seconds: float = 0.0) -> Scenario:
    """One engine on ``url`` with the simulated SPM (hookable) as its storage."""
    return Scenario(url, storage_factory=lambda database: HookedStorage(database, task_seconds))


def storage_of(engine: Scenario) -> HookedStorage:
    storage = engine.spm
    assert isinstance(storage, HookedStorage)
    return storage


def removal(engine: Scenario, disks: int = 3) -> Removal:
    """A VM with ``disks`` disks, and its RemoveVm validated (NOT_STARTED), not yet executed."""
    pool = engine.add_pool()
    vm_id, disk_ids = engine.add_vm(pool, disks=disks)
    returned = engine.remove_vm(vm_id)
    assert returned.valid, returned.validation_messages
    assert returned.command_id is not None
    return Removal(vm_id, disk_ids, returned.command_id)


def fail_save_once(
    engine: Scenario, when: Callable[[Sequence[Event]], bool], error: Exception
) -> list[int]:
    """The engine's next save whose events match ``when`` raises ``error`` (nothing stored)."""
    append = engine.store.append
    failed: list[int] = []

    def append_or_fail(events: Sequence[Event]) -> list[int]:
        if not failed and when(events):
            failed.append(len(events))
            raise error
        return append(events)

    engine.store.append = append_or_fail  # type: ignore[method-assign]
    return failed


def hold_save(
    engine: Scenario, when: Callable[[Sequence[Event]], bool], until: threading.Event
) -> None:
    """The engine's saves whose events match ``when`` wait until ``until`` is set."""
    append = engine.store.append

    def append_later(events: Sequence[Event]) -> list[int]:
        if when(events):
            until.wait(30)
        return append(events)

    engine.store.append = append_later  # type: ignore[method-assign]


def has(name: str) -> Callable[[Sequence[Event]], bool]:
    """Matches saves holding an event of this qualified name (``AsyncTask.PollingStarted``)."""
    return lambda events: any(type(e).__qualname__ == name for e in events)


def both_reach_insert(database: sa.Engine, barrier: threading.Barrier, task_ids: set[str]) -> None:
    """This side's first ``INSERT INTO spm_tasks`` of a task in ``task_ids`` waits at
    ``barrier`` for the other side's: both SPM transactions have checked, neither inserted."""
    waited: list[bool] = []

    @sa.event.listens_for(database, "before_cursor_execute")
    def _wait(conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if waited or not statement.lstrip().upper().startswith("INSERT INTO SPM_TASKS"):
            return
        if isinstance(parameters, dict) and parameters.get("task_id") in task_ids:
            waited.append(True)
            barrier.wait(timeout=30)


def until_idle(*engines: Scenario, seconds: float = 30) -> None:
    """Rounds of every engine in turn until none has anything in flight (work in back-off
    waits its turn, so this runs by the clock rather than by a count of rounds)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        busy = [engine.loop.step() for engine in engines]
        if not any(busy):
            return
        time.sleep(0.01)
    raise AssertionError(f"still in flight after {seconds} s")
