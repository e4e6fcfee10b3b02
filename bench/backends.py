"""The databases a workload runs on: a fresh SQLite file, and PostgreSQL when it answers."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa

PG_BASE = os.environ.get(
    "TASKTRAIL_BENCH_PG_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test"
)

BACKENDS = os.environ.get("TASKTRAIL_BENCH_BACKENDS", "sqlite,postgresql").split(",")
"""Which backends to measure, e.g. ``TASKTRAIL_BENCH_BACKENDS=postgresql`` for a long full run."""


def _server() -> sa.Engine:
    return sa.create_engine(
        sa.make_url(PG_BASE), isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3}
    )


def _drop(connection: sa.Connection, name: str) -> None:
    connection.execute(sa.text(f'drop database if exists "{name}" with (force)'))


def fresh_postgres(name: str) -> str | None:
    """The URL of a new, empty database ``name`` on the server, or None if it is unreachable."""
    server = _server()
    try:
        with server.connect() as connection:
            _drop(connection, name)
            connection.execute(sa.text(f'create database "{name}"'))
    except sa.exc.OperationalError:
        return None
    finally:
        server.dispose()
    return sa.make_url(PG_BASE).set(database=name).render_as_string(hide_password=False)


def drop_postgres(name: str) -> None:
    """Drops ``name``, closing whatever connections a workload left open on it."""
    server = _server()
    try:
        with server.connect() as connection:
            _drop(connection, name)
    finally:
        server.dispose()


def databases(label: str) -> Iterator[tuple[str, str]]:
    """(backend name, fresh URL) for SQLite and, if reachable, PostgreSQL; removed afterwards."""
    if "sqlite" in BACKENDS:
        with tempfile.TemporaryDirectory() as folder:
            yield "sqlite", f"sqlite:///{Path(folder) / f'{label}.db'}"
    if "postgresql" not in BACKENDS:
        return
    name = f"bench_{label}_{os.getpid()}".lower()
    url = fresh_postgres(name)
    if url is None:
        return
    try:
        yield "postgresql", url
    finally:
        drop_postgres(name)
