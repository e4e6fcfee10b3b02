"""One database URL configures everything: the event store, the read tables, the tracking."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from domain.errors import TasktrailError
from domain.store import EventStore

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


_SCHEMA_LOCK = 0x7A5C_FFFF


@contextmanager
def schema_lock(url: str) -> Iterator[None]:
    """Engines starting together on PostgreSQL create their tables one after the other.

    ``CREATE TABLE`` after a check is not atomic; two first starts would race on it.
    """
    if make_url(url).get_backend_name() != "postgresql":
        yield
        return
    engine = sa.create_engine(normalise_url(url))
    with engine.connect() as connection:
        connection.execute(sa.text("select pg_advisory_lock(:key)"), {"key": _SCHEMA_LOCK})
        try:
            yield
        finally:
            connection.execute(sa.text("select pg_advisory_unlock(:key)"), {"key": _SCHEMA_LOCK})
            connection.commit()
    engine.dispose()


def open_event_store(url: str = DEFAULT_URL) -> EventStore:
    """The event store on ``url``, its tables created if missing."""
    return EventStore(
        env={
            "PERSISTENCE_MODULE": "eventsourcing_sqlalchemy",
            "SQLALCHEMY_URL": normalise_url(url),
            "CREATE_TABLE": "y",
        }
    )
