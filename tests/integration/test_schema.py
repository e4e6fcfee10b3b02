"""Every table is made by the Alembic revisions, and they match the table definitions."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy_utils.types.uuid import UUIDType

from tasktrail.projections.tables import LIVE
from tasktrail.runners.database import database_engine
from tasktrail.runners.schema import HEAD, current_revision, upgrade
from tasktrail.runners.store_tables import METADATA


def test_a_new_database_is_brought_to_the_head_revision(database_url: str) -> None:
    database = database_engine(database_url)
    assert current_revision(database) is None
    upgrade(database)
    assert current_revision(database) == HEAD
    upgrade(database)
    assert current_revision(database) == HEAD


def test_the_revisions_build_exactly_the_tables_the_code_defines(database_url: str) -> None:
    database = database_engine(database_url)
    upgrade(database)
    ours = {t.name for md in (LIVE.metadata, METADATA) for t in md.sorted_tables}

    def ours_only(name: str | None, kind: str, parents: dict[str, str | None]) -> bool:
        if kind == "schema":
            return True
        return (name if kind == "table" else parents.get("table_name")) in ours

    def same_type(*args: Any) -> bool | None:
        """eventsourcing-sqlalchemy's UUIDType reads back as the dialect's own column type."""
        return False if isinstance(args[4], UUIDType) else None

    with database.connect() as connection:
        options = {"include_name": ours_only, "compare_type": same_type}
        context = MigrationContext.configure(connection, opts=options)
        differences = compare_metadata(context, [LIVE.metadata, METADATA])
    assert differences == []
    with database.connect() as connection:
        tables = set(sa.inspect(connection).get_table_names())
    assert ours <= tables
