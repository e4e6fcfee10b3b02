"""The oVirt tables as they stand now: jobs, one job's steps, commands, tasks and locks."""

from __future__ import annotations

from typing import Annotated

import typer

from tasktrail.projections import queries
from tasktrail.runners.cli import choices, context
from tasktrail.runners.cli import render as show
from tasktrail.runners.cli.options import IdText, JsonFlag, Utc, Wide, one_of

StatusFilter = Annotated[str | None, typer.Option("--status", help="Only this status (any case).")]

JOB_COLUMNS = ["job_id", "status", "action_type", "start_time", "end_time", "owner_id"]
JOB_COLUMNS += ["description"]
COMMAND_COLUMNS = ["command_id", "command_type", "status", "created_at", "job_id"]
COMMAND_COLUMNS += ["root_command_id", "parent_command_id"]
TASK_COLUMNS = ["task_id", "task_type", "task_state", "status", "result", "command_id"]
TASK_COLUMNS += ["storage_pool_id"]
LOCK_COLUMNS = ["entity_id", "lock_group", "command_id", "since", "exclusive"]


def jobs(
    ctx: typer.Context,
    status_: StatusFilter = None,
    json_out: JsonFlag = False,
    _wide: Wide = False,
    _utc: Utc = False,
) -> None:
    """Jobs, oldest first."""
    wanted = one_of("--status", status_, choices.JOB_STATUSES)
    runtime = context.refreshed(ctx)
    rows = queries.jobs(runtime.read_model, wanted)
    show.listing("jobs", rows, JOB_COLUMNS, json_out, context.display(ctx, runtime))


def job(
    ctx: typer.Context,
    job_id: IdText,
    json_out: JsonFlag = False,
    _wide: Wide = False,
    _utc: Utc = False,
) -> None:
    """One job with its step tree."""
    runtime = context.refreshed(ctx)
    found = queries.job(runtime.read_model, context.resolve(runtime, job_id))
    if json_out:
        show.emit_json(found)
    else:
        show.console.print(show.job_tree(found, context.display(ctx, runtime)))


def commands(
    ctx: typer.Context,
    status_: StatusFilter = None,
    json_out: JsonFlag = False,
    _wide: Wide = False,
    _utc: Utc = False,
) -> None:
    """Every command with its family and status (tt_command)."""
    wanted = one_of("--status", status_, choices.COMMAND_STATUSES)
    runtime = context.refreshed(ctx)
    rows = queries.commands(runtime.read_model, wanted)
    show.listing("commands", rows, COMMAND_COLUMNS, json_out, context.display(ctx, runtime))


def tasks(
    ctx: typer.Context, json_out: JsonFlag = False, _wide: Wide = False, _utc: Utc = False
) -> None:
    """async_tasks: storage tasks still tracked, as the engine polls them."""
    runtime = context.refreshed(ctx)
    rows = queries.tasks(runtime.read_model)
    show.listing("tasks", rows, TASK_COLUMNS, json_out, context.display(ctx, runtime))


def locks(
    ctx: typer.Context, json_out: JsonFlag = False, _wide: Wide = False, _utc: Utc = False
) -> None:
    """tt_engine_lock: who holds which lock, since when, for which command."""
    runtime = context.refreshed(ctx)
    rows = queries.locks(runtime.read_model)
    show.listing("locks", rows, LOCK_COLUMNS, json_out, context.display(ctx, runtime))
