"""``tasktrail doctor``: is this deployment well? One line per check, exit 1 if one fails.

Checks, in order (a failed database or schema check stops the rest, which need them): the
database answers; its schema is at the head revision (doctor never upgrades it); how far the
read model lags behind the store; which engines hold leases (PostgreSQL; SQLite has one
engine per process and nothing to see); what in flight has not moved for ``--stuck-after``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Annotated

import sqlalchemy as sa
import typer

from tasktrail.projections.read_model import status
from tasktrail.runners.blocked import blocked
from tasktrail.runners.bootstrap import Runtime, build_runtime
from tasktrail.runners.cli import context
from tasktrail.runners.cli import render as show
from tasktrail.runners.cli.display import Display
from tasktrail.runners.cli.options import JsonFlag
from tasktrail.runners.database import database_engine
from tasktrail.runners.leases import APPLICATION_NAME
from tasktrail.runners.schema import HEAD, current_revision
from tasktrail.runners.settings import Settings

COLUMNS = ["check", "result", "detail"]


@dataclass(frozen=True)
class Finding:
    check: str
    result: str
    """ok, warn (worth a look, not a failure) or fail."""
    detail: str


def doctor(
    ctx: typer.Context,
    stuck_after: Annotated[
        float, typer.Option(min=1, help="Seconds without a move after which work is stuck.")
    ] = 300,
    json_out: JsonFlag = False,
) -> None:
    """Check the database, the schema, the read model's lag, the engines and stuck work."""
    found = examine(context.settings(ctx), stuck_after)
    rows = [asdict(f) for f in found]
    if json_out:
        show.emit_json(rows)
    else:
        show.print_table("checks", rows, COLUMNS, Display())
    if any(f.result == "fail" for f in found):
        raise typer.Exit(1)


def examine(settings: Settings, stuck_after: float) -> list[Finding]:
    database = database_engine(settings.db)
    try:
        basics = _reachable(database) or _schema(database)
        if basics.result == "fail":
            return [basics]
    finally:
        database.dispose()
    runtime = build_runtime(settings)
    try:
        lag = _lag(runtime)
        runtime.refresh()
        return [basics, lag, _engines(runtime.database), _stuck(runtime, stuck_after)]
    finally:
        runtime.database.dispose()


def _reachable(database: sa.Engine) -> Finding | None:
    try:
        with database.connect() as connection:
            connection.execute(sa.text("select 1"))
    except sa.exc.SQLAlchemyError as error:
        reason = " ".join(str(getattr(error, "orig", None) or error).split())[:160]
        return Finding("database", "fail", f"{database.url.render_as_string()}: {reason}")
    return None


def _schema(database: sa.Engine) -> Finding:
    found = current_revision(database)
    url = database.url.render_as_string()
    if found == HEAD:
        return Finding("database", "ok", f"{url}, schema at revision {HEAD} (head)")
    where = "empty" if found is None else f"at revision {found}"
    return Finding(
        "database",
        "fail",
        f"{url}: schema {where}, head is {HEAD} (any command but doctor upgrades it)",
    )


def _lag(runtime: Runtime) -> Finding:
    behind = max((s.lag for s in status(runtime.database, runtime.store)), default=0)
    if behind == 0:
        return Finding("read model", "ok", "up to date with the store")
    return Finding("read model", "warn", f"{behind} events behind (a serving engine catches up)")


def _engines(database: sa.Engine) -> Finding:
    if database.dialect.name != "postgresql":
        return Finding("engines", "ok", "SQLite: each process is its own engine")
    query = sa.text(
        "select count(*) from pg_stat_activity "
        "where application_name = :name and datname = current_database()"
    )
    with database.connect() as connection:
        count = connection.execute(query, {"name": APPLICATION_NAME}).scalar() or 0
    result = "ok" if count else "warn"
    return Finding("engines", result, f"{count} engine(s) hold leases (`tasktrail serve`)")


def _stuck(runtime: Runtime, stuck_after: float) -> Finding:
    now = runtime.ports.clock.now()
    every = blocked(runtime.ports, runtime.engine.unit_of_work(), runtime.database, now)
    stuck = [b for b in every if b.idle_seconds >= stuck_after]
    if not stuck:
        return Finding("in flight", "ok", f"{len(every)} in flight, none idle for {stuck_after:g}s")
    detail = f"{len(stuck)} of {len(every)} have not moved for {stuck_after:g}s"
    return Finding(
        "in flight", "fail", f"{detail}: `tasktrail blocked --older-than {stuck_after:g}`"
    )
