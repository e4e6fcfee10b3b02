"""``verify-log``: the event log checked against its chained digests, event by event."""

from __future__ import annotations

import typer

from tasktrail.runners.cli import context
from tasktrail.runners.cli import render as show
from tasktrail.runners.cli.options import JsonFlag
from tasktrail.runners.event_chain import check


def verify_log(ctx: typer.Context, json_out: JsonFlag = False) -> None:
    """Check every stored event's digest and version; exit 1 naming the first event that was
    altered, deleted, inserted or moved (the read model is not used or caught up)."""
    runtime, _ = context.reading(ctx)
    with runtime.database.connect() as connection:
        checked, found = check(connection)
    if json_out:
        where = None if found is None else {"position": found.position, "problem": found.what}
        show.emit_json({"checked": checked, "intact": found is None, "first_break": where})
    elif found is None:
        show.console.print(f"log intact: {checked} events, every digest and version as stored")
    else:
        show.console.print(f"log broken after {checked} intact events: {found}", soft_wrap=True)
    if found is not None:
        raise typer.Exit(1)
