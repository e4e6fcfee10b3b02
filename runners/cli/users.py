"""``tasktrail user add``: who may use the HTTP API, and with which role."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from tasktrail.runners.cli import context
from tasktrail.runners.database import database_engine
from tasktrail.runners.schema import upgrade
from tasktrail.runners.users import Role, add_user


def user_add(
    ctx: typer.Context,
    name: str,
    role: Annotated[
        Role,
        typer.Option(
            help="read-only reads; operator also runs commands; admin also rebuilds and imports."
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
