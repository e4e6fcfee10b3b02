"""RemoveVm's validations and locks: a refused request changes nothing and holds no lock."""

from __future__ import annotations

import threading
from collections.abc import Callable
from uuid import UUID, uuid4

import pytest

from tasktrail.domain.model.command.machine import CommandStatus
from tasktrail.domain.model.events import Cause
from tasktrail.domain.model.inventory.storage_pool import StoragePool
from tasktrail.domain.model.inventory.vm import Vm, VmOrigin
from tasktrail.domain.model.job.aggregate import Job
from tasktrail.domain.model.job.machine import JobExecutionStatus
from tasktrail.domain.model.lock.aggregate import EngineLock, lock_id
from tasktrail.domain.model.lock.machine import LockState
from tasktrail.domain.model.step.aggregate import Step
from tasktrail.domain.model.step.machine import StepEnum
from tasktrail.domain.services.command_base import InvalidParametersError, UnknownActionError
from tests.scenario import Scenario


@pytest.fixture
def world(database_url: str) -> Scenario:
    return Scenario(database_url)


def _cause(world: Scenario) -> Cause:
    return Cause.of(world.clock, user_id="admin", correlation_id="setup")


def _changed(world: Scenario, vm: Vm, change: Callable[[Vm, Cause], None]) -> None:
    change(vm, _cause(world))
    world.save(vm)


def _hosted_engine(world: Scenario, pool: UUID) -> UUID:
    vm = Vm(
        _cause(world),
        id=uuid4(),
        name="HostedEngine",
        storage_pool_id=pool,
        disk_ids=(),
        origin=VmOrigin.HOSTED_ENGINE,
    )
    world.save(vm)
    return vm.id


REFUSALS: dict[str, Callable[[Vm, Cause], None] | None] = {
    "ACTION_TYPE_FAILED_VM_IS_RUNNING": lambda vm, c: vm.run(c),
    "ACTION_TYPE_FAILED_VM_IS_LOCKED": lambda vm, c: vm.lock_image(c),
    "ACTION_TYPE_FAILED_VM_ATTACHED_TO_POOL": lambda vm, c: vm.attach_to_pool(c, uuid4()),
    "ACTION_TYPE_FAILED_VM_IS_DURING_SNAPSHOT": lambda vm, c: vm.begin_snapshot(c),
    "ACTION_TYPE_FAILED_VM_IS_DURING_BACKUP": lambda vm, c: vm.begin_backup(c),
}


REMOVE_VM = ["VAR__ACTION__REMOVE", "VAR__TYPE__VM"]
"""RemoveVm's setActionMessageParameters: every refusal of it starts with these."""


def assert_refused_and_nothing_changed(world: Scenario, vm_id: UUID, message: str) -> None:
    """Refused as oVirt refuses: a FAILED job and VALIDATING step, an ended command, no lock."""
    before = world.position
    vm_before = world.store.load(Vm, vm_id) if world.store.exists(vm_id) else None
    returned = world.remove_vm(vm_id)
    world.drive()

    assert not returned.valid
    assert returned.validation_messages == [*REMOVE_VM, message]
    assert returned.job_id is not None
    job = world.load(Job, returned.job_id)
    [validating] = [world.load(Step, s) for s in job.step_ids]
    assert (job.state, validating.step_type, validating.state) == (
        JobExecutionStatus.FAILED,
        StepEnum.VALIDATING,
        JobExecutionStatus.FAILED,
    )
    recorded = [(type(e).__qualname__, e.originator_id) for e in world.events_since(before)]
    assert recorded == [
        ("Job.Started", job.id),
        ("Step.Started", validating.id),
        ("Job.StepAdded", job.id),
        ("Command.Created", returned.command_id),
        ("Step.Failed", validating.id),
        ("Job.Failed", job.id),
        ("Command.ValidationFailed", returned.command_id),
    ]
    assert world.command(returned.command_id).state is CommandStatus.ENDED_WITH_FAILURE  # type: ignore[arg-type]
    if vm_before is not None:
        assert world.store.load(Vm, vm_id).version == vm_before.version
    lock_stream = lock_id("VM", vm_id)
    if world.store.exists(lock_stream):
        assert world.store.load(EngineLock, lock_stream).state is LockState.FREE


@pytest.mark.parametrize("message", sorted(REFUSALS))
def test_remove_vm_is_refused_when_the_vm_is_not_removable_now(
    world: Scenario, message: str
) -> None:
    pool = world.add_pool()
    vm_id, _ = world.add_vm(pool, disks=1)
    change = REFUSALS[message]
    assert change is not None
    _changed(world, world.store.load(Vm, vm_id), change)
    assert_refused_and_nothing_changed(world, vm_id, message)


def test_remove_vm_is_refused_for_a_vm_that_does_not_exist(world: Scenario) -> None:
    assert_refused_and_nothing_changed(world, uuid4(), "ACTION_TYPE_FAILED_VM_NOT_FOUND")


