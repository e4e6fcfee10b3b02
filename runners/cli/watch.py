"""The oVirt tables as they stand now: jobs, one job's steps, commands, tasks and locks."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import typer

from projections import queries
from runners.cli import context
from runners.cli import render as show
from runners.cli.options import JsonFlag

StatusFilter = Annotated[str | None, typer.Option("--status")]

JOB_COLUMNS = [
    "job_id",
    "action_type",
    "status",
    "description",
    "owner_id",
    "start_time",
    "end_time",
]
COMMAND_COLUMNS = [
    "command_id",
    "command_type",
    "status",
    "parent_command_id",
    "root_command_id",
    "job_id",
]
TASK_COLUMNS = [
    "task_id",
    "task_type",
    "task_state",
    "status",
    "result",
    "command_id",
    "storage_pool_id",
]
LOCK_COLUMNS = ["lock_group", "entity_id", "exclusive", "command_id", "since"]


def jobs(ctx: typer.Context, status_: StatusFilter = None, json_out: JsonFlag = False) -> None:
    """Jobs, oldest first."""
    rows = queries.jobs(context.refreshed(ctx).read_model, status_)
    show.listing("jobs", rows, JOB_COLUMNS, json_out)


def job(ctx: typer.Context, job_id: UUID, json_out: JsonFlag = False) -> None:
    """One job with its step tree."""
    found = queries.job(context.refreshed(ctx).read_model, job_id)
    if json_out:
        show.emit_json(found)
    else:
        show.console.print(show.job_tree(found))


def commands(ctx: typer.Context, status_: StatusFilter = None, json_out: JsonFlag = False) -> None:
    """Every command with its family and status (tt_command)."""
    rows = queries.commands(context.refreshed(ctx).read_model, status_)
    show.listing("commands", rows, COMMAND_COLUMNS, json_out)


def tasks(ctx: typer.Context, json_out: JsonFlag = False) -> None:
    """async_tasks: storage tasks still tracked, as the engine polls them."""
    show.listing("tasks", queries.tasks(context.refreshed(ctx).read_model), TASK_COLUMNS, json_out)


def locks(ctx: typer.Context, json_out: JsonFlag = False) -> None:
    """tt_engine_lock: who holds which lock, since when, for which command."""
    show.listing("locks", queries.locks(context.refreshed(ctx).read_model), LOCK_COLUMNS, json_out)
