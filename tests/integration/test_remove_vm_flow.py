"""The seed's RemoveVm flow, event by event, on SQLite and PostgreSQL, shaped as oVirt's.

RemoveAllVmImages starts the RemoveImages as children of RemoveVm (it passes its parent on),
always succeeds, and is ended by RemoveVm (PARENT_MANAGED); each RemoveImage ends itself once
its storage task ends (COMMAND_MANAGED).
"""

from __future__ import annotations

from uuid import UUID

import pytest

from tasktrail.domain.actions.action_type import ActionType
from tasktrail.domain.actions.registry import ACTION_TYPES
from tasktrail.domain.actions.remove_vm import RemoveVmCommand
from tasktrail.domain.model.async_task.aggregate import AsyncTask
from tasktrail.domain.model.command.machine import CommandStatus
from tasktrail.domain.model.inventory.disk import Disk, DiskStatus
from tasktrail.domain.model.inventory.vm import Vm
from tasktrail.domain.model.job.aggregate import Job
from tasktrail.domain.model.lock.aggregate import EngineLock, lock_id
from tasktrail.domain.model.lock.machine import LockState
from tasktrail.domain.model.step.aggregate import Step
from tasktrail.domain.services.command_base import ActionRegistry
from tasktrail.domain.services.execution import Execution
from tasktrail.domain.services.ports import StorageError
from tests.fakes import FakeSpm
from tests.scenario import Scenario


@pytest.fixture
def world(database_url: str) -> Scenario:
    return Scenario(database_url)


def remove(world: Scenario, disks: int) -> tuple[Scenario, UUID, list[UUID], UUID]:
    pool = world.add_pool()
    vm_id, disk_ids = world.add_vm(pool, disks=disks)
    returned = world.remove_vm(vm_id)
    assert returned.valid
    world.drive()
    assert returned.command_id is not None
    return world, vm_id, disk_ids, returned.command_id


def steps_of(world: Scenario, job: Job) -> list[Step]:
    return [world.store.load(Step, s) for s in job.step_ids]


@pytest.mark.parametrize("disks", [1, 3])
def test_remove_vm_walks_the_seed_flow_event_by_event(world: Scenario, disks: int) -> None:
    world, _, _, root_id = remove(world, disks)
    root, all_images, *images = world.family(root_id)

    assert world.names_of(root.id) == [
        "Created",
        "Activated",
        "EntitySnapshotted",
        *["EntitySnapshotted"] * disks,
        "ChildrenAdded",
        "ChildrenAdded",
        "Executed",
        "SnapshotsCleared",
        "Succeeded",
        "EndedSuccessfully",
    ]
    assert world.names_of(all_images.id) == [
        "Created",
        "Activated",
        "Executed",
        "Succeeded",
        "EndedSuccessfully",
    ]
    assert len(images) == disks
    for image in images:
        assert world.names_of(image.id) == [
            "Created",
            "Activated",
            "Executed",
            "Succeeded",
            "EndedSuccessfully",
        ]
    for command in (root, all_images, *images):
        assert world.states_of(command.id) == [
            "NOT_STARTED",
            "ACTIVE",
            "SUCCEEDED",
            "ENDED_SUCCESSFULLY",
        ]
        assert command.root_command_id == root.id
        assert command.job_id == root.job_id
    assert all_images.parent_command_id == root.id
    assert {i.parent_command_id for i in images} == {root.id}


