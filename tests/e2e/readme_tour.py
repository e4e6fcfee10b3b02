"""Runs the README tour's commands as written, inside the virtualenv the wheel was installed in.

``tests/e2e/test_wheel.py`` runs this file with that virtualenv's Python, so every command goes
through the installed package, not the repository's folders. The commands run in this one
process (one start-up for the whole tour); each one's exit code and key output are checked
against what the README's comments promise. Prints one JSON line per command and exits 1 at
the first broken promise, with that command's output on stderr.
"""

from __future__ import annotations

import json
import re
import shlex
import sys
from pathlib import Path

from typer.testing import CliRunner

from tasktrail.runners import cli

SKIPPED = (
    "&",
    "export TASKTRAIL_DB",
    "tasktrail api",
    "tasktrail user",
    "external",
    "run-multiple",
)
"""Blocks with these need other processes, PostgreSQL or files of their own (test_readme.py
parses them)."""

SHOWN = {
    "why": "disk 2 left ILLEGAL",
    "run": "validated and queued for an engine",
    "doctor": "(head)",
    "failed": "Image deletion",
    "replay": "version",
}
"""What the key commands of the tour must print."""


def tour(readme: str) -> list[tuple[list[str], int]]:
    """The tour's commands as written, each with the exit code its comment promises."""
    found = []
    for block in re.findall(r"```sh\n(.*?)```", readme, re.S):
        if any(s in block for s in SKIPPED):
            continue
        for line in block.splitlines():
            code = 1 if "# exits 1" in line else 0
            for part in line.split("#")[0].split(";"):
                words = shlex.split(part)
                if words[:1] == ["tasktrail"]:
                    found.append((words[1:], code))
    return found


def filled(word: str, known: dict[str, str]) -> str:
    """The word with each ``<NAME>`` replaced by the id the tour has learnt so far."""
    return re.sub(r"<([A-Z_]+)>", lambda m: known[m.group(1)], word)


def learn(runner: CliRunner, shown: str, known: dict[str, str]) -> None:
    """The ids the next commands use: the VM and disk just made, the newest job."""
    if shown.startswith('{"vm_id"'):
        made = json.loads(shown)
        known |= {"VM_ID": made["vm_id"], "DISK_ID": made["disk_ids"][0]}
    jobs = json.loads(runner.invoke(cli.app, ["jobs", "--json"]).stdout or "[]")
    if jobs:
        job = jobs[-1]
        known |= {"JOB_ID": job["job_id"][:8], "C": job["correlation_id"]}
        known["TIME"] = job["start_time"]
        commands = json.loads(runner.invoke(cli.app, ["commands", "--json"]).stdout)
        known["COMMAND_ID"] = next(
            c["command_id"] for c in commands if c["job_id"] == job["job_id"]
        )


def main(readme: Path) -> int:
    """Runs the tour; 0 when every command kept its promise."""
    print(json.dumps({"package": cli.__file__}))
    runner, known = CliRunner(), {}
    for words, code in tour(readme.read_text()):
        args = [filled(w, known) for w in words]
        result = runner.invoke(cli.app, args)
        kept = result.exit_code == code and SHOWN.get(args[0], "") in result.stdout
        print(json.dumps({"args": args, "exit": result.exit_code, "kept": kept}))
        if not kept:
            sys.stderr.write(result.stdout + result.stderr)
            return 1
        if args[0] in {"demo", "run", "vm"}:
            learn(runner, result.stdout, known)
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
