"""Looking back and at what is stuck: ``replay`` rebuilds the past, ``blocked`` explains now."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any
from uuid import UUID

import typer

from projections.replay import job_tree_at, state_at, transitions
from runners.blocked import blocked as find_blocked
from runners.cli import context, debugging
from runners.cli import render as show
from runners.cli.options import JsonFlag, Moment, moment
from runners.event_store import EventStore

PATH_COLUMNS = ["version", "timestamp", "event_type", "trigger", "from_state", "to_state", "user"]
BLOCKED_COLUMNS = ["kind", "id", "state", "waiting_on", "idle_seconds"]


def replay(
    ctx: typer.Context,
    aggregate_id: Annotated[UUID | None, typer.Argument(metavar="[ID]")] = None,
    version: Annotated[int | None, typer.Option(min=1)] = None,
    at: Moment = None,
    what_if: Annotated[
        str | None,
        typer.Option(
            metavar="JOB|COMMAND|BUNDLE",
            help="Run today's code on the recorded inputs of this run; show where it differs.",
        ),
    ] = None,
    check: Annotated[
        Path | None,
        typer.Option(metavar="DIRECTORY", help="Replay every recorded run there; exit 1 on drift."),
    ] = None,
    pattern: Annotated[str, typer.Option(help="Which files --check reads.")] = "*.json",
    json_out: JsonFlag = False,
) -> None:
    """An aggregate (or a job's tree) as it stood at a version or a moment, and its path there;
    or, with --what-if or --check, today's code deciding recorded runs again."""
    if version is not None and at is not None:
        raise ValueError("give --version or --at, not both")
    if what_if is not None or check is not None:
        debugging.replay_again(ctx, what_if, check, pattern, json_out)
        return
    if aggregate_id is None:
        raise ValueError("give an ID, --what-if or --check")
    result = replayed(context.runtime(ctx).store, aggregate_id, version, at)
    if json_out:
        show.emit_json(result)
        return
    show.console.print_json(json.dumps(result["state"], default=str))
    show.console.print(show.table("path", result["path"], PATH_COLUMNS))


def replayed(
    store: EventStore, aggregate_id: UUID, version: int | None, at: str | None
) -> dict[str, Any]:
    """The state at ``version`` or ``at``, the path of transitions there, and a job's tree."""
    state = state_at(store, aggregate_id, version=version, at=moment(at))
    path = transitions(store, aggregate_id, state.version)
    result: dict[str, Any] = {
        "state": state.model_dump(mode="json"),
        "path": [t.model_dump(mode="json") for t in path],
    }
    if state.aggregate_type == "Job":
        result["tree"] = job_tree_at(store, aggregate_id, moment(at) or state.modified_on)
    return result


def blocked(
    ctx: typer.Context,
    item_id: Annotated[UUID | None, typer.Argument(metavar="[ID]")] = None,
    older_than: Annotated[
        float, typer.Option(min=0, help="Only what has not moved for this long (s).")
    ] = 0,
    json_out: JsonFlag = False,
) -> None:
    """What is in flight, what each waits on, and for how long it has not moved."""
    runtime = context.refreshed(ctx)
    every = find_blocked(
        runtime.ports, runtime.engine.unit_of_work(), runtime.database, runtime.ports.clock.now()
    )
    found = [
        b for b in every if b.idle_seconds >= older_than and (item_id is None or b.id == item_id)
    ]
    if item_id is not None and not found:
        raise ValueError(f"{item_id} is not in flight")
    show.listing("blocked", [b.model_dump(mode="json") for b in found], BLOCKED_COLUMNS, json_out)
