"""A shadow's rows in memory while it is built from the first event: no row read back.

``RowChanges`` serves a live read model, whose rows are in the database and may be written by
others: each batch reads what it needs and writes its net effect. A shadow is private and
starts empty, so while it is built every row of the tables that change is simply kept here,
and the projectors' row changes apply to dicts (deletes cascading along oVirt's foreign keys
as the database would). The append-only rows (``tt_event``, ``tt_event_entity``,
``audit_log``), most of the rows and never read back, are only collected, for ``bulk`` to load.

Memory grows with the changing tables (commands, jobs, steps, tasks, VMs and disks that exist
at the end of the history), not with the number of events.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import itemgetter
from typing import Any

from tasktrail.projections.changes import (
    APPEND_ONLY,
    Change,
    Deferred,
    Delete,
    Insert,
    Key,
    Row,
    Update,
    layout,
)
from tasktrail.projections.tables import Tables


class MemoryRows:
    """Every row of the changing tables, by key; implements ``changes.Rows`` for projectors."""

    def __init__(self, tables: Tables) -> None:
        self.layout = layout(tables)
        self.rows: dict[str, dict[Key, Row]] = {name: {} for name in self.layout.keys}
        self.appended: dict[str, list[Row]] = {name: [] for name in APPEND_ONLY}
        self._by: dict[str, dict[str, dict[Any, set[Key]]]] = {n: {} for n in self.layout.keys}
        """Each table's lookups by a column that is not its key (built when first asked,
        kept current)."""
        self._keys = {name: _key_of(columns) for name, columns in self.layout.keys.items()}

    def apply_all(self, changes: list[Change]) -> None:
        """The changes, in order (the append-only rows, most of them, straight to their list:
        a rebuild applies a few hundred thousand)."""
        appended = self.appended
        for change in changes:
            if type(change) is Insert and change.table in appended:
                appended[change.table].append(change.values)
            else:
                _HANDLERS[type(change)](self, change)

    def _on_insert(self, change: Insert) -> None:
        if change.table in self.appended:
            self.appended[change.table].append(change.values)
        else:
            self._insert(change.table, dict(change.values))

    def _on_update(self, change: Update) -> None:
        self._update(change.table, self._key(change.table, change.key), change.values)

    def _on_delete(self, change: Delete) -> None:
        for found in self._matching(change.table, change.where):
            self._remove(change.table, found)

    def _on_deferred(self, change: Deferred) -> None:
        self.apply_all(change.decide(self))

    def row(self, table: str, key: Row) -> Row | None:
        return self.rows[table].get(self._key(table, key))

    def count(self, table: str, where: Row) -> int:
        return len(self._matching(table, where))

    def _key(self, table: str, values: Row) -> Key:
        return self._keys[table](values)

    def _insert(self, table: str, row: Row) -> None:
        key = self._key(table, row)
        if key in self.rows[table]:
            self._remove(table, key, cascade=False)
        self.rows[table][key] = row
        for column, index in self._by[table].items():
            index.setdefault(row.get(column), set()).add(key)

    def _update(self, table: str, key: Key, values: Row) -> None:
        """An update of a row that does not exist changes nothing (as an UPDATE would)."""
        row = self.rows[table].get(key)
        if row is None:
            return
        for column, value in values.items():
            index = self._by[table].get(column)
            if index is not None and row.get(column) != value:
                index[row.get(column)].discard(key)
                index.setdefault(value, set()).add(key)
        row.update(values)

    def _remove(self, table: str, key: Key, *, cascade: bool = True) -> None:
        """Deletes a row and, as ``ON DELETE CASCADE`` does, the rows that refer to it."""
        row = self.rows[table].pop(key, None)
        if row is None:
            return
        for column, index in self._by[table].items():
            index[row.get(column)].discard(key)
        if not cascade:
            return
        for child, fk in self.layout.children[table]:
            [element] = fk.elements
            below = {element.parent.name: row[element.column.name]}
            for child_key in self._matching(child, below):
                self._remove(child, child_key)

    def _matching(self, table: str, where: Row) -> list[Key]:
        """The keys of the rows whose columns have these values."""
        if set(where) == set(self.layout.keys[table]):
            key = self._key(table, where)
            return [key] if key in self.rows[table] else []
        first = next(iter(where))
        candidates = self._index(table, first).get(where[first], set())
        rows = self.rows[table]
        return [k for k in list(candidates) if all(rows[k].get(c) == v for c, v in where.items())]

    def _index(self, table: str, column: str) -> dict[Any, set[Key]]:
        index = self._by[table].get(column)
        if index is None:
            index = self._by[table][column] = {}
            for key, row in self.rows[table].items():
                index.setdefault(row.get(column), set()).add(key)
        return index


_HANDLERS: dict[type, Callable[[MemoryRows, Any], None]] = {
    Insert: MemoryRows._on_insert,
    Update: MemoryRows._on_update,
    Delete: MemoryRows._on_delete,
    Deferred: MemoryRows._on_deferred,
}
"""What each kind of change does (functions, not bound methods: the rows held are freed as
soon as a shadow is done with them, not at the collector's next full pass)."""


def _key_of(columns: tuple[str, ...]) -> Callable[[Row], Key]:
    """A row's key as a tuple of its key columns' values (``itemgetter`` when there are two
    or more: it makes the tuple in C)."""
    if len(columns) > 1:
        return itemgetter(*columns)
    [column] = columns
    return lambda row: (row[column],)
