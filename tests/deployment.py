"""A database with engines serving it as real processes: what the crash and multi-engine tests
drive. The test's own runtime sets up the world and reads the outcome; ``tasktrail serve``
processes do the work."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from uuid import UUID

from tasktrail.domain.model.command.aggregate import Command
from tasktrail.domain.model.inventory.disk import Disk
from tasktrail.domain.model.inventory.vm import Vm
from tasktrail.domain.model.job.aggregate import Job
from tasktrail.domain.model.lock.aggregate import EngineLock, lock_id
from tasktrail.domain.model.step.aggregate import Step
from tasktrail.runners.bootstrap import Runtime, build_runtime
from tasktrail.runners.settings import Settings

TASKTRAIL = str(Path(sys.executable).with_name("tasktrail"))


class Deployment:
    def __init__(self, url: str, spm_task_seconds: float = 0, poll_interval: float = 0.01) -> None:
        self.url = url
        self.variables = {
            "TASKTRAIL_SPM_TASK_SECONDS": str(spm_task_seconds),
            "TASKTRAIL_POLL_INTERVAL": str(poll_interval),
        }
        settings = Settings(db=url, spm_task_seconds=spm_task_seconds, poll_interval=poll_interval)
        self.runtime: Runtime = build_runtime(settings)
        self.store = self.runtime.store
        self.spm = self.runtime.spm
        self.pool = self._run("AddEmptyStoragePool", {"name": "dc"})["storage_pool_id"]

    def _run(self, action: str, params: dict[str, object]) -> dict[str, str]:
        """Runs a set-up action to its end in this process."""
        returned = self.runtime.engine.run_action(action, params, user="admin")
        assert returned.valid, returned.validation_messages
        self.runtime.loop().run_until_idle()
        made: dict[str, str] = returned.action_return_value
        return made

    def vms(self, count: int, disks: int = 3) -> list[tuple[UUID, list[UUID]]]:
        made = [
            self._run("AddVm", {"name": f"vm{i}", "disks": disks, "storage_pool_id": self.pool})
            for i in range(count)
        ]
        return [(UUID(m["vm_id"]), [UUID(d) for d in m["disk_ids"]]) for m in made]

    def validate_removal(self, vm_id: UUID) -> UUID:
        """A RemoveVm validated and recorded, waiting for an engine."""
        returned = self.runtime.engine.run_action("RemoveVm", {"vm_id": str(vm_id)}, user="admin")
        assert returned.command_id is not None, returned.validation_messages
        return returned.command_id

    def environment(self, **variables: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("TASKTRAIL_CRASH")}
        return {**env, **self.variables, **variables}

    def serve(self, *options: str, **variables: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [TASKTRAIL, "--db", self.url, "serve", *options],
            env=self.environment(**variables),
            text=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    def serve_until_idle(self, timeout: float = 120, **variables: str) -> tuple[int, str]:
        """``serve --until-idle``'s exit code and stderr. Its exit 1 for jobs that ended FAILED
        counts as 0 here: these tests judge the outcome from the store, failures included."""
        done = subprocess.run(
            [TASKTRAIL, "--db", self.url, "serve", "--until-idle"],
            env=self.environment(**variables),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        lines = done.stderr.splitlines()
        failed_jobs = done.returncode == 1 and bool(lines) and "job(s) ended FAILED" in lines[-1]
        return (0 if failed_jobs else done.returncode), done.stderr

    def position(self) -> int:
        return self.store.head()

    def outcome(self, vm_id: UUID, disks: list[UUID], root_id: UUID) -> dict[str, object]:
        """Everything a RemoveVm leaves behind, as its aggregates tell it."""
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
