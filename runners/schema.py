"""Every table is made by one set of Alembic revisions: event store, read model, storage.

``upgrade`` brings a database to the head revision (creating everything on a new database),
under an advisory lock on PostgreSQL so that engines starting together do not race. Shadow
tables (``verify``, ``rebuild``) are transient and made straight from their definitions.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
HEAD = "0005"
_SCHEMA_LOCK = 0x7A5C_FFFF


def alembic_config(connection: sa.Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def upgrade(engine: sa.Engine) -> None:
    """Brings the database to the head revision, unless it is there already."""
    if current_revision(engine) == HEAD:
        return
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(sa.text("select pg_advisory_xact_lock(:k)"), {"k": _SCHEMA_LOCK})
        command.upgrade(alembic_config(connection), "head")


def current_revision(engine: sa.Engine) -> str | None:
    with engine.connect() as connection:
        if not sa.inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(sa.text("select version_num from alembic_version")).scalar()
