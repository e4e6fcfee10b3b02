"""Snapshots of growing streams: a cold load starts from the newest snapshot and equals a replay
of the whole stream, at any version; a row that is not a tasktrail snapshot is refused."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID, uuid4

import pytest
import sqlalchemy as sa
from eventsourcing.persistence import StoredEvent
from typer.testing import CliRunner

from tasktrail.domain.model.aggregate import StateMachineAggregate
from tasktrail.domain.model.events import Cause
from tasktrail.domain.model.job.aggregate import Job
from tasktrail.domain.model.lock.aggregate import EngineLock
from tasktrail.runners.aggregate_cache import AggregateCache
from tasktrail.runners.cli import app
from tasktrail.runners.clocks import ManualClock
from tasktrail.runners.database import database_engine, open_event_store
from tasktrail.runners.event_store import EventStore
from tasktrail.runners.schema import upgrade
from tasktrail.runners.snapshots import INTERVAL, decode, encode
from tasktrail.runners.store_tables import SNAPSHOTS
from tasktrail.runners.unit_of_work import UnitOfWork

SHARED = {"exclusive": False, "message": "m"}
CAUSE = Cause.of(ManualClock(datetime(2026, 3, 1, tzinfo=UTC)), user_id="admin", correlation_id="c")


@pytest.fixture
def store(database_url: str) -> EventStore:
    upgrade(database_engine(database_url))
    return open_event_store(database_url)


def _lock_used_by(store: EventStore, rounds: int) -> UUID:
    """A VM's lock shared by ten commands a round (one commit to take, one to let go)."""
    first = uuid4()
    work = UnitOfWork(store, AggregateCache())
    work.add(EngineLock.take(CAUSE, group="VM", key=uuid4(), command_id=first, **SHARED))
    work.commit()
    lock_id = work.touched[0]
    for _ in range(rounds):
        commands = [uuid4() for _ in range(10)]
        for act in ("acquire", "release"):
            work = UnitOfWork(store, AggregateCache())
            lock = work.get(EngineLock, lock_id)
            for command in commands:
                if act == "acquire":
                    lock.acquire(CAUSE, command_id=command, **SHARED)
                else:
                    lock.release(CAUSE, command)
            work.commit()
    return lock_id


def _same(a: StateMachineAggregate, b: StateMachineAggregate) -> None:
    public = {k: v for k, v in vars(a).items() if k != "_pending_events"}
    assert public == {k: v for k, v in vars(b).items() if k != "_pending_events"}


def test_a_lock_used_for_years_loads_from_its_newest_snapshot(store: EventStore) -> None:
    lock_id = _lock_used_by(store, 13)
    assert store.snapshot_table is not None
    newest = store.snapshot_table.newest(lock_id, None)
    assert newest is not None
    assert newest.version // INTERVAL == 2
    _same(store.load(EngineLock, lock_id), store.repository.get(lock_id))
    for version in (INTERVAL - 1, INTERVAL, INTERVAL + 7, newest.version - 1, newest.version + 9):
        replayed = store.repository.get(lock_id, version=version)
        _same(store.load(EngineLock, lock_id, version), replayed)


def test_a_cold_load_replays_only_the_events_after_the_snapshot(
    store: EventStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    lock_id = _lock_used_by(store, 6)
    assert store.snapshot_table is not None
    newest = store.snapshot_table.newest(lock_id, None)
    assert newest is not None
    asked: list[dict[str, object]] = []
    real = store.events.get
    monkeypatch.setattr(store.events, "get", lambda i, **kw: asked.append(kw) or real(i, **kw))
    store.load(EngineLock, lock_id)
    assert asked == [{"gt": newest.version, "lte": None}]
    assert INTERVAL <= newest.version < 2 * INTERVAL


def test_a_long_job_round_trips_through_its_snapshot() -> None:
    job = Job(CAUSE, id=uuid4(), action_type="RemoveVm", description="Removing VM")
    for parent in [None] * 3 + [uuid4()] * 2:
        job.add_step(CAUSE, step_id=uuid4(), parent_step_id=parent)
    job.fail(CAUSE, failed_step_id=job.step_ids[-1], reason="disk 2")
    _same(decode(encode(job)), job)


@pytest.mark.parametrize("topic", ["Command", "snapshot:Command", "snapshot:this:x", "EngineLock"])
def test_a_row_that_is_not_a_snapshot_of_a_growing_stream_is_refused(topic: str) -> None:
    row = StoredEvent(originator_id=uuid4(), originator_version=1, topic=topic, state=b"{}")
    with pytest.raises(ValueError, match="is not a tasktrail snapshot"):
        decode(row)


def test_verify_log_names_a_snapshot_altered_beside_tasktrail(
    store: EventStore, database_url: str
) -> None:
    lock_id = _lock_used_by(store, 6)
    verify = ["--db", database_url, "verify-log"]
    shown = CliRunner().invoke(app, verify)
    assert shown.exit_code == 0, shown.output
    assert "snapshots: 1, each equal to its stream replayed" in shown.output
    with database_engine(database_url).begin() as connection:
        row = connection.execute(sa.select(SNAPSHOTS.c.state)).one()
        altered = bytes(row.state).replace(b'"group":"VM"', b'"group":"DISK"')
        assert altered != bytes(row.state)
        connection.execute(SNAPSHOTS.update().values(state=altered))
    shown = CliRunner().invoke(app, verify)
    assert shown.exit_code == 1
    assert f"snapshot of EngineLock {lock_id} at version" in shown.output
    assert "log intact" in shown.output
