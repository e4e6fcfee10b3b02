"""Row changes: what projectors return, merged per batch and written a few statements per table.

Projectors stay pure functions of events. A batch of events may insert a row, update it three
times and delete it again; ``RowChanges`` keeps only the net effect per row, so each table gets
at most one INSERT and one UPDATE statement (executemany) per batch, plus its deletes.

Where oVirt's rows depend on other rows (a child command is persisted only when its parent is
persisted with a callback; a snapshot is numbered after those before it), a projector returns
a ``Deferred``: a function of the rows the read model holds with this batch applied so far.

Deletes follow oVirt's foreign keys (all ``ON DELETE CASCADE``): deleting a job deletes its
steps, their subject entities and the ``tt_*`` rows that extend them, both those already
written and those still pending in the batch. A delete removes what exists when it is applied,
so all deletes run before the batch's inserts and updates.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import sqlalchemy as sa

from tasktrail.domain.model.events import Transitioned
from tasktrail.projections.append_only import append_rows
from tasktrail.projections.tables import Tables, key_columns

Row = dict[str, Any]
Key = tuple[Any, ...]


@dataclass(frozen=True)
class Insert:
    table: str
    values: Row


@dataclass(frozen=True)
class Update:
    table: str
    key: Row
    values: Row


@dataclass(frozen=True)
class Delete:
    """Deletes the rows whose columns have these values (any columns), and what refers to them."""

    table: str
    where: Row


class Rows(Protocol):
    """The read model's rows as the batch being applied has left them so far."""

    def row(self, table: str, key: Row) -> Row | None: ...

    def count(self, table: str, where: Row) -> int: ...


@dataclass(frozen=True)
class Deferred:
    """Changes that depend on other rows, decided when the batch reaches this event."""

    decide: Callable[[Rows], list[Change]]


Change = Insert | Update | Delete | Deferred

APPEND_ONLY = frozenset({"tt_event", "tt_event_entity", "audit_log"})
"""Tables whose rows are only ever inserted: no merging, one INSERT per batch."""


def aggregate_type(event: Transitioned) -> str:
    return type(event).__qualname__.split(".")[0]


def event_type(event: Transitioned) -> str:
    return type(event).__name__


Cascade = list[tuple[str, sa.ForeignKeyConstraint]]


@dataclass(frozen=True)
class Layout:
    """What every batch asks of the schema (table order, keys, cascades), worked out once:
    SQLAlchemy sorts the tables anew each time it is asked."""

    views: list[sa.Table]
    keys: dict[str, tuple[str, ...]]
    children: dict[str, Cascade]
    """Each table's short name -> the tables (short names) whose rows go when its rows go."""


_LAYOUTS: weakref.WeakKeyDictionary[sa.MetaData, Layout] = weakref.WeakKeyDictionary()


def layout(tables: Tables) -> Layout:
    found = _LAYOUTS.get(tables.metadata)
    if found is None:
        views = tables.views
        short = {t: tables.short_name(t) for t in views}
        children: dict[str, Cascade] = {name: [] for name in short.values()}
        for child in views:
            for fk in child.foreign_key_constraints:
                if fk.referred_table in short and fk.ondelete == "CASCADE":
                    children[short[fk.referred_table]].append((short[child], fk))
        keys = {short[t]: tuple(c.name for c in key_columns(t)) for t in views}
        found = _LAYOUTS[tables.metadata] = Layout(views, keys, children)
    return found


@dataclass
class _Pending:
    """The net change to one row: inserted by this batch, or updated (and maybe in the DB)."""

    values: Row
    inserted: bool


