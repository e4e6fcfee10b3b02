"""What-if replay: today's code on a recorded run's inputs, in memory, compared role by role."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from typer.testing import CliRunner

from tasktrail.domain.actions.action_type import ActionType
from tasktrail.domain.actions.registry import ACTION_TYPES
from tasktrail.domain.actions.remove_image import RemoveImageCommand
from tasktrail.domain.actions.remove_vm import RemoveVmCommand
from tasktrail.domain.model.async_task.machine import AsyncTaskType
from tasktrail.domain.model.command.aggregate import Command
from tasktrail.domain.model.events import Cause
from tasktrail.domain.model.inventory.vm import Vm
from tasktrail.domain.model.step.machine import StepEnum
from tasktrail.domain.services.command_base import ActionRegistry
from tasktrail.domain.services.execution import Execution
from tasktrail.domain.services.ports import UnitOfWork
from tasktrail.runners.bundle import export_job
from tasktrail.runners.cli import build_app
from tasktrail.runners.histories import History, from_database, from_file
from tasktrail.runners.what_if import what_if
from tests.scenario import Scenario

HISTORIES = Path(__file__).resolve().parent.parent / "histories"
RECORDED = sorted(p.name for p in HISTORIES.glob("remove_vm_*.v2.json"))


def registry_with(**replaced: type[Any]) -> ActionRegistry:
    """Today's actions with some classes replaced by test doubles (a changed decision)."""
    return ActionRegistry({**ACTION_TYPES, **{ActionType[k]: v for k, v in replaced.items()}})


class KeepsDisksLocked(RemoveImageCommand):
    """A changed end action: a failed image deletion leaves its disk LOCKED, not ILLEGAL."""

    def end_with_failure(self, uow: UnitOfWork, command: Command, cause: Cause) -> None:
        return None


class RemovesRunningVms(RemoveVmCommand):
    """A relaxed validation: a running VM may be removed."""

    def _status(self, uow: UnitOfWork, vm: Vm, lookups: Any) -> list[str]:
        return []


@pytest.mark.parametrize("name", RECORDED)
def test_every_recorded_history_replays_identically_with_todays_code(name: str) -> None:
    result = what_if(from_file(HISTORIES / name))

    assert result.identical, (result.divergence, result.gap)
    assert len(result.replayed) == len(result.recorded) > 80


def test_a_changed_end_action_is_reported_at_the_disk_it_no_longer_marks_illegal() -> None:
    history = from_file(HISTORIES / "remove_vm_storage_failure.v2.json")

    result = what_if(history, registry_with(REMOVE_IMAGE=KeepsDisksLocked))

    assert result.gap is None
    divergence = result.divergence
    assert divergence is not None
    assert (divergence.role, divergence.index) == ("vm#1/disk#2", 1)
    assert divergence.left is None
    assert divergence.right is not None
    assert divergence.right.event == "Disk.MarkedIllegal"


@pytest.fixture(scope="module")
def refused(tmp_path_factory: pytest.TempPathFactory) -> History:
    """A RemoveVm refused because its VM runs, as a bundle."""
    folder = tmp_path_factory.mktemp("refused")
    world = Scenario(f"sqlite:///{folder / 'refused.db'}")
    vm_id, _ = world.add_vm(world.add_pool(), disks=2, status="Up")
    returned = world.remove_vm(vm_id)
    assert not returned.valid
    assert returned.job_id is not None
    world.drive()
    export_job(world.read_model, returned.job_id, folder / "refused.json")
    return from_file(folder / "refused.json")


def test_a_relaxed_validation_diverges_at_the_validation_decision(refused: History) -> None:
    assert what_if(refused).identical

    result = what_if(refused, registry_with(REMOVE_VM=RemovesRunningVms))

    divergence = result.divergence
    assert divergence is not None
    # Validation passing is first seen as the VM lock taken, which the recorded run never took.
    assert (divergence.role, divergence.index, divergence.right) == ("lock:VM:vm#1", 0, None)
    assert divergence.left is not None
    assert divergence.left.event.endswith("Acquired")
    rows = {(r["role"], r["event_number"]): r for r in result.as_dict()["events"]}
    assert rows["job/VALIDATING#0", 2]["left"] == "Step.Finished → FINISHED"
    assert rows["job/VALIDATING#0", 2]["right"] == "Step.Failed → FAILED"
    assert rows["RemoveVm", 2]["left"] == "Command.Activated → ACTIVE"
    assert rows["RemoveVm", 2]["right"] == "Command.ValidationFailed → ENDED_WITH_FAILURE"


