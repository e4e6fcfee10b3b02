"""How the CLI shows things: JSON for scripts, rich tables and trees for people."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from rich.console import Console
from rich.progress import Progress
from rich.table import Table
from rich.tree import Tree

console = Console()
errors = Console(stderr=True)

Row = dict[str, Any]
ProgressReport = Callable[[int, int], None]

_STYLE = {
    "FINISHED": "green",
    "FAILED": "red",
    "STARTED": "yellow",
    "ABORTED": "magenta",
    "ENDED_SUCCESSFULLY": "green",
    "ENDED_WITH_FAILURE": "red",
}


def emit_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, default=str) + "\n")


def emit_json_lines(rows: list[Row]) -> None:
    for row in rows:
        emit_json(row)


def listing(title: str, rows: list[Row], columns: list[str], json_out: bool) -> None:
    """Rows as one JSON array with every field, or as a table of ``columns``."""
    if json_out:
        emit_json(rows)
    else:
        console.print(table(title, rows, columns))


def styled(status: str) -> str:
    style = _STYLE.get(status, "cyan")
    return f"[{style}]{status}[/{style}]"


def when(value: datetime | None) -> str:
    return value.strftime("%H:%M:%S.%f")[:-3] if value else ""


def table(title: str, rows: list[Row], columns: list[str]) -> Table:
    shown = Table(title=title, show_lines=False)
    for column in columns:
        shown.add_column(column)
    for row in rows:
        shown.add_row(*(_cell(column, row.get(column)) for column in columns))
    return shown


def _cell(column: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return when(value)
    if column == "status":
        return styled(str(value))
    return str(value)


def job_tree(job: Row) -> Tree:
    root = Tree(f"[bold]{job['description']}[/bold]  {styled(job['status'])}  job {job['job_id']}")
    _add_steps(root, job["steps"])
    return root


def _add_steps(parent: Tree, steps: list[Row]) -> None:
    for step in steps:
        status = styled(step["status"])
        label = f"{step['step_number']}. {step['step_type']}  {status}  {step['description']}"
        if step.get("reason") and step["status"] == "FAILED":
            label += f"  [red]({step['reason']})[/red]"
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