def test_remove_vm_is_refused_for_a_delete_protected_vm(world: Scenario) -> None:
    vm_id, _ = world.add_vm(world.add_pool(), disks=1)
    _changed(world, world.store.load(Vm, vm_id), lambda vm, c: vm.set_delete_protection(c, True))
    assert_refused_and_nothing_changed(world, vm_id, "ACTION_TYPE_FAILED_DELETE_PROTECTION_ENABLED")


def test_a_hosted_engine_vm_is_removable_as_in_ovirt(world: Scenario) -> None:
    """RemoveVm is on both of VmActionByVmOriginTypeValidator's allow-lists."""
    vm_id = _hosted_engine(world, world.add_pool())
    returned = world.remove_vm(vm_id)
    world.drive()
    assert returned.valid
    assert world.store.load(Vm, vm_id).deleted


def test_remove_vm_is_refused_while_the_storage_pool_is_down(world: Scenario) -> None:
    pool_id = world.add_pool()
    vm_id, _ = world.add_vm(pool_id, disks=1)
    pool = world.store.load(StoragePool, pool_id)
    pool.deactivate(_cause(world))
    world.save(pool)
    assert_refused_and_nothing_changed(
        world, vm_id, "ACTION_TYPE_FAILED_STORAGE_POOL_STATUS_ILLEGAL"
    )


def test_a_second_remove_of_a_locked_vm_is_refused_as_locked(world: Scenario) -> None:
    vm_id, _ = world.add_vm(world.add_pool(), disks=2)
    first = world.engine.run_action("RemoveVm", {"vm_id": str(vm_id)}, user="admin")
    second = world.engine.run_action("RemoveVm", {"vm_id": str(vm_id)}, user="bob")

    assert first.valid
    assert not second.valid
    assert second.validation_messages == [*REMOVE_VM, "ACTION_TYPE_FAILED_OBJECT_LOCKED"]
    lock = world.store.load(EngineLock, lock_id("VM", vm_id))
    assert list(lock.holders) == [first.command_id]


def test_two_concurrent_removes_of_one_vm_run_exactly_once(world: Scenario) -> None:
    vm_id, _ = world.add_vm(world.add_pool(), disks=2)
    barrier = threading.Barrier(2)
    results = []

    def contend(user: str) -> None:
        barrier.wait()
        results.append(world.engine.run_action("RemoveVm", {"vm_id": str(vm_id)}, user=user))

    threads = [threading.Thread(target=contend, args=(u,)) for u in ("alice", "bob")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    valid = [r for r in results if r.valid]
    assert len(valid) == 1
    world.drive()

    removals = [e for e in world.events_since(0) if isinstance(e, Vm.Removed)]
    assert len(removals) == 1
    refused = next(r for r in results if not r.valid)
    assert refused.validation_messages == [*REMOVE_VM, "ACTION_TYPE_FAILED_OBJECT_LOCKED"]


def test_malformed_parameters_are_refused_naming_the_field_and_record_nothing(
    world: Scenario,
) -> None:
    before = world.position
    with pytest.raises(InvalidParametersError, match="vm_id"):
        world.engine.run_action("RemoveVm", {"vm_id": "not-a-uuid"}, user="admin")
    with pytest.raises(InvalidParametersError, match="colour"):
        world.engine.run_action("RemoveVm", {"vm_id": str(uuid4()), "colour": "red"}, user="admin")
    with pytest.raises(UnknownActionError, match="RemoveVmNow"):
        world.engine.run_action("RemoveVmNow", {}, user="admin")
    assert world.position == before


def test_the_vm_lock_is_freed_after_transaction_1_so_a_second_remove_finds_no_vm(
    world: Scenario,
) -> None:
    """RemoveVm's lock has Execution scope and is freed inside execute (RemoveVmCommand:138-141)."""
    vm_id, _ = world.add_vm(world.add_pool(), disks=2)
    first = world.remove_vm(vm_id)
    second = world.remove_vm(vm_id)
    world.loop.step()
    third = world.remove_vm(vm_id)

    assert first.valid
    assert second.validation_messages == [*REMOVE_VM, "ACTION_TYPE_FAILED_OBJECT_LOCKED"]
    assert world.store.load(Vm, vm_id).deleted
    assert world.store.load(EngineLock, lock_id("VM", vm_id)).state is LockState.FREE
    assert third.validation_messages == [*REMOVE_VM, "ACTION_TYPE_FAILED_VM_NOT_FOUND"]


def test_a_process_without_a_loop_judges_by_the_store_not_by_what_it_saw_before(
    database_url: str,
) -> None:
    """An API or CLI process validates; another process's loop does the work meanwhile."""
    front, back = Scenario(database_url), Scenario(database_url)
    vm_id, _ = front.add_vm(front.add_pool(), disks=1)
    assert front.remove_vm(vm_id).valid  # front now caches the VM and its lock as held
    back.drive()

    again = front.remove_vm(vm_id)
    assert again.validation_messages == [*REMOVE_VM, "ACTION_TYPE_FAILED_VM_NOT_FOUND"]
