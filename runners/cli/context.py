"""What one ``tasktrail`` invocation shares: its global options, its runtime, its refusals.

The global options live in typer's context object (no module state), so two invocations in
one process (tests, a shell) never see each other's database. Bad input raised by a command
becomes one line on stderr and exit code 2, before anything is written.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar
from uuid import UUID

import typer

from domain.model.errors import TasktrailError
from projections import id_prefix
from runners.bootstrap import Runtime, build_runtime
from runners.cli.display import Display
from runners.settings import Settings

P = ParamSpec("P")
R = TypeVar("R")


@dataclass(frozen=True)
class Invocation:
    """The options given before the command (``--db``); None means the environment's value.

    ``wide`` and ``utc`` may also be given after the command (see ``options.Wide``).
    """

    db: str | None = None
    wide: bool = False
    utc: bool = False


def display(ctx: typer.Context, opened: Runtime) -> Display:
    """How this invocation shows ids and times; prefixes are checked in ``opened``'s index."""
    given = ctx.find_object(Invocation) or Invocation()
    return Display(wide=given.wide, utc=given.utc, model=opened.read_model)


def resolve(opened: Runtime, typed: str) -> UUID:
    """The id a user typed: whole, or a unique prefix of a known one (else exit 2).

    A prefix is looked up in the read model brought up to date, so an id printed by the
    command before is found.
    """
    if len(typed.replace("-", "")) != id_prefix.WHOLE:
        opened.refresh()
    return id_prefix.resolve(opened.read_model, typed)


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
