"""Many rows into one table at once: ``COPY`` on PostgreSQL, the driver's executemany elsewhere.

A shadow is loaded with hundreds of thousands of rows that nothing reads back until it is
complete. SQLAlchemy's executemany renders and converts every parameter of every row in
Python (about half the load's time); here each column's conversion is looked up once, and
the rows go to the driver as tuples (SQLite) or as one ``COPY`` text stream (PostgreSQL).
Both run inside the connection's current transaction.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from tasktrail.projections.column_types import Uuid

Convert = Callable[[Any], Any] | None
Row = dict[str, Any]


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


@contextmanager
def _cursor(connection: sa.Connection, statement: str) -> Iterator[Any]:
    """A cursor of the connection's driver; its errors raised as SQLAlchemy's (as every other
    statement's are: "could not rebuild" is told apart from a bug by them)."""
    dbapi = connection.dialect.loaded_dbapi
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        yield cursor
    except dbapi.Error as error:
        raise sa.exc.DBAPIError.instance(statement, None, error, dbapi.Error) from error
    finally:
        cursor.close()


def _executemany(
    connection: sa.Connection, table: sa.Table, columns: tuple[str, ...], rows: list[Row]
) -> None:
    """The driver's executemany, each value converted as SQLAlchemy would bind it."""
    dialect = connection.dialect
    quote = dialect.identifier_preparer.quote
    statement = (
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in columns)}) "
        f"VALUES ({', '.join('?' for _ in columns)})"
    )
    values = [_converted(_converter(table.c[c], dialect), [r[c] for r in rows]) for c in columns]
    with _cursor(connection, statement) as cursor:
        cursor.executemany(statement, zip(*values, strict=True))


def _converted(convert: Convert, values: list[Any]) -> list[Any]:
    """One column's values, converted (a column at a time: one lookup of the conversion)."""
    if convert is None:
        return values
    return [None if value is None else convert(value) for value in values]


def _converter(column: sa.Column[Any], dialect: sa.Dialect) -> Convert:
    """SQLAlchemy's conversion of ``column``'s values, but a plain ``str`` for a ``UUID``
    where ids are kept as text (what ``Uuid`` does, without its generic checks)."""
    if isinstance(column.type, Uuid) and dialect.name != "postgresql":
        return _uuid_text
    return column.type.dialect_impl(dialect).bind_processor(dialect)


def _uuid_text(value: Any) -> str:
    return _TEXTS.get(value) or _text_of(value)


_TEXTS: dict[Any, str] = {}
"""Recent ids as text: the same few (a VM, its command, its job) recur in many rows."""


def _text_of(value: Any) -> str:
    if len(_TEXTS) >= 10_000:
        _TEXTS.clear()
    text = _TEXTS[value] = str(value) if type(value) is UUID else str(UUID(str(value)))
    return text


def _copy(
    connection: sa.Connection, table: sa.Table, columns: tuple[str, ...], rows: list[Row]
) -> None:
    """``COPY … FROM STDIN`` in PostgreSQL's text format, made a column at a time."""
    quote = connection.dialect.identifier_preparer.quote
    statement = f"COPY {quote(table.name)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
    texts = [_texts(table.c[c].type, [row[c] for row in rows]) for c in columns]
    text = "\n".join(map("\t".join, zip(*texts, strict=True))) + "\n"
    with _cursor(connection, statement) as cursor:
        cursor.copy_expert(statement, io.StringIO(text))


NULL = "\\N"
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _texts(kind: Any, values: list[Any]) -> list[str]:
    """One column's values as COPY's text format reads them (by the column's type, without a
    call per value: a load formats about a million)."""
    if isinstance(kind, Uuid):
        known = _TEXTS.get
        return [NULL if v is None else known(v) or _text_of(v) for v in values]
    if isinstance(kind, sa.Boolean):
        return [NULL if v is None else "t" if v else "f" for v in values]
    if isinstance(kind, sa.Integer):
        return [NULL if v is None else str(int(v)) for v in values]
    if isinstance(kind, sa.DateTime):
        return [NULL if v is None else v.isoformat() for v in values]
    try:
        return [NULL if v is None else str.translate(v, _ESCAPES) for v in values]
    except TypeError:  # not all text: an id or a number kept in a text column
        return [NULL if v is None else _copy_text(v) for v in values]


def _copy_text(value: Any) -> str:
    """A value of a text column escaped (a ``str`` enum member by its value)."""
    text = str.__str__(value) if isinstance(value, str) else str(value)
    return text.translate(_ESCAPES)
