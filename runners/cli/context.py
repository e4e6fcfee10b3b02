"""What one ``tasktrail`` invocation shares: its global options, its runtime, its refusals.

The global options live in typer's context object (no module state), so two invocations in
one process (tests, a shell) never see each other's database. Bad input raised by a command
becomes one line on stderr and exit code 2, before anything is written.
"""

from __future__ import annotations

import functools
import logging
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar

import sqlalchemy as sa
import typer
from eventsourcing.persistence import OperationalError as StoreOperationalError

from domain.model.errors import TasktrailError
from runners.bootstrap import Runtime, build_runtime
from runners.settings import Settings

P = ParamSpec("P")
R = TypeVar("R")
log = logging.getLogger("tasktrail.serve")
OPENING_PATIENCE = (0.1, 0.2, 0.5, 1.0, 2.0, 2.0, 5.0, 5.0, 10.0, 10.0, 10.0, 15.0)
"""Pauses between an engine's attempts to open its database (about a minute in all)."""


@dataclass(frozen=True)
class Invocation:
    """The options given before the command (``--db``); None means the environment's value."""

    db: str | None = None


def settings(ctx: typer.Context, **overrides: Any) -> Settings:
    """The environment's settings, overridden by ``--db`` and by the command's own options."""
    given = {"db": ctx.ensure_object(Invocation).db, **overrides}
    return Settings(**{name: value for name, value in given.items() if value is not None})


def runtime(ctx: typer.Context, **overrides: Any) -> Runtime:
    """Everything opened on the invocation's database; nothing connects before this.

    Its pooled connections are closed when the command ends, so that several invocations in
    one process (tests, scripts) leave no session behind holding advisory locks.
    """
    opened = build_runtime(settings(ctx, **overrides))
    ctx.call_on_close(opened.database.dispose)
    return opened


def lasting_runtime(ctx: typer.Context, **overrides: Any) -> Runtime:
    """``runtime`` for an engine: a database error while opening it (its session terminated,
    the server restarting, a lock timing out) is tried again after a pause, for about a
    minute; an engine stops only when the database stays out of reach."""
    for pause in OPENING_PATIENCE:
        try:
            return runtime(ctx, **overrides)
        except (sa.exc.OperationalError, sa.exc.InterfaceError, StoreOperationalError) as error:
            log.warning("could not open the database (%s); trying again", _first_line(error))
            time.sleep(pause)
    return runtime(ctx, **overrides)


def _first_line(error: Exception) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


def refreshed(ctx: typer.Context) -> Runtime:
    """A runtime whose read model has caught up with the store, for the reading commands."""
    opened = runtime(ctx)
    opened.refresh()
    return opened


def refused(message: str, code: int = 2) -> typer.Exit:
    """Writes ``message`` as one line on stderr; raise what it returns to exit with ``code``."""
    sys.stderr.write(f"error: {' '.join(message.split())}\n")
    return typer.Exit(code)


def refusing(command: Callable[P, R]) -> Callable[P, R]:
    """Tasktrail's own errors and bad values raised by ``command`` are refusals: exit code 2."""

    @functools.wraps(command)
    def refusing_bad_input(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except (TasktrailError, ValueError) as error:
            raise refused(str(error)) from None

    return refusing_bad_input
