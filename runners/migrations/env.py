"""Alembic's environment: the connection comes from the caller, never from an ini file."""

from __future__ import annotations

from alembic import context

from tasktrail.projections.tables import LIVE
from tasktrail.runners.store_tables import METADATA
from tasktrail.runners.users import METADATA as USERS_METADATA

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=[LIVE.metadata, METADATA, USERS_METADATA])
with context.begin_transaction():
    context.run_migrations()
