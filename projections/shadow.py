"""The read model built again from the first event in tables of one database session.

Nobody else sees them (``TEMPORARY``): two rebuilds or verifies at once build two shadows,
engines go on writing the live tables meanwhile, and a process killed mid-build leaves nothing
behind (the database drops them with its session, which ``close`` ends).

A shadow is built for speed, not for readers: its rows are kept in memory while it is built
(``MemoryRows``) and loaded in bulk, into tables with their keys but no other index and no
foreign key (the cascades already happened in memory; nothing looks rows up in them). A
rebuild then copies them into the live tables, a verify compares them with the live tables in
SQL (``EXCEPT``).
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from tasktrail.projections.bulk import insert_rows
from tasktrail.projections.event_log import EventLog
from tasktrail.projections.memory_rows import MemoryRows
from tasktrail.projections.projectors import project
from tasktrail.projections.tables import Tables, define_tables, key_columns

if TYPE_CHECKING:
    from tasktrail.projections.read_model import ReadModel

Progress = Callable[[int, int], None]
Key = tuple[Any, ...]
Row = dict[str, Any]
PRIVATE = define_tables("shadow_", temporary=True)
"""The shadow tables a rebuild or a verify builds, each in its own database session."""
LOAD_EVERY = 20_000
"""Append-only rows collected before they are loaded (a few MB; fewer, larger loads)."""


def _no_progress(done: int, total: int) -> None:
    return None


class Shadow:
    """The read model built again in tables of one database session (``TEMPORARY``)."""

    def __init__(self, engine: sa.Engine, log: EventLog) -> None:
        self.log = log
        self.tables: Tables = PRIVATE
        self.position = 0
        self.applied = 0
        self.memory = MemoryRows(PRIVATE)
        self.connection = engine.connect()
        try:
            with self.connection.begin():
                for table in PRIVATE.views:
                    create = sa.schema.CreateTable(table, include_foreign_key_constraints=[])
                    self.connection.execute(create)
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> Shadow:
        """Pauses Python's cyclic garbage collector until the shadow is closed: after every
        batch it would scan again each row held in memory (a third of a rebuild's CPU on
        50,000 events). Nothing a build makes is a reference cycle; reference counting frees
        it as usual, and the collector resumes (if it ran before) when the shadow closes."""
        self._collecting = gc.isenabled()
        gc.disable()
        return self

    def __exit__(self, *_: object) -> None:
        if self._collecting:
            gc.enable()
        self.close()

    def close(self) -> None:
        """Ends the session, and with it the shadow tables (nothing goes back to the pool)."""
        self.connection.invalidate()
        self.connection.close()

    def build(self, until: int, batch_size: int, progress: Progress = _no_progress) -> None:
        """Applies the events after its position up to ``until``, in batches of
        ``batch_size`` (``progress`` told after each)."""
        while self.position < until:
            self._apply(until, batch_size)
            progress(self.position, until)

    def _apply(self, until: int, batch_size: int) -> None:
        """One batch of the events after its position (up to ``until``) into its rows."""
        batch = self.log.read(self.position, batch_size, until=until)
        apply_all = self.memory.apply_all
        for recorded in batch:
            apply_all(project(recorded))
        self.applied += len(batch)
        self.position = batch[-1].position if len(batch) == batch_size else until
        if sum(len(rows) for rows in self.memory.appended.values()) >= LOAD_EVERY:
            self._load_appended()

    def _load_appended(self) -> None:
        with self._transaction():
            for name, rows in self.memory.appended.items():
                insert_rows(self.connection, self.tables.named(name), rows)
                rows.clear()

    def load(self) -> None:
        """Every row built so far into its tables (the changing ones once, at the end)."""
        self._load_appended()
        with self._transaction():
            for table in self.tables.views:
                rows = self.memory.rows.get(self.tables.short_name(table))
                if rows:
                    insert_rows(self.connection, table, rows.values())

    def _transaction(self) -> AbstractContextManager[object]:
        """The caller's transaction (a verify's snapshot, a swap), else one of its own."""
        if self.connection.in_transaction():
            return nullcontext()
        return self.connection.begin()

    def swap_into(self, live: ReadModel, until: int | None) -> None:
        """One write transaction holding the live tracking row: the events stored since the
        build are applied, then the live rows are replaced by the shadow's, at its position.

        Readers see the old rows or the new ones (the swap commits as one); engines applying
        a batch wait for the tracking row and then find their events applied. Only the rows
        that differ are written (found in SQL): a live table that was right is read, not
        rewritten with all its indexes.
        """
        connection = self.connection.execution_options(writes=True)
        with connection.begin():
            live.position_in(connection, lock=True)
            self.build(until if until is not None else self.log.head(), 5000)
            self.load()
            pairs = list(zip(live.tables.views, self.tables.views, strict=True))
            for mine, fresh in reversed(pairs):
                _delete_stale(connection, mine, fresh)
            for mine, fresh in pairs:
                _insert_missing(connection, mine, fresh)
            live.move_to(connection, self.position)
        self._analyze(connection, live)

    @staticmethod
    def _analyze(connection: sa.Connection, live: ReadModel) -> None:
        """PostgreSQL's planner statistics after every row was replaced: without them it
        plans the history queries as for empty tables (sequential scans: entity history at
        82 ms p99 over 50,000 events in W3) until autovacuum comes by."""
        if connection.dialect.name != "postgresql":
            return
        with connection.begin():
            for table in live.tables.views:
                connection.execute(sa.text(f'analyze "{table.name}"'))

    def differing(self, live: sa.Table, mine: sa.Table) -> tuple[dict[Key, Row], dict[Key, Row]]:
        """The rows of ``live`` that no row of the shadow's ``mine`` equals, and the other way
        round, by key: SQL finds them (``EXCEPT``), Python then says which columns differ."""
        ours = sa.select(*(live.c[c.name] for c in mine.c))
        theirs = sa.select(*mine.c)
        return (
            _by_key(self.connection, live, sa.except_(ours, theirs)),
            _by_key(self.connection, mine, sa.except_(theirs, ours)),
        )


def _by_key(
    connection: sa.Connection, table: sa.Table, query: sa.CompoundSelect[Any]
) -> dict[Key, Row]:
    keys = [c.name for c in key_columns(table)]
    found = connection.execute(query).mappings()
    return {tuple(row[k] for k in keys): dict(row) for row in found}


def _delete_stale(connection: sa.Connection, live: sa.Table, fresh: sa.Table) -> None:
    """Deletes the live rows no shadow row equals, column for column (a lookup by key in the
    shadow each); all of them in a table without a primary key, where duplicates could hide."""
    if not live.primary_key.columns:
        connection.execute(live.delete())
        return
    same = sa.and_(*(fresh.c[c.name].is_not_distinct_from(c) for c in live.c))
    connection.execute(live.delete().where(~sa.exists().where(_same_key(live, fresh), same)))


def _insert_missing(connection: sa.Connection, live: sa.Table, fresh: sa.Table) -> None:
    """Inserts the shadow rows the live table lacks: after ``_delete_stale``, the new rows and
    the new versions of changed ones. A set difference, not ``NOT EXISTS``: a lookup into
    the table being inserted into made PostgreSQL scan it once per row (minutes, not a second,
    when it believed the table empty)."""
    columns = [live.c[c.name] for c in fresh.c]
    missing = sa.except_(sa.select(*fresh.c), sa.select(*columns))
    connection.execute(live.insert().from_select(columns, missing))


def _same_key(live: sa.Table, fresh: sa.Table) -> sa.ColumnElement[bool]:
    return sa.and_(*(fresh.c[k.name] == k for k in key_columns(live)))
