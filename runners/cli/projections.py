"""The read model is disposable: its position, a rebuild from the first event, a verify.

``rebuild`` and ``verify`` exit 3 with one line when the database would not let them finish
(unreachable, a session terminated, a lock that timed out): "could not verify" is never
mistaken for "drift found" (1), and a rebuild that could not finish changed nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
import typer
from eventsourcing.persistence import PersistenceError

from tasktrail.projections.read_model import status, verify
from tasktrail.runners.cli import context
from tasktrail.runners.cli import render as show
from tasktrail.runners.cli.options import JsonFlag

DRIFT_COLUMNS = ["table", "key", "column", "live", "rebuilt"]
DRIFT_FOUND = 1
COULD_NOT = 3
"""The exit code of a rebuild or verify the database did not let finish."""


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
    """Rebuild every table from the first event in shadow tables, then swap them in at once.

    Engines may run meanwhile. Exit 3 (one line) if the database did not let it finish: the
    live tables are then as they were.
    """
    with could_not("rebuild"):
        runtime = context.runtime(ctx)
        with show.progress("rebuilding", json_out) as progress:
            applied = runtime.read_model.rebuild(runtime.settings.batch_size, progress=progress)
    if json_out:
        show.emit_json({"rebuilt": applied})
    else:
        show.console.print(f"rebuilt the read model from {applied} events")


def verify_against_rebuild(ctx: typer.Context, json_out: JsonFlag = False) -> None:
    """Rebuild into shadow tables at the live position and compare row by row.

    Exit 0: no drift; 1: drift found (each differing row and column listed); 3: could not
    verify (one line says why).
    """
    with could_not("verify"):
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
        raise typer.Exit(DRIFT_FOUND)


@contextmanager
def could_not(what: str) -> Iterator[None]:
    """A database error becomes one line on stderr and exit code 3."""
    try:
        yield
    except (sa.exc.SQLAlchemyError, PersistenceError, OSError) as error:
        cause = getattr(error, "orig", None) or error
        reason = str(cause).strip().splitlines()[0] if str(cause).strip() else type(cause).__name__
        raise context.refused(f"could not {what}: {reason}", COULD_NOT) from None
