"""Append-only rows written in bulk (COPY on PostgreSQL) read back exactly as given."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import sqlalchemy as sa

from tasktrail.projections.append_only import append_rows
from tasktrail.projections.tables import LIVE
from tasktrail.runners.database import database_engine
from tasktrail.runners.schema import upgrade


def test_rows_with_awkward_text_and_empty_columns_read_back_as_written(database_url: str) -> None:
    engine = database_engine(database_url)
    upgrade(engine)
    table = LIVE.named("tt_event")
    awkward = "tab\there, new\nline, back\\slash, \\N, \r, ünï"
    rows = [
        {
            "position": position,
            "aggregate_type": "Command",
            "aggregate_id": uuid4(),
            "version": position,
            "event_type": "Activated",
            "trigger": "activate",
            "from_state": None if position == 1 else "NOT_STARTED",
            "to_state": "ACTIVE",
            "timestamp": datetime(2026, 11, 25, 7, 45, 1, 123456, tzinfo=UTC),
            "user_id": awkward,
            "correlation_id": f"corr-{position}",
            "causation_id": None if position == 2 else uuid4(),
        }
        for position in (1, 2, 3)
    ]

    with engine.begin() as connection:
        append_rows(connection, table, rows)

    with engine.connect() as connection:
        stored = [
            dict(r._mapping) for r in connection.execute(sa.select(table).order_by("position"))
        ]
    assert [(r["user_id"], r["from_state"], r["causation_id"]) for r in stored] == [
        (awkward, r["from_state"], r["causation_id"]) for r in rows
    ]
    assert [r["aggregate_id"] for r in stored] == [r["aggregate_id"] for r in rows]
    assert stored[0]["timestamp"].replace(tzinfo=UTC) == rows[0]["timestamp"]
