"""What one ``tasktrail`` invocation shares: its global options, its runtime, its refusals.

The global options live in typer's context object (no module state), so two invocations in
one process (tests, a shell) never see each other's database. Whatever a command raises
becomes one line on stderr and the exit code ``runners.cli.failures`` documents (bad input:
2, before anything is written; an unusable database: 3), unless ``--debug`` is given.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar
from uuid import UUID

import typer
from pydantic import ValidationError

from tasktrail.projections import id_prefix
from tasktrail.runners.bootstrap import Runtime, build_runtime
from tasktrail.runners.cli import failures
from tasktrail.runners.cli.display import Display
from tasktrail.runners.database import check_can_create, read_only_url
from tasktrail.runners.settings import Settings
from tasktrail.runners.transient import is_transient

P = ParamSpec("P")
R = TypeVar("R")
log = logging.getLogger("tasktrail.serve")
OPENING_PATIENCE = (0.1, 0.2, 0.5, 1.0, 2.0, 2.0, 5.0, 5.0, 10.0, 10.0, 10.0, 15.0)
"""Pauses between an engine's attempts to open its database (about a minute in all)."""


@dataclass(frozen=True)
class Invocation:
    """The options given before the command (``--db``); None means the environment's value.

    ``wide`` and ``utc`` may also be given after the command (see ``options.Wide``).
    """

    db: str | None = None
    debug: bool = False
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
    try:
        return Settings(**{name: value for name, value in given.items() if value is not None})
    except ValidationError as error:
        raise ValueError(failures.settings_message(error)) from None


def runtime(ctx: typer.Context, **overrides: Any) -> Runtime:
    """Everything opened on the invocation's database, for commands that write.

    Nothing connects before this; a SQLite file is created only in a folder that exists. Its
    pooled connections are closed when the command ends, so that several invocations in one
    process (tests, scripts) leave no session behind holding advisory locks.
    """
    chosen = settings(ctx, **overrides)
    check_can_create(chosen.db)
    return _closing(ctx, build_runtime(chosen))


def reading(ctx: typer.Context) -> tuple[Runtime, bool]:
    """For the reading commands: an existing database, and whether it was opened read-only.

    A SQLite file this process may not write (an archived copy) is opened read-only; a missing
    one is refused rather than created.
    """
    chosen = settings(ctx)
    archived = read_only_url(chosen.db)
    if archived is None:
        return _closing(ctx, build_runtime(chosen)), False
    archive = chosen.model_copy(update={"db": archived})
    return _closing(ctx, build_runtime(archive, read_only=True)), True


def refreshed(ctx: typer.Context) -> Runtime:
    """A database read as it is now: its read model caught up (read-only: as it stands)."""
    opened, read_only = reading(ctx)
    if not read_only:
        opened.refresh()
    return opened


def _closing(ctx: typer.Context, opened: Runtime) -> Runtime:
    ctx.call_on_close(opened.database.dispose)
    return opened


def lasting_runtime(ctx: typer.Context, **overrides: Any) -> Runtime:
    """``runtime`` for an engine: a database error while opening it (its session terminated,
    the server restarting, a lock timing out) is tried again after a pause, for about a
    minute; an engine stops only when the database stays out of reach."""
    for pause in OPENING_PATIENCE:
        try:
            return runtime(ctx, **overrides)
        except Exception as error:
            if not is_transient(error):
                raise
            log.warning("could not open the database (%s); trying again", _first_line(error))
            time.sleep(pause)
    return runtime(ctx, **overrides)


def _first_line(error: Exception) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


def refused(message: str, code: int = failures.BAD_INPUT) -> typer.Exit:
    """Writes ``message`` as one line on stderr; raise what it returns to exit with ``code``."""
    failures.say(message)
    return typer.Exit(code)


def refusing(command: Callable[P, R]) -> Callable[P, R]:
    """Whatever ``command`` raises becomes one line and its exit code (``--debug``: raised)."""

    @functools.wraps(command)
    def refusing_bad_input(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except (typer.Exit, typer.TyperException, typer.Abort, KeyboardInterrupt):
            raise
        except Exception as error:
            if _debugging([*args, *kwargs.values()]):
                raise
            code, message = failures.classify(error)
            raise refused(message, code) from None

    return refusing_bad_input


def _debugging(arguments: list[object]) -> bool:
    """``--debug`` given to this invocation (its context is an argument), or the variable."""
    given = [getattr(a, "obj", None) for a in arguments]
    flagged = any(isinstance(g, Invocation) and g.debug for g in given)
    return flagged or failures.debugging()
