"""The README (and docs/debugging.md) cannot drift: every command shown exists, with every
option it uses."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from typer.main import get_command

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
