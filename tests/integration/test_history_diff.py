"""``tasktrail diff A B``: two runs aligned by role and event order, and where they part."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from typer.testing import CliRunner

from tasktrail.runners.cli import build_app
from tests.scenario import Scenario

HISTORIES = Path(__file__).resolve().parent.parent / "histories"
SUCCESS = str(HISTORIES / "remove_vm_success.v2.json")
FAILURE = str(HISTORIES / "remove_vm_storage_failure.v2.json")
DISK_2 = "RemoveVm/RemoveImage#2[vm#1/disk#2]/DELETE_IMAGE"


def diff(*args: str) -> tuple[int, Any]:
    result = CliRunner().invoke(build_app(), ["diff", *args, "--json"])
    return result.exit_code, json.loads(result.output) if result.exit_code == 0 else result.output


def test_a_failed_and_a_successful_remove_vm_part_at_the_delete_image_step_of_disk_2() -> None:
    code, body = diff(SUCCESS, FAILURE)

    assert code == 0
    divergence = body["divergence"]
    assert divergence["role"].startswith(DISK_2)
    assert divergence["left"]["detail"]["result"] == "success"
    assert divergence["right"]["detail"]["result"] == "failure"
    differing = [r["role"] for r in body["events"] if not r["same"]]
    assert f"{DISK_2}" in differing
    assert "job" in differing
    assert "RemoveVm/RemoveImage#1[vm#1/disk#1]" not in differing


def test_a_run_and_itself_do_not_diverge() -> None:
    code, body = diff(FAILURE, FAILURE)

    assert code == 0
    assert body["divergence"] is None
    assert all(r["same"] for r in body["events"])


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, UUID, UUID]:
    """Two RemoveVm of two VMs in one database: the second fails on its second disk."""
    url = f"sqlite:///{tmp_path_factory.mktemp('two') / 'two.db'}"
    world = Scenario(url)
    pool = world.add_pool()
    first, _ = world.add_vm(pool, disks=2, name="alpha")
    second, disks = world.add_vm(pool, disks=2, name="beta")
    world.spm.fail_delete.add(disks[1])  # type: ignore[attr-defined]
    ok, failed = world.remove_vm(first), world.remove_vm(second)
    world.drive()
    assert ok.job_id is not None
    assert failed.command_id is not None
    return url, ok.job_id, failed.command_id


def test_runs_in_a_database_are_aligned_by_role_whatever_their_ids(
    two_runs: tuple[str, UUID, UUID],
) -> None:
    url, job_id, command_id = two_runs
    result = CliRunner().invoke(build_app(), ["--db", url, "diff", str(job_id), str(command_id)])

    assert result.exit_code == 0, result.output
    last = result.output.strip().splitlines()[-1]
    assert last.startswith(f"first divergence: {DISK_2}/task#0")


def test_an_unknown_run_is_one_line_and_exit_2(two_runs: tuple[str, UUID, UUID]) -> None:
    url, job_id, _ = two_runs
    result = CliRunner().invoke(build_app(), ["--db", url, "diff", str(job_id), str(UUID(int=1))])

    assert result.exit_code == 2
    assert result.output.strip() == f"error: no job or command {UUID(int=1)}"
