"""The rebuild's own path: rows loaded in bulk come back as they went in, and a swap that writes
only the rows that differ still leaves exactly the rebuilt rows."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any
from uuid import uuid4

import sqlalchemy as sa

from tasktrail.projections.bulk import insert_rows
from tasktrail.projections.column_types import TIME, Uuid
from tasktrail.projections.read_model import verify
from tasktrail.runners.database import database_engine
from tests.scenario import Scenario


class Colour(StrEnum):
    RED = "red"


def test_a_rebuild_repairs_changed_missing_and_extra_rows(database_url: str) -> None:
    world = Scenario(database_url)
    vm_id, _ = world.add_vm(world.add_pool(), disks=2)
    world.remove_vm(vm_id)
    world.drive()
    live = world.read_model
    live.rebuild()
    before = {t.name: live.rows(t) for t in live.tables.views}
    tables = live.tables
    with live.engine.begin() as connection:
        connection.execute(tables.tt_command.update().values(status="ACTIVE", ended_at=None))
        connection.execute(tables.event_entity.delete().where(tables.event_entity.c.position < 5))
        ghost = {"id": uuid4(), "name": "ghost", "status": "Up"}
        connection.execute(tables.tt_storage_pool.insert().values(ghost))

    live.rebuild()

    assert {t.name: live.rows(t) for t in live.tables.views} == before
    assert verify(world.database, world.store) == []


def test_rows_loaded_in_bulk_read_back_as_they_were_written(database_url: str) -> None:
    metadata = sa.MetaData()
    table = sa.Table(
        "bulk_probe",
        metadata,
        sa.Column("id", Uuid, primary_key=True),
        sa.Column("text", sa.Text),
        sa.Column("at", TIME),
        sa.Column("flag", sa.Boolean),
        sa.Column("number", sa.BigInteger),
    )
    moment = datetime(2026, 11, 25, 8, 0, 0, 123456, tzinfo=UTC)
    rows: list[dict[str, Any]] = [
        {"id": uuid4(), "text": "tab\there\nnew line\\back\rslash", "at": moment, "flag": True},
        {"id": uuid4(), "text": Colour.RED, "at": None, "flag": False, "number": 2**40},
        {"id": uuid4(), "text": None, "at": moment, "flag": None, "number": None},
    ]
    engine = database_engine(database_url)
    metadata.create_all(engine)
    with engine.connect() as connection, connection.begin():
        insert_rows(connection, table, rows)
    with engine.connect() as connection:
        found = {r["id"]: dict(r) for r in connection.execute(sa.select(table)).mappings()}
    engine.dispose()

    for row in rows:
        stored = found[row["id"]]
        assert stored["text"] == row["text"]
        assert stored["flag"] == row["flag"]
        assert stored["number"] == row.get("number")
        at = stored["at"]
        assert (at.replace(tzinfo=at.tzinfo or UTC) if at else None) == row["at"]
