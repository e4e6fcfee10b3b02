"""Every listing at 80 columns (``COLUMNS=80``): nothing cut, whole dates, states shown, and every
id prefix one command prints accepted by the next.

One SQLite database holds a bit of everything a table can list: the failing-disk demo (a FAILED
job, an ILLEGAL disk), a VM with two disks, a fault armed on one of them, a RemoveVm of that VM
queued for an engine (so something is blocked and a lock is held), another RemoveVm waiting on
a storage task, an external job and an API user. No test runs an engine on it (what is queued
stays queued), so the tests may run in any order.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tasktrail.projections import queries
from tasktrail.runners.bootstrap import Runtime, build_runtime
from tasktrail.runners.cli import app
from tasktrail.runners.cli.failures import guarded
from tasktrail.runners.cli.render import plain
from tasktrail.runners.cli.tables import typed
from tasktrail.runners.settings import Settings

ENV = {"COLUMNS": "80", "TASKTRAIL_SPM_TASK_SECONDS": "0", "TASKTRAIL_POLL_INTERVAL": "0.01"}
DATE = re.compile(r"\d{4}-\d\d-\d\d")
JSON_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")
TEXT_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)")
WHOLE_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
PREFIX = re.compile(r"(?<![\w-])[0-9a-f]{8}(?:-[0-9a-f]+)*(?![\w-])")
"""An id as a table shows it: its first 8 digits or more (whole with --wide)."""


def tt(db: str, *args: str, code: int = 0, given: str | None = None) -> str:
    result = CliRunner().invoke(app, ["--db", db, *args], env=ENV, input=given)
    assert result.exit_code == code, (args, result.stdout, result.stderr)
    return result.stdout


def as_json(db: str, *args: str, code: int = 0) -> Any:
    return json.loads(tt(db, *args, "--json", code=code))


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The database, and the ids of what was made in it."""
    folder = tmp_path_factory.mktemp("columns")
    db = f"sqlite:///{folder / 'tasktrail.db'}"
    tt(db, "demo", "--disks", "3", "--fail-disk", "2", code=1)
    web = as_json(db, "vm", "add", "web1", "--disks", "2")
    tt(db, "external", "add-job", "nightly backup of every database in the data center")
    tt(db, "user", "add", "alice", "--role", "operator", "--password-stdin", given="pw\n")
    _with_a_storage_task_running(db)
    tt(db, "spm", "fault", web["disk_ids"][0], "--on", "delete")
    tt(db, "run", "RemoveVm", "--param", f"vm_id={web['vm_id']}")
    params = folder / "params.json"
    unknown = "6f1c1d3e-0000-4000-8000-000000000000"
    params.write_text(json.dumps([{"vm_id": web["vm_id"]}, {"vm_id": unknown}]))
    return {"db": db, "web": web, "params": str(params)}


def _with_a_storage_task_running(db: str) -> None:
    """A RemoveVm whose disk's deletion the storage takes an hour to finish, begun by a few
    rounds of an engine here (a ``tasks`` row, and something blocked on it)."""
    vm = as_json(db, "vm", "add", "db1")["vm_id"]
    tt(db, "run", "RemoveVm", "--param", f"vm_id={vm}")
    runtime = build_runtime(Settings(db=db, spm_task_seconds=3600))
    loop = runtime.loop(runtime.shared_leases())
    try:
        while not _tasks(runtime):
            loop.step()
    finally:
        loop.leases.close()
        runtime.database.dispose()


def _tasks(runtime: Runtime) -> list[Any]:
    runtime.refresh()
    return queries.tasks(runtime.read_model)


LISTINGS = [
    ["jobs"],
    ["failed"],
    ["history"],
    ["history", "--to-state", "ended_with_failure"],
    ["blocked"],
    ["locks"],
    ["commands"],
    ["tasks"],
    ["vm", "list"],
    ["disk", "list"],
    ["pool", "list"],
    ["spm", "fault", "list"],
    ["user", "list"],
    ["projections", "status"],
]


def shown_at_80(text: str) -> str:
    """``text`` after checking it fits 80 columns, cuts nothing, shows whole dates and ids as
    prefixes (in texts too)."""
    assert all(len(line.rstrip()) <= 80 for line in text.splitlines()), text
    assert not WHOLE_ID.search(text), text
    assert "…" not in text, text
    assert len(DATE.findall(text)) == len(TEXT_TIME.findall(text)), text
    return text


