"""The engine loop's duties: reacting to events, the back-off sweep, storage polls, and failures
contained to the one command or pool that threw (oVirt's poller died on one, BZ 1633777)."""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import Any
from uuid import UUID

import pytest

from domain.command.machine import CommandStatus
from domain.framework import callbacks
from domain.ports import TaskReport
from runners import engine_loop
from runners.engine_loop import EngineLoop
from tests.fakes import FakeSpm
from tests.scenario import Scenario


class Ticker:
    """The loop's monotonic clock, moved by hand."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class InlineExecutor(Executor):
    """Runs each submitted call at once, so the loop's executor path is deterministic."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as error:  # noqa: BLE001 - handed to the future, as a pool does
            future.set_exception(error)
        return future


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
    world.loop = EngineLoop(world.engine, monotonic=ticker, **options)
    return world.loop


def validated_removals(world: Scenario, pool: UUID, count: int) -> list[UUID]:
    roots = []
    for index in range(count):
        vm_id, _ = world.add_vm(pool, disks=1, name=f"vm{index}")
        returned = world.engine.validate_action("RemoveVm", {"vm_id": str(vm_id)}, user="admin")
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
    assert world.command(root).state is CommandStatus.ACTIVE

    world.spm.hold.clear()  # type: ignore[attr-defined]
    loop.step()

    assert world.command(root).state is CommandStatus.ENDED_SUCCESSFULLY
    assert loop.in_flight.idle


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

    def recording(engine: Any, command_id: UUID) -> callbacks.CallbackOutcome:
        if command_id == root:
            checked.append(ticker.now)
        return callbacks.poll_callback(engine, command_id)

    monkeypatch.setattr(engine_loop, "poll_callback", recording)
    while ticker.now <= 36:
        loop.step()
        ticker.now += 0.5

    gaps = [later - earlier for earlier, later in itertools.pairwise(checked)]
    assert gaps == [1, 2, 4, 8, 10, 10]


def test_a_command_whose_evaluation_throws_neither_stops_the_others_nor_is_forgotten(
    database_url: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    world = Scenario(database_url)
    ticker = Ticker()
    loop = loop_of(world, ticker)
    roots = sorted(validated_removals(world, world.add_pool(), 3))
    poisoned = {roots[0]}

    def throwing(engine: Any, command_id: UUID) -> callbacks.CallbackOutcome:
        if command_id in poisoned:
            raise RuntimeError("callback broke")
        return callbacks.poll_callback(engine, command_id)

    monkeypatch.setattr(engine_loop, "poll_callback", throwing)
    for _ in range(3):
        loop.step()

    states = [world.command(r).state for r in roots]
    assert states == [CommandStatus.ACTIVE] + [CommandStatus.ENDED_SUCCESSFULLY] * 2
    assert loop.retries.failures(roots[0]) == 1
    assert f"could not evaluate {roots[0]}" in caplog.text
    assert all(r.levelno == logging.WARNING for r in caplog.records if "evaluate" in r.message)

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

    def broken(command_id: UUID) -> None:
        attempts.append(ticker.now)
        raise OSError("database connection lost")

    monkeypatch.setattr(world.engine, "execute", broken)
    while ticker.now < 16:
        loop.step()
        ticker.now += 0.5

    assert attempts == [0, 1, 3, 7, 15]
    assert world.command(root).state is CommandStatus.NOT_STARTED


@pytest.mark.parametrize("executor", [None, InlineExecutor()], ids=["inline", "executor"])
def test_an_execute_that_throws_is_tried_again_until_the_command_ends(
    database_url: str, monkeypatch: pytest.MonkeyPatch, executor: Executor | None
) -> None:
    world = Scenario(database_url)
    ticker = Ticker()
    loop = loop_of(world, ticker, executor=executor)
    [root] = validated_removals(world, world.add_pool(), 1)
    execute = world.engine.execute
    failures = [OSError("database connection lost")]

    def flaky(command_id: UUID) -> None:
        if failures:
            raise failures.pop()
        execute(command_id)

    monkeypatch.setattr(world.engine, "execute", flaky)
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
    spm.broken.add(first)
    [stuck] = validated_removals(world, first, 1)
    [moving] = validated_removals(world, second, 1)

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


def test_a_pool_is_polled_at_most_once_per_poll_interval(database_url: str) -> None:
    world = Scenario(database_url)
    ticker = Ticker()
    loop = loop_of(world, ticker, pool_interval=5.0)
    vm_id, disks = world.add_vm(world.add_pool(), disks=3)
    world.spm.hold.update(disks)  # type: ignore[attr-defined]
    world.remove_vm(vm_id)

    for _ in range(4):
        loop.step()
        ticker.now += 1
    assert world.spm.polls == 1  # type: ignore[attr-defined]

    ticker.now = 5
    loop.step()
    assert world.spm.polls == 2  # type: ignore[attr-defined]
