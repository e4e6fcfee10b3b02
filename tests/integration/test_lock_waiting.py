"""oVirt's LockProperties: NO_WAIT refuses at once; a waiting command (acquireLockWait) waits
for the exclusive locks it needs, up to its timeout, and takes only those."""

from __future__ import annotations

import threading
import time
from enum import StrEnum
from typing import Any, ClassVar
from uuid import UUID

from tasktrail.domain.actions.registry import ACTION_TYPES
from tasktrail.domain.model.lock.aggregate import EngineLock, lock_id
from tasktrail.domain.services.command_base import ActionParameters, ActionRegistry, CommandBase
from tasktrail.domain.services.execution import Execution
from tasktrail.domain.services.locks import LockRequest
from tasktrail.domain.services.return_value import ActionReturnValue
from tests.scenario import Scenario


class ExtraAction(StrEnum):
    TOUCH_VM = "TouchVm"


class TouchVmParameters(ActionParameters):
    vm_id: UUID


class TouchVmCommand(CommandBase[TouchVmParameters]):
    """Waits up to a second for the VM's lock; also asks for a shared lock it will not take."""

    action_type = ExtraAction.TOUCH_VM
    parameters_class = TouchVmParameters
    monitored = False
    lock_wait: ClassVar[float | None] = 1.0

    def lock_requests(self) -> list[LockRequest]:
        return [
            LockRequest("VM", self.params.vm_id),
            LockRequest("TEMPLATE", self.params.vm_id, exclusive=False),
        ]

    def execute(self, run: Execution) -> Any:
        return None


def world_with_touch(url: str) -> Scenario:
    registry = ActionRegistry({**ACTION_TYPES, ExtraAction.TOUCH_VM: TouchVmCommand})
    return Scenario(url, registry=registry)


def touch(world: Scenario, vm_id: UUID, into: list[ActionReturnValue]) -> threading.Thread:
    def run() -> None:
        into.append(world.engine.run_action("TouchVm", {"vm_id": str(vm_id)}, user="admin"))

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_acquire_lock_wait_waits_until_the_holder_frees_the_lock(database_url: str) -> None:
    world = world_with_touch(database_url)
    vm_id, _ = world.add_vm(world.add_pool(), disks=1)
    assert world.remove_vm(vm_id).valid  # holds the VM lock until its transaction 1
    returned: list[ActionReturnValue] = []
    waiter = touch(world, vm_id, returned)
    time.sleep(0.3)
    assert returned == []
    world.drive()
    waiter.join(timeout=10)

    [touched] = returned
    assert touched.valid
    acquired = [
        e.command_id
        for e in world.events_since(0)
        if isinstance(e, EngineLock.ExclusiveAcquired) and e.originator_id == lock_id("VM", vm_id)
    ]
    assert acquired[-1] == touched.command_id
    assert not world.store.exists(lock_id("TEMPLATE", vm_id))  # shared locks are not taken


def test_a_waiting_command_gives_up_after_its_timeout_with_the_holders_message(
    database_url: str,
) -> None:
    world = world_with_touch(database_url)
    vm_id, _ = world.add_vm(world.add_pool(), disks=1)
    assert world.remove_vm(vm_id).valid
    started = time.monotonic()
    returned: list[ActionReturnValue] = []
    touch(world, vm_id, returned).join(timeout=10)

    assert time.monotonic() - started >= TouchVmCommand.lock_wait  # type: ignore[operator]
    [refused] = returned
    assert refused.validation_messages == ["ACTION_TYPE_FAILED_OBJECT_LOCKED"]


def test_a_command_that_does_not_wait_is_refused_at_once(database_url: str) -> None:
    world = world_with_touch(database_url)
    vm_id, _ = world.add_vm(world.add_pool(), disks=1)
    assert world.remove_vm(vm_id).valid
    started = time.monotonic()
    again = world.remove_vm(vm_id)
    assert time.monotonic() - started < TouchVmCommand.lock_wait  # type: ignore[operator]
    assert again.validation_messages[-1] == "ACTION_TYPE_FAILED_OBJECT_LOCKED"
