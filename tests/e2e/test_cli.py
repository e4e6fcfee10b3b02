"""The CLI as a user runs it: every command, its --json shape and its exit code."""

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

from tasktrail.runners.cli import app


@pytest.fixture
def db(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """An empty SQLite file, then an empty PostgreSQL database: every test runs on both."""
    monkeypatch.setenv("TASKTRAIL_SPM_TASK_SECONDS", "0")
    monkeypatch.setenv("TASKTRAIL_POLL_INTERVAL", "0.01")
    return database_url


def cli(db: str, *args: str, code: int = 0) -> Any:
    result = CliRunner().invoke(app, ["--db", db, *args])
    assert result.exit_code == code, (result.stdout, result.stderr)
    return result


def as_json(db: str, *args: str, code: int = 0) -> Any:
    return json.loads(cli(db, *args, "--json", code=code).stdout)


def event_count(db: str) -> int:
    engine = sa.create_engine(db)
    try:
        with engine.connect() as connection:
            query = sa.text("select count(*) from tasktrail_events")
            return connection.execute(query).scalar() or 0
    finally:
        engine.dispose()


def test_demo_removes_a_vm_and_shows_the_finished_job(db: str) -> None:
    shown = as_json(db, "demo", "--disks", "2")
    steps = [s["step_type"] for s in shown["job"]["steps"]]
    assert shown["job"]["status"] == "FINISHED"
    assert steps == ["VALIDATING", "EXECUTING", "FINALIZING"]
    deletes = shown["job"]["steps"][1]["steps"]
    assert [s["step_type"] for s in deletes] == ["DELETE_IMAGE", "DELETE_IMAGE"]
    assert [[s["step_type"] for s in d["steps"]] for d in deletes] == [["FINALIZING"]] * 2


def test_demo_with_a_failing_disk_exits_1_with_the_job_failed(db: str) -> None:
    shown = as_json(db, "demo", "--disks", "2", "--fail-disk", "2", code=1)
    assert shown["job"]["status"] == "FAILED"
    assert "DELETE_IMAGE #1" in shown["job"]["reason"]  # numbered from 0, as oVirt's


def test_run_then_serve_moves_the_command_to_its_end(db: str) -> None:
    made = as_json(db, "vm", "add", "web1", "--disks", "2")
    assert set(made) == {"vm_id", "disk_ids", "storage_pool_id"}
    returned = as_json(
        db,
        "run",
        "RemoveVm",
        "--param",
        f"vm_id={made['vm_id']}",
        "--correlation-id",
        "c-1",
        "--user",
        "alice",
    )
    assert returned["valid"] is True
    assert [
        c["status"] for c in as_json(db, "commands") if c["command_id"] == returned["command_id"]
    ] == ["NOT_STARTED"]
    [waiting] = [b for b in as_json(db, "blocked") if b["id"] == returned["command_id"]]
    assert "serve" in waiting["waiting_on"][0]
    cli(db, "serve", "--until-idle", "--poll-interval", "0.05")

    jobs = {j["job_id"]: j for j in as_json(db, "jobs")}
    assert jobs[returned["job_id"]]["status"] == "FINISHED"
    job = as_json(db, "job", returned["job_id"])
    assert set(job["steps"][0]) >= {
        "id",
        "step_type",
        "status",
        "step_number",
        "parent_step_id",
        "description",
        "start_time",
        "end_time",
    }
    commands = [
        c for c in as_json(db, "commands") if c["root_command_id"] == returned["command_id"]
    ]
    assert {c["status"] for c in commands} == {"ENDED_SUCCESSFULLY"}
    assert set(commands[0]) >= {
        "command_id",
        "command_type",
        "status",
        "parent_command_id",
        "root_command_id",
        "job_id",
    }
    assert as_json(db, "tasks") == []
    assert as_json(db, "locks") == []
    lines = cli(db, "history", "--correlation-id", "c-1", "--json").stdout.splitlines()
    events = [json.loads(line) for line in lines]
    assert {e["user"] for e in events} == {"alice"}
    assert set(events[0]) == {
        "position",
        "timestamp",
        "aggregate_type",
        "aggregate_id",
        "event_type",
        "from_state",
        "to_state",
        "reason",
        "user",
        "correlation_id",
    }
    touching_vm = [
        json.loads(x)
        for x in cli(db, "history", "--entity", made["vm_id"], "--json").stdout.splitlines()
    ]
    assert {"Vm", "Command", "EngineLock"} <= {e["aggregate_type"] for e in touching_vm}


def test_run_wait_runs_here_and_reports_success(db: str) -> None:
    made = as_json(db, "vm", "add", "web1", "--disks", "1")
    returned = as_json(db, "run", "RemoveVm", "--param", f"vm_id={made['vm_id']}", "--wait")
    assert returned["succeeded"] is True


def test_run_wait_of_a_failing_action_exits_1_with_its_messages(db: str) -> None:
    made = as_json(db, "vm", "add", "web1", "--disks", "1")
    as_json(db, "spm", "fault", made["disk_ids"][0], "--on", "delete")
    returned = as_json(db, "run", "RemoveVm", "--param", f"vm_id={made['vm_id']}", "--wait", code=1)
    assert returned["valid"] is True
    assert returned["succeeded"] is False
    assert returned["execute_failed_messages"]


def test_vm_add_and_demo_finish_while_another_engine_serves(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Rounds here slower than the server's: the server ends most commands, this process sees it.
    monkeypatch.setenv("TASKTRAIL_POLL_INTERVAL", "0.5")
    server = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from tasktrail.runners.cli import main; main()",
            "--db",
            db,
            "serve",
        ],
        env={**os.environ, "TASKTRAIL_POLL_INTERVAL": "0.01", "TASKTRAIL_SPM_TASK_SECONDS": "0"},
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stderr is not None
        assert "serving" in server.stderr.readline()
        for _ in range(3):
            made = as_json(db, "vm", "add", "web1", "--disks", "1")
            waited = as_json(db, "run", "RemoveVm", "--param", f"vm_id={made['vm_id']}", "--wait")
            assert waited["succeeded"] is True
            assert as_json(db, "demo", "--disks", "2")["job"]["status"] == "FINISHED"
    finally:
        server.send_signal(signal.SIGTERM)
        stopped = server.wait(timeout=30)
    assert stopped == 0


def test_a_refused_action_exits_1_with_its_validation_message(db: str) -> None:
    returned = as_json(
        db, "run", "RemoveVm", "--param", "vm_id=6f1c1d3e-0000-4000-8000-000000000000", code=1
    )
    assert returned["valid"] is False
    assert returned["validation_messages"] == [
        "VAR__ACTION__REMOVE",
        "VAR__TYPE__VM",
        "ACTION_TYPE_FAILED_VM_NOT_FOUND",
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "RemoveVmPlease", "--param", "vm_id=x"], "unknown action 'RemoveVmPlease'"),
        (["run", "RemoveVm", "--param", "vm_id"], "malformed --param 'vm_id'"),
        (["run", "RemoveVm", "--param", "vm_id=nope"], "vm_id: Input should be a valid UUID"),
        (
            ["job", "6f1c1d3e-0000-4000-8000-000000000000"],
            "job 6f1c1d3e-0000-4000-8000-000000000000 not found",
        ),
        (["replay", "6f1c1d3e-0000-4000-8000-000000000000"], "no events for"),
        (
            ["spm", "fault", "6f1c1d3e-0000-4000-8000-000000000000", "--on", "delete"],
            "Disk 6f1c1d3e",
        ),
        (["history", "--since", "yesterday"], "Invalid isoformat string"),
        (
            ["run", "RemoveImage", "--param", "image_id=6f1c1d3e-0000-4000-8000-000000000000"],
            "RemoveImage is run only by its parent command",
        ),
        (["run", "RemoveAllVmImages"], "RemoveAllVmImages is run only by its parent command"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_writes_nothing(
    db: str, args: list[str], message: str
) -> None:
    made = as_json(db, "vm", "add", "web1")
    before = event_count(db)
    result = cli(db, *args, code=2)
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert event_count(db) == before
    assert made


def test_an_unknown_fault_kind_is_refused(db: str) -> None:
    made = as_json(db, "vm", "add", "web1")
    result = cli(db, "spm", "fault", made["disk_ids"][0], "--on", "melt", code=2)
    assert "unknown fault kind 'melt'" in result.stderr
    assert as_json(db, "spm", "fault", made["disk_ids"][0], "--on", "clear") == {
        "disk_id": made["disk_ids"][0],
        "fault": "clear",
    }


def test_a_bad_database_url_is_refused(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["--db", "mysql://nowhere/x", "jobs"])
    assert result.exit_code == 2
    assert "unsupported database 'mysql'" in result.stderr


def test_replay_gives_the_state_at_a_version_and_the_path_there(db: str) -> None:
    shown = as_json(db, "demo", "--disks", "1")
    root = shown["command_id"]
    at_two = as_json(db, "replay", root, "--version", "2")
    assert at_two["state"]["state"] == "ACTIVE"
    assert [p["to_state"] for p in at_two["path"]] == ["NOT_STARTED", "ACTIVE"]
    now = as_json(db, "replay", root)
    assert now["state"]["state"] == "ENDED_SUCCESSFULLY"
    job = as_json(db, "replay", shown["job"]["job_id"], "--at", shown["job"]["start_time"])
    assert job["tree"]["job"]["state"] == "STARTED"


def test_export_and_import_carry_a_failed_job_to_another_database(db: str, tmp_path: Path) -> None:
    shown = as_json(db, "demo", "--disks", "2", "--fail-disk", "1", code=1)
    bundle = tmp_path / "incident.json"
    cli(db, "export", shown["job"]["job_id"], str(bundle))
    copy = f"sqlite:///{tmp_path / 'copy.db'}"
    cli(copy, "import", str(bundle))

    imported = as_json(copy, "job", shown["job"]["job_id"])
    assert imported["status"] == "FAILED"
    assert imported["steps"] == shown["job"]["steps"]
    refused = cli(copy, "import", str(bundle), code=1).stderr
    assert refused == "error: this database holds events already: bundles go into empty ones\n"


def test_projections_status_rebuild_and_verify(db: str) -> None:
    as_json(db, "demo", "--disks", "1")
    [state] = as_json(db, "projections", "status")
    assert state["lag"] == 0
    assert as_json(db, "projections", "rebuild")["rebuilt"] == state["head"]
    assert as_json(db, "projections", "verify") == {"drift": []}
    engine = sa.create_engine(db)
    with engine.begin() as connection:
        connection.execute(sa.text("update job set status = 'STARTED'"))
    engine.dispose()
    drift = as_json(db, "projections", "verify", code=1)["drift"]
    assert {d["column"] for d in drift} == {"status"}
    assert all(UUID(d["key"]) for d in drift)
