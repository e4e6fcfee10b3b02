"""The read model as one projection: catch up, rebuild, verify and report its lag.

All tables share one tracking position, written in the same transaction as the rows of each
batch: a crash mid-batch loses the whole batch and nothing else, and the next run re-applies
it exactly once. One position (rather than one per table) keeps the tables mutually
consistent, which the audit queries that join them rely on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from domain.state_machine import Transitioned
from domain.store import EventStore
from projections.async_tasks import project_async_task
from projections.audit_log import project_audit
from projections.changes import Change, Insert, aggregate_type, apply_changes
from projections.command_entities import project_command
from projections.engine_locks import project_lock
from projections.event_index import project_index
from projections.inventory import project_disk, project_storage_pool, project_vm
from projections.job import project_job, project_step
from projections.schema import upgrade
from projections.tables import LIVE, SHADOW, Tables

Progress = Callable[[int, int], None]
_APPENDED_ONLY = ("event_index", "event_entity")
"""Tables no other change reads or updates: their rows go in with one statement per batch."""

_BY_AGGREGATE: dict[str, Callable[[Transitioned], list[Change]]] = {
    "Command": project_command,
    "Job": project_job,
    "Step": project_step,
    "AsyncTask": project_async_task,
    "Vm": project_vm,
    "Disk": project_disk,
    "StoragePool": project_storage_pool,
    "EngineLock": project_lock,
}


def project(event: Transitioned, position: int) -> list[Change]:
    """Every row change one event makes; a pure function of the event and its position."""
    return [
        *_BY_AGGREGATE[aggregate_type(event)](event),
        *project_audit(event, position),
        *project_index(event, position),
    ]


def _no_progress(done: int, total: int) -> None:
    return None


class ReadModel:
    """The oVirt tables of one store, live or shadow (``tables``)."""

    def __init__(self, store: EventStore, tables: Tables = LIVE, name: str = "read_model") -> None:
        self.store = store
        self.tables = tables
        self.name = name
        self.engine: sa.Engine = store.recorder.datastore.engine  # type: ignore[attr-defined]
        self._tracking = tables.metadata.tables[tables.metadata.info["tracking"]]

    def create(self) -> None:
        """Live tables come from the Alembic revisions; shadow tables straight from their shape."""
        if self.tables is LIVE:
            upgrade(self.engine)
        else:
            self.tables.metadata.create_all(self.engine, checkfirst=True)
        with self.engine.begin() as connection:
            if self._position(connection) is None:
                connection.execute(self._tracking.insert().values(name=self.name, position=0))

    def drop(self) -> None:
        self.tables.metadata.drop_all(self.engine, checkfirst=True)
        if self.tables is LIVE:
            with self.engine.begin() as connection:
                connection.execute(sa.text("drop table if exists alembic_version"))

    def position(self) -> int:
        with self.engine.connect() as connection:
            return self._position(connection) or 0

    def _position(self, connection: sa.Connection, *, lock: bool = False) -> int | None:
        query = sa.select(self._tracking.c.position).where(self._tracking.c.name == self.name)
        return connection.execute(query.with_for_update() if lock else query).scalar()

    def catch_up(
        self, batch_size: int = 500, until: int | None = None, progress: Progress = _no_progress
    ) -> int:
        """Applies every event not yet applied (up to ``until``); returns how many."""
        head = until if until is not None else (self.store.recorder.max_notification_id() or 0)
        applied = 0
        while True:
            done = self._apply_batch(batch_size, head)
            if done == 0:
                return applied
            applied += done
            progress(self.position(), head)

    def _apply_batch(self, batch_size: int, head: int) -> int:
        """One transaction: the rows of up to ``batch_size`` events and the new position."""
        with self.engine.begin() as connection:
            position = self._position(connection, lock=True) or 0
            if position >= head:
                return 0
            batch = self.store.recorder.select_notifications(
                position + 1, min(batch_size, head - position), stop=head
            )
            deferred: dict[str, list[dict[str, Any]]] = {name: [] for name in _APPENDED_ONLY}
            for notification in batch:
                event = self.store.mapper.to_domain_event(notification)
                assert isinstance(event, Transitioned)
                changes = project(event, notification.id)
                for change in changes:
                    if isinstance(change, Insert) and change.table in deferred:
                        deferred[change.table].append(change.values)
                apply_changes(
                    connection,
                    self.tables,
                    [c for c in changes if not (isinstance(c, Insert) and c.table in deferred)],
                )
            for name, rows in deferred.items():
                if rows:
                    connection.execute(getattr(self.tables, name).insert(), rows)
            if batch:
                connection.execute(
                    self._tracking.update()
                    .where(self._tracking.c.name == self.name)
                    .values(position=batch[-1].id)
                )
            return len(batch)

    def rebuild(self, batch_size: int = 500, progress: Progress = _no_progress) -> int:
        """Drops every table and applies the whole history again; the store stays readable."""
        self.drop()
        self.create()
        return self.catch_up(batch_size, progress=progress)

    def rows(self, table: sa.Table) -> dict[tuple[Any, ...], dict[str, Any]]:
        keys = list(table.primary_key.columns)
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
    store: EventStore, batch_size: int = 500, progress: Progress = _no_progress
) -> list[Difference]:
    """Rebuilds into shadow tables at the live position and diffs them, row by row."""
    live = ReadModel(store)
    live.create()
    live.catch_up(batch_size)
    shadow = ReadModel(store, SHADOW, "shadow")
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


def status(store: EventStore) -> list[ProjectionStatus]:
    model = ReadModel(store)
    model.create()
    head = store.recorder.max_notification_id() or 0
    return [ProjectionStatus(model.name, model.position(), head)]
