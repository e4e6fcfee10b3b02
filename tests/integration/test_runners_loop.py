"""The engine loop's duties: reacting to events, the back-off sweep, storage polls, and failures
contained to the one command or pool that threw (oVirt's poller died on one, BZ 1633777)."""

from __future__ import annotations

import itertools
import logging
from typing import Any
from uuid import UUID

import pytest

from tasktrail.domain.model.command.machine import CommandStatus
from tasktrail.domain.services.ports import (
    EngineSettings,
    Ports,
    StorageError,
    TaskReport,
    UnitOfWork,
)
from tasktrail.domain.services.reactions import advance
from tasktrail.runners import engine_loop
from tasktrail.runners.engine_loop import EngineLoop
from tests.fakes import FakeSpm
from tests.scenario import Scenario


class Ticker:
    """The loop's monotonic clock, moved by hand."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class PoolOutageSpm(FakeSpm):
    """A fake SPM whose connection to some pools breaks with an unexpected exception."""

    def __init__(self) -> None:
        super().__init__()
        self.broken: set[UUID] = set()

    def get_all_task_statuses(self, storage_pool_id: UUID) -> dict[str, TaskReport]:
        if storage_pool_id in self.broken:
            raise ConnectionResetError(f"SPM of pool {storage_pool_id} hung up")
        return super().get_all_task_statuses(storage_pool_id)


def loop_of(world: Scenario, ticker: Ticker, **options: Any) -> EngineLoop:
    world.loop = world.new_loop(monotonic=ticker, **options)
    return world.loop


def validated_removals(world: Scenario, pool: UUID, count: int) -> list[UUID]:
    """RemoveVm validated for ``count`` new VMs, none executed yet."""
    vms = [world.add_vm(pool, disks=1, name=f"vm{index}")[0] for index in range(count)]
    roots = []
    for vm_id in vms:
        returned = world.engine.run_action("RemoveVm", {"vm_id": str(vm_id)}, user="admin")
        assert returned.command_id is not None
        roots.append(returned.command_id)
    return roots


def test_a_task_ending_ends_its_command_and_every_parent_in_the_same_round(
    database_url: str,
) -> None:
    world = Scenario(database_url)
    loop = loop_of(world, Ticker())
    vm_id, disks = world.add_vm(world.add_pool(), disks=3)
    world.spm.hold.update(disks)  # type: ignore[attr-defined]
    root = world.remove_vm(vm_id).command_id
    assert root is not None
    loop.step()
    loop.step()
    assert world.command(root).state is CommandStatus.ACTIVE
    commits = loop.commits

    world.spm.hold.clear()  # type: ignore[attr-defined]
    loop.step()

    assert world.command(root).state is CommandStatus.ENDED_SUCCESSFULLY
    assert loop.commits == commits + 2  # the ends in one save; then the clears, once it is saved
    assert not loop.busy()


def test_the_sweep_rechecks_a_waiting_command_after_1_2_4_8_10_10_seconds(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = Scenario(database_url)
    ticker = Ticker()
    loop = loop_of(world, ticker)
    vm_id, [disk] = world.add_vm(world.add_pool(), disks=1)
    world.spm.hold.add(disk)  # type: ignore[attr-defined]
    root = world.remove_vm(vm_id).command_id
    checked: list[float] = []

    def recording(ports: Ports, uow: UnitOfWork, command_id: UUID) -> bool:
        if command_id == root:
            checked.append(ticker.now)
        return advance(ports, uow, command_id)

    monkeypatch.setitem(engine_loop._REACTIONS, "advance", recording)
    while ticker.now <= 36:
        loop.step()
        ticker.now += 0.5

    times = sorted(set(checked))  # a round may reach it twice: by its child, then by itself
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    assert gaps == [1, 2, 4, 8, 10, 10]


def test_a_command_whose_evaluation_throws_neither_stops_the_others_nor_is_forgotten(
    database_url: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    world = Scenario(database_url)
    ticker = Ticker()
    loop = loop_of(world, ticker)
    roots = sorted(validated_removals(world, world.add_pool(), 3))
    poisoned = {roots[0]}

    def throwing(ports: Ports, uow: UnitOfWork, command_id: UUID) -> bool:
        if command_id in poisoned:
            raise RuntimeError("callback broke")
        return advance(ports, uow, command_id)

    monkeypatch.setitem(engine_loop._REACTIONS, "advance", throwing)
    for _ in range(3):
        loop.step()

    states = [world.command(r).state for r in roots]
    assert states == [CommandStatus.ACTIVE] + [CommandStatus.ENDED_SUCCESSFULLY] * 2
    assert loop.retries.failures(roots[0]) == 1
    assert f"could not advance {roots[0]}" in caplog.text
    assert all(r.levelno == logging.WARNING for r in caplog.records if "advance" in r.message)

    poisoned.clear()
    ticker.now += 1
    loop.step()
    assert world.command(roots[0]).state is CommandStatus.ENDED_SUCCESSFULLY
    assert loop.retries.failures(roots[0]) == 0


def test_a_failing_item_is_retried_after_a_doubling_delay(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = Scenario(database_url)
    ticker = Ticker()
    loop = loop_of(world, ticker)
    [root] = validated_removals(world, world.add_pool(), 1)
    attempts: list[float] = []

    def broken(ports: Ports, uow: UnitOfWork, command_id: UUID) -> bool:
        attempts.append(ticker.now)
        raise OSError("database connection lost")

    monkeypatch.setitem(engine_loop._REACTIONS, "execute", broken)
    while ticker.now < 16:
        loop.step()
        ticker.now += 0.5

    assert attempts == [0, 1, 3, 7, 15]
    assert world.command(root).state is CommandStatus.NOT_STARTED


def test_an_execute_that_throws_is_tried_again_until_the_command_ends(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = Scenario(database_url)
    ticker = Ticker()
    loop = loop_of(world, ticker)
    [root] = validated_removals(world, world.add_pool(), 1)
    execute = engine_loop._REACTIONS["execute"]
    failures = [OSError("database connection lost")]

    def flaky(ports: Ports, uow: UnitOfWork, command_id: UUID) -> object:
        if failures:
            raise failures.pop()
        return execute(ports, uow, command_id)

    monkeypatch.setitem(engine_loop._REACTIONS, "execute", flaky)
    loop.step()
    assert world.command(root).state is CommandStatus.NOT_STARTED

    ticker.now += 1
    loop.step()
    loop.step()
    assert world.command(root).state is CommandStatus.ENDED_SUCCESSFULLY


def test_a_pool_whose_spm_throws_does_not_hold_up_the_other_pools(database_url: str) -> None:
    world = Scenario(database_url, storage_factory=lambda _: PoolOutageSpm())
    spm: PoolOutageSpm = world.spm  # type: ignore[assignment]
    ticker = Ticker()
    loop = loop_of(world, ticker)
    first, second = world.add_pool("dc1"), world.add_pool("dc2")
    stuck_vm, _ = world.add_vm(first, disks=1, name="stuck")
    moving_vm, _ = world.add_vm(second, disks=1, name="moving")
    spm.broken.add(first)
    stuck, moving = world.remove_vm(stuck_vm).command_id, world.remove_vm(moving_vm).command_id
    assert stuck is not None
    assert moving is not None

    for _ in range(3):
        loop.step()
    assert world.command(moving).state is CommandStatus.ENDED_SUCCESSFULLY
    assert world.command(stuck).state is CommandStatus.ACTIVE
    assert loop.retries.failures(first) == 1

    spm.broken.clear()
    ticker.now += 1
    loop.step()
    assert world.command(stuck).state is CommandStatus.ENDED_SUCCESSFULLY


def test_no_storage_pool_is_polled_while_no_task_is_in_flight(database_url: str) -> None:
    world = Scenario(database_url)
    loop = loop_of(world, Ticker())
    vm_id, _ = world.add_vm(world.add_pool(), disks=2)
    for _ in range(3):
        loop.step()
    assert world.spm.polls == 0  # type: ignore[attr-defined]

    world.remove_vm(vm_id)
    loop.run_until_idle()
    polls = world.spm.polls  # type: ignore[attr-defined]
    for _ in range(3):
        loop.step()
    assert polls == 1
    assert world.spm.polls == polls  # type: ignore[attr-defined]


class TimedSpm(FakeSpm):
    """Remembers when (on the loop's clock) each poll came."""

    def __init__(self, ticker: Ticker) -> None:
        super().__init__()
        self.ticker = ticker
        self.polled_at: list[float] = []

    def get_all_task_statuses(self, storage_pool_id: UUID) -> dict[str, TaskReport]:
        self.polled_at.append(self.ticker.now)
        return super().get_all_task_statuses(storage_pool_id)


def test_a_pool_is_polled_at_most_once_per_poll_interval(database_url: str) -> None:
    ticker = Ticker()
    world = Scenario(database_url, storage_factory=lambda _: TimedSpm(ticker))
    spm: TimedSpm = world.spm  # type: ignore[assignment]
    loop = loop_of(world, ticker, poll_interval=5.0)
    vm_id, disks = world.add_vm(world.add_pool(), disks=3)
    spm.hold.update(disks)
    world.remove_vm(vm_id)

    while ticker.now < 12:
        loop.step()
        ticker.now += 1

    assert spm.polled_at == [1, 6, 11]


class UnstoppableSpm(FakeSpm):
    """A fake SPM that refuses to stop tasks (SPMStopTask fails)."""

    def stop_task(self, storage_pool_id: UUID, task_id: str) -> None:
        raise StorageError(f"cannot stop task {task_id}")


def test_a_zombie_that_cannot_be_stopped_does_not_hold_up_the_other_tasks_of_its_pool(
    database_url: str,
) -> None:
    world = Scenario(
        database_url,
        storage_factory=lambda _: UnstoppableSpm(),
        settings=EngineSettings(zombie_task_limit=60.0),
    )
    loop = world.loop
    pool = world.add_pool()
    zombie_vm, [zombie_disk] = world.add_vm(pool, disks=1, name="zombie")
    other_vm, _ = world.add_vm(pool, disks=1, name="other")
    world.spm.hold.add(zombie_disk)  # type: ignore[attr-defined]
    zombie = world.remove_vm(zombie_vm).command_id
    loop.step()
    world.clock.advance(120)
    other = world.remove_vm(other_vm).command_id
    assert other is not None
    assert zombie is not None

    for _ in range(3):
        loop.step()

    assert world.command(other).state is CommandStatus.ENDED_SUCCESSFULLY
    assert world.command(zombie).state is CommandStatus.ACTIVE


def test_with_nothing_to_poll_the_loop_waits_for_the_next_sweep_instead_of_spinning(
    database_url: str,
) -> None:
    world = Scenario(database_url)
    ticker = Ticker()
    loop = loop_of(world, ticker)
    loop.step()
    assert loop.wait_time() == loop.timing.initial
    ticker.now += 0.25
    assert loop.wait_time() == loop.timing.initial - 0.25
