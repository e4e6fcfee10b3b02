"""Kill the engine after each of its stored events; a restarted engine must finish the job.

For RemoveVm with 3 disks, ``serve`` runs in a real subprocess that SIGKILLs itself right after
its k-th stored event (TASKTRAIL_CRASH_AFTER_EVENTS=k), for every k from 1 to the number of
events an uninterrupted engine stores (the threaded engine may store a few more or fewer events
from run to run, e.g. one more status poll; a run that ends before its k-th event has no crash
point k, and the test checks exactly that); a second ``serve`` then runs to completion, and the
terminal state must be the uninterrupted run's: same job, step and command statuses, VM and
disks gone (or the failed disk ILLEGAL), no lock held, no storage task left.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from uuid import UUID

import pytest

from domain.clock import SystemClock
from domain.command.aggregate import Command
from domain.framework.engine import Engine
from domain.framework.engine_ports import EnginePorts
from domain.inventory.disk import Disk
from domain.inventory.vm import Vm
from domain.job.aggregate import Job
from domain.lock.aggregate import EngineLock, lock_id
from domain.step.aggregate import Step
from runners.database import open_event_store
from runners.simulated_spm import SimulatedSpm

TASKTRAIL = str(Path(sys.executable).with_name("tasktrail"))
pytestmark = pytest.mark.timeout(1800)


class World:
    """The test's own engine on the database: it sets up VMs and reads the outcome."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.store = open_event_store(url)
        self.spm = SimulatedSpm(self.store.recorder.datastore.engine, SystemClock(), 0)
        self.engine = Engine(EnginePorts(store=self.store, storage=self.spm, clock=SystemClock()))
        made = self.engine.run_action("AddEmptyStoragePool", {"name": "dc"}, user="admin")
        self.pool = made.action_return_value["storage_pool_id"]

    def removal(self, fail_disk: int | None) -> tuple[UUID, list[UUID], UUID]:
        """A VM with 3 disks and a validated RemoveVm waiting for an engine."""
        made = self.engine.run_action(
            "AddVm", {"name": "vm", "disks": 3, "storage_pool_id": self.pool}, user="admin"
        ).action_return_value
        disks = [UUID(d) for d in made["disk_ids"]]
        if fail_disk is not None:
            self.spm.inject_fault(disks[fail_disk], "delete")
        returned = self.engine.validate_action("RemoveVm", {"vm_id": made["vm_id"]}, user="admin")
        assert returned.command_id is not None
        return UUID(made["vm_id"]), disks, returned.command_id

    def serve(self, crash_after: int | None = None) -> int:
        env = {**os.environ, "TASKTRAIL_SPM_TASK_SECONDS": "0", "TASKTRAIL_POLL_INTERVAL": "0.01"}
        env.pop("TASKTRAIL_CRASH_AFTER_EVENTS", None)
        if crash_after is not None:
            env["TASKTRAIL_CRASH_AFTER_EVENTS"] = str(crash_after)
        done = subprocess.run(
            [TASKTRAIL, "--db", self.url, "serve", "--until-idle"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode in (0, -signal.SIGKILL), done.stderr
        return done.returncode

    def outcome(self, vm_id: UUID, disks: list[UUID], root_id: UUID) -> dict[str, object]:
        store = self.store
        root = store.load(Command, root_id)
        family, queue = [], [root_id]
        while queue:
            command = store.load(Command, queue.pop(0))
            family.append((command.action_type, command.state.value))
            queue.extend(command.child_ids)
        job = store.load(Job, root.job_id)  # type: ignore[arg-type]
        steps = sorted(
            (s.step_type.value, s.state.value) for s in (store.load(Step, i) for i in job.step_ids)
        )
        return {
            "job": job.state.value,
            "steps": steps,
            "commands": sorted(family),
            "vm": store.load(Vm, vm_id).state.value,
            "disks": [store.load(Disk, d).state.value for d in disks],
            "lock": store.load(EngineLock, lock_id("VM", vm_id)).state.value,
            "spm_tasks": len(self.spm.list_tasks(UUID(self.pool))),
        }

    def position(self) -> int:
        return self.store.recorder.max_notification_id() or 0


@pytest.mark.slow
@pytest.mark.parametrize("fail_disk", [None, 1], ids=["success", "storage-failure"])
def test_every_crash_point_reaches_the_uninterrupted_outcome(
    database_url: str, fail_disk: int | None
) -> None:
    world = World(database_url)
    vm_id, disks, root = world.removal(fail_disk)
    before = world.position()
    assert world.serve() == 0
    expected = world.outcome(vm_id, disks, root)
    total = world.position() - before
    assert expected["job"] == ("FINISHED" if fail_disk is None else "FAILED")
    assert expected["lock"] == "FREE"
    assert expected["spm_tasks"] == 0

    crashed = 0
    for k in range(1, total + 1):
        vm_id, disks, root = world.removal(fail_disk)
        before = world.position()
        if world.serve(crash_after=k) == -signal.SIGKILL:
            crashed += 1
        else:
            stored = world.position() - before
            assert stored < k, f"ran to the end with {stored} events but no crash at {k}"
        assert world.serve() == 0
        assert world.outcome(vm_id, disks, root) == expected, f"crash after event {k} of {total}"
    assert crashed >= total - 10
