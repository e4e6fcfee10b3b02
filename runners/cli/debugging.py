"""Debugging from history: what today's code would have done (``replay --what-if``), whether
every recorded run still replays alike (``replay --check``), and where two runs part (``diff``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from tasktrail.runners.bundle import BundleError
from tasktrail.runners.cli import context
from tasktrail.runners.cli import render as show
from tasktrail.runners.cli.display import Display
from tasktrail.runners.cli.options import JsonFlag
from tasktrail.runners.histories import (
    History,
    HistoryError,
    UndecodableError,
    from_database,
    from_file,
    run_id,
)
from tasktrail.runners.what_if import WhatIf, what_if
from tasktrail.runners.what_if import diff as runs_diff


def _history(ctx: typer.Context, what: str) -> History:
    """A file is read without opening any database; an id is looked up in ``--db``."""
    if Path(what).is_file():
        return from_file(Path(what))
    item_id = run_id(what)
    runtime = context.refreshed(ctx)
    return from_database(runtime.store, runtime.read_model, item_id)


def replay_again(
    ctx: typer.Context, what: str | None, directory: Path | None, pattern: str, json_out: bool
) -> None:
    """``replay --what-if`` or ``replay --check`` (not both)."""
    if what is not None and directory is not None:
        raise ValueError("give --what-if or --check, not both")
    if what is not None:
        show_what_if(ctx, what, json_out)
    else:
        assert directory is not None
        check(directory, pattern, json_out)


def show_what_if(ctx: typer.Context, what: str, json_out: bool) -> None:
    """Prints the would-be run beside the recorded one and where they part."""
    result = what_if(_history(ctx, what))
    if json_out:
        show.emit_json(result.as_dict())
        return
    _say(f"what-if of {result.source}: would-be | recorded")
    _side_by_side(result.as_dict()["events"])
    _verdict(result)


def _side_by_side(rows: list[dict[str, Any]]) -> None:
    """One line per event slot; ``≠`` marks the slots where the two sides differ."""
    for r in rows:
        mark = " " if r["same"] else "≠"
        slot = f"{r['role']} #{r['event_number']}"
        line = f"{mark} {slot:<44} {r['left']:<44} | {r['right']}"
        _say(line)


def _say(text: str) -> None:
    """Roles hold brackets (``RemoveImage#2[vm#1/disk#2]``): printed as they are, unwrapped."""
    show.console.print(text, markup=False, highlight=False, soft_wrap=True)


def _verdict(result: WhatIf) -> None:
    if result.gap:
        show.console.print(result.gap, style="red", markup=False, highlight=False)
    if result.divergence:
        _say(f"first divergence: {result.divergence.why}")
    elif not result.gap:
        _say("no divergence: today's code decides this run exactly as recorded")


def check(directory: Path, pattern: str, json_out: bool) -> None:
    """Every recorded run in ``directory`` replayed through today's code; exit 1 on any drift
    or any event today's code cannot read (a missing upcaster)."""
    if not directory.is_dir():
        raise ValueError(f"{directory} is not a directory")
    results = [_checked(path) for path in sorted(directory.glob(pattern))]
    if not results:
        raise ValueError(f"no file matches {pattern!r} in {directory}")
    show.listing("replay --check", results, ["file", "outcome", "why"], json_out, Display())
    if any(r["outcome"] in ("DIVERGED", "UNREADABLE") for r in results):
        raise typer.Exit(1)


def _checked(path: Path) -> dict[str, Any]:
    try:
        result = what_if(from_file(path))
    except UndecodableError as error:
        return {"file": path.name, "outcome": "UNREADABLE", "why": str(error)}
    except (HistoryError, BundleError) as error:
        return {"file": path.name, "outcome": "SKIPPED", "why": str(error)}
    why = result.gap or (result.divergence.why if result.divergence else "")
    return {"file": path.name, "outcome": "SAME" if result.identical else "DIVERGED", "why": why}


def diff(
    ctx: typer.Context,
    first: Annotated[str, typer.Argument(metavar="A", help="Job or command id, or bundle.")],
    second: Annotated[str, typer.Argument(metavar="B", help="Job or command id, or bundle.")],
    json_out: JsonFlag = False,
) -> None:
    """Two runs aligned by role and event order: the first divergence, then side by side."""
    compared = runs_diff(_history(ctx, first), _history(ctx, second))
    if json_out:
        show.emit_json(compared)
        return
    _say("A | B")
    _side_by_side(compared["events"])
    divergence = compared["divergence"]
    _say(f"first divergence: {divergence['why'] if divergence else 'none'}")
