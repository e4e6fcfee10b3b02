"""The read model as one projection: apply batches exactly once, catch up, rebuild, verify.

All tables share one tracking position, written in the same transaction as the rows of each
batch (eventsourcing's tracking contract): a crash mid-batch loses the whole batch and nothing
else, and the batch is applied again exactly once. The tracking row is locked for the
transaction (``FOR UPDATE`` on PostgreSQL; the projection engine begins SQLite transactions
``IMMEDIATE``), so processes catching up together apply each event once between them.

``rebuild`` and ``verify`` never touch the live tables while they build: each builds its own
``Shadow`` (temporary tables of one session). A rebuild swaps the shadow's rows in within one
transaction holding the tracking row; a verify compares it with the live tables as one
snapshot shows them, at the position that snapshot shows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from tasktrail.projections.changes import RowChanges
from tasktrail.projections.event_log import EventLog, Recorded
from tasktrail.projections.projectors import project
from tasktrail.projections.shadow import Shadow
from tasktrail.projections.tables import LIVE, Tables, key_columns

Progress = Callable[[int, int], None]
Key = tuple[Any, ...]
Row = dict[str, Any]


def _no_progress(done: int, total: int) -> None:
    return None


def write_batch(tables: Tables, connection: sa.Connection, batch: list[Recorded]) -> None:
    """The rows of ``batch``'s events, written into ``tables`` (the caller's transaction)."""
    changes = RowChanges(tables, connection)
    for recorded in batch:
        for change in project(recorded):
            changes.add(change)
    changes.write(connection)


class ReadModel:
    """The oVirt tables of one store, live or shadow (``tables``)."""

    def __init__(
        self, engine: sa.Engine, log: EventLog, tables: Tables = LIVE, name: str = "read_model"
    ) -> None:
        self.engine = engine
        self.log = log
        self.tables = tables
        self.name = name
        self._tracking = tables.metadata.tables[tables.metadata.info["tracking"]]

    def create(self) -> None:
        """Shadow tables are made from their shape (live ones by the schema's revisions);
        the tracking row is added if missing."""
        if self.tables is not LIVE:
            self.tables.metadata.create_all(self.engine, checkfirst=True)
        with self.engine.execution_options(writes=True).begin() as connection:
            if self.position_in(connection) is None:
                connection.execute(self._tracking.insert().values(name=self.name, position=0))

    def drop(self) -> None:
        """Shadow tables only: live tables are emptied by ``rebuild``, never dropped."""
        assert self.tables is not LIVE
        self.tables.metadata.drop_all(self.engine, checkfirst=True)

    def position(self) -> int:
        with self.engine.connect() as connection:
            return self.position_in(connection) or 0

    def position_in(self, connection: sa.Connection, *, lock: bool = False) -> int | None:
        """The tracking position as ``connection`` sees it; ``lock``: held until it commits."""
        query = sa.select(self._tracking.c.position).where(self._tracking.c.name == self.name)
        return connection.execute(query.with_for_update() if lock else query).scalar()

    def move_to(self, connection: sa.Connection, position: int) -> None:
        connection.execute(
            self._tracking.update()
            .where(self._tracking.c.name == self.name)
            .values(position=position)
        )

    def apply(self, after: int, batch: list[Recorded]) -> int:
        """Applies ``batch`` (the events stored after position ``after``) exactly once.

        Events another process already applied are skipped; events before the batch that
        nobody applied yet are read and applied first. Returns how many events were applied.
        """
        if not batch:
            return 0
        with self.engine.execution_options(writes=True).begin() as connection:
            if self._move_from(connection, after, batch[-1].position):
                write_batch(self.tables, connection, batch)
                return len(batch)
            position = self.position_in(connection, lock=True) or 0
            fresh = [r for r in batch if r.position > position]
            if not fresh:
                return 0
            if position < after:
                fresh = self._read_between(position, after) + fresh
            self._write(connection, fresh)
            return len(fresh)

    def _move_from(self, connection: sa.Connection, after: int, position: int) -> bool:
        """Moves the tracking position from ``after`` to ``position`` if it stands at ``after``
        (the usual case: one statement, not a locking read and an update); the row stays
        locked until the transaction ends either way."""
        moved = connection.execute(
            self._tracking.update()
            .where(self._tracking.c.name == self.name, self._tracking.c.position == after)
            .values(position=position)
        )
        return moved.rowcount == 1

    def _read_between(self, position: int, until: int) -> list[Recorded]:
        missing: list[Recorded] = []
        while True:
            found = self.log.read(position, 1000, until=until)
            missing += found
            if len(found) < 1000:
                return missing
            position = found[-1].position

    def _write(self, connection: sa.Connection, batch: list[Recorded]) -> None:
        write_batch(self.tables, connection, batch)
        self.move_to(connection, batch[-1].position)

    def catch_up(
        self, batch_size: int = 500, until: int | None = None, progress: Progress = _no_progress
    ) -> int:
        """Applies every event not yet applied (up to position ``until``); returns how many."""
        head = until if until is not None else self.log.head()
        applied = 0
        while True:
            position = self.position()
            if position >= head:
                return applied
            batch = self.log.read(position, batch_size, until=head)
            if not batch:
                return applied
            applied += self.apply(position, batch)
            progress(batch[-1].position, head)

    def rebuild(
        self, batch_size: int = 500, progress: Progress = _no_progress, until: int | None = None
    ) -> int:
        """Applies the history again (up to position ``until``) into private shadow tables
        while engines go on following the live ones, then swaps the shadow's rows in at one
        position; returns how many events the shadow applied."""
        self.create()
        with Shadow(self.engine, self.log) as shadow:
            shadow.build(until if until is not None else self.log.head(), batch_size, progress)
            shadow.swap_into(self, until)
            return shadow.applied

    def rows(self, table: sa.Table) -> dict[Key, Row]:
        with self.engine.connect() as connection:
            return rows_of(connection, table)


def rows_of(connection: sa.Connection, table: sa.Table) -> dict[Key, Row]:
    """Every row of ``table`` by its key, as ``connection`` sees them."""
    keys = key_columns(table)
    result = connection.execute(sa.select(table).order_by(*keys))
    return {tuple(row._mapping[k.name] for k in keys): dict(row._mapping) for row in result}


@dataclass(frozen=True)
class Difference:
    """One cell (or one whole row) where the live table differs from a fresh rebuild."""

    table: str
    key: str
    column: str
    live: Any
    rebuilt: Any


@dataclass(frozen=True)
class ProjectionStatus:
    name: str
    position: int
    head: int

    @property
    def lag(self) -> int:
        return self.head - self.position


def verify(
    engine: sa.Engine, log: EventLog, batch_size: int = 500, progress: Progress = _no_progress
) -> list[Difference]:
    """Builds a private shadow to exactly the live tables' position and diffs them, row by row.

    The live tables and their position are read in one snapshot (a REPEATABLE READ
    transaction on PostgreSQL, a read transaction on SQLite's WAL) of the shadow's own
    session, held while the shadow is built and compared in SQL: engines writing meanwhile
    change nothing the comparison sees.
    """
    live = ReadModel(engine, log)
    live.create()
    live.catch_up(batch_size)
    with Shadow(engine, log) as shadow:
        seen = shadow.connection
        if engine.dialect.name == "postgresql":
            seen.execution_options(isolation_level="REPEATABLE READ")
        with seen.begin():
            shadow.build(live.position_in(seen) or 0, batch_size, progress)
            shadow.load()
            return [
                d
                for mine, fresh in zip(LIVE.views, shadow.tables.views, strict=True)
                for d in _diff(mine.name, *shadow.differing(mine, fresh))
            ]


def _diff(table: str, have: dict[Key, Row], want: dict[Key, Row]) -> list[Difference]:
    found = []
    for key in sorted(set(have) | set(want), key=str):
        row, expected = have.get(key), want.get(key)
        label = ", ".join(str(k) for k in key)
        if row is None or expected is None:
            found.append(Difference(table, label, "*", row is not None, expected is not None))
            continue
        found.extend(
            Difference(table, label, column, row[column], expected[column])
            for column in row
            if row[column] != expected[column]
        )
    return found


def status(engine: sa.Engine, log: EventLog) -> list[ProjectionStatus]:
    model = ReadModel(engine, log)
    model.create()
    return [ProjectionStatus(model.name, model.position(), log.head())]
