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


def _fresh_postgres(name: str) -> str | None:
    url = sa.make_url(PG_BASE)
    try:
        engine = sa.create_engine(
            url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3}
        )
        with engine.connect() as connection:
            connection.execute(sa.text(f'drop database if exists "{name}" with (force)'))
            connection.execute(sa.text(f'create database "{name}"'))
        engine.dispose()
    except sa.exc.OperationalError:
        return None
    return url.set(database=name).render_as_string(hide_password=False)


BACKENDS = os.environ.get("TASKTRAIL_BENCH_BACKENDS", "sqlite,postgresql").split(",")
"""Which backends to measure, e.g. ``TASKTRAIL_BENCH_BACKENDS=postgresql`` for a long full run."""


def databases(label: str) -> Iterator[tuple[str, str]]:
    """(backend name, fresh URL) for SQLite and, if reachable, PostgreSQL."""
    if "sqlite" in BACKENDS:
        with tempfile.TemporaryDirectory() as folder:
            yield "sqlite", f"sqlite:///{Path(folder) / f'{label}.db'}"
    if "postgresql" not in BACKENDS:
        return
    pg = _fresh_postgres(f"bench_{label}_{os.getpid()}")
    if pg is not None:
        yield "postgresql", pg
