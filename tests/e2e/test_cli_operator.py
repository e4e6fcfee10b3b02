"""The CLI an operator lives in, at 80 columns: tables that fit, id prefixes pasted from one
command into the next, whole dates, one failure story, checked filters, faults, doctor.

One SQLite database holds the failing-disk scenario (``demo --disks 3 --fail-disk 2``, run as
a user would, in text); every test reads it in-process.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tasktrail.runners.cli import app

ENV = {"COLUMNS": "80", "TASKTRAIL_SPM_TASK_SECONDS": "0", "TASKTRAIL_POLL_INTERVAL": "0.01"}
TEXT_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)")
JSON_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")
UUID_TEXT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def tt(db: str, *args: str, code: int = 0) -> str:
    result = CliRunner().invoke(app, ["--db", db, *args], env=ENV)
    assert result.exit_code == code, (args, result.stdout, result.stderr)
    return result.stdout if code != 2 else result.stderr


def as_json(db: str, *args: str, code: int = 0) -> Any:
    return json.loads(tt(db, *args, "--json", code=code))


def fits(text: str) -> list[str]:
    lines = text.splitlines()
    assert lines
    assert all(len(line.rstrip()) <= 80 for line in lines), text
    return lines


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The failing-disk demo, in text; its hints and the ids it made."""
    db = f"sqlite:///{tmp_path_factory.mktemp('operator') / 'tasktrail.db'}"
    shown = tt(db, "demo", "--disks", "3", "--fail-disk", "2", code=1)
    hints = [line.strip() for line in shown.split("Where to look next:")[1].splitlines()]
    [job] = [j for j in as_json(db, "jobs") if j["action_type"] == "RemoveVm"]
    return {"db": db, "shown": shown, "hints": [h for h in hints if h], "job": job}


def row_of(table: str, needle: str) -> list[str]:
    [line] = [line for line in table.splitlines() if needle in line]
    return line.split()


def test_demo_prints_the_final_tree_once_and_pasteable_hints(story: dict[str, Any]) -> None:
    assert story["shown"].count("Removing VM") == 1
    assert all(h.startswith("tasktrail ") for h in story["hints"])
    fits("\n".join(story["hints"]))
    for hint in story["hints"][:5]:
        assert tt(story["db"], *hint.split()[1:])


def test_every_table_fits_80_columns_with_whole_dates(story: dict[str, Any]) -> None:
    db = story["db"]
    for command in (
        ["jobs"],
        ["commands"],
        ["failed"],
        ["history", "--to-state", "FAILED"],
        ["vm", "list"],
        ["disk", "list"],
        ["pool", "list"],
        ["projections", "status"],
    ):
        fits(tt(db, *command))
    assert TEXT_TIME.search(tt(db, "jobs"))
    assert TEXT_TIME.search(tt(db, "history", "--limit", "3"))


def test_a_prefix_from_jobs_is_accepted_by_job_why_replay_and_export(
    story: dict[str, Any], tmp_path: Path
) -> None:
    db = story["db"]
    prefix, status, action, started, *_ = row_of(tt(db, "jobs"), "RemoveVm")
    assert (status, action) == ("FAILED", "RemoveVm")
    assert story["job"]["job_id"].startswith(prefix)
    assert len(prefix) >= 8
    assert "DELETE_IMAGE  FAILED" in "\n".join(fits(tt(db, "job", prefix)))
    replayed = tt(db, "replay", prefix, "--at", started)
    assert "step_ids" not in replayed
    assert "DELETE_IMAGE" in replayed
    tt(db, "export", prefix, str(tmp_path / "incident.json"))
    assert json.loads((tmp_path / "incident.json").read_text())


def test_wide_and_json_show_whole_ids_and_one_time_format(story: dict[str, Any]) -> None:
    db = story["db"]
    assert story["job"]["job_id"] in tt(db, "jobs", "--wide")
    assert story["job"]["job_id"] not in tt(db, "jobs")
    assert JSON_TIME.fullmatch(story["job"]["start_time"])
    event = json.loads(tt(db, "history", "--limit", "1", "--json"))
    assert JSON_TIME.fullmatch(event["timestamp"])
    told = as_json(db, "why", story["job"]["job_id"])
    assert JSON_TIME.fullmatch(told["root"]["created_at"])


def test_why_tells_the_whole_failure_story_in_one_screen(story: dict[str, Any]) -> None:
    db = story["db"]
    told = tt(db, "why", story["job"]["job_id"][:8])
    lines = fits(told)
    assert len(lines) <= 45
    assert lines[0].startswith("RemoveVm(")
    assert "asked by admin" in lines[1]
    for part in (
        "1. DELETE_IMAGE  FAILED  Deleting Image  (Image deletion failed)",
        "What failed",
        "IRS_IMAGE_DELETE_FAILED: Image deletion failed",
        "result failure: Image deletion failed",
        "=> VM removed, disks 1, 3 removed, disk 2 left ILLEGAL",
        "What to do next",
        "is ILLEGAL",
    ):
        assert part in told, part
    vm = as_json(db, "why", story["job"]["job_id"])["entities"][0]["id"]
    assert tt(db, "why", vm).splitlines()[:2] == lines[:2]


def test_failed_shows_the_job_and_the_disk(story: dict[str, Any]) -> None:
    db = story["db"]
    [failed] = as_json(db, "failed")
    [disk] = as_json(db, "disk", "list")
    assert failed["job_id"] == story["job"]["job_id"]
    assert (failed["disk"], disk["status"]) == (disk["disk_id"], "ILLEGAL")
    assert failed["error"] == "Image deletion failed"
    assert disk["disk_id"][:8] in tt(db, "failed")


