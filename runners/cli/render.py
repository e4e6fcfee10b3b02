"""How the CLI shows things: JSON for scripts, rich tables and trees for people."""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from rich.console import Console
from rich.progress import Progress
from rich.text import Text
from rich.tree import Tree

from tasktrail.runners.cli.display import Display, json_time
from tasktrail.runners.cli.messages import sentence
from tasktrail.runners.cli.tables import STYLES, fitted

console = Console()
errors = Console(stderr=True)

Row = dict[str, Any]
ProgressReport = Callable[[int, int], None]
WIDE = 10_000
"""The width a --wide table is laid out in: as wide as its cells need."""


def fit_to_terminal() -> None:
    """Lay text out for this invocation's terminal (``$COLUMNS``, else its size, else 80)."""
    console.width = shutil.get_terminal_size().columns


def plain(value: Any) -> Any:
    """``value`` for JSON: times as ``json_time``, ids and anything else unknown as text."""
    if isinstance(value, datetime):
        return json_time(value)
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def emit_json(value: Any) -> None:
    sys.stdout.write(json.dumps(plain(value)) + "\n")


def emit_json_lines(rows: list[Row]) -> None:
    for row in rows:
        emit_json(row)


def listing(
    title: str, rows: list[Row], columns: list[str], json_out: bool, display: Display
) -> None:
    """Rows as one JSON array with every field, or as a table of ``columns`` that fits."""
    if json_out:
        emit_json(rows)
    else:
        print_table(title, rows, columns, display)


def print_table(title: str, rows: list[Row], columns: list[str], display: Display) -> None:
    """The table, or one line saying there is nothing, on stdout."""
    if not rows:
        console.print(f"no {title}")
        return
    if not display.wide:
        console.print(fitted(rows, columns, display, console.width))
        return
    fitting = console.width
    console.width = WIDE
    try:
        console.print(fitted(rows, columns, display, None))
    finally:
        console.width = fitting


def styled(status: str) -> str:
    style = STYLES.get(status, "cyan")
    return f"[{style}]{status}[/{style}]"


def job_tree(job: Row, display: Display) -> Tree:
    """The job and its steps, with when each started and why a failed one failed."""
    name = display.namer([job["job_id"]])(job["job_id"])
    head = Text.assemble(
        (job["description"], "bold"), "  ", status_text(job["status"]), f"  job {name}"
    )
    root = Tree(head)
    _add_steps(root, job["steps"])
    return root


def status_text(status: str) -> Text:
    return Text(status, style=STYLES.get(status, "cyan"))


def readable(reason: str) -> str:
    """A reason that is a joined oVirt message list, as a sentence; any other as it is."""
    parts = reason.split(", ")
    return sentence(parts) if any(p.startswith("VAR__") for p in parts) else reason


def _add_steps(parent: Tree, steps: list[Row]) -> None:
    for step in steps:
        label = Text.assemble(
            f"{step['step_number']}. {step['step_type']}  ", status_text(step["status"])
        )
        label.append(f"  {step['description']}")
        if step.get("reason") and step["status"] == "FAILED":
            label.append(f"  ({readable(step['reason'])})", style="red")
        _add_steps(parent.add(label), step["steps"])


def _no_progress(done: int, total: int) -> None:
    return None


@contextmanager
def progress(description: str, json_out: bool) -> Iterator[ProgressReport]:
    """A rich progress bar on a terminal; nothing for --json or when output is piped."""
    if json_out or not sys.stderr.isatty():
        yield _no_progress
        return
    with Progress(console=errors, transient=True) as bar:
        task = bar.add_task(description, total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)
