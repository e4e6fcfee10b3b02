"""The audit: the event history asked anything, and the root commands that failed."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from tasktrail.projections import audit
from tasktrail.projections.story import failing_disks
from tasktrail.runners.bootstrap import Runtime
from tasktrail.runners.cli import choices, context
from tasktrail.runners.cli import render as show
from tasktrail.runners.cli.messages import sentence
from tasktrail.runners.cli.options import JsonFlag, Moment, Utc, Wide, moment, one_of
from tasktrail.runners.event_store import EventStore

HISTORY_FIELDS = [
    "position",
    "timestamp",
    "aggregate_type",
    "aggregate_id",
    "event_type",
    "reason",
    "to_state",
    "from_state",
    "user",
    "correlation_id",
]
FAILED_COLUMNS = ["command_id", "command_type", "ended_at", "job_id", "disk", "error", "user"]
REASONED = {
    "Failed",
    "ExecutionFailed",
    "EndedWithFailure",
    "ValidationFailed",
    "ClearFailed",
    "EndAttemptFailed",
    "Ended",
    "StatusPolled",
}
"""The events that may carry a reason (a step's, a command's messages, the SPM's error)."""
_REASON_FIELDS = ("reason", "messages", "error")

Filter = Annotated[str | None, typer.Option()]


def history(
    ctx: typer.Context,
    entity: Annotated[
        str | None,
        typer.Option(help="Events naming this id (a prefix will do); see --family."),
    ] = None,
    family: Annotated[
        bool,
        typer.Option(help="With --entity: also every event of the command families that named it."),
    ] = False,
    aggregate: Annotated[str | None, typer.Option(help="Events of this aggregate.")] = None,
    correlation_id: Filter = None,
    user: Filter = None,
    type_: Annotated[str | None, typer.Option("--type", help="Event type, e.g. Failed.")] = None,
    to_state: Annotated[str | None, typer.Option(help="e.g. FAILED (any case).")] = None,
    action_type: Annotated[str | None, typer.Option(help="e.g. RemoveVm (any case).")] = None,
    since: Moment = None,
    until: Moment = None,
    newest_first: Annotated[bool, typer.Option()] = False,
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 1000,
    offset: Annotated[int, typer.Option(min=0, max=10**9)] = 0,
    json_out: JsonFlag = False,
    _wide: Wide = False,
    _utc: Utc = False,
) -> None:
    """The event history, oldest first, with why each failure failed; --json prints JSON lines."""
    runtime = context.refreshed(ctx)
    query = audit.AuditQuery(
        entity=context.resolve(runtime, entity) if entity else None,
        families=family,
        aggregate=context.resolve(runtime, aggregate) if aggregate else None,
        correlation_id=correlation_id,
        user=user,
        event_type=one_of("--type", type_, choices.EVENT_TYPES),
        to_state=one_of("--to-state", to_state, choices.STATES),
        action_type=one_of("--action-type", action_type, choices.ACTIONS),
        since=moment(since),
        until=moment(until, whole=True),
        newest_first=newest_first,
        limit=limit,
        offset=offset,
    )
    page = audit.events(runtime.read_model, query)
    rows = [
        {**{k: e.get(k) for k in HISTORY_FIELDS}, **_reason(runtime.store, e)} for e in page.events
    ]
    if json_out:
        show.emit_json_lines(rows)
        return
    show.print_table("events", rows, HISTORY_FIELDS, context.display(ctx, runtime))
    if page.next_offset is not None:
        show.console.print(f"more: --offset {page.next_offset}")


def _reason(store: EventStore, row: dict[str, Any]) -> dict[str, str | None]:
    """Why the event happened, where it says: read from the stored event itself."""
    if row["event_type"] not in REASONED:
        return {"reason": None}
    [recorded] = store.read(row["position"] - 1, 1)
    payload = recorded.event.model_dump()
    found = [payload[f] for f in _REASON_FIELDS if payload.get(f)]
    if not found:
        return {"reason": None}
    return {"reason": _readable(found[0])}


def _readable(value: Any) -> str:
    return sentence(list(value)) if isinstance(value, list | tuple) else show.readable(str(value))


def failed(
    ctx: typer.Context, json_out: JsonFlag = False, _wide: Wide = False, _utc: Utc = False
) -> None:
    """Root commands that ended with failure: their job, the disk and the error that failed it."""
    runtime = context.refreshed(ctx)
    found = audit.failed_commands(runtime.read_model)
    rows = [{**f.model_dump(), **_failure(runtime, f)} for f in found]
    show.listing("failed commands", rows, FAILED_COLUMNS, json_out, context.display(ctx, runtime))
    if rows and not json_out:
        show.console.print("`tasktrail why <JOB>` tells one failure's whole story")


def _failure(runtime: Runtime, found: audit.FailedCommand) -> dict[str, Any]:
    disks = failing_disks(runtime.read_model, found.command_id)
    error = _readable(found.storage_error or found.messages)
    return {"disk": disks[0] if disks else None, "disks": disks, "error": error}