@pytest.mark.parametrize("disks", [1, 3])
def test_remove_vm_ends_its_job_steps_tasks_and_world(world: Scenario, disks: int) -> None:
    world, vm_id, disk_ids, root_id = remove(world, disks)
    root = world.command(root_id)
    job = world.store.load(Job, root.job_id)  # type: ignore[arg-type]
    steps = steps_of(world, job)

    assert world.states_of(job.id) == ["STARTED", "FINISHED"]
    assert sorted(s.step_type.value for s in steps) == sorted(
        [
            "VALIDATING",
            "EXECUTING",
            "FINALIZING",
            *["DELETE_IMAGE"] * disks,
            *["FINALIZING"] * disks,
        ]
    )
    assert {s.state.value for s in steps} == {"FINISHED"}
    top = {s.step_type.value: s.step_number for s in steps if s.parent_step_id is None}
    assert top == {"VALIDATING": 0, "EXECUTING": 1, "FINALIZING": 2}
    executing = next(s for s in steps if s.step_type.value == "EXECUTING")
    deletes = [s for s in steps if s.step_type.value == "DELETE_IMAGE"]
    assert {s.parent_step_id for s in deletes} == {executing.id}
    assert sorted(s.step_number for s in deletes) == list(range(disks))
    image_ends = [s for s in steps if s.step_type.value == "FINALIZING" and s.parent_step_id]
    assert {s.parent_step_id for s in image_ends} == {s.id for s in deletes}
    assert {s.step_number for s in image_ends} == {0}
    for task_id in {s.external_id for s in deletes}:
        assert task_id is not None
        task = world.store.load(AsyncTask, UUID(task_id))
        assert world.states_of(task.id) == [
            "Initializing",
            "Polling",
            "Ended",
            "AttemptingEndAction",
            "Cleared",
        ]
    assert world.store.load(Vm, vm_id).deleted
    assert [world.store.load(Disk, d).deleted for d in disk_ids] == [True] * disks
    assert world.store.load(EngineLock, lock_id("VM", vm_id)).state is LockState.FREE
    assert not world.loop.busy()
    assert [n.name for n in world.notices if n.name == "VmDeleted"] == ["VmDeleted"]
    assert world.spm.tasks == {}  # type: ignore[attr-defined]


def test_a_failed_storage_task_fails_the_disk_the_parents_and_the_job(world: Scenario) -> None:
    pool = world.add_pool()
    vm_id, disk_ids = world.add_vm(pool, disks=3)
    world.spm.fail_delete.add(disk_ids[1])  # type: ignore[attr-defined]
    root_id = world.remove_vm(vm_id).command_id
    assert root_id is not None
    world.drive()
    root, all_images, *images = world.family(root_id)
    failed = next(i for i in images if i.parameters["disk_id"] == str(disk_ids[1]))

    assert world.states_of(failed.id) == ["NOT_STARTED", "ACTIVE", "FAILED", "ENDED_WITH_FAILURE"]
    assert world.states_of(all_images.id)[-2:] == ["SUCCEEDED", "ENDED_SUCCESSFULLY"]
    assert world.states_of(root.id)[-2:] == ["FAILED", "ENDED_WITH_FAILURE"]
    disks = [world.store.load(Disk, d) for d in disk_ids]
    assert [d.deleted for d in disks] == [True, False, True]
    assert disks[1].state is DiskStatus.ILLEGAL
    assert world.store.load(Vm, vm_id).deleted
    assert [n.name for n in world.notices if n.name == "VmDeleted"] == ["VmDeleted"]
    job = world.store.load(Job, root.job_id)  # type: ignore[arg-type]
    failed_step = world.store.load(Step, job.failed_step_id)  # type: ignore[arg-type]
    assert job.state.value == "FAILED"
    assert failed_step.step_type.value == "DELETE_IMAGE"
    assert failed_step.reason == "Image deletion failed"
    assert "DELETE_IMAGE" in (job.reason or "")
    assert world.store.load(EngineLock, lock_id("VM", vm_id)).state is LockState.FREE
    assert not world.loop.busy()


def test_a_failed_clear_is_retried_until_the_task_is_cleared(world: Scenario) -> None:
    pool = world.add_pool()
    vm_id, disk_ids = world.add_vm(pool, disks=2)
    world.spm.fail_clear.add(disk_ids[0])  # type: ignore[attr-defined]
    root_id = world.remove_vm(vm_id).command_id
    assert root_id is not None
    world.drive()
    image = next(
        c for c in world.family(root_id)[2:] if c.parameters["disk_id"] == str(disk_ids[0])
    )
    task = next(
        e
        for e in world.events_since(0)
        if isinstance(e, AsyncTask.Created) and e.command_id == image.id
    )

    assert world.states_of(task.originator_id) == [
        "Initializing",
        "Polling",
        "Ended",
        "AttemptingEndAction",
        "ClearFailed",
        "Cleared",
    ]
    assert world.command(root_id).state is CommandStatus.ENDED_SUCCESSFULLY


class _BrokenRemoveVm(RemoveVmCommand):
    """Throws in the middle of RemoveVm's execute, after transactions 1 and 2 committed."""

    def _remove_images(self, run: Execution, vm: Vm, disks: list[Disk]) -> list[str]:
        raise RuntimeError("the image service is down")


