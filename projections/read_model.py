"""The read model as one projection: apply batches exactly once, catch up, rebuild, verify.

All tables share one tracking position, written in the same transaction as the rows of each
batch (eventsourcing's tracking contract): a crash mid-batch loses the whole batch and nothing
else, and the batch is applied again exactly once. The tracking row is locked for the
transaction (``FOR UPDATE`` on PostgreSQL; the projection engine begins SQLite transactions
``IMMEDIATE``), so processes catching up together apply each event once between them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from projections.changes import RowChanges
from projections.event_log import EventLog, Recorded
from projections.projectors import project
from projections.tables import LIVE, SHADOW, Tables, key_columns

Progress = Callable[[int, int], None]


def _no_progress(done: int, total: int) -> None:
    return None


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
            if self._position(connection) is None:
                connection.execute(self._tracking.insert().values(name=self.name, position=0))

    def drop(self) -> None:
        """Shadow tables only: live tables are emptied by ``rebuild``, never dropped."""
        assert self.tables is not LIVE
        self.tables.metadata.drop_all(self.engine, checkfirst=True)

    def position(self) -> int:
        with self.engine.connect() as connection:
            return self._position(connection) or 0

    def _position(self, connection: sa.Connection, *, lock: bool = False) -> int | None:
        query = sa.select(self._tracking.c.position).where(self._tracking.c.name == self.name)
        return connection.execute(query.with_for_update() if lock else query).scalar()

    def apply(self, after: int, batch: list[Recorded]) -> int:
        """Applies ``batch`` (the events stored after position ``after``) exactly once.

        Events another process already applied are skipped; events before the batch that
        nobody applied yet are read and applied first. Returns how many events were applied.
        """
        if not batch:
            return 0
        with self.engine.execution_options(writes=True).begin() as connection:
            position = self._position(connection, lock=True) or 0
            fresh = [r for r in batch if r.position > position]
            if not fresh:
                return 0
            if position < after:
                fresh = self._read_between(position, after) + fresh
            self._write(connection, fresh)
            return len(fresh)

    def _read_between(self, position: int, until: int) -> list[Recorded]:
        missing: list[Recorded] = []
        while True:
            found = self.log.read(position, 1000, until=until)
            missing += found
            if len(found) < 1000:
                return missing
            position = found[-1].position

    def _write(self, connection: sa.Connection, batch: list[Recorded]) -> None:
        changes = RowChanges(self.tables, connection)
        for recorded in batch:
            for change in project(recorded):
                changes.add(change)
        changes.write(connection)
        connection.execute(
            self._tracking.update()
            .where(self._tracking.c.name == self.name)
            .values(position=batch[-1].position)
        )

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
        """Empties every table and applies the history again (up to position ``until``)."""
        with self.engine.execution_options(writes=True).begin() as connection:
            for table in reversed(self.tables.views):
                connection.execute(table.delete())
            connection.execute(
                self._tracking.update().where(self._tracking.c.name == self.name).values(position=0)
            )
        return self.catch_up(batch_size, until, progress)

    def rows(self, table: sa.Table) -> dict[tuple[Any, ...], dict[str, Any]]:
        keys = key_columns(table)
        with self.engine.connect() as connection:
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
    """Rebuilds into shadow tables at the live position and diffs them, row by row."""
    live = ReadModel(engine, log)
    live.create()
    live.catch_up(batch_size)
    shadow = ReadModel(engine, log, SHADOW, "shadow")
    shadow.drop()
    shadow.create()
    shadow.catch_up(batch_size, until=live.position(), progress=progress)
    try:
        return [
            d
            for pair in zip(LIVE.views, SHADOW.views, strict=True)
            for d in _diff(live, shadow, *pair)
        ]
    finally:
        shadow.drop()


def _diff(live: ReadModel, shadow: ReadModel, mine: sa.Table, fresh: sa.Table) -> list[Difference]:
    have, want = live.rows(mine), shadow.rows(fresh)
    found = []
    for key in sorted(set(have) | set(want), key=str):
        row, expected = have.get(key), want.get(key)
        label = ", ".join(str(k) for k in key)
        if row is None or expected is None:
            found.append(Difference(mine.name, label, "*", row is not None, expected is not None))
            continue
        found.extend(
            Difference(mine.name, label, column, row[column], expected[column])
            for column in row
            if row[column] != expected[column]
        )
    return found


def status(engine: sa.Engine, log: EventLog) -> list[ProjectionStatus]:
    model = ReadModel(engine, log)
    model.create()
    return [ProjectionStatus(model.name, model.position(), log.head())]
