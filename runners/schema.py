"""Every table is made by one set of Alembic revisions: event store, read model, storage.

``upgrade`` brings a database to the head revision (creating everything on a new database),
under an advisory lock on PostgreSQL so that engines starting together do not race. Shadow
tables (``verify``, ``rebuild``) are transient and made straight from their definitions.
Alembic is imported only when a database is behind: every process checks, few upgrade.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa

if TYPE_CHECKING:
    from alembic.config import Config

from tasktrail.runners.database import DatabaseUnusableError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
HEAD = "0006"
_SCHEMA_LOCK = 0x7A5C_FFFF


def alembic_config(connection: sa.Connection) -> Config:
    from alembic.config import Config  # noqa: PLC0415 - Alembic only when a database needs it

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def upgrade(engine: sa.Engine) -> None:
    """Brings the database to the head revision, unless it is there already."""
    if current_revision(engine) == HEAD:
        return
    from alembic import command  # noqa: PLC0415 - Alembic only when a database needs it

    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(sa.text("select pg_advisory_xact_lock(:k)"), {"k": _SCHEMA_LOCK})
        command.upgrade(alembic_config(connection), "head")


def require_head(engine: sa.Engine) -> None:
    """A database that cannot be upgraded here (read-only) must be at the head revision."""
    found = current_revision(engine)
    if found != HEAD:
        raise DatabaseUnusableError(
            f"{engine.url.database} is at schema revision {found or 'none (not tasktrail)'}, "
            f"this tasktrail reads {HEAD}: upgrade a writable copy first"
        )


def current_revision(engine: sa.Engine) -> str | None:
    with engine.connect() as connection:
        if not sa.inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(sa.text("select version_num from alembic_version")).scalar()
