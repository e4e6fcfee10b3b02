"""One database URL configures everything: the event store, the read tables, the tracking."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from tasktrail.domain.model.errors import TasktrailError
from tasktrail.runners.event_store import EventStore

DEFAULT_URL = "sqlite:///tasktrail.db"
SUPPORTED_DIALECTS = ("sqlite", "postgresql")


_SECRET = re.compile(r"(?P<head>[a-z][a-z0-9+.-]*://[^:/@\s]*:)[^@\s]*@", re.IGNORECASE)


class BadDatabaseUrlError(TasktrailError):
    """The URL names no database tasktrail can use."""


class DatabaseUnusableError(TasktrailError):
    """The URL is well formed but its database cannot be opened as asked (exit code 3)."""

    exit_code = 3


def mask_secrets(text: str) -> str:
    """``text`` with the password of every URL in it replaced by ``***``."""
    return _SECRET.sub(r"\g<head>***@", text)


def parse_url(url: str) -> URL:
    """The URL of a database tasktrail can use; anything else is refused, its password masked."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise BadDatabaseUrlError(
            f"bad database URL {mask_secrets(url)!r}: expected sqlite:///FILE or "
            "postgresql+psycopg2://USER@HOST:PORT/DB"
        ) from None
    if parsed.get_backend_name() not in SUPPORTED_DIALECTS:
        raise BadDatabaseUrlError(
            f"unsupported database {parsed.get_backend_name()!r} in {mask_secrets(url)!r}: "
            f"use one of {', '.join(SUPPORTED_DIALECTS)}"
        )
    return parsed


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL (None for PostgreSQL and in-memory databases)."""
    parsed = parse_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database or "")


def check_can_create(url: str) -> None:
    """A SQLite file may be created only in a folder that exists (not in a mistyped one)."""
    path = sqlite_file(url)
    if path is not None and not path.parent.is_dir():
        raise DatabaseUnusableError(f"cannot open {path}: folder {path.parent} does not exist")


def read_only_url(url: str) -> str | None:
    """For a read: the SQLite file opened read-only if this process may not write it, else None.

    A missing file is refused (a mistyped path must not become a new empty database). A file
    or folder without write permission (an archived copy, read-only media) opens ``mode=ro``,
    and ``immutable`` when the folder is read-only and no write-ahead log waits to be read.
    """
    path = sqlite_file(url)
    if path is None:
        return None
    if not path.is_file():
        raise DatabaseUnusableError(f"no database at {path}: the file does not exist")
    folder_writable = _writable(path.parent)
    if _writable(path) and folder_writable:
        return None
    wal = path.with_name(path.name + "-wal")
    immutable = not folder_writable and not (wal.exists() and wal.stat().st_size)
    flags = "mode=ro&immutable=1" if immutable else "mode=ro"
    return f"sqlite:///file:{path.resolve()}?{flags}&uri=true"


def _writable(path: Path) -> bool:
    """Writable by this process and meant to be: write permission bits count even for root."""
    return os.access(path, os.W_OK) and bool(path.stat().st_mode & 0o222)


def normalise_url(url: str) -> str:
    """Checks ``url`` and gives SQLite files a busy timeout so processes can share them."""
    parsed = parse_url(url)
    if parsed.get_backend_name() == "sqlite" and "timeout" not in parsed.query:
        parsed = parsed.update_query_dict({"timeout": "30"})
    return parsed.render_as_string(hide_password=False)


def open_event_store(url: str = DEFAULT_URL) -> EventStore:
    """The event store on ``url``; its tables come from the schema's revisions."""
    return EventStore(
        env={
            "PERSISTENCE_MODULE": "eventsourcing_sqlalchemy",
            "SQLALCHEMY_URL": normalise_url(url),
            "CREATE_TABLE": "n",
        }
    )


def database_engine(url: str) -> sa.Engine:
    """The engine the read model and the simulated storage use.

    On SQLite, a transaction opened with the execution option ``writes`` begins IMMEDIATE
    (the write lock first), so two processes that read a tracking position and then write
    cannot both act on the same position; others begin deferred and never wait. PostgreSQL
    batches executemany into few round trips.
    """
    normalised = normalise_url(url)
    if make_url(normalised).get_backend_name() != "sqlite":
        return sa.create_engine(normalised, executemany_mode="values_plus_batch")
    engine = sa.create_engine(normalised)
    if "mode=ro" in normalised:
        return engine
    sa.event.listen(engine, "connect", _sqlite_connected)
    sa.event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_connected(dbapi_connection: Any, _: Any) -> None:
    dbapi_connection.isolation_level = None
    dbapi_connection.execute("pragma journal_mode=wal")


def _sqlite_begin(connection: sa.Connection) -> None:
    writes = connection.get_execution_options().get("writes", False)
    connection.exec_driver_sql("begin immediate" if writes else "begin")
