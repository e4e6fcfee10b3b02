"""Many rows into one table at once: ``COPY`` on PostgreSQL, the driver's executemany elsewhere.

A shadow is loaded with hundreds of thousands of rows that nothing reads back until it is
complete. SQLAlchemy's executemany renders and converts every parameter of every row in
Python (about half the load's time); here each column's conversion is looked up once, and
the rows go to the driver as tuples (SQLite) or as one ``COPY`` text stream (PostgreSQL).
Both run inside the connection's current transaction.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa

from projections.changes import Row

Convert = Callable[[Any], Any] | None


def insert_rows(connection: sa.Connection, table: sa.Table, rows: Iterable[Row]) -> None:
    """Inserts ``rows`` (dicts by column name; those with the same columns together)."""
    assert connection.in_transaction(), "rows are loaded inside the caller's transaction"
    for columns, group in _grouped(rows).items():
        if connection.dialect.name == "postgresql":
            _copy(connection, table, columns, group)
        else:
            _executemany(connection, table, columns, group)


def _grouped(rows: Iterable[Row]) -> dict[tuple[str, ...], list[Row]]:
    groups: dict[tuple[str, ...], list[Row]] = {}
    for row in rows:
        groups.setdefault(tuple(row), []).append(row)
    return groups


def _cursor(connection: sa.Connection) -> Any:
    return connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]


def _executemany(
    connection: sa.Connection, table: sa.Table, columns: tuple[str, ...], rows: list[Row]
) -> None:
    """The driver's executemany, each value converted as SQLAlchemy would bind it."""
    dialect = connection.dialect
    quote = dialect.identifier_preparer.quote
    converts = [table.c[c].type.dialect_impl(dialect).bind_processor(dialect) for c in columns]
    statement = (
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in columns)}) "
        f"VALUES ({', '.join('?' for _ in columns)})"
    )
    params = [_converted(row, columns, converts) for row in rows]
    cursor = _cursor(connection)
    try:
        cursor.executemany(statement, params)
    finally:
        cursor.close()


def _converted(row: Row, columns: tuple[str, ...], converts: Sequence[Convert]) -> tuple[Any, ...]:
    return tuple(
        value if value is None or convert is None else convert(value)
        for value, convert in zip((row[c] for c in columns), converts, strict=True)
    )


def _copy(
    connection: sa.Connection, table: sa.Table, columns: tuple[str, ...], rows: list[Row]
) -> None:
    """``COPY … FROM STDIN`` in PostgreSQL's text format."""
    quote = connection.dialect.identifier_preparer.quote
    statement = f"COPY {quote(table.name)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
    text = "".join("\t".join(_copy_text(row[c]) for c in columns) + "\n" for row in rows)
    cursor = _cursor(connection)
    try:
        cursor.copy_expert(statement, io.StringIO(text))
    finally:
        cursor.close()


_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value: Any) -> str:
    """One value as COPY's text format reads it (enum members by their value)."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, str):
        return str.__str__(value).translate(_ESCAPES)
    if isinstance(value, date):
        return value.isoformat()
    return str(value).translate(_ESCAPES)
