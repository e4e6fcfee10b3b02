"""Redrive finishes what a failed tree left undone; cancel stops a running one as oVirt does."""

from __future__ import annotations

from pathlib import Path
from uuid import UUID

import pytest

from tasktrail.domain.model.command.machine import CommandStatus
from tasktrail.domain.model.events import Cause
from tasktrail.domain.model.inventory.disk import Disk, DiskStatus
from tasktrail.domain.model.job.aggregate import Job
from tasktrail.domain.model.job.machine import JobExecutionStatus
from tasktrail.domain.model.lock.aggregate import EngineLock, lock_id
from tasktrail.domain.model.lock.machine import LockState
from tasktrail.domain.services import cancel, clearing, redrive
from tasktrail.projections import audit
from tasktrail.runners.histories import from_database
from tasktrail.runners.what_if import what_if
from tests.scenario import Scenario

Failed = tuple[Scenario, UUID, list[UUID]]


def failed_remove(folder: Path, disks: int = 3) -> Failed:
    """A RemoveVm whose second disk could not be deleted: that disk is left ILLEGAL."""
    world = Scenario(f"sqlite:///{folder / 'failed.db'}")
    vm_id, disk_ids = world.add_vm(world.add_pool(), disks=disks)
    world.spm.fail_delete.add(disk_ids[1])  # type: ignore[attr-defined]
    root = world.remove_vm(vm_id).command_id
    assert root is not None
    world.drive()
    assert world.command(root).state is CommandStatus.ENDED_WITH_FAILURE
    world.spm.fail_delete.clear()  # type: ignore[attr-defined]
    return world, root, disk_ids


def operator(world: Scenario) -> Cause:
    return Cause.of(world.clock, user_id="operator", correlation_id="fix-1")


def test_redrive_deletes_the_illegal_disk_as_a_new_command_caused_by_the_old_once(
    tmp_path: Path,
) -> None:
    world, root, disks = failed_remove(tmp_path)
    assert world.load(Disk, disks[1]).state is DiskStatus.ILLEGAL

    returned = world.engine.run_action("Redrive", {"command_id": str(root)}, user="operator")
    assert returned.valid, returned.validation_messages
    world.drive()

    assert returned.command_id is not None
    again = world.command(returned.command_id)
    assert again.state is CommandStatus.ENDED_SUCCESSFULLY
    assert world.load(Disk, disks[1]).deleted
    [child] = [world.command(c) for c in again.child_ids]
    assert (child.action_type, child.parameters["disk_id"]) == ("RemoveImage", str(disks[1]))
    assert world.events_of(again.id)[0].meta.causation_id == root
    assert world.load(Job, again.job_id).state is JobExecutionStatus.FINISHED  # type: ignore[arg-type]
    world.read_model.catch_up()
    page = audit.events(world.read_model, audit.AuditQuery(entity=root, limit=1000))
    assert {again.id, root} <= {e["aggregate_id"] for e in page.events}
    for run in (root, again.id):  # each replays alike: the redrive is a run of its own
        assert what_if(from_database(world.store, world.read_model, run)).identical
    with pytest.raises(redrive.RedriveError, match="nothing left to redrive"):
        redrive.undone(world.uow(), root)
    with pytest.raises(redrive.RedriveError, match="no command"):
        redrive.undone(world.uow(), UUID(int=5))


def test_cancel_mid_flight_leaves_no_task_on_the_spm_and_no_lock_held(tmp_path: Path) -> None:
    world = Scenario(f"sqlite:///{tmp_path / 'cancel.db'}")
    vm_id, disks = world.add_vm(world.add_pool(), disks=2)
    world.spm.hold.update(disks)  # type: ignore[attr-defined]
    root = world.remove_vm(vm_id).command_id
    assert root is not None
    for _ in range(3):
        world.loop.step()
    assert len(world.spm.tasks) == 2  # type: ignore[attr-defined]

    returned = world.engine.run_action("Cancel", {"command_id": str(root)}, user="operator")
    assert returned.valid, returned.validation_messages
    world.drive()

    command = world.command(root)
    assert command.state is CommandStatus.ENDED_WITH_FAILURE
    assert world.load(Job, command.job_id).state is JobExecutionStatus.FAILED  # type: ignore[arg-type]
    assert world.spm.tasks == {}  # type: ignore[attr-defined]
    assert world.load(EngineLock, lock_id("VM", vm_id)).state is LockState.FREE
    assert {world.load(Disk, d).state for d in disks} == {DiskStatus.ILLEGAL}
    assert returned.command_id is not None
    assert world.command(returned.command_id).state is CommandStatus.ENDED_SUCCESSFULLY
    with pytest.raises(cancel.CancelError, match="has already ended"):
        cancel.running_root(world.uow(), root)


def test_cancel_before_execution_ends_the_command_its_job_and_its_locks(tmp_path: Path) -> None:
    world = Scenario(f"sqlite:///{tmp_path / 'early.db'}")
    vm_id, _ = world.add_vm(world.add_pool(), disks=1)
    root = world.remove_vm(vm_id).command_id
    assert root is not None

    uow = world.uow()
    done = cancel.cancel(world.ports, uow, operator(world), root)
    uow.commit()
    world.drive()

    assert done == [f"RemoveVm {root} ended before it ran"]
    command = world.command(root)
    assert command.state is CommandStatus.ENDED_WITH_FAILURE
    assert command.messages == (cancel.CANCELLED,)
    assert world.load(Job, command.job_id).state is JobExecutionStatus.FAILED  # type: ignore[arg-type]
    assert world.load(EngineLock, lock_id("VM", vm_id)).state is LockState.FREE


def test_clear_cleans_a_failed_job_up_once(tmp_path: Path) -> None:
    world, root, _ = failed_remove(tmp_path, disks=2)

    uow = world.uow()
    clearing.clear(uow, operator(world), root)
    uow.commit()

    assert world.load(Job, world.command(root).job_id).deleted  # type: ignore[arg-type]
    with pytest.raises(clearing.ClearError, match="already cleared"):
        clearing.job_to_clear(world.uow(), root)
