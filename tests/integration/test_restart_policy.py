"""oVirt's start-up rules on states tasktrail's atomic saves never leave but older stores,
imported bundles or another engine's writes may hold: each as oVirt's engine treats it."""

from __future__ import annotations

from uuid import uuid4

from tasktrail.domain.model.command.aggregate import Command
from tasktrail.domain.model.events import Cause
from tasktrail.domain.model.inventory.vm import Vm, VmStatus
from tasktrail.domain.services import compensation
from tasktrail.domain.services.restart import RestartPolicy
from tests.scenario import Scenario


def active(world: Scenario, action: str, params: dict[str, str], callback: bool) -> Command:
    """A command left ACTIVE and not executed, as an engine that died inside execute leaves it."""
    cause = Cause.of(world.clock, user_id="admin", correlation_id="crashed")
    command = Command(
        cause, id=uuid4(), action_type=action, parameters=params, has_callback=callback
    )
    command.activate(cause, None)
    return command


def restarted_as_ovirt(world: Scenario) -> None:
    world.loop = world.new_loop(restart_policy=RestartPolicy.OVIRT)
    world.drive()


def test_handle_unmanaged_commands_ends_an_active_command_without_callback_or_task(
    database_url: str,
) -> None:
    world = Scenario(database_url)
    image = active(
        world,
        "RemoveImage",
        {"disk_id": str(uuid4()), "vm_id": str(uuid4()), "storage_pool_id": str(uuid4())},
        callback=False,
    )
    world.save(image)
    restarted_as_ovirt(world)
    assert world.states_of(image.id)[-1] == "ENDED_WITH_FAILURE"
    assert world.command(image.id).messages == ("ENGINE_RESTARTED",)


def test_the_callback_poller_fails_a_callback_command_never_executed_and_compensates_it(
    database_url: str,
) -> None:
    """CommandCompensator first (images back as snapshotted), then EXECUTION_FAILED, FAILED."""
    world = Scenario(database_url)
    vm_id, _ = world.add_vm(world.add_pool(), disks=0)
    vm = world.store.load(Vm, vm_id)
    removal = active(world, "RemoveVm", {"vm_id": str(vm_id)}, callback=True)
    cause = world.ports.cause_for(removal, removal.id)
    compensation.snapshot(removal, cause, vm)
    vm.lock_image(cause)
    world.save(removal, vm)
    restarted_as_ovirt(world)

    assert world.store.load(Vm, vm_id).state is VmStatus.DOWN
    states = world.states_of(removal.id)
    assert states[-3:] == ["EXECUTION_FAILED", "FAILED", "ENDED_WITH_FAILURE"]
    assert "Compensated" in world.names_of(removal.id)


def test_resume_executes_such_a_command_again(database_url: str) -> None:
    world = Scenario(database_url)
    vm_id, _ = world.add_vm(world.add_pool(), disks=1)
    removal = active(world, "RemoveVm", {"vm_id": str(vm_id)}, callback=True)
    world.save(removal)
    world.drive()
    assert world.command(removal.id).state.value == "ENDED_SUCCESSFULLY"
    assert world.store.load(Vm, vm_id).deleted