class CopiesBeforeDeleting(RemoveImageCommand):
    """New code that asks the storage for something the recorded run never asked."""

    storage_tasks = 2

    def execute(self, run: Execution) -> Any:
        run.start_storage_task(
            index=1,
            storage_pool_id=self.params.storage_pool_id,
            task_type=AsyncTaskType.COPY_IMAGE,
            step_type=StepEnum.DELETE_IMAGE,
            entity_id=self.params.disk_id,
            description="Copying Image",
        )
        return super().execute(run)


def test_an_input_the_recording_does_not_hold_is_reported_not_guessed() -> None:
    history = from_file(HISTORIES / "remove_vm_success.v2.json")

    result = what_if(history, registry_with(REMOVE_IMAGE=CopiesBeforeDeleting))

    assert result.gap is not None
    assert result.gap.startswith("no recorded answer for submitting copyImage on ")
    assert not result.identical


def test_a_run_read_from_the_database_replays_identically_and_writes_nothing(
    tmp_path: Path,
) -> None:
    world = Scenario(f"sqlite:///{tmp_path / 'run.db'}")
    vm_id, disk_ids = world.add_vm(world.add_pool(), disks=2)
    world.spm.fail_delete.add(disk_ids[0])  # type: ignore[attr-defined]
    root = world.remove_vm(vm_id).command_id
    assert root is not None
    world.drive()
    world.read_model.catch_up()
    head = world.position

    result = what_if(from_database(world.store, world.read_model, root))

    assert result.identical, result.divergence
    assert world.position == head


def test_replay_check_passes_on_the_projects_recorded_histories() -> None:
    """``make test`` runs this: every recorded run replays alike through today's code."""
    args = ["replay", "--check", str(HISTORIES), "--pattern", "remove_vm_*.v2.json", "--json"]
    result = CliRunner().invoke(build_app(), args)

    assert result.exit_code == 0, result.output
    assert '"SAME"' in result.output
    assert "DIVERGED" not in result.output


def test_replay_check_fails_on_a_history_recorded_by_older_code() -> None:
    args = ["replay", "--check", str(HISTORIES), "--pattern", "remove_vm_success.v1.json"]
    result = CliRunner().invoke(build_app(), args)

    assert result.exit_code == 1
    assert "DIVERGED" in result.output


def test_replay_check_fails_on_an_event_todays_code_cannot_read(tmp_path: Path) -> None:
    body = json.loads((HISTORIES / "remove_vm_success.v2.json").read_text())
    body["events"][5]["topic"] = "Command.Teleported"
    (tmp_path / "renamed.json").write_text(json.dumps(body))

    result = CliRunner().invoke(build_app(), ["replay", "--check", str(tmp_path), "--json"])

    assert result.exit_code == 1
    [row] = json.loads(result.output)
    assert row["outcome"] == "UNREADABLE"
    assert "Command.Teleported" in row["why"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["replay", "--what-if", "no-such-thing"], "neither a job or command id nor a file"),
        (["replay", "--what-if", str(UUID(int=7))], "no job or command"),
        (["replay", "--check", "/nonexistent"], "is not a directory"),
        (["replay"], "give an ID, --what-if or --check"),
    ],
)
def test_bad_what_if_input_is_one_line_and_exit_2(
    tmp_path: Path, args: list[str], message: str
) -> None:
    db = ["--db", Scenario(f"sqlite:///{tmp_path / 'empty.db'}").url]
    result = CliRunner().invoke(build_app(), db + args)

    assert result.exit_code == 2
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_a_bundle_from_a_newer_format_is_refused(tmp_path: Path) -> None:
    newer = tmp_path / "newer.json"
    newer.write_text('{"format": "tasktrail-bundle/9", "job_id": "x", "events": []}')

    result = CliRunner().invoke(build_app(), ["replay", "--what-if", str(newer)])

    assert result.exit_code == 2
    assert "format" in result.output
    assert "tasktrail-bundle/2" in result.output
