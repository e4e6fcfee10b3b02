"""Looking back and at what is stuck: ``replay`` rebuilds the past, ``blocked`` explains now."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any
from uuid import UUID

import typer

from tasktrail.projections.replay import job_tree_at, state_at, transitions
from tasktrail.runners.blocked import blocked as find_blocked
from tasktrail.runners.cli import context, debugging
from tasktrail.runners.cli import render as show
from tasktrail.runners.cli.options import JsonFlag, Moment, Utc, Wide, moment
from tasktrail.runners.event_store import EventStore

PATH_COLUMNS = ["version", "timestamp", "event_type", "trigger", "from_state", "to_state", "user"]
BLOCKED_COLUMNS = ["id", "kind", "state", "idle_seconds", "waiting_on"]


def replay(
    ctx: typer.Context,
    aggregate_id: Annotated[
        str | None,
        typer.Argument(metavar="[ID]", help="An id, or a unique prefix of one."),
    ] = None,
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
    _wide: Wide = False,
    _utc: Utc = False,
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
    runtime = context.runtime(ctx)
    result = replayed(runtime.store, context.resolve(runtime, aggregate_id), version, at)
    if json_out:
        show.emit_json(result)
        return
    display = context.display(ctx, runtime)
    if "tree" in result:
        show.console.print(show.job_tree(tree_as_job(result["tree"]), display))
    else:
        show.console.print_json(json.dumps(result["state"], default=str))
    path = [{**p, "timestamp": datetime.fromisoformat(p["timestamp"])} for p in result["path"]]
    show.print_table("transitions", path, PATH_COLUMNS, display)


def tree_as_job(tree: dict[str, Any]) -> dict[str, Any]:
    """A replayed job tree in the shape ``job`` shows: steps nested under their parents."""
    job = tree["job"]
    steps = [{**s["fields"], "id": s["id"], "status": s["state"]} for s in tree["steps"]]
    return {
        **job["fields"],
        "job_id": UUID(job["id"]),
        "status": job["state"],
        "steps": _under(steps, None),
    }


def _under(steps: list[dict[str, Any]], parent: str | None) -> list[dict[str, Any]]:
    children = sorted(
        (s for s in steps if s["parent_step_id"] == parent), key=lambda s: s["step_number"]
    )
    return [{**s, "steps": _under(steps, s["id"])} for s in children]


def replayed(
    store: EventStore, aggregate_id: UUID, version: int | None, at: str | None
) -> dict[str, Any]:
    """The state at ``version`` or ``at``, the path of transitions there, and a job's tree."""
    state = state_at(store, aggregate_id, version=version, at=moment(at, whole=True))
    path = transitions(store, aggregate_id, state.version)
    result: dict[str, Any] = {
        "state": state.model_dump(mode="json"),
        "path": [t.model_dump(mode="json") for t in path],
    }
    if state.aggregate_type == "Job":
        when = moment(at, whole=True) or state.modified_on
        result["tree"] = job_tree_at(store, aggregate_id, when)
    return result


def blocked(
    ctx: typer.Context,
    item: Annotated[str | None, typer.Argument(metavar="[ID]")] = None,
    older_than: Annotated[
        float, typer.Option(min=0, help="Only what has not moved for this long (s).")
    ] = 0,
    json_out: JsonFlag = False,
    _wide: Wide = False,
    _utc: Utc = False,
) -> None:
    """What is in flight, what each waits on, and for how long it has not moved."""
    runtime = context.refreshed(ctx)
    item_id = context.resolve(runtime, item) if item else None
    every = find_blocked(
        runtime.ports, runtime.engine.unit_of_work(), runtime.database, runtime.ports.clock.now()
    )
    found = [
        b for b in every if b.idle_seconds >= older_than and (item_id is None or b.id == item_id)
    ]
    if item_id is not None and not found:
        raise ValueError(f"{item_id} is not in flight")
    rows = [b.model_dump() for b in found]
    show.listing("blocked", rows, BLOCKED_COLUMNS, json_out, context.display(ctx, runtime))