class RowChanges:
    """The net effect of a batch of changes, table by table and row by row."""

    def __init__(self, tables: Tables, connection: sa.Connection) -> None:
        self.tables = tables
        self.connection = connection
        self.layout = layout(tables)
        self._pending: dict[str, dict[Key, _Pending]] = {}
        self._deletes: dict[tuple[str, tuple[tuple[str, Any], ...]], Row] = {}
        self._appended: dict[str, list[Row]] = {name: [] for name in APPEND_ONLY}
        self._stored: dict[str, dict[Key, Row | None]] = {}
        """Rows read from the database, by table then key (a delete forgets a whole table)."""
        self._stored_matching: dict[str, dict[Key, list[Row]]] = {}
        self._queued: list[Change] = []

    def add(self, change: Change) -> None:
        """Queued until ``write``, so the rows the batch will ask for are read in a few
        statements first rather than one SELECT each (a round trip each on PostgreSQL)."""
        self._queued.append(change)

    def _apply(self, change: Change) -> None:
        match change:
            case Insert(table, values) if table in APPEND_ONLY:
                self._appended[table].append(values)
            case Insert(table, values):
                key = self._key(table, values)
                self._pending.setdefault(table, {})[key] = _Pending(dict(values), True)
            case Update(table, key, values):
                self._update(table, key, values)
            case Delete(table, where):
                self._delete(table, where)
            case Deferred(decide):
                for decided in decide(self):
                    self._apply(decided)

    def _key(self, table: str, values: Row) -> Key:
        return tuple(values[c] for c in self.layout.keys[table])

    def _update(self, table: str, key_values: Row, values: Row) -> None:
        key = self._key(table, key_values)
        pending = self._pending.setdefault(table, {}).get(key)
        if pending is None:
            self._pending[table][key] = _Pending({**key_values, **values}, False)
        else:
            pending.values.update(values)

    def _delete(self, table: str, where: Row) -> None:
        pending = self._pending.get(table, {})
        gone = [k for k, row in pending.items() if _matches(row.values, where)]
        only_here = all(pending[k].inserted for k in gone)
        self._drop_pending_under(table, where)
        for key in gone:
            pending.pop(key)
        full_key = set(where) == set(self.layout.keys[table])
        if not (full_key and gone and only_here):
            self._deletes[(table, tuple(sorted(where.items())))] = dict(where)
            self._forget_stored(table)

    def _drop_pending_under(self, table: str, where: Row) -> None:
        """Pending rows that refer to the deleted ones (written or pending) go with them: the
        database's cascade cannot reach a row inserted after the delete."""
        for child, fk in self._children(table):
            if not self._pending_under(child):
                continue
            [element] = fk.elements
            for value in self._values(table, where, element.column.name):
                below = {element.parent.name: value}
                self._drop_pending_under(child, below)
                pending = self._pending.get(child, {})
                for key in [k for k, row in pending.items() if _matches(row.values, below)]:
                    del pending[key]

    def _values(self, table: str, where: Row, column: str) -> set[Any]:
        """The values ``column`` has in the rows ``where`` selects, written or pending."""
        if column in where:
            return {where[column]}
        t = self.tables.named(table)
        query = sa.select(t.c[column]).where(*_match(t, where)).distinct()
        found = set(self.connection.execute(query).scalars())
        pending = self._pending.get(table, {}).values()
        return found | {r.values[column] for r in pending if _matches(r.values, where)}

    def _pending_under(self, table: str) -> bool:
        """Whether the batch has pending rows in this table or in those referring to it."""
        if self._pending.get(table):
            return True
        return any(self._pending_under(child) for child, _ in self._children(table))

    def _forget_stored(self, table: str) -> None:
        """Rows read before a delete of this table (and so of those referring to it)."""
        self._stored.pop(table, None)
        self._stored_matching.pop(table, None)
        for child, _ in self._children(table):
            self._forget_stored(child)

    def _children(self, table: str) -> Cascade:
        return self.layout.children[table]

    def row(self, table: str, key: Row) -> Row | None:
        """The row with this key as the batch leaves it so far (None if there is none)."""
        wanted = self._key(table, key)
        pending = self._pending.get(table, {}).get(wanted)
        if pending is not None and pending.inserted:
            return pending.values
        stored = self._stored_row(table, wanted)
        if stored is None:
            return None
        return {**stored, **pending.values} if pending is not None else stored

    def _stored_row(self, table: str, key: Key) -> Row | None:
        stored = self._stored.setdefault(table, {})
        if key not in stored:
            t = self.tables.named(table)
            match = [c == v for c, v in zip(key_columns(t), key, strict=True)]
            found = self.connection.execute(sa.select(t).where(*match)).first()
            row = dict(found._mapping) if found is not None else None
            if row is not None and self._deleted(table, row):
                row = None
            stored[key] = row
        return stored[key]

    def count(self, table: str, where: Row) -> int:
        """How many rows have these column values, as the batch leaves them so far."""
        cached, matching = tuple(sorted(where.items())), self._stored_matching.setdefault(table, {})
        if cached not in matching:
            t = self.tables.named(table)
            found = self.connection.execute(sa.select(t).where(*_match(t, where)))
            matching[cached] = [dict(r._mapping) for r in found]
        stored = matching[cached]
        keys = {self._key(table, r) for r in stored if not self._deleted(table, r)}
        pending = self._pending.get(table, {})
        keys |= {k for k, row in pending.items() if row.inserted and _matches(row.values, where)}
        return len(keys)

    def _deleted(self, table: str, row: Row) -> bool:
        return any(t == table and _matches(row, w) for (t, _), w in self._deletes.items())

    def write(self, connection: sa.Connection) -> None:
        """Applies the queued changes, then writes: deletes (with what refers to the rows),
        inserts (parents first), updates, then the append-only rows."""
        for (name, key), row in prefetch(
            self.tables, self.layout, self.connection, self._queued
        ).items():
            self._stored.setdefault(name, {})[key] = row
        for change in self._queued:
            self._apply(change)
        self._queued.clear()
        for (name, columns), wheres in _grouped_deletes(self._deletes).items():
            table = self.tables.named(name)
            clause = sa.and_(*(table.c[c] == sa.bindparam(f"w_{c}") for c in columns))
            params = [{f"w_{c}": where[c] for c in columns} for where in wheres]
            self._delete_stored(connection, table, clause, params)
        for table in self.layout.views:
            self._write_rows(connection, table)
        for name, rows in self._appended.items():
            if rows:
                append_rows(connection, self.tables.named(name), rows)

    def _delete_stored(
        self,
        connection: sa.Connection,
        table: sa.Table,
        clause: sa.ColumnElement[bool],
        params: list[Row],
    ) -> None:
        """Deletes the rows ``clause`` selects (one statement for all ``params``), after the
        rows that refer to them."""
        for child, fk in self._children(self.tables.short_name(table)):
            [element] = fk.elements
            parents = sa.select(element.column).where(clause)
            below = self.tables.named(child)
            self._delete_stored(connection, below, element.parent.in_(parents), params)
        connection.execute(table.delete().where(clause), params)

    def _write_rows(self, connection: sa.Connection, table: sa.Table) -> None:
        rows = self._pending.get(self.tables.short_name(table), {}).values()
        for group in _grouped([r.values for r in rows if r.inserted]):
            connection.execute(table.insert(), group)
        for group in _grouped([r.values for r in rows if not r.inserted]):
            _update_many(connection, table, group)


