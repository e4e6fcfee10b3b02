"""Every way a command can fail, as one line on stderr and a documented exit code.

0 ok; 1 a refused or failed action, drift found, or an unexpected failure; 2 bad usage or
input (options, files, URLs, settings); 3 the database cannot be reached, opened or used;
130 interrupted (Ctrl-C). Passwords in URLs are masked in every line. ``--debug`` (or
``TASKTRAIL_DEBUG=1``) lets the traceback through instead.
"""

from __future__ import annotations

import os
import sqlite3
import sys
from collections.abc import Sequence

import eventsourcing.persistence as es
import sqlalchemy.exc as sa_exc
import typer
from pydantic import ValidationError

from tasktrail.domain.model.errors import TasktrailError, UnavailableError
from tasktrail.runners.database import mask_secrets

OK, FAILED, BAD_INPUT, DATABASE, INTERRUPTED = 0, 1, 2, 3, 130

_DATABASE_ERRORS = (
    UnavailableError,
    sa_exc.OperationalError,
    sa_exc.InterfaceError,
    sa_exc.DatabaseError,
    es.OperationalError,
    es.InterfaceError,
    es.DatabaseError,
    sqlite3.Error,
)
_NOT_DATABASE = (sa_exc.IntegrityError, es.IntegrityError, sqlite3.IntegrityError)


def debugging(argv: Sequence[str] = ()) -> bool:
    """``--debug`` before the command, or ``TASKTRAIL_DEBUG`` set to anything but 0 or empty."""
    return "--debug" in argv or os.environ.get("TASKTRAIL_DEBUG", "0") not in ("", "0")


def one_line(message: str) -> str:
    """``message`` on one line, secrets masked."""
    return mask_secrets(" ".join(message.split()))


def say(message: str) -> None:
    sys.stderr.write(f"error: {one_line(message)}\n")


def classify(error: BaseException) -> tuple[int, str]:
    """The exit code and the one line for ``error``."""
    if isinstance(error, _DATABASE_ERRORS) and not isinstance(error, _NOT_DATABASE):
        return DATABASE, f"database unreachable or unusable: {_driver_message(error)}"
    if isinstance(error, ValidationError):
        return BAD_INPUT, settings_message(error)
    if isinstance(error, TasktrailError):
        return getattr(error, "exit_code", BAD_INPUT), str(error)
    if isinstance(error, ValueError | OverflowError):
        return BAD_INPUT, str(error)
    if isinstance(error, OSError):
        return BAD_INPUT, _file_message(error)
    return FAILED, f"{type(error).__name__}: {error} (run with --debug for the traceback)"


def settings_message(error: ValidationError) -> str:
    """The first bad setting, its variable (or option), what was wrong, and the value given."""
    first = error.errors()[0]
    name = "_".join(str(part) for part in first["loc"])
    where = f"{name} (TASKTRAIL_{name.upper()})" if name else "settings"
    return f"{where}: {first['msg']} (got {first.get('input')!r})"


def _driver_message(error: BaseException) -> str:
    """The driver's own first line, without SQLAlchemy's statement and background link."""
    cause = getattr(error, "orig", None) or error.__cause__ or error
    if isinstance(cause, sa_exc.DBAPIError) and cause.orig is not None:
        cause = cause.orig
    lines = str(cause).strip().splitlines() or [type(cause).__name__]
    return lines[0]


def _file_message(error: OSError) -> str:
    where = f"{error.filename}: " if error.filename else ""
    return f"{where}{error.strerror or error}"


def usage_line(error: typer.TyperException) -> str:
    """A usage error as one line, with where to find the command's help."""
    context = getattr(error, "ctx", None)
    hint = f" (see {context.command_path} --help)" if context is not None else ""
    return f"{error.format_message()}{hint}"


def guarded(app: typer.Typer, argv: Sequence[str]) -> int:
    """Runs the command line ``argv``; returns its exit code, every failure said in one line.

    A usage error without a message (no command given: the help was shown) says nothing more.
    """
    try:
        result = app(argv, standalone_mode=False)
    except (typer.Abort, KeyboardInterrupt):
        say("interrupted")
        return INTERRUPTED
    except typer.TyperException as error:
        if error.format_message():
            say(usage_line(error))
        return error.exit_code
    except Exception as error:
        if debugging(argv):
            raise
        code, message = classify(error)
        say(message)
        return code
    return result if isinstance(result, int) else OK
