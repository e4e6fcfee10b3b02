"""The read model's tables are made by Alembic revisions, and match the table definitions."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from projections.read_model import ReadModel
from projections.schema import current_revision
from projections.tables import LIVE
from runners.database import open_event_store


def test_a_new_database_is_brought_to_the_head_revision(database_url: str) -> None:
    store = open_event_store(database_url)
    model = ReadModel(store)
    model.create()
    assert current_revision(model.engine) == "0001"
    model.create()
    assert current_revision(model.engine) == "0001"


def test_the_revisions_build_exactly_the_tables_the_code_defines(database_url: str) -> None:
    store = open_event_store(database_url)
    model = ReadModel(store)
    model.create()
    ours = {t.name for t in LIVE.metadata.sorted_tables}

    def ours_only(name: str | None, kind: str, parents: dict[str, str | None]) -> bool:
        if kind == "schema":
            return True
        return (name if kind == "table" else parents.get("table_name")) in ours

    with model.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_name": ours_only})
        differences = compare_metadata(context, LIVE.metadata)
    assert differences == []


def test_a_rebuild_drops_and_remakes_the_tables_through_the_revisions(database_url: str) -> None:
    store = open_event_store(database_url)
    model = ReadModel(store)
    model.create()
    model.rebuild()
    with model.engine.connect() as connection:
        tables = set(sa.inspect(connection).get_table_names())
    assert {t.name for t in LIVE.metadata.sorted_tables} <= tables
    assert current_revision(model.engine) == "0001"
