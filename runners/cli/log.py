"""``verify-log``: the event log checked against its chained digests, event by event."""

from __future__ import annotations

import typer

from tasktrail.runners.cli import context
from tasktrail.runners.cli import render as show
from tasktrail.runners.cli.options import JsonFlag
from tasktrail.runners.event_chain import Break, check
from tasktrail.runners.snapshots import mismatched


def verify_log(ctx: typer.Context, json_out: JsonFlag = False) -> None:
    """Check every stored event's digest and version; exit 1 naming the first event that was
    altered, deleted, inserted or moved, and every snapshot against the events it stands for
    (the read model is not used or caught up)."""
    runtime, _ = context.reading(ctx)
    with runtime.database.connect() as connection:
        checked, found = check(connection)
        snapshots, differing = mismatched(connection, runtime.store.replayed)
    if json_out:
        where = None if found is None else {"position": found.position, "problem": found.what}
        show.emit_json(
            {"checked": checked, "intact": found is None, "first_break": where}
            | {"snapshots_checked": snapshots, "snapshots_differing": differing}
        )
    else:
        _say(checked, found, snapshots, differing)
    if found is not None or differing:
        raise typer.Exit(1)


def _say(checked: int, found: Break | None, snapshots: int, differing: list[str]) -> None:
    if found is None:
        show.console.print(f"log intact: {checked} events, every digest and version as stored")
    else:
        show.console.print(f"log broken after {checked} intact events: {found}", soft_wrap=True)
    for snapshot in differing:
        show.console.print(
            f"snapshot of {snapshot} differs from its events: delete its row from "
            "tasktrail_snapshots (a snapshot is only a shortcut; the events are the record)",
            soft_wrap=True,
        )
    if not differing:
        show.console.print(f"snapshots: {snapshots}, each equal to its stream replayed")
