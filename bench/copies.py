"""A large read model made fast: the projected history copied in SQL under fresh ids.

The entity-history query reads three tables (the event index, the events' entities, the
commands). Rebuilding 1,000,000 events takes most of an hour on this machine, so to measure the
query at that size the 50,000 events W3 rebuilt are copied inside the database, every id
given a per-copy prefix (its first 8 hex digits) and every position moved past the last: the
same shapes, families and index depths, only not projected one by one.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from tasktrail.projections.read_model import ReadModel

IDS = {"aggregate_id", "causation_id", "entity_id", "command_id", "parent_command_id"}
IDS |= {"root_command_id", "job_id", "step_id"}


def multiply(model: ReadModel, total: int) -> int:
    """Copies until the event index holds at least ``total`` rows; returns how many it holds."""
    tables = model.tables
    copied = [tables.event_index, tables.event_entity, tables.tt_command]
    with model.engine.begin() as connection:
        stored, last = connection.execute(
            sa.select(sa.func.count(), sa.func.max(tables.event_index.c.position))
        ).one()
        copies = -(-total // stored) - 1
        originals = _originals(model, last)
        dialect = connection.dialect.name
        for copy in range(1, copies + 1):
            for table in copied:
                where = originals[table.name]
                connection.execute(_copy(table, copy, copy * last, dialect, where))
        if connection.dialect.name == "postgresql":
            connection.execute(sa.text("analyze"))
    return stored * (copies + 1)


def _originals(model: ReadModel, last: int) -> dict[str, sa.ColumnElement[bool]]:
    """Which rows of each table are the rebuilt ones (copies are made of those only)."""
    e, touched, c = model.tables.event_index, model.tables.event_entity, model.tables.tt_command
    return {
        e.name: e.c.position <= last,
        touched.name: touched.c.position <= last,
        c.name: c.c.command_id.in_(sa.select(e.c.aggregate_id).where(e.c.position <= last)),
    }


def _copy(
    table: sa.Table, copy: int, shift: int, dialect: str, originals: sa.ColumnElement[bool]
) -> sa.Insert:
    """INSERT INTO table SELECT (ids and positions moved) FROM table WHERE (an original)."""
    columns = [_column(table.c[c.name], copy, shift, dialect) for c in table.columns]
    select = sa.select(*columns).where(originals)
    return table.insert().from_select([c.name for c in table.columns], select)


def _column(
    column: sa.Column[object], copy: int, shift: int, dialect: str
) -> sa.ColumnElement[Any]:
    if column.name == "position":
        return column + shift
    if column.name not in IDS:
        return column
    prefix = f"{copy:08x}"
    if dialect == "postgresql":
        text = sa.func.substr(sa.cast(column, sa.Text), 9)
        return sa.cast(sa.literal(prefix) + text, column.type)
    return sa.literal(prefix) + sa.func.substr(column, 9)
