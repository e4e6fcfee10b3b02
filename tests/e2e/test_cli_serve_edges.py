"""``serve`` and ``demo`` at their edges: log lines, a failed job's exit code, Ctrl-C."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from tasktrail.runners.cli import app
from tasktrail.runners.cli.failures import guarded

TASKTRAIL = str(Path(sys.executable).parent / "tasktrail")


@pytest.fixture
def fast(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    monkeypatch.setenv("TASKTRAIL_SPM_TASK_SECONDS", "0")
    monkeypatch.setenv("TASKTRAIL_POLL_INTERVAL", "0.01")
    return f"sqlite:///{tmp_path / 'serve.db'}"


def out_of(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert guarded(app, list(argv)) == 0
    return capsys.readouterr().out


def test_until_idle_exits_1_naming_a_job_that_failed_and_logs_json_lines(
    fast: str, capsys: pytest.CaptureFixture[str]
) -> None:
    made = json.loads(out_of(capsys, "--db", fast, "vm", "add", "web1", "--disks", "2", "--json"))
    out_of(capsys, "--db", fast, "spm", "fault", made["disk_ids"][1], "--on", "delete")
    removal = out_of(
        capsys, "--db", fast, "run", "RemoveVm", "--param", f"vm_id={made['vm_id']}", "--json"
    )
    job_id = json.loads(removal)["job_id"]
    argv = ["--db", fast, "serve", "--until-idle", "--log-format", "json", "--log-level", "debug"]
    assert guarded(app, argv) == 1
    *logged, last = capsys.readouterr().err.splitlines()
    assert last == f"error: 1 job(s) ended FAILED: {job_id}"
    lines = [json.loads(line) for line in logged]
    assert {"time", "level", "logger", "message"} <= set(lines[0])
    assert any(line["message"].startswith("serving sqlite:") for line in lines)
    assert guarded(app, ["--db", fast, "serve", "--until-idle", "--log-level", "error"]) == 0
    assert capsys.readouterr().err == ""


def test_ctrl_c_in_demo_says_what_is_left_and_serve_finishes_it(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    env = {**os.environ, "TASKTRAIL_DB": url, "TASKTRAIL_SPM_TASK_SECONDS": "3"}
    demo = subprocess.Popen(
        [TASKTRAIL, "demo", "--disks", "1", "--json"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    _wait_for_a_storage_task(tmp_path / "demo.db", demo)
    demo.send_signal(signal.SIGINT)
    out, err = demo.communicate(timeout=60)
    assert demo.returncode == 130, err
    assert out == ""
    assert err.count("\n") == 1, err
    assert "is left STARTED; `tasktrail serve --until-idle` carries it to its end" in err
    env["TASKTRAIL_SPM_TASK_SECONDS"] = "0"
    env["TASKTRAIL_POLL_INTERVAL"] = "0.01"
    served = subprocess.run(
        [TASKTRAIL, "serve", "--until-idle", "--log-level", "warning"],
        env={**env, "TASKTRAIL_CALLBACK_INITIAL": "0.05"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert served.returncode == 0, served.stderr
    jobs = subprocess.run(
        [TASKTRAIL, "jobs", "--json"], env=env, capture_output=True, text=True, check=True
    )
    assert {j["status"] for j in json.loads(jobs.stdout)} == {"FINISHED"}


def _wait_for_a_storage_task(path: Path, demo: subprocess.Popen[str]) -> None:
    """Until the demo's RemoveVm has handed a task to the (slow) storage."""
    engine = sa.create_engine(f"sqlite:///{path}")
    query = sa.text("select count(*) from spm_tasks")
    try:
        for _ in range(1200):
            assert demo.poll() is None, demo.communicate()
            try:
                with engine.connect() as connection:
                    if connection.execute(query).scalar():
                        return
            except sa.exc.OperationalError:
                pass
            time.sleep(0.05)
        pytest.fail("the demo never handed a task to the storage")
    finally:
        engine.dispose()
