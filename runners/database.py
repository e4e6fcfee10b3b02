"""One database URL configures everything: the event store, the read tables, the tracking."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from domain.model.errors import TasktrailError
from runners.event_store import EventStore

DEFAULT_URL = "sqlite:///tasktrail.db"
SUPPORTED_DIALECTS = ("sqlite", "postgresql")


class BadDatabaseUrlError(TasktrailError):
    """The URL names no database tasktrail can use."""


def normalise_url(url: str) -> str:
    """Checks ``url`` and gives SQLite files a busy timeout so processes can share them."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise BadDatabaseUrlError(
            f"bad database URL {url!r}: expected sqlite:///FILE or "
            "postgresql+psycopg2://USER@HOST:PORT/DB"
        ) from None
    if parsed.get_backend_name() not in SUPPORTED_DIALECTS:
        raise BadDatabaseUrlError(
            f"unsupported database {parsed.get_backend_name()!r} in {url!r}: "
            f"use one of {', '.join(SUPPORTED_DIALECTS)}"
        )
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
    sa.event.listen(engine, "connect", _sqlite_connected)
    sa.event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_connected(dbapi_connection: Any, _: Any) -> None:
    dbapi_connection.isolation_level = None
    dbapi_connection.execute("pragma journal_mode=wal")


def _sqlite_begin(connection: sa.Connection) -> None:
    writes = connection.get_execution_options().get("writes", False)
    connection.exec_driver_sql("begin immediate" if writes else "begin")
