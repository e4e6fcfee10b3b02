"""The read model is disposable: its position, a rebuild from the first event, a verify."""

from __future__ import annotations

import typer

from projections.read_model import status, verify
from runners.cli import context
from runners.cli import render as show
from runners.cli.options import JsonFlag

DRIFT_COLUMNS = ["table", "key", "column", "live", "rebuilt"]


def projection_status(ctx: typer.Context, json_out: JsonFlag = False) -> None:
    """Each projection's position and lag behind the store."""
    runtime = context.runtime(ctx)
    rows = [
        {"name": s.name, "position": s.position, "head": s.head, "lag": s.lag}
        for s in status(runtime.database, runtime.store)
    ]
    columns = ["name", "position", "head", "lag"]
    show.listing("projections", rows, columns, json_out, context.display(ctx, runtime))


def rebuild(ctx: typer.Context, json_out: JsonFlag = False) -> None:
    """Drop and rebuild every table from the first event."""
    runtime = context.runtime(ctx)
    with show.progress("rebuilding", json_out) as progress:
        applied = runtime.read_model.rebuild(runtime.settings.batch_size, progress=progress)
    if json_out:
        show.emit_json({"rebuilt": applied})
    else:
        show.console.print(f"rebuilt the read model from {applied} events")


def verify_against_rebuild(ctx: typer.Context, json_out: JsonFlag = False) -> None:
    """Rebuild into shadow tables and compare row by row; exit 1 on any drift."""
    runtime = context.runtime(ctx)
    with show.progress("verifying", json_out) as progress:
        drift = verify(runtime.database, runtime.store, runtime.settings.batch_size, progress)
    rows = [d.__dict__ for d in drift]
    if json_out:
        show.emit_json({"drift": rows})
    elif rows:
        show.print_table("drift", rows, DRIFT_COLUMNS, context.display(ctx, runtime))
    else:
        show.console.print("no drift: every table matches a fresh rebuild")
    if rows:
        raise typer.Exit(1)
