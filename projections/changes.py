"""Row changes: what a projector returns, so projectors stay pure and one place writes SQL."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from domain.state_machine import Transitioned
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
    table: str
    key: dict[str, Any]


@dataclass(frozen=True)
class Name:
    """A placeholder of an audit message, filled from a row the read model already holds."""

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


def apply_changes(connection: sa.Connection, tables: Tables, changes: list[Change]) -> None:
    for change in changes:
        match change:
            case Insert(table, values):
                connection.execute(getattr(tables, table).insert().values(values))
            case Update(table, key, values):
                target = getattr(tables, table)
                connection.execute(target.update().where(*_match(target, key)).values(values))
            case Delete(table, key):
                target = getattr(tables, table)
                connection.execute(target.delete().where(*_match(target, key)))
            case AuditEntry():
                _audit(connection, tables, change)


def _match(table: sa.Table, key: dict[str, Any]) -> list[sa.ColumnElement[bool]]:
    return [table.c[name] == value for name, value in key.items()]


def _audit(connection: sa.Connection, tables: Tables, entry: AuditEntry) -> None:
    names = {}
    for placeholder, name in entry.names.items():
        table = getattr(tables, name.table)
        found = connection.execute(
            sa.select(table.c[name.name_column]).where(table.c[name.key_column] == name.key)
        )
        names[placeholder] = found.scalar() or str(name.key)
    values = {**entry.values, "message": entry.values["message"].format(**names)}
    connection.execute(tables.audit_log.insert().values(values))