def test_history_of_a_disk_is_its_own_events_unless_the_family_is_asked(
    story: dict[str, Any],
) -> None:
    db = story["db"]
    [disk] = as_json(db, "disk", "list")
    lines = tt(db, "history", "--entity", disk["disk_id"][:8], "--json").splitlines()
    own = [json.loads(line) for line in lines]
    family = tt(db, "history", "--entity", disk["disk_id"], "--family", "--json").splitlines()
    assert {e["aggregate_type"] for e in own} >= {"Disk", "AsyncTask"}
    assert "Job" not in {e["aggregate_type"] for e in own}
    assert len(own) < len(family)
    reasons = {(e["event_type"], e["reason"]) for e in own if e["reason"]}
    assert ("EndedWithFailure", "IRS_IMAGE_DELETE_FAILED: Image deletion failed") in reasons


def test_filters_ignore_case_and_refuse_unknown_values(story: dict[str, Any]) -> None:
    db = story["db"]
    lower = tt(db, "history", "--to-state", "failed", "--json")
    assert lower
    assert lower == tt(db, "history", "--to-state", "FAILED", "--json")
    assert tt(db, "history", "--action-type", "removevm", "--json")
    assert [j["status"] for j in as_json(db, "jobs", "--status", "failed")] == ["FAILED"]
    for args, valid in (
        (["jobs", "--status", "BOGUS"], "ABORTED, FAILED, FINISHED, STARTED, UNKNOWN"),
        (["history", "--to-state", "nope"], "ENDED_WITH_FAILURE"),
        (["history", "--action-type", "RemoveEverything"], "RemoveVm"),
    ):
        error = tt(db, *args, code=2)
        assert valid in error
        assert len(error.strip().splitlines()) == 1


def test_blocked_and_locks_print_tables_not_reprs(story: dict[str, Any]) -> None:
    db = story["db"]
    assert "['" not in tt(db, "blocked") + tt(db, "locks")


def test_an_unknown_or_short_prefix_is_one_line_exit_2(story: dict[str, Any]) -> None:
    db = story["db"]
    assert "no id starts with 'ffffffff0'" in tt(db, "job", "ffffffff0", code=2)
    assert "too short" in tt(db, "why", "abc", code=2)
    assert "not an id" in tt(db, "replay", "zz-top", code=2)


def test_an_ambiguous_prefix_is_one_line_exit_2(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'twins.db'}"
    tt(db, "vm", "add", "seed", "--disks", "0")
    [pool] = as_json(db, "pool", "list")
    for last in "12":
        vm = f"abcd1234-0000-4000-8000-00000000000{last}"
        params = ["--param", f"vm_id={vm}", "--param", f"storage_pool_id={pool['pool_id']}"]
        tt(db, "run", "AddVm", "--param", f"name=twin{last}", *params, "--wait")
    error = tt(db, "why", "abcd1234", code=2)
    assert "ambiguous" in error
    assert len(error.strip().splitlines()) == 1
    assert "abcd1234-0000-4000-8000-000000000002" in tt(db, "vm", "list")
    assert "twin2" in tt(db, "why", "abcd1234-0000-4000-8000-000000000002")


def test_run_says_what_it_did_and_its_job_is_found_at_once(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'run.db'}"
    vm = as_json(db, "vm", "add", "web1")["vm_id"]
    queued = as_json(db, "run", "RemoveVm", "--param", f"vm_id={vm}")
    assert (queued["state"], queued["succeeded"], queued["message"]) == ("NOT_STARTED", None, None)
    assert as_json(db, "job", queued["job_id"])["status"] == "STARTED"
    refused = tt(db, "run", "RemoveVm", "--param", f"vm_id={vm}", code=1)
    assert "Related operation is currently in progress" in refused
    assert "$" not in refused
    assert "VAR__" not in refused
    again = as_json(db, "run", "RemoveVm", "--param", f"vm_id={vm}", code=1)
    assert again["message"] == refused.split(": ", 1)[1].strip()


def test_spm_faults_are_armed_listed_and_cleared(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'faults.db'}"
    disk = as_json(db, "vm", "add", "web1")["disk_ids"][0]
    tt(db, "spm", "fault", disk[:8], "--on", "delete")
    tt(db, "spm", "fault", "arm", disk, "--on", "poll")
    assert {f["fault"] for f in as_json(db, "spm", "fault", "list")} == {"delete", "poll"}
    assert as_json(db, "spm", "fault", "clear", disk, "--on", "POLL") == {"cleared": 1}
    assert as_json(db, "spm", "fault", "clear") == {"cleared": 1}
    assert tt(db, "spm", "fault", "list").strip() == "no faults"


def test_version_short_help_and_doctor(story: dict[str, Any], tmp_path: Path) -> None:
    assert tt(story["db"], "--version").startswith("tasktrail ")
    assert "Usage" in tt(story["db"], "-h") + tt(story["db"], "why", "-h")
    checks = {c["check"]: c["result"] for c in as_json(story["db"], "doctor")}
    assert checks == {"database": "ok", "read model": "ok", "engines": "ok", "in flight": "ok"}
    empty = f"sqlite:///{tmp_path / 'empty.db'}"
    assert "schema empty" in tt(empty, "doctor", code=1)
