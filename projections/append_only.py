"""Rows only ever inserted (``tt_event``, ``tt_event_entity``, ``audit_log``), written in bulk.

On PostgreSQL they go in with ``COPY … FROM STDIN`` (``projections.bulk``, which rebuild's
shadows load with too): a batch of 50 RemoveVm-3 puts 4,450 rows into ``tt_event`` and 16,000
into ``tt_event_entity``, and a multi-row INSERT of them spent most of its time having
psycopg2 render and the server parse every value (0.45 s against 0.13 s by COPY for the
4,450). A column a row leaves out takes its default, as with INSERT. Elsewhere they are
inserted as before (executemany).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from tasktrail.projections.bulk import insert_rows


def append_rows(connection: sa.Connection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """Inserts ``rows`` into ``table`` in the caller's transaction."""
    if connection.dialect.name == "postgresql":
        insert_rows(connection, table, rows)
    else:
        connection.execute(table.insert(), rows)
