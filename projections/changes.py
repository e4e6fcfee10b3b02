"""Row changes: what projectors return, merged per batch and written one statement per table.

Projectors stay pure functions of events. A batch of events may insert a row, update it three
times and delete it again; ``RowChanges`` keeps only the net effect per primary key, so each
table gets at most one DELETE, one INSERT and one UPDATE statement (executemany) per batch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from domain.model.events import Transitioned
from projections.tables import Tables


@dataclass(frozen=True)
class Insert:
    table: str
    values: dict[str, Any]


@dataclass(frozen=True)
class Update:
    table: str
    key: dict[str, Any]
    values: dict[str, Any]


@dataclass(frozen=True)
class Delete:
    """Deletes the rows matching ``key``: the whole primary key, or a leading part of it."""

    table: str
    key: dict[str, Any]


@dataclass(frozen=True)
class Name:
    """A placeholder of an audit message, filled from a row the read model holds."""

    table: str
    key_column: str
    name_column: str
    key: UUID


@dataclass(frozen=True)
class AuditEntry:
    """An audit_log row; each ``{placeholder}`` of its message is looked up by ``names``."""

    values: dict[str, Any]
    names: dict[str, Name] = field(default_factory=dict)


Change = Insert | Update | Delete | AuditEntry


def aggregate_type(event: Transitioned) -> str:
    return type(event).__qualname__.split(".")[0]


def event_type(event: Transitioned) -> str:
    return type(event).__name__


Key = tuple[Any, ...]
APPEND_ONLY = frozenset({"event_index", "event_entity"})
"""Tables whose rows are only ever inserted: no merging, one INSERT per batch."""


@dataclass
class _Row:
    """The net change to one row: inserted (maybe after deleting the old one), or updated."""

    values: dict[str, Any]
    inserted: bool
    deleted_first: bool = False


class RowChanges:
    """The net effect of a batch of changes, table by table and key by key."""

    def __init__(self, tables: Tables) -> None:
        self.tables = tables
        self._rows: dict[str, dict[Key, _Row]] = {}
        self._deleted: dict[str, dict[Key, dict[str, Any]]] = {}
        self._audit: list[AuditEntry] = []
        self._appended: dict[str, list[dict[str, Any]]] = {name: [] for name in APPEND_ONLY}

    def add(self, change: Change) -> None:
        match change:
            case Insert(table, values) if table in APPEND_ONLY:
                self._appended[table].append(values)
            case Insert(table, values):
                self._insert(table, values)
            case Update(table, key, values):
                self._update(table, key, values)
            case Delete(table, key):
                self._delete(table, key)
            case AuditEntry():
                self._audit.append(change)

    def _key(self, table: str, values: dict[str, Any]) -> Key:
        return tuple(values[c.name] for c in self._table(table).primary_key.columns)

    def _table(self, name: str) -> sa.Table:
        table: sa.Table = getattr(self.tables, name)
        return table

    def _insert(self, table: str, values: dict[str, Any]) -> None:
        key = self._key(table, values)
        deleted = self._deleted.get(table, {}).pop(key, None) is not None
        self._rows.setdefault(table, {})[key] = _Row(dict(values), True, deleted)

    def _update(self, table: str, key_values: dict[str, Any], values: dict[str, Any]) -> None:
        key = self._key(table, key_values)
        if key in self._deleted.get(table, {}):
            return
        row = self._rows.setdefault(table, {}).get(key)
        if row is None:
            self._rows[table][key] = _Row({**key_values, **values}, False)
        else:
            row.values.update(values)

    def _delete(self, table: str, key_values: dict[str, Any]) -> None:
        rows = self._rows.get(table, {})
        for key in [k for k, row in rows.items() if _matches(row.values, key_values)]:
            row = rows.pop(key)
            if not row.inserted or row.deleted_first:
                self._deleted.setdefault(table, {})[key] = dict(key_values)
        if len(key_values) < len(self._table(table).primary_key.columns):
            self._deleted.setdefault(table, {})[_partial(key_values)] = dict(key_values)
        elif not any(_matches(v, key_values) for v in self._deleted.get(table, {}).values()):
            self._deleted.setdefault(table, {})[self._key(table, key_values)] = dict(key_values)

    def write(self, connection: sa.Connection) -> None:
        """Deletes, then inserts (parents first), then updates; then the audit entries."""
        order = [t.name for t in self.tables.views]
        for name in reversed(order):
            for key_values in self._deleted.get(_short(self.tables, name), {}).values():
                table = self._table(_short(self.tables, name))
                connection.execute(table.delete().where(*_match(table, key_values)))
        for name in order:
            self._write_rows(connection, _short(self.tables, name))
        for name, rows in self._appended.items():
            if rows:
                connection.execute(self._table(name).insert(), rows)
        self._write_audit(connection)

    def _write_rows(self, connection: sa.Connection, name: str) -> None:
        rows = self._rows.get(name, {}).values()
        table = self._table(name)
        for deleted_first in [r for r in rows if r.inserted and r.deleted_first]:
            key = {c.name: deleted_first.values[c.name] for c in table.primary_key.columns}
            connection.execute(table.delete().where(*_match(table, key)))
        for group in _grouped([r.values for r in rows if r.inserted]):
            connection.execute(table.insert(), group)
        for group in _grouped([r.values for r in rows if not r.inserted]):
            _update_many(connection, table, group)

    def _write_audit(self, connection: sa.Connection) -> None:
        if not self._audit:
            return
        rows = [self._audit_row(connection, entry) for entry in self._audit]
        connection.execute(self.tables.audit_log.insert(), rows)

    def _audit_row(self, connection: sa.Connection, entry: AuditEntry) -> dict[str, Any]:
        names = {p: self._name(connection, n) for p, n in entry.names.items()}
        return {**entry.values, "message": entry.values["message"].format(**names)}

    def _name(self, connection: sa.Connection, name: Name) -> str:
        """The entity's name as this batch leaves it, or as the table holds it."""
        pending = self._rows.get(name.table, {})
        for row in pending.values():
            if row.values.get(name.key_column) == name.key and name.name_column in row.values:
                return str(row.values[name.name_column])
        table = self._table(name.table)
        found = connection.execute(
            sa.select(table.c[name.name_column]).where(table.c[name.key_column] == name.key)
        ).scalar()
        return str(found or name.key)


