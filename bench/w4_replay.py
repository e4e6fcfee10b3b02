"""W4: replaying one aggregate with 50,000 events, vs the bare library replaying as many; and
a cold load of a lock used by 1,000 commands, from its newest snapshot vs its whole stream."""

from __future__ import annotations

from typing import cast
from uuid import UUID, uuid4

from bench.backends import databases
from bench.bare import BareCommand, bare_application
from bench.flows import fresh_store
from bench.report import Row, stopwatch
from tasktrail.domain.model.async_task.aggregate import AsyncTask
from tasktrail.domain.model.async_task.machine import (
    AsyncTaskResult,
    AsyncTaskStatus,
    AsyncTaskType,
)
from tasktrail.domain.model.events import Cause
from tasktrail.domain.model.lock.aggregate import EngineLock
from tasktrail.runners.aggregate_cache import AggregateCache
from tasktrail.runners.clocks import SystemClock
from tasktrail.runners.database import normalise_url
from tasktrail.runners.event_store import Event, EventStore
from tasktrail.runners.unit_of_work import UnitOfWork

STATUSES = (AsyncTaskStatus.RUNNING, AsyncTaskStatus.INIT)


def run(quick: bool) -> list[Row]:
    size = 5_000 if quick else 50_000
    rows = []
    for backend, url in databases("w4"):
        ours = _tasktrail(url, size)
        bare = _bare(normalise_url(url), size)
        rows.append(
            Row(
                "W4 replay",
                f"events/s replaying one task of {size:,} ({backend})",
                ours,
                "ev/s",
                "bare eventsourcing aggregate",
                bare,
                "no per-run event limit",
            )
        )
        rows.append(_cold_lock(url, backend))
    return rows


def _cold_lock(url: str, backend: str) -> Row:
    store = fresh_store(url)
    lock_id = _lock_used_by(store, 1_000)
    loads = 50
    with stopwatch() as snapshot:
        for _ in range(loads):
            store.load(EngineLock, lock_id)
    with stopwatch() as whole:
        for _ in range(loads):
            store.repository.get(lock_id)
    return Row(
        "W4 replay",
        f"cold loads/s of a lock used by 1,000 commands ({backend})",
        loads / snapshot[0],
        "loads/s",
        "the same, replaying its whole stream",
        loads / whole[0],
        "2,000 events; snapshot every 100 (runners/snapshots.py)",
    )


def _lock_used_by(store: EventStore, commands: int) -> UUID:
    """A VM's lock taken and let go by ``commands`` commands, ten at a time (shared)."""
    cause = Cause.of(SystemClock(), user_id="bench", correlation_id="w4-lock")
    first = uuid4()
    lock = EngineLock.take(
        cause, group="VM", key=uuid4(), command_id=first, exclusive=False, message="m"
    )
    lock.release(cause, first)
    work = UnitOfWork(store, AggregateCache())
    work.add(lock)
    work.commit()
    for _ in range(commands // 10):
        held = [uuid4() for _ in range(10)]
        for take in (True, False):
            work = UnitOfWork(store, AggregateCache())
            current = work.get(EngineLock, lock.id)
            for command in held:
                if take:
                    current.acquire(cause, command_id=command, exclusive=False, message="m")
                else:
                    current.release(cause, command)
            work.commit()
    return lock.id


def _tasktrail(url: str, size: int) -> float:
    store = fresh_store(url)
    cause = Cause.of(SystemClock(), user_id="bench", correlation_id="w4")
    task_id = uuid4()
    task = AsyncTask(
        cause,
        id=task_id,
        command_id=uuid4(),
        root_command_id=uuid4(),
        action_type="x",
        step_id=None,
        storage_pool_id=uuid4(),
        vdsm_task_id=str(task_id),
        task_type=AsyncTaskType.DELETE_IMAGE,
    )
    task.start_polling(cause)
    for index in range(size - 2):
        task.record_status(cause, STATUSES[index % 2], AsyncTaskResult.UNKNOWN)
        if len(task.pending_events) >= 1000:
            store.append(cast(list[Event], task.collect_events()))
    store.append(cast(list[Event], task.collect_events()))
    with stopwatch() as elapsed:
        loaded = store.load(AsyncTask, task_id)
    assert loaded.version == size
    return size / elapsed[0]


def _bare(url: str, size: int) -> float:
    app = bare_application(url)
    aggregate = BareCommand("x")
    for _ in range(size - 1):
        aggregate.note()
        if len(aggregate.pending_events) >= 1000:
            app.save(aggregate)
    app.save(aggregate)
    with stopwatch() as elapsed:
        loaded: BareCommand = app.repository.get(aggregate.id)
    assert loaded.version == size
    return size / elapsed[0]
