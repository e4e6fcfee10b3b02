"""End methods that throw are retried a bounded number of times, never forever (BZ 1451413)."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest

from tasktrail.domain.actions.action_type import ActionType
from tasktrail.domain.actions.registry import ACTION_TYPES
from tasktrail.domain.actions.remove_image import RemoveImageCommand
from tasktrail.domain.model.command.aggregate import Command
from tasktrail.domain.model.command.machine import CommandStatus
from tasktrail.domain.model.events import Cause
from tasktrail.domain.model.job.aggregate import Job
from tasktrail.domain.services.command_base import ActionRegistry
from tasktrail.domain.services.ports import EngineNotice, UnitOfWork
from tests.scenario import Scenario


class FlakyRemoveImage(RemoveImageCommand):
    """Its end method throws the first ``failures`` times it runs."""

    failures: ClassVar[int] = 0

    def end_successfully(
        self, uow: UnitOfWork, command: Command, cause: Cause
    ) -> list[EngineNotice]:
        if FlakyRemoveImage.failures > 0:
            FlakyRemoveImage.failures -= 1
            raise RuntimeError("end method broke")
        return super().end_successfully(uow, command, cause)


def world_with_flaky_images(url: str, failures: int) -> Scenario:
    FlakyRemoveImage.failures = failures
    classes: dict[Any, Any] = {**ACTION_TYPES, ActionType.REMOVE_IMAGE: FlakyRemoveImage}
    return Scenario(url, registry=ActionRegistry(classes))


def image_of(world: Scenario, root: Any) -> Command:
    return world.family(root)[2]


@pytest.mark.parametrize("failures", [1, 3])
def test_an_end_method_that_recovers_is_retried_until_it_works(
    database_url: str, failures: int
) -> None:
    world = world_with_flaky_images(database_url, failures)
    vm_id, _ = world.add_vm(world.add_pool(), disks=1)
    root = world.remove_vm(vm_id).command_id
    world.drive()

    image = image_of(world, root)
    assert world.names_of(image.id).count("EndAttemptFailed") == failures
    assert image.state is CommandStatus.ENDED_SUCCESSFULLY
    assert world.command(root).state is CommandStatus.ENDED_SUCCESSFULLY  # type: ignore[arg-type]
    assert not world.loop.busy()


def test_an_end_method_that_keeps_failing_gives_up_and_fails_the_command(database_url: str) -> None:
    world = world_with_flaky_images(database_url, 100)
    vm_id, _ = world.add_vm(world.add_pool(), disks=1)
    root = world.remove_vm(vm_id).command_id
    world.drive()

    image = image_of(world, root)
    retries = world.ports.settings.end_action_max_retries
    assert world.names_of(image.id).count("EndAttemptFailed") == retries + 1
    assert world.states_of(image.id)[-3:] == ["SUCCEEDED", "FAILED", "ENDED_WITH_FAILURE"]
    job = world.store.load(Job, world.command(root).job_id)  # type: ignore[arg-type]
    assert job.state.value == "FAILED"
    assert not world.loop.busy()
