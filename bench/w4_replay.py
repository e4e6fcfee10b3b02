"""W4: replaying one aggregate with 50,000 events, vs the bare library replaying as many."""

from __future__ import annotations

from typing import cast
from uuid import uuid4

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
from tasktrail.runners.clocks import SystemClock
from tasktrail.runners.database import normalise_url
from tasktrail.runners.event_store import Event

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
    return rows


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
