"""Orphan SPM tasks (no AsyncTask records them): adopted as oVirt's Unknown tasks only after
the grace, polled, cleared and forgotten; a command's task in mid-submission is never taken."""

from __future__ import annotations

from uuid import UUID, uuid4

import pytest
import sqlalchemy as sa

from tasktrail.domain.model.async_task.aggregate import AsyncTask
from tasktrail.domain.model.async_task.machine import AsyncTaskType
from tasktrail.domain.model.command.aggregate import Command
from tasktrail.domain.model.events import Cause
from tasktrail.domain.services import orphans
from tasktrail.domain.services.orphans import adopted_id
from tasktrail.runners.aggregate_cache import AggregateCache
from tasktrail.runners.clocks import ManualClock
from tasktrail.runners.engine_loop import EngineLoop
from tasktrail.runners.follower import Follower
from tasktrail.runners.orphan_watch import MIN_GRACE
from tasktrail.runners.simulated_spm import SimulatedSpm
from tests.deployment import Deployment
from tests.scenario import Scenario

TASK_SECONDS = 30.0


class Monotonic:
    """The engine's monotonic clock, moved by the test."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def world_with_spm(url: str) -> Scenario:
    clock = ManualClock()
    return Scenario(url, lambda db: SimulatedSpm(db, clock, TASK_SECONDS), clock=clock)


def watching_loop(world: Scenario, monotonic: Monotonic) -> EngineLoop:
    """A second engine on the same store: its own cache and follower, its own clock."""
    cache = AggregateCache(position=world.store.head())
    follower = Follower(world.store, world.read_model, cache)
    return EngineLoop(world.ports, world.store, cache, follower, monotonic=monotonic)


def async_tasks(world: Scenario) -> list[sa.Row[tuple[object, ...]]]:
    query = "select action_type, task_type, vdsm_task_id, command_id from async_tasks"
    with world.database.connect() as connection:
        return list(connection.execute(sa.text(query)))


def leave_orphan(world: Scenario, pool: UUID) -> str:
    """A task on the SPM that no engine recorded, as a lost race leaves it."""
    vdsm_task_id = str(uuid4())
    world.spm.create_task(pool, vdsm_task_id, AsyncTaskType.DELETE_IMAGE, uuid4())
    return vdsm_task_id


def test_an_orphan_is_adopted_after_the_grace_polled_and_cleared(database_url: str) -> None:
    world = world_with_spm(database_url)
    pool = world.add_pool()
    orphan = leave_orphan(world, pool)
    monotonic = Monotonic()
    world.loop = world.new_loop(monotonic=monotonic)
    world.loop.step()  # the first poll asks every pool's SPM: the orphan is a candidate
    monotonic.now += MIN_GRACE - 1
    world.loop.step()
    assert async_tasks(world) == []

    monotonic.now += 2
    world.loop.step()
    [row] = async_tasks(world)
    assert (row.action_type, row.task_type, str(row.vdsm_task_id)) == (0, 0, orphan)
    assert str(row.command_id) == str(adopted_id(orphan))  # a made-up command, as oVirt's

    world.clock.advance(TASK_SECONDS + 1)  # the SPM task finishes
    world.drive()
    assert async_tasks(world) == []
    assert world.spm.list_tasks() == []
    assert world.names_of(adopted_id(orphan)) == [
        "Created",
        "PollingStarted",
        "Ended",
        "Cleared",
    ]
    assert world.store.load(AsyncTask, adopted_id(orphan)).action_type == "Unknown"


def test_a_task_in_mid_submission_is_never_adopted(database_url: str) -> None:
    """Engine A's save is slow: between its SPM call and its save, engine B polls the pool
    through almost the whole grace. B sees the task unknown, then recorded, and leaves it."""
    world = world_with_spm(database_url)
    pool = world.add_pool()
    vm_id, _ = world.add_vm(pool, disks=1)
    monotonic = Monotonic()
    watcher = watching_loop(world, monotonic)
    submissions: list[str] = []
    spm = world.spm
    real_create = spm.create_task

    def slow_create(*args: object) -> None:
        real_create(*args)  # type: ignore[arg-type]
        submissions.append(str(args[1]))
        watcher.step()  # B starts: it asks the pool's SPM, which lists A's task, unknown
        assert watcher.polls.orphans.pools() == {pool}
        monotonic.now += MIN_GRACE - 1
        watcher.step()  # still unknown, but within the grace
        assert watcher.polls.orphans.pools() == {pool}

    spm.create_task = slow_create  # type: ignore[method-assign]
    returned = world.remove_vm(vm_id)
    world.loop.step()  # A executes: the SPM call, B's polls, then A's save
    spm.create_task = real_create  # type: ignore[method-assign]
    assert submissions
    monotonic.now += MIN_GRACE * 3
    watcher.step()  # A's save is followed: the task is recorded, no longer a candidate
    assert watcher.polls.orphans.pools() == set()
    world.clock.advance(TASK_SECONDS + 1)
    world.drive()
    watcher.step()

    assert world.command(returned.command_id).state.value == "ENDED_SUCCESSFULLY"  # type: ignore[arg-type]
    for vdsm_task_id in submissions:
        assert world.events_of(adopted_id(vdsm_task_id)) == []
    assert async_tasks(world) == []


def test_an_orphan_never_touches_a_command(database_url: str) -> None:
    """Between adoption and clearing, the only events are the adopted task's own."""
    world = world_with_spm(database_url)
    pool = world.add_pool()
    leave_orphan(world, pool)
    monotonic = Monotonic()
    world.loop = world.new_loop(monotonic=monotonic)
    world.loop.step()
    start = world.position
    monotonic.now += MIN_GRACE + 1
    world.clock.advance(TASK_SECONDS + 1)
    world.drive()
    events = world.events_since(start)
    assert events
    assert {type(e).__qualname__.split(".")[0] for e in events} == {"AsyncTask"}
    assert not any(isinstance(e, Command.Event) for e in events)


