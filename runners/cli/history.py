"""The audit: the event history asked anything, and the root commands that failed."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import typer

from projections import audit
from runners.cli import context
from runners.cli import render as show
from runners.cli.options import JsonFlag, Moment, moment

HISTORY_FIELDS = [
    "position",
    "timestamp",
    "aggregate_type",
    "aggregate_id",
    "event_type",
    "from_state",
    "to_state",
    "user",
    "correlation_id",
]
FAILED_COLUMNS = [
    "command_type",
    "command_id",
    "ended_at",
    "user",
    "failed_step_type",
    "failed_step_number",
    "storage_error",
]


def history(
    ctx: typer.Context,
    entity: Annotated[
        UUID | None,
        typer.Option(
            help="Every event touching this id, and the command families that worked on it."
        ),
    ] = None,
    aggregate: Annotated[UUID | None, typer.Option(help="Events of this aggregate.")] = None,
    correlation_id: Annotated[str | None, typer.Option()] = None,
    user: Annotated[str | None, typer.Option()] = None,
    type_: Annotated[str | None, typer.Option("--type", help="Event type, e.g. Failed.")] = None,
    to_state: Annotated[str | None, typer.Option(help="e.g. FAILED.")] = None,
    action_type: Annotated[str | None, typer.Option(help="e.g. RemoveVm.")] = None,
    since: Moment = None,
    until: Moment = None,
    newest_first: Annotated[bool, typer.Option()] = False,
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 1000,
    offset: Annotated[int, typer.Option(min=0, max=10**9)] = 0,
    json_out: JsonFlag = False,
) -> None:
    """The event history, oldest first; --json prints JSON lines."""
    query = audit.AuditQuery(
        entity=entity,
        aggregate=aggregate,
        correlation_id=correlation_id,
        user=user,
        event_type=type_,
        to_state=to_state,
        action_type=action_type,
        since=moment(since),
        until=moment(until),
        newest_first=newest_first,
        limit=limit,
        offset=offset,
    )
    _show_page(audit.events(context.refreshed(ctx).read_model, query), json_out)


def _show_page(page: audit.Page, json_out: bool) -> None:
    rows = [{k: e[k] for k in HISTORY_FIELDS} for e in page.events]
    if json_out:
        show.emit_json_lines(rows)
        return
    show.console.print(show.table("history", rows, HISTORY_FIELDS))
    if page.next_offset is not None:
        show.console.print(f"more: --offset {page.next_offset}")


def failed(ctx: typer.Context, json_out: JsonFlag = False) -> None:
    """Root commands that ended with failure: the step that failed and the storage error."""
    found = audit.failed_commands(context.refreshed(ctx).read_model)
    rows = [f.model_dump(mode="json") for f in found]
    show.listing("failed commands", rows, FAILED_COLUMNS, json_out)
