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

BASE_PG_URL = os.environ.get(
    "TASKTRAIL_TEST_PG_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test"
)
# Each pytest process gets its own database beside the configured one, so that two test runs
# on one machine (a developer's and CI's, or parallel sessions) never empty each other's tables.
PG_URL = (
    sa.make_url(BASE_PG_URL)
    .set(database=f"{sa.make_url(BASE_PG_URL).database}_{os.getpid()}")
    .render_as_string(hide_password=False)
)


_created: list[str] = []


def _pg_unreachable_reason() -> str | None:
    """None once this process's database exists; else why PostgreSQL cannot be used."""
    if _created:
        return None
    try:
        engine = sa.create_engine(
            BASE_PG_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3}
        )
        with engine.connect() as connection:
            name = sa.make_url(PG_URL).database
            connection.execute(sa.text(f'drop database if exists "{name}" with (force)'))
            connection.execute(sa.text(f'create database "{name}"'))
        engine.dispose()
    except sa.exc.OperationalError as error:
        return f"PostgreSQL at {BASE_PG_URL} unreachable: {str(error).splitlines()[0]}"
    _created.append(PG_URL)
    return None


@pytest.fixture(scope="session", autouse=True)
def _drop_private_database() -> Iterator[None]:
    yield
    if not _created:
        return
    engine = sa.create_engine(BASE_PG_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        name = sa.make_url(PG_URL).database
        connection.execute(sa.text(f'drop database if exists "{name}" with (force)'))
    engine.dispose()


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


@pytest.fixture(scope="module")
def module_pg_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A PostgreSQL database of the test module's own, for tests that share one costly setup:
    other tests empty this process's database between theirs, never this one."""
    _require_pg()
    url = sa.make_url(PG_URL)
    name = f"{url.database}_{request.module.__name__.rsplit('.', 1)[-1]}"
    admin = sa.create_engine(BASE_PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'drop database if exists "{name}" with (force)'))
        connection.execute(sa.text(f'create database "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(sa.text(f'drop database if exists "{name}" with (force)'))
    admin.dispose()