def test_an_exception_inside_execute_compensates_and_fails_the_job(database_url: str) -> None:
    """As oVirt's: a throwing execute is compensated (disks ILLEGAL), the VM rows stay gone."""
    broken = {**ACTION_TYPES, ActionType.REMOVE_VM: _BrokenRemoveVm}
    world = Scenario(database_url, registry=ActionRegistry(broken))
    vm_id, disk_ids = world.add_vm(world.add_pool(), disks=2)
    root_id = world.remove_vm(vm_id).command_id
    assert root_id is not None
    world.drive()

    assert world.names_of(root_id)[-4:] == [
        "Compensated",
        "ExecutionFailed",
        "Failed",
        "EndedWithFailure",
    ]
    assert world.store.load(Vm, vm_id).deleted
    assert [world.store.load(Disk, d).state for d in disk_ids] == [DiskStatus.ILLEGAL] * 2
    job = world.store.load(Job, world.command(root_id).job_id)  # type: ignore[arg-type]
    assert job.state.value == "FAILED"
    assert "the image service is down" in (job.reason or "")
    assert world.store.load(EngineLock, lock_id("VM", vm_id)).state is LockState.FREE
    assert not [n for n in world.notices if n.name == "VmDeleted"]


def test_a_task_the_spm_refused_ends_its_command_and_marks_the_disk_illegal(
    world: Scenario,
) -> None:
    pool = world.add_pool()
    vm_id, disk_ids = world.add_vm(pool, disks=2)
    world.spm.fail_submit.add(disk_ids[0])  # type: ignore[attr-defined]
    root_id = world.remove_vm(vm_id).command_id
    assert root_id is not None
    world.drive()

    assert world.command(root_id).state is CommandStatus.ENDED_WITH_FAILURE
    assert world.states_of(root_id)[-3:] == ["EXECUTION_FAILED", "FAILED", "ENDED_WITH_FAILURE"]
    disks = [world.store.load(Disk, d) for d in disk_ids]
    assert (disks[0].state, disks[1].deleted) == (DiskStatus.ILLEGAL, True)
    assert world.command(root_id).return_value == {"unremoved_disks": [disks[0].alias]}
    assert not [n for n in world.notices if n.name == "VmDeleted"]
    assert not world.loop.busy()
    job = world.store.load(Job, world.command(root_id).job_id)  # type: ignore[arg-type]
    assert f"IRS_TASK_SUBMISSION_REFUSED: cannot submit task for {disk_ids[0]}" in (
        job.reason or ""
    )


class ForgetfulSpm(FakeSpm):
    """Forgets a task on the first clear but the answer is lost (a crash, a dropped reply)."""

    def clear_task(self, storage_pool_id: UUID, task_id: str) -> None:
        if task_id in self.tasks:
            del self.tasks[task_id]
            raise StorageError("connection reset while clearing")
        super().clear_task(storage_pool_id, task_id)


def test_a_task_the_spm_already_forgot_counts_as_cleared(database_url: str) -> None:
    world = Scenario(database_url, storage_factory=lambda _: ForgetfulSpm())
    vm_id, _ = world.add_vm(world.add_pool(), disks=1)
    root_id = world.remove_vm(vm_id).command_id
    assert root_id is not None
    world.drive()
    task = next(e for e in world.events_since(0) if isinstance(e, AsyncTask.Created))

    assert world.states_of(task.originator_id)[-2:] == ["ClearFailed", "Cleared"]
    assert not world.loop.busy()


def test_a_task_the_spm_stops_reporting_fails_at_the_first_poll_that_misses_it(
    world: Scenario,
) -> None:
    """SPMAsyncTask.onTaskDoesNotExist: an unknown task ends as failed, no grace period."""
    vm_id, [disk] = world.add_vm(world.add_pool(), disks=1)
    root_id = world.remove_vm(vm_id).command_id
    assert root_id is not None
    world.loop.step()  # executed, and its task submitted
    world.spm.tasks.clear()  # type: ignore[attr-defined]
    world.drive()

    task = next(e for e in world.events_since(0) if isinstance(e, AsyncTask.Created))
    ended = world.store.load(AsyncTask, task.originator_id)
    assert world.states_of(task.originator_id) == [
        "Initializing",
        "Polling",
        "Ended",
        "AttemptingEndAction",
        "Cleared",
    ]
    assert not ended.zombie
    assert ended.status.value == "unknown"
    assert world.store.load(Disk, disk).state is DiskStatus.ILLEGAL
    assert world.command(root_id).state is CommandStatus.ENDED_WITH_FAILURE