PREFETCH_CHUNK = 500


def prefetch(
    tables: Tables, layout: Layout, connection: sa.Connection, changes: list[Change]
) -> dict[tuple[str, Key], Row]:
    """The stored rows a batch's updates name, and the rows those refer to (a step's job),
    read with one statement per table (and per 500 keys). Rows not found are left out: the
    batch reads them one by one if it asks, so a key of another type is never taken as absent.
    """
    wanted: dict[str, set[Any]] = {}
    for change in changes:
        if isinstance(change, Update) and len(layout.keys[change.table]) == 1:
            [column] = layout.keys[change.table]
            wanted.setdefault(change.table, set()).add(change.key[column])
    found = _fetch(tables, layout, connection, wanted)
    referred: dict[str, set[Any]] = {}
    for (table, _), row in found.items():
        for parent, column in _references(tables, layout, table):
            if row[column] is not None:
                referred.setdefault(parent, set()).add(row[column])
    return found | _fetch(tables, layout, connection, referred, known=found)


def _references(tables: Tables, layout: Layout, table: str) -> list[tuple[str, str]]:
    """(parent table, column of ``table``) for each single-column reference to a parent's key."""
    found = []
    for fk in tables.named(table).foreign_key_constraints:
        [element] = fk.elements
        parent = tables.short_name(element.column.table)
        if layout.keys.get(parent) == (element.column.name,):
            found.append((parent, element.parent.name))
    return found


def _fetch(
    tables: Tables,
    layout: Layout,
    connection: sa.Connection,
    wanted: dict[str, set[Any]],
    known: dict[tuple[str, Key], Row] | None = None,
) -> dict[tuple[str, Key], Row]:
    found: dict[tuple[str, Key], Row] = {}
    for table, values in wanted.items():
        missing = [v for v in values if (table, (v,)) not in (known or {})]
        t, [column] = tables.named(table), layout.keys[table]
        for start in range(0, len(missing), PREFETCH_CHUNK):
            chunk = missing[start : start + PREFETCH_CHUNK]
            rows = connection.execute(sa.select(t).where(t.c[column].in_(chunk)))
            found |= {(table, (r._mapping[column],)): dict(r._mapping) for r in rows}
    return found


def _grouped_deletes(
    deletes: dict[tuple[str, tuple[tuple[str, Any], ...]], Row],
) -> dict[tuple[str, tuple[str, ...]], list[Row]]:
    """The deletes of each table by the same columns together, as executemany needs."""
    groups: dict[tuple[str, tuple[str, ...]], list[Row]] = {}
    for (name, items), where in deletes.items():
        groups.setdefault((name, tuple(k for k, _ in items)), []).append(where)
    return groups


def _matches(values: Row, where: Row) -> bool:
    return all(k in values and values[k] == v for k, v in where.items())


def _match(table: sa.Table, where: Row) -> list[sa.ColumnElement[bool]]:
    return [table.c[name] == value for name, value in where.items()]


def _grouped(rows: list[Row]) -> list[list[Row]]:
    """Rows with the same columns together, as executemany needs."""
    groups: dict[frozenset[str], list[Row]] = {}
    for row in rows:
        groups.setdefault(frozenset(row), []).append(row)
    return list(groups.values())


def _update_many(connection: sa.Connection, table: sa.Table, rows: list[Row]) -> None:
    keys = [c.name for c in key_columns(table)]
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