def _short(tables: Tables, full_name: str) -> str:
    """The attribute name of a table (its name without the shadow prefix)."""
    prefix: str = tables.metadata.info.get("prefix", "")
    return full_name.removeprefix(prefix)


def _matches(values: dict[str, Any], key: dict[str, Any]) -> bool:
    return all(values.get(k) == v for k, v in key.items())


def _partial(key: dict[str, Any]) -> Key:
    return ("partial", *sorted(key.items(), key=lambda item: item[0]))


def _match(table: sa.Table, key: dict[str, Any]) -> list[sa.ColumnElement[bool]]:
    return [table.c[name] == value for name, value in key.items()]


def _grouped(rows: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Rows with the same columns together, as executemany needs."""
    groups: dict[frozenset[str], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(frozenset(row), []).append(row)
    return list(groups.values())


def _update_many(connection: sa.Connection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    keys = [c.name for c in table.primary_key.columns]
    columns = [c for c in rows[0] if c not in keys]
    if not columns:
        return
    statement = (
        table.update()
        .where(*[table.c[k] == sa.bindparam(f"k_{k}") for k in keys])
        .values({c: sa.bindparam(f"v_{c}") for c in columns})
    )
    params = [
        {**{f"k_{k}": row[k] for k in keys}, **{f"v_{c}": row[c] for c in columns}} for row in rows
    ]
    connection.execute(statement, params)
