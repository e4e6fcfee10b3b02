"""One parametrised database fixture: every integration test runs on SQLite and PostgreSQL.

PostgreSQL tests skip where no server answers, unless TASKTRAIL_REQUIRE_PG=1 (set by .ci/run),
which turns that skip into a failure so CI always runs them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

PG_URL = os.environ.get(
    "TASKTRAIL_TEST_PG_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test"
)


def _pg_unreachable_reason() -> str | None:
    try:
        engine = sa.create_engine(PG_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(sa.text("select 1"))
        engine.dispose()
    except sa.exc.OperationalError as error:
        return f"PostgreSQL at {PG_URL} unreachable: {str(error).splitlines()[0]}"
    return None


def _require_pg() -> None:
    reason = _pg_unreachable_reason()
    if reason is None:
        return
    if os.environ.get("TASKTRAIL_REQUIRE_PG") == "1":
        pytest.fail(f"{reason} (TASKTRAIL_REQUIRE_PG=1 forbids skipping)")
    pytest.skip(reason)


def reset_postgres(url: str = PG_URL) -> None:
    """Empties the test database: other sessions are ended, the public schema recreated."""
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(
            sa.text(
                "select pg_terminate_backend(pid) from pg_stat_activity "
                "where datname = current_database() and pid <> pg_backend_pid()"
            )
        )
        connection.execute(sa.text("drop schema public cascade"))
        connection.execute(sa.text("create schema public"))
    engine.dispose()


@pytest.fixture
def pg_url() -> str:
    """A freshly emptied PostgreSQL database, for tests that are about PostgreSQL itself."""
    _require_pg()
    reset_postgres()
    return PG_URL


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of each supported kind: a SQLite file, and PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'tasktrail.db'}"
    else:
        _require_pg()
        reset_postgres()
        yield PG_URL
