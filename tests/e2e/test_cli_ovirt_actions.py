"""The CLI's oVirt action runners: external jobs and steps, and run-multiple."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.test_cli import as_json, cli, event_count


@pytest.fixture
def db(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("TASKTRAIL_SPM_TASK_SECONDS", "0")
    monkeypatch.setenv("TASKTRAIL_POLL_INTERVAL", "0.01")
    return database_url


def test_an_external_job_with_nested_steps_is_reported_ended_and_cleared(db: str) -> None:
    job = as_json(db, "external", "add-job", "nightly backup")["action_return_value"]
    step = as_json(db, "external", "add-step", job, "copy")["action_return_value"]
    nested = as_json(db, "external", "add-step", step, "verify", "--type", "VALIDATING")
    as_json(db, "external", "end-step", nested["action_return_value"])
    as_json(db, "external", "end-job", job, "--force")

    shown = as_json(db, "job", job)
    assert (shown["status"], shown["description"]) == ("FINISHED", "nightly backup")
    [copy] = shown["steps"]
    assert [s["step_type"] for s in copy["steps"]] == ["VALIDATING"]
    assert {copy["status"], copy["steps"][0]["status"]} == {"FINISHED"}


def test_a_refused_external_action_exits_1_with_ovirts_messages(db: str) -> None:
    refused = as_json(db, "external", "clear-job", "6f1c1d3e-0000-4000-8000-000000000000", code=1)
    assert refused["validation_messages"] == [
        "ACTION_TYPE_NO_JOB",
        "VAR__ACTION__CLEAR",
        "VAR__TYPE__EXTERNAL_JOB",
    ]


def test_run_multiple_waits_for_each_result_and_exits_1_if_any_was_refused(
    db: str, tmp_path: Path
) -> None:
    made = [as_json(db, "vm", "add", f"web{i}")["vm_id"] for i in range(2)]
    entries = [{"vm_id": v} for v in made] + [{"vm_id": "6f1c1d3e-0000-4000-8000-000000000000"}]
    params = tmp_path / "params.json"
    params.write_text(json.dumps(entries))

    answers = as_json(
        db, "run-multiple", "RemoveVm", "--params-file", str(params), "--wait-for-result", code=1
    )
    assert [(a["valid"], a["succeeded"]) for a in answers] == [
        (True, True),
        (True, True),
        (False, False),
    ]


def test_run_multiple_only_if_all_valid_runs_none(db: str, tmp_path: Path) -> None:
    made = as_json(db, "vm", "add", "web1")["vm_id"]
    params = tmp_path / "params.json"
    params.write_text(json.dumps([{"vm_id": made}, {"vm_id": "not-a-vm"}]))
    cli(db, "run-multiple", "RemoveVm", "--params-file", str(params), code=2)
    params.write_text(
        json.dumps([{"vm_id": made}, {"vm_id": "6f1c1d3e-0000-4000-8000-000000000000"}])
    )
    answers = as_json(
        db,
        "run-multiple",
        "RemoveVm",
        "--params-file",
        str(params),
        "--only-if-all-valid",
        "--wait-for-result",
        code=1,
    )
    assert [a["valid"] for a in answers] == [True, False]
    assert answers[0]["execute_failed_messages"] == ["ACTION_TYPE_FAILED_NOT_ALL_COMMANDS_VALID"]
    assert as_json(db, "replay", made)["state"]["state"] == "Down"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not a readable JSON file"),
        ('{"vm_id": "x"}', "expected a JSON list of parameter objects"),
        ("[]", "the list is empty"),
    ],
)
def test_a_bad_params_file_is_one_line_exit_2_and_writes_nothing(
    db: str, tmp_path: Path, content: str, message: str
) -> None:
    as_json(db, "vm", "add", "web1")
    params = tmp_path / "params.json"
    params.write_text(content)
    before = event_count(db)
    result = cli(db, "run-multiple", "RemoveVm", "--params-file", str(params), code=2)
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert event_count(db) == before


def test_external_commands_say_what_they_did_with_ids_pasted_back(db: str) -> None:
    said = cli(db, "external", "add-job", "nightly backup").stdout.split()
    assert said[:3] == ["started", "external", "job"]
    job = said[3]
    assert len(job) == 8
    step = cli(db, "external", "add-step", job, "copy").stdout.split()
    assert step[:3] + step[4:] == ["started", "external", "step", "under", job]
    ended = cli(db, "external", "end-step", step[3], "--failed").stdout
    assert ended.strip() == f"ended external step {step[3]} FAILED"
    assert cli(db, "external", "end-job", job).stdout.strip() == (
        f"ended external job {job}: it is FAILED"
    )
    assert "{" not in cli(db, "external", "clear-job", job).stdout
    assert as_json(db, "job", job)["status"] == "FAILED"


def test_a_refused_external_action_is_a_sentence_in_text(db: str) -> None:
    refused = cli(db, "external", "clear-job", "6f1c1d3e-0000-4000-8000-000000000000", code=1)
    assert (
        refused.stdout.strip()
        == "ClearExternalJob refused: Cannot clear external job. No such job."
    )


def test_run_multiple_prints_a_table_of_entries_and_keeps_json(db: str, tmp_path: Path) -> None:
    made = as_json(db, "vm", "add", "web1")["vm_id"]
    params = tmp_path / "params.json"
    entries = [{"vm_id": made}, {"vm_id": "6f1c1d3e-0000-4000-8000-000000000000"}]
    params.write_text(json.dumps(entries))
    shown = cli(db, "run-multiple", "RemoveVm", "--params-file", str(params), code=1).stdout
    lines = shown.splitlines()
    assert lines[0].split() == ["entry", "state", "command", "job", "message", "result"]
    assert lines[1].split()[:2] == ["1", "NOT_STARTED"]
    assert lines[2].split()[:2] == ["2", "ENDED_WITH_FAILURE"]
    assert "Cannot remove VM. VM not found." in " ".join(shown.split())
    assert "1 NOT_STARTED, 1 ENDED_WITH_FAILURE" in shown
    assert "`tasktrail serve` runs the queued ones" in shown
    assert "{" not in shown
    queued, job = lines[1].split()[2:4]
    assert any(c["command_id"].startswith(queued) for c in as_json(db, "commands"))
    assert as_json(db, "job", job)["action_type"] == "RemoveVm"
    answers = as_json(db, "run-multiple", "RemoveVm", "--params-file", str(params), code=1)
    assert [(a["entry"], a["valid"], a["succeeded"]) for a in answers] == [
        (1, False, False),
        (2, False, False),
    ]