class NotMine:
    """Leases of an engine that holds no partition (another engine holds the pool)."""

    def owns(self, key: UUID) -> bool:
        return False

    def renew(self) -> bool:
        return False

    def close(self) -> None:
        return None


def test_only_the_engine_holding_the_pool_adopts(database_url: str) -> None:
    world = world_with_spm(database_url)
    pool = world.add_pool()
    leave_orphan(world, pool)
    monotonic = Monotonic()
    world.loop = world.new_loop(monotonic=monotonic, leases=NotMine())
    for _ in range(3):
        world.loop.step()
        monotonic.now += MIN_GRACE
    assert async_tasks(world) == []


def test_an_adopted_task_gives_way_to_a_command_that_claims_it(database_url: str) -> None:
    """addTaskToManager's override: the Unknown task is forgotten, the SPM task left alone."""
    world = world_with_spm(database_url)
    pool = world.add_pool()
    orphan = leave_orphan(world, pool)
    uow = world.uow()
    assert orphans.adopt(world.ports, uow, pool, orphan)
    uow.commit()
    cause = Cause.of(world.clock, user_id="admin", correlation_id="late")
    claim = AsyncTask(
        cause,
        id=UUID(orphan),
        command_id=uuid4(),
        root_command_id=uuid4(),
        action_type="RemoveImage",
        step_id=None,
        storage_pool_id=pool,
        vdsm_task_id=orphan,
        task_type=AsyncTaskType.DELETE_IMAGE,
    )
    world.save(claim)
    uow = world.uow()
    assert orphans.give_way(world.ports, uow, uow.get(AsyncTask, adopted_id(orphan)))
    uow.commit()
    assert world.names_of(adopted_id(orphan))[-1] == "Dropped"
    assert [t["task_id"] for t in world.spm.list_tasks()] == [orphan]


def test_a_failed_clear_of_an_adopted_task_is_tried_again(database_url: str) -> None:
    world = world_with_spm(database_url)
    pool = world.add_pool()
    disk = uuid4()
    world.spm.inject_fault(disk, "clear")
    orphan = str(uuid4())
    world.spm.create_task(pool, orphan, AsyncTaskType.DELETE_IMAGE, disk)
    monotonic = Monotonic()
    world.loop = world.new_loop(monotonic=monotonic)
    world.loop.step()
    monotonic.now += MIN_GRACE + 1
    world.clock.advance(TASK_SECONDS + 1)
    world.drive()
    assert world.names_of(adopted_id(orphan))[-2:] == ["ClearFailed", "Cleared"]
    assert async_tasks(world) == []
    assert world.spm.list_tasks() == []


@pytest.mark.postgres
@pytest.mark.timeout(120)
def test_a_serving_engine_leaves_an_orphan_alone_within_the_grace(pg_url: str) -> None:
    """A real ``serve`` asks the pool's SPM at its first poll, sees the orphan, and exits idle
    without adopting it: the grace has not passed."""
    deployment = Deployment(pg_url, spm_task_seconds=0.2, poll_interval=0.05)
    pool = UUID(deployment.pool)
    orphan = str(uuid4())
    deployment.spm.create_task(pool, orphan, AsyncTaskType.DELETE_IMAGE, uuid4())
    ((vm_id, _),) = deployment.vms(1, disks=1)
    root = deployment.validate_removal(vm_id)
    code, err = deployment.serve_until_idle()
    assert code == 0, err
    assert deployment.store.load(Command, root).state.value == "ENDED_SUCCESSFULLY"
    assert deployment.store.events_of(adopted_id(orphan)) == []
    assert [t["task_id"] for t in deployment.spm.list_tasks()] == [orphan]


def test_an_orphan_on_an_idle_pool_is_found_by_the_next_look_at_every_pool(
    database_url: str,
) -> None:
    """Every pool's SPM is asked at the first poll and again once per grace (pools taken over,
    an SPM that did not answer): an orphan left later on a pool with nothing in flight."""
    world = world_with_spm(database_url)
    pool = world.add_pool()
    monotonic = Monotonic()
    world.loop = world.new_loop(monotonic=monotonic)
    world.loop.step()
    orphan = leave_orphan(world, pool)
    monotonic.now += 1
    world.loop.step()
    assert world.loop.polls.orphans.pools() == set()
    monotonic.now += MIN_GRACE
    world.loop.step()
    assert world.loop.polls.orphans.pools() == {pool}
    monotonic.now += MIN_GRACE
    world.loop.step()
    assert [str(r.vdsm_task_id) for r in async_tasks(world)] == [orphan]