@pytest.fixture(params=["UTC", "Asia/Kolkata"])
def zone(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The local zone: UTC (``Z``) and one whose times are five characters longer."""
    monkeypatch.setenv("TZ", request.param)
    time.tzset()
    yield request.param
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize("command", LISTINGS, ids=" ".join)
def test_every_listing_fits_80_columns_and_cuts_nothing(
    world: dict[str, Any], command: list[str], zone: str
) -> None:
    shown = shown_at_80(tt(world["db"], *command))
    assert not shown.startswith("no "), shown
    if zone != "UTC":
        assert "+05:30" in shown or not DATE.search(shown)


def test_every_view_of_one_thing_fits_80_columns_and_cuts_nothing(
    world: dict[str, Any], zone: str
) -> None:
    db = world["db"]
    job = as_json(db, "jobs", "--status", "failed")[0]["job_id"][:8]
    [illegal] = [d["disk_id"][:8] for d in as_json(db, "disk", "list") if d["status"] == "ILLEGAL"]
    vm = world["web"]["vm_id"][:8]
    holder = as_json(db, "locks")[0]["command_id"][:8]
    for command in (
        ["job", job],
        ["why", job],
        ["replay", job],
        ["replay", illegal],
        ["history", "--entity", illegal],
        ["history", "--entity", vm, "--family"],
        ["disk", "list", "--vm", vm],
        ["blocked", holder],
        ["jobs", "--status", "failed"],
        ["commands", "--status", "ended_with_failure"],
        ["remediate", "--retry", "--dry-run"],
        ["doctor"],
    ):
        assert shown_at_80(tt(db, *command)).strip(), command


def test_the_history_shows_states_and_folds_the_reason_under_its_row(
    world: dict[str, Any],
) -> None:
    db = world["db"]
    [illegal] = [d for d in as_json(db, "disk", "list") if d["status"] == "ILLEGAL"]
    shown = shown_at_80(tt(db, "history", "--entity", illegal["disk_id"][:8]))
    lines = shown.splitlines()
    assert lines[0].split() == ["timestamp", "kind", "id", "event", "to"]
    [failed] = [n for n, line in enumerate(lines) if "ENDED_WITH_FAILURE" in line]
    assert lines[failed + 1].split() == [
        "reason:",
        "IRS_IMAGE_DELETE_FAILED:",
        "Image",
        "deletion",
        "failed",
    ]
    assert "ILLEGAL" in shown
    wide = tt(db, "history", "--entity", illegal["disk_id"], "--wide")
    assert wide.splitlines()[0].split()[:2] == ["pos", "timestamp"]
    assert illegal["disk_id"] in wide
    assert "IRS_IMAGE_DELETE_FAILED: Image deletion failed" in wide
    failed = tt(db, "history", "--to-state", "ended_with_failure", "--wide")
    assert WHOLE_ID.search(failed.split("CHILD_COMMAND_FAILED: RemoveImage ")[1])


def test_every_id_a_listing_shows_is_accepted_back(world: dict[str, Any]) -> None:
    db = world["db"]
    prefixes = {p for command in LISTINGS for p in PREFIX.findall(tt(db, *command))}
    assert len(prefixes) > 20
    for prefix in sorted(prefixes):
        assert len(prefix.replace("-", "")) >= 8
        assert tt(db, "history", "--entity", prefix, "--limit", "1", "--json"), prefix


def test_prefixes_chain_from_one_command_into_the_next(world: dict[str, Any]) -> None:
    db = world["db"]
    job = _cell(tt(db, "jobs"), "FAILED", 0)
    assert "DELETE_IMAGE  FAILED" in shown_at_80(tt(db, "job", job))
    command, disk = _cell(tt(db, "failed"), job, 0), _cell(tt(db, "failed"), job, 4)
    assert "disk 2 left ILLEGAL" in shown_at_80(tt(db, "why", command))
    assert _cell(tt(db, "disk", "list"), disk, 1) == "ILLEGAL"
    vm = _cell(tt(db, "vm", "list"), "web1", 0)
    disks = tt(db, "disk", "list", "--vm", vm)
    armed = _cell(tt(db, "spm", "fault", "list"), "delete", 0)
    assert armed in disks
    locked = _cell(tt(db, "locks"), "VM", 0)
    assert locked == vm
    holder = _cell(tt(db, "locks"), "VM", 2)
    assert holder in shown_at_80(tt(db, "blocked", holder))
    assert "NOT_STARTED" in tt(db, "why", holder)
    started = _cell(tt(db, "jobs"), job, 3)
    assert "VALIDATING" in shown_at_80(tt(db, "replay", job, "--at", started))
    pool = _cell(tt(db, "pool", "list"), "demo-dc", 0)
    assert "StoragePool" in tt(db, "history", "--entity", pool)
    assert tt(db, "spm", "fault", "clear", armed).strip() == "cleared 1 fault"
    tt(db, "spm", "fault", armed, "--on", "delete")


def test_run_multiple_and_an_external_job_fit_80_columns(world: dict[str, Any]) -> None:
    db = world["db"]
    shown = shown_at_80(
        tt(db, "run-multiple", "RemoveVm", "--params-file", world["params"], code=1)
    )
    assert "{" not in shown
    assert "Related operation is currently in progress" in " ".join(shown.split())
    external = _cell(tt(db, "jobs"), "AddExternalJob", 0)
    assert "nightly backup of every" in shown_at_80(tt(db, "job", external))


def test_wide_tables_show_whole_ids_on_one_line_per_row(world: dict[str, Any]) -> None:
    db = world["db"]
    rows = as_json(db, "commands")
    wide = tt(db, "commands", "--wide").splitlines()
    assert len(wide) == len(rows) + 1
    assert all(r["command_id"] in line for r, line in zip(rows, wide[1:], strict=True))


def _cell(table: str, needle: str, column: int) -> str:
    """The ``column``-th word of the one row that has ``needle``."""
    [line] = [line for line in table.splitlines() if needle in line.split()]
    return line.split()[column]


def test_remedies_take_prefixes_and_refuse_unknown_filters_changing_nothing(
    world: dict[str, Any],
) -> None:
    db = world["db"]
    head = as_json(db, "projections", "status")[0]["head"]
    job = _cell(tt(db, "jobs"), "FAILED", 0)
    command = _cell(tt(db, "failed"), job, 0)
    planned = shown_at_80(tt(db, "redrive", command, "--dry-run"))
    assert planned.startswith(f"RemoveVm {command}: redrive: run RemoveImage of disk")
    assert "(dry run: nothing written)" in " ".join(planned.split())
    holder = _cell(tt(db, "locks"), "VM", 2)
    assert tt(db, "cancel", holder, "--dry-run").startswith(f"RemoveVm {holder}: cancel")
    chosen = tt(db, "remediate", "--retry", "--action-type", "removevm", "--dry-run")
    assert command in shown_at_80(chosen).split()
    for args in (
        ["remediate", "--retry", "--action-type", "RemoveEverything", "--dry-run"],
        ["remediate", "--retry", "--action-type", "RemoveEverything"],
        ["redrive", "ffffffff0"],
        ["cancel", "zz"],
    ):
        result = CliRunner().invoke(app, ["--db", db, *args], env=ENV)
        assert result.exit_code == 2, (args, result.stdout, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1
        assert result.stderr.startswith("error: ")
    assert as_json(db, "projections", "status")[0]["head"] == head


def test_replay_of_an_entity_is_text_not_json(world: dict[str, Any]) -> None:
    db = world["db"]
    disk = _cell(tt(db, "disk", "list"), "ILLEGAL", 0)
    shown = shown_at_80(tt(db, "replay", disk))
    assert shown.splitlines()[0].startswith(f"Disk {disk}  ILLEGAL  version 3, ")
    assert "{" not in shown
    assert "  alias: demo-vm-" in shown
    assert as_json(db, "replay", disk)["state"]["state"] == "ILLEGAL"


def test_enum_options_ignore_case_and_refuse_unknown_values(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite:///{tmp_path / 'enums.db'}"
    job = tt(db, "external", "add-job", "backup").split()[3]
    tt(db, "external", "add-step", job, "check", "--type", "validating")
    assert as_json(db, "job", job)["steps"][0]["step_type"] == "VALIDATING"
    tt(db, "user", "add", "bob", "--role", "ADMIN", "--password-stdin", given="pw\n")
    assert as_json(db, "user", "list") == [
        {"name": "bob", "role": "admin", "created_at": as_json(db, "user", "list")[0]["created_at"]}
    ]
    for args in (
        ["external", "add-step", job, "x", "--type", "bogus"],
        ["user", "add", "eve", "--role", "root", "--password-stdin"],
        ["jobs", "--status", "bogus"],
        ["commands", "--status", "bogus"],
        ["history", "--type", "bogus"],
    ):
        assert guarded(app, ["--db", db, *args]) == 2, args
        out, err = capsys.readouterr()
        assert (out, err.count("\n")) == ("", 1), err
        assert err.startswith("error: ")
    assert [u["name"] for u in as_json(db, "user", "list")] == ["bob"]


def test_diff_and_what_if_take_prefixes(world: dict[str, Any]) -> None:
    db = world["db"]
    failed = _cell(tt(db, "jobs"), "FAILED", 0)
    added = [line.split()[0] for line in tt(db, "jobs").splitlines() if "AddVm" in line.split()]
    assert tt(db, "diff", added[0], added[1]).startswith("A | B")
    assert "no divergence" in tt(db, "replay", "--what-if", failed)


def test_json_times_have_one_form_in_every_command(world: dict[str, Any]) -> None:
    db = world["db"]
    job = as_json(db, "jobs")[0]["job_id"]
    for command in (["replay", job], ["why", job], ["job", job], ["jobs"], ["user", "list"]):
        shown = tt(db, *command, "--json")
        times = re.findall(r'"(\d{4}-\d\d-\d\dT[^"]*)"', shown)
        assert times, command
        assert all(JSON_TIME.fullmatch(t) for t in times), (command, times)
    assert plain(typed({"at": "2026-01-01T00:00:00Z"})) == {"at": "2026-01-01T00:00:00.000000Z"}


def test_what_vm_add_and_spm_fault_print_is_pasted_back(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'made.db'}"
    first, second = tt(db, "vm", "add", "web1", "--disks", "2").splitlines()
    vm, disks = first.split(": ")[1], second.split(": ")[1].split()
    assert [len(x) for x in (vm, *disks)] == [8, 8, 8]
    assert {_cell(tt(db, "disk", "list", "--vm", vm), d, 0) for d in disks} == set(disks)
    armed = tt(db, "spm", "fault", disks[0], "--on", "poll")
    assert armed.strip() == f"armed: poll fault for disk {disks[0]}'s next task"
    assert _cell(tt(db, "spm", "fault", "list"), disks[0], 1) == "poll"
