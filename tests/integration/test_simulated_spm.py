"""The simulated SPM: tasks that take time, faults per disk, state shared through the database."""

from __future__ import annotations

from uuid import uuid4

import pytest
import sqlalchemy as sa

from tasktrail.domain.model.async_task.machine import (
    AsyncTaskResult,
    AsyncTaskStatus,
    AsyncTaskType,
)
from tasktrail.domain.model.command.machine import CommandStatus
from tasktrail.domain.model.inventory.disk import Disk, DiskStatus
from tasktrail.domain.services.ports import StorageError
from tasktrail.runners.clocks import ManualClock
from tasktrail.runners.database import database_engine
from tasktrail.runners.schema import upgrade
from tasktrail.runners.simulated_spm import FaultKind, SimulatedSpm
from tests.scenario import Scenario

POOL = uuid4()
DELETE = AsyncTaskType.DELETE_IMAGE


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def engine(database_url: str) -> sa.Engine:
    database = database_engine(database_url)
    upgrade(database)
    return database


@pytest.fixture
def spm(engine: sa.Engine, clock: ManualClock) -> SimulatedSpm:
    return SimulatedSpm(engine, clock, task_seconds=5)


def test_a_task_runs_until_its_time_has_passed_then_finishes(
    spm: SimulatedSpm, clock: ManualClock
) -> None:
    spm.create_task(POOL, "t1", DELETE, uuid4())
    assert spm.get_all_task_statuses(POOL)["t1"].status is AsyncTaskStatus.RUNNING
    clock.advance(5)
    report = spm.get_all_task_statuses(POOL)["t1"]
    assert (report.status, report.result) == (AsyncTaskStatus.FINISHED, AsyncTaskResult.SUCCESS)
    assert spm.get_all_task_statuses(uuid4()) == {}


def test_creating_a_task_twice_changes_nothing(spm: SimulatedSpm, clock: ManualClock) -> None:
    disk = uuid4()
    spm.create_task(POOL, "t1", DELETE, disk)
    clock.advance(3)
    spm.create_task(POOL, "t1", DELETE, disk)
    clock.advance(2)
    assert spm.get_all_task_statuses(POOL)["t1"].status is AsyncTaskStatus.FINISHED


def test_clearing_forgets_a_finished_task_and_refuses_others(
    spm: SimulatedSpm, clock: ManualClock
) -> None:
    spm.create_task(POOL, "t1", DELETE, uuid4())
    with pytest.raises(StorageError, match="still running") as running:
        spm.clear_task(POOL, "t1")
    assert running.value.code == 410
    clock.advance(5)
    spm.clear_task(POOL, "t1")
    assert spm.get_all_task_statuses(POOL) == {}
    with pytest.raises(StorageError, match="not found") as missing:
        spm.clear_task(POOL, "t1")
    assert missing.value.code == 401


def test_a_delete_fault_fails_only_that_disks_next_task(
    spm: SimulatedSpm, clock: ManualClock
) -> None:
    disk = uuid4()
    spm.inject_fault(disk, "delete")
    spm.create_task(POOL, "t1", DELETE, disk)
    spm.create_task(POOL, "t2", DELETE, disk)
    clock.advance(5)
    reports = spm.get_all_task_statuses(POOL)
    assert reports["t1"].result is AsyncTaskResult.FAILURE
    assert reports["t1"].message == "Image deletion failed"
    assert reports["t2"].result is AsyncTaskResult.SUCCESS


def test_a_clear_fault_fails_the_first_clear_only(spm: SimulatedSpm, clock: ManualClock) -> None:
    disk = uuid4()
    spm.inject_fault(disk, "clear")
    spm.create_task(POOL, "t1", DELETE, disk)
    clock.advance(5)
    with pytest.raises(StorageError):
        spm.clear_task(POOL, "t1")
    spm.clear_task(POOL, "t1")
    assert spm.list_tasks() == []


def test_a_poll_fault_hides_the_task_for_three_polls(spm: SimulatedSpm) -> None:
    disk = uuid4()
    spm.inject_fault(disk, "poll")
    spm.create_task(POOL, "t1", DELETE, disk)
    seen = ["t1" in spm.get_all_task_statuses(POOL) for _ in range(4)]
    assert seen == [False, False, False, True]


def test_a_submit_fault_refuses_one_submission(spm: SimulatedSpm) -> None:
    disk = uuid4()
    spm.inject_fault(disk, "submit")
    with pytest.raises(StorageError) as refused:
        spm.create_task(POOL, "t1", DELETE, disk)
    assert refused.value.code == 100
    spm.create_task(POOL, "t1", DELETE, disk)
    assert "t1" in spm.get_all_task_statuses(POOL)


def test_a_cleared_task_is_never_started_again_by_a_late_submission(
    spm: SimulatedSpm, clock: ManualClock
) -> None:
    """Its id stays taken: an engine submitting from a stale view finds it, and the disk's
    armed fault waits for a task that really starts."""
    disk = uuid4()
    spm.create_task(POOL, "t1", DELETE, disk)
    clock.advance(5)
    spm.clear_task(POOL, "t1")
    spm.inject_fault(disk, "delete")
    spm.create_task(POOL, "t1", DELETE, disk)
    assert spm.get_all_task_statuses(POOL) == {}
    assert spm.list_tasks() == []
    assert spm.faults() == [(disk, FaultKind.DELETE)]
    with pytest.raises(StorageError) as forgotten:
        spm.clear_task(POOL, "t1")
    assert forgotten.value.code == 401


def test_an_unknown_fault_kind_is_refused_and_arms_nothing(spm: SimulatedSpm) -> None:
    with pytest.raises(ValueError, match="unknown fault kind 'melt': use one of delete, clear"):
        spm.inject_fault(uuid4(), "melt")
    assert spm.faults() == []


def test_two_engines_on_one_database_see_the_same_tasks(
    database_url: str, spm: SimulatedSpm, clock: ManualClock
) -> None:
    other = SimulatedSpm(database_engine(database_url), clock, task_seconds=5)
    disk = uuid4()
    other.inject_fault(disk, "delete")
    spm.create_task(POOL, "t1", DELETE, disk)
    clock.advance(5)
    assert other.get_all_task_statuses(POOL)["t1"].result is AsyncTaskResult.FAILURE


def test_remove_vm_waits_for_slow_storage_and_fails_a_task_at_its_first_missed_poll(
    database_url: str,
) -> None:
    """oVirt's SPMAsyncTask: a task missing from the pool's report ends unknown on that poll."""
    clock = ManualClock()
    world = Scenario(
        database_url,
        storage_factory=lambda database: SimulatedSpm(database, clock, task_seconds=30),
        clock=clock,
    )
    vm_id, disk_ids = world.add_vm(world.add_pool(), disks=2)
    world.spm.inject_fault(disk_ids[0], "poll")  # type: ignore[attr-defined]
    root = world.remove_vm(vm_id).command_id
    assert root is not None
    for _ in range(5):
        world.loop.step()
        assert world.command(root).state is CommandStatus.ACTIVE
    clock.advance(30)
    world.drive()

    assert world.command(root).state is CommandStatus.ENDED_WITH_FAILURE
    hidden, slow = (world.store.load(Disk, d) for d in disk_ids)
    assert (hidden.state, slow.deleted) == (DiskStatus.ILLEGAL, True)
    assert world.spm.list_tasks() == []  # type: ignore[attr-defined]
    unknown = [e for e in world.events_since(0) if getattr(e, "status", None) == "unknown"]
    assert len(unknown) == 1
