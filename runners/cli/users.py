"""``tasktrail user add`` and ``user list``: who may use the HTTP API, and with which role."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from typing import Annotated, Any

import sqlalchemy as sa
import typer

from tasktrail.runners.cli import context
from tasktrail.runners.cli import render as show
from tasktrail.runners.cli.options import JsonFlag, Utc
from tasktrail.runners.database import database_engine
from tasktrail.runners.schema import upgrade
from tasktrail.runners.users import USERS, Role, add_user

USER_COLUMNS = ["name", "role", "created_at"]


def user_add(
    ctx: typer.Context,
    name: str,
    role: Annotated[
        Role,
        typer.Option(
            help="read-only reads; operator also runs commands; admin also rebuilds and imports.",
            case_sensitive=False,
        ),
    ],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from stdin's first line.")
    ] = False,
) -> None:
    """Add a user of the HTTP API (the password is asked for, unless --password-stdin)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    database = database_engine(context.settings(ctx).db)
    ctx.call_on_close(database.dispose)
    upgrade(database)
    add_user(database, name, password, role)
    typer.echo(f"added {role.value} user {name}")


def user_list(ctx: typer.Context, json_out: JsonFlag = False, _utc: Utc = False) -> None:
    """Users of the HTTP API with their role, oldest first (never their password's hash)."""
    runtime = context.refreshed(ctx)
    query = sa.select(*(USERS.c[name] for name in USER_COLUMNS)).order_by(USERS.c.created_at)
    with runtime.database.connect() as connection:
        rows = [_row(dict(row._mapping)) for row in connection.execute(query)]
    show.listing("users", rows, USER_COLUMNS, json_out, context.display(ctx, runtime))


def _row(found: dict[str, Any]) -> dict[str, Any]:
    """A user; its time in UTC, as written (SQLite gives it back without its zone)."""
    made: datetime = found["created_at"]
    return {**found, "created_at": made if made.tzinfo else made.replace(tzinfo=UTC)}
