"""CoCoLifeInMinutes: callback commands' children ACTIVE too long are failed (oVirt's
CommandsRepository.markExpiredCommandsAsFailure)."""

from __future__ import annotations

from tasktrail.domain.model.command.machine import CommandStatus
from tasktrail.domain.model.inventory.disk import Disk, DiskStatus
from tasktrail.domain.services.ports import EngineSettings
from tests.scenario import Scenario

LIFE = 60.0


def expiring_world(url: str) -> Scenario:
    """The loop's sweep timer runs on the scenario's clock, so moving it makes sweeps due."""
    world = Scenario(url, settings=EngineSettings(command_life=LIFE))
    world.loop = world.new_loop(monotonic=lambda: world.clock.now().timestamp())
    return world


def test_mark_expired_commands_as_failure_fails_an_active_child_that_then_ends_itself(
    database_url: str,
) -> None:
    """RemoveImage (COMMAND_MANAGED) expires to FAILED; RemoveVm keeps waiting for its end."""
    world = expiring_world(database_url)
    vm_id, [disk] = world.add_vm(world.add_pool(), disks=1)
    world.spm.hold.add(disk)  # type: ignore[attr-defined]
    root = world.remove_vm(vm_id).command_id
    assert root is not None
    world.loop.step()
    _, _, image = world.family(root)
    world.clock.advance(LIFE / 2)
    for _ in range(3):
        world.loop.step()
    assert world.command(image.id).state is CommandStatus.ACTIVE

    world.clock.advance(LIFE)
    for _ in range(3):
        world.loop.step()
    assert world.command(image.id).state is CommandStatus.FAILED
    assert world.command(image.id).messages == ("COMMAND_EXPIRED",)
    assert world.command(root).state is CommandStatus.ACTIVE

    world.spm.hold.clear()  # type: ignore[attr-defined]
    world.drive()
    assert world.states_of(image.id)[-2:] == ["FAILED", "ENDED_WITH_FAILURE"]
    assert world.command(root).state is CommandStatus.ENDED_WITH_FAILURE
    assert world.store.load(Disk, disk).state is DiskStatus.ILLEGAL


def test_a_command_saved_recently_is_not_expired(database_url: str) -> None:
    """The clock restarts at each save of the command (CommandEntity.createdAt per persist)."""
    world = expiring_world(database_url)
    vm_id, _ = world.add_vm(world.add_pool(), disks=2)
    root = world.remove_vm(vm_id).command_id
    assert root is not None
    world.clock.advance(LIFE * 10)  # validated long ago, executed now
    world.drive()
    assert world.command(root).state is CommandStatus.ENDED_SUCCESSFULLY
