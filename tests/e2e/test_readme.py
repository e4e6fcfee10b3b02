"""The README (and docs/debugging.md) cannot drift: every command shown exists, with every
option it uses."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from tasktrail.runners.cli import app
from tasktrail.runners.cli.groups import DEFAULT, ArmByDefault

README = Path(__file__).resolve().parents[2] / "README.md"
WALK_THROUGHS = [README, README.parent / "docs" / "debugging.md"]
ROOT = get_command(app)


def shown_commands() -> list[list[str]]:
    blocks = [
        block
        for page in WALK_THROUGHS
        for block in re.findall(r"```sh\n(.*?)```", page.read_text(), re.S)
    ]
    found = []
    for block in blocks:
        for line in block.splitlines():
            for part in re.split(r"[;&]", line.split("#")[0]):
                words = shlex.split(part.strip().replace("<", "").replace(">", ""))
                if words and words[0] == "tasktrail":
                    found.append(words[1:])
    return found


@pytest.mark.parametrize("words", shown_commands(), ids=" ".join)
def test_each_readme_command_parses_with_its_options(words: list[str]) -> None:
    command = ROOT
    rest = list(words[2:] if words[:1] == ["--db"] else words)
    while rest and hasattr(command, "commands") and rest[0] in command.commands:  # type: ignore[attr-defined]
        command = command.commands[rest.pop(0)]  # type: ignore[attr-defined]
    if isinstance(command, ArmByDefault):
        command = command.commands[DEFAULT]
    options = {o for p in command.params for o in p.opts}
    assert command is not ROOT, f"{words}: not a tasktrail command"
    used = {w.split("=")[0] for w in rest if w.startswith("--")}
    assert used <= options | {"--help"}, f"{words}: unknown {used - options}"


def test_the_readme_names_the_two_commands_and_ci_runs_the_test_one() -> None:
    text = README.read_text()
    assert "make demo" in text
    assert "make test" in text
    assert (README.parent / ".ci" / "run").read_text().strip().endswith("make test")


SKIPPED = (
    "&",
    "export TASKTRAIL_DB",
    "tasktrail api",
    "tasktrail user",
    "external",
    "run-multiple",
)
"""Blocks with these need other processes, PostgreSQL or files of their own: parsed above."""


SHOWN = {
    "why": "disk 2 left ILLEGAL",
    "run": "validated and queued for an engine",
    "doctor": "(head)",
    "failed": "Image deletion",
    "replay": "version",
}
"""What the key commands of the tour must print."""


def tour() -> list[tuple[list[str], int]]:
    """The tour's commands as written, each with the exit code its comment promises."""
    found = []
    for block in re.findall(r"```sh\n(.*?)```", README.read_text(), re.S):
        if any(s in block for s in SKIPPED):
            continue
        for line in block.splitlines():
            code = 1 if "# exits 1" in line else 0
            for part in line.split("#")[0].split(";"):
                words = shlex.split(part)
                if words[:1] == ["tasktrail"]:
                    found.append((words[1:], code))
    return found


def test_the_tour_runs_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    env = {"COLUMNS": "80", "TASKTRAIL_SPM_TASK_SECONDS": "0", "TASKTRAIL_POLL_INTERVAL": "0.01"}
    monkeypatch.delenv("TASKTRAIL_DB", raising=False)
    known: dict[str, str] = {}
    for words, code in tour():
        args = [_filled(w, known) for w in words]
        result = CliRunner().invoke(app, args, env=env)
        assert result.exit_code == code, (args, result.stdout, result.stderr)
        assert SHOWN.get(args[0], "") in result.stdout, (args, result.stdout)
        if args[0] in {"demo", "run", "vm"}:
            _learn(result.stdout, known)


def _filled(word: str, known: dict[str, str]) -> str:
    return re.sub(r"<([A-Z_]+)>", lambda m: known[m.group(1)], word)


def _learn(shown: str, known: dict[str, str]) -> None:
    """The ids the next commands use: the VM and disk just made, the newest job."""
    if shown.startswith('{"vm_id"'):
        made = json.loads(shown)
        known |= {"VM_ID": made["vm_id"], "DISK_ID": made["disk_ids"][0]}
    jobs = json.loads(CliRunner().invoke(app, ["jobs", "--json"]).stdout or "[]")
    if jobs:
        job = jobs[-1]
        known |= {"JOB_ID": job["job_id"][:8], "C": job["correlation_id"]}
        known["TIME"] = job["start_time"]
        commands = json.loads(CliRunner().invoke(app, ["commands", "--json"]).stdout)
        known["COMMAND_ID"] = next(
            c["command_id"] for c in commands if c["job_id"] == job["job_id"]
        )
