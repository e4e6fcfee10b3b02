"""What is stuck: each item in flight, what it waits on, and how long it has not moved."""

from __future__ import annotations

from datetime import timedelta

from tasktrail.domain.model.inventory.vm import Vm
from tasktrail.runners.blocked import blocked
from tests.scenario import Scenario


def test_a_running_remove_vm_says_what_each_level_waits_on(database_url: str) -> None:
    world = Scenario(database_url)
    vm_id, [disk] = world.add_vm(world.add_pool(), disks=1)
    world.spm.hold.add(disk)  # type: ignore[attr-defined]
    root = world.remove_vm(vm_id).command_id
    for _ in range(3):
        world.loop.step()
    world.clock.advance(120)
    found = {
        b.kind: b for b in blocked(world.ports, world.uow(), world.database, world.clock.now())
    }

    all_images, image = world.command(root).child_ids  # type: ignore[arg-type]
    assert set(found) == {
        "Command RemoveVm",
        "Command RemoveAllVmImages",
        "Command RemoveImage",
        "AsyncTask deleteImage",
    }
    assert found["Command RemoveVm"].waiting_on == [f"child RemoveImage {image} (ACTIVE)"]
    assert found["Command RemoveAllVmImages"].waiting_on == [
        f"its parent {root} to end it (PARENT_MANAGED)"
    ]
    task = found["AsyncTask deleteImage"]
    assert task.state == "Polling"
    assert task.waiting_on[0].endswith("last polled running/unknown")
    assert all(b.idle_seconds >= 120 for b in found.values())
    assert world.command(all_images).state.value == "SUCCEEDED"
    assert world.store.load(Vm, vm_id).deleted


def test_idle_time_counts_from_the_last_event_and_ended_work_leaves(database_url: str) -> None:
    world = Scenario(database_url)
    vm_id, [disk] = world.add_vm(world.add_pool(), disks=1)
    world.spm.hold.add(disk)  # type: ignore[attr-defined]
    world.remove_vm(vm_id)
    world.loop.step()
    now = world.clock.now() + timedelta(seconds=30)
    ages = [b.idle_seconds for b in blocked(world.ports, world.uow(), world.database, now)]
    assert ages
    assert all(age == 30 for age in ages)
    world.spm.hold.clear()  # type: ignore[attr-defined]
    world.drive()
    assert blocked(world.ports, world.uow(), world.database, now) == []
