"""``redrive``, ``cancel`` and ``remediate`` as a user runs them: plans, refusals, idempotence,
and a batch killed half way that finishes each item exactly once when run again."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from tasktrail.domain.model.command.machine import CommandStatus
from tasktrail.domain.model.inventory.disk import Disk
from tasktrail.domain.model.job.aggregate import Job
from tasktrail.domain.model.job.machine import JobExecutionStatus
from tasktrail.domain.model.lock.aggregate import EngineLock, lock_id
from tasktrail.domain.model.lock.machine import LockState
from tasktrail.domain.model.step.aggregate import Step
from tasktrail.domain.services import batches
from tasktrail.runners.bootstrap import build_runtime
from tasktrail.runners.cli import build_app
from tasktrail.runners.crash_points import AFTER
from tasktrail.runners.settings import Settings
from tests.scenario import Scenario

TASKTRAIL = Path(sys.executable).parent / "tasktrail"
BATCH = 20


def cli(url: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(build_app(), ["--db", url, *args])
    return result.exit_code, result.output


def rows(output: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = json.loads(output)
    return found


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> tuple[Scenario, list[UUID]]:
    """Twenty RemoveVm that failed on their only disk, each left ILLEGAL."""
    world = Scenario(f"sqlite:///{tmp_path_factory.mktemp('batch') / 'batch.db'}")
    pool = str(world.add_pool())
    added = [
        world.engine.run_action(
            "AddVm", {"name": f"vm{n}", "storage_pool_id": pool, "disks": 1}, user="admin"
        ).action_return_value
        for n in range(BATCH)
    ]
    world.drive()
    world.spm.fail_delete.update(UUID(a["disk_ids"][0]) for a in added)  # type: ignore[attr-defined]
    roots = [world.remove_vm(UUID(a["vm_id"])).command_id for a in added]
    world.drive()
    world.spm.fail_delete.clear()  # type: ignore[attr-defined]
    return world, [r for r in roots if r is not None]


def redrives_of(world: Scenario) -> list[str]:
    """The parameters of every Redrive command recorded, one per item redriven."""
    world.read_model.catch_up()
    c = world.read_model.tables.tt_command
    with world.read_model.engine.connect() as connection:
        query = sa.select(c.c.parameters).where(c.c.command_type == "Redrive")
        return [json.loads(p)["command_id"] for p in connection.execute(query).scalars()]


def test_a_dry_run_then_a_batch_killed_half_way_finishes_each_item_exactly_once(
    batch: tuple[Scenario, list[UUID]],
) -> None:
    world, roots = batch
    head = world.position
    code, output = cli(world.url, "remediate", "--retry", "--dry-run", "--json")
    assert code == 0
    planned = rows(output)
    assert sorted(r["command_id"] for r in planned) == sorted(str(r) for r in roots)
    assert all(r["plan"].startswith("redrive: run RemoveImage of disk ") for r in planned)
    assert world.position == head

    # Saves: the batch's job, then per item its step, its Redrive, its step's end. Killed
    # right after the 11th item's Redrive, before its step ended.
    half = BATCH // 2
    env = {**os.environ, AFTER: str(1 + 3 * half + 2)}
    args = [str(TASKTRAIL), "--db", world.url, "remediate", "--retry", "--json"]
    killed = subprocess.run(args, env=env, capture_output=True, timeout=120, check=False)
    assert killed.returncode == -signal.SIGKILL
    assert len(redrives_of(world)) == half + 1

    code, output = cli(world.url, "remediate", "--retry", "--json")
    assert code == 0, output
    outcomes = [r["outcome"] for r in rows(output)]
    assert sum("recorded" in o for o in outcomes) == BATCH - half - 1
    assert sum(o.startswith("done by the run before") for o in outcomes) == 1
    world.drive()

    assert sorted(redrives_of(world)) == sorted(str(r) for r in roots)
    for root in roots:
        [_, image] = world.family(root)[1:]
        assert world.load(Disk, UUID(image.parameters["disk_id"])).deleted
    job = world.load(Job, batches.batch_id("retry", roots))
    assert job.state is JobExecutionStatus.FINISHED
    steps = [world.load(Step, s) for s in job.step_ids]
    assert [s.state for s in steps] == [JobExecutionStatus.FINISHED] * BATCH
    head = world.position
    code, output = cli(world.url, "remediate", "--retry", "--json")
    assert code == 0
    assert all(r["plan"].startswith("skip: nothing left to redrive") for r in rows(output))
    assert world.position == head


def test_clear_is_idempotent(batch: tuple[Scenario, list[UUID]]) -> None:
    world, _ = batch
    first = rows(cli(world.url, "remediate", "--clear", "--user", "admin", "--json")[1])
    head = world.position
    again = rows(cli(world.url, "remediate", "--clear", "--json")[1])

    assert sum(r["outcome"] == "cleared" for r in first) == BATCH
    assert all("already cleared" in r["plan"] for r in again)
    assert world.position == head


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["redrive", str(UUID(int=3))], "no job or command"),
        (["cancel", str(UUID(int=3))], "no job or command"),
        (["remediate"], "give exactly one of --retry, --cancel, --clear"),
        (["remediate", "--retry", "--clear"], "give exactly one of --retry, --cancel, --clear"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_writes_nothing(
    batch: tuple[Scenario, list[UUID]], args: list[str], message: str
) -> None:
    world, _ = batch
    head = world.position

    code, output = cli(world.url, *args)

    assert code == 2
    assert output.strip().startswith("error: ")
    assert message in output
    assert world.position == head


def test_a_redrive_of_a_success_and_a_cancel_of_an_ended_job_are_refused(tmp_path: Path) -> None:
    world = Scenario(f"sqlite:///{tmp_path / 'ok.db'}")
    vm_id, _ = world.add_vm(world.add_pool(), disks=1)
    returned = world.remove_vm(vm_id)
    world.drive()
    head = world.position

    redrive = cli(world.url, "redrive", str(returned.command_id))
    cancel = cli(world.url, "cancel", str(returned.job_id))

    assert redrive == (
        2,
        f"error: RemoveVm {returned.command_id} succeeded; there is nothing to redrive\n",
    )
    assert cancel[0] == 2
    assert "has already ended (ENDED_SUCCESSFULLY)" in cancel[1]
    assert world.position == head


def test_cancel_of_a_job_stops_its_tasks_on_the_simulated_spm(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'cancel.db'}"
    monkeypatch.setenv("TASKTRAIL_SPM_TASK_SECONDS", "3600")
    monkeypatch.setenv("TASKTRAIL_POLL_INTERVAL", "0.01")
    runtime = build_runtime(Settings(db=url))
    pool = runtime.engine.run_action("AddEmptyStoragePool", {"name": "dc"}, user="admin")
    loop = runtime.loop()
    loop.run_until_idle()
    pool_id = pool.action_return_value["storage_pool_id"]
    vm = runtime.engine.run_action(
        "AddVm", {"name": "w", "storage_pool_id": pool_id, "disks": 2}, user="admin"
    )
    loop.run_until_idle()
    removing = runtime.engine.run_action(
        "RemoveVm", {"vm_id": vm.action_return_value["vm_id"]}, user="admin"
    )
    for _ in range(3):
        loop.step()
    assert len(runtime.spm.list_tasks()) == 2

    code, output = cli(url, "cancel", str(removing.job_id), "--user", "operator", "--json")

    assert code == 0, output
    assert "stop 2 storage task(s)" in json.loads(output)["plan"]
    assert runtime.spm.list_tasks() == []
    assert removing.command_id is not None
    assert runtime.store.load_any(removing.command_id).state is CommandStatus.ENDED_WITH_FAILURE
    vm_lock = runtime.store.load(EngineLock, lock_id("VM", UUID(vm.action_return_value["vm_id"])))
    assert vm_lock.state is LockState.FREE
    assert cli(url, "cancel", str(removing.job_id))[0] == 2
