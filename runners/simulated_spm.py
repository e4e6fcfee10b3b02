"""A simulated SPM: storage tasks that finish after a while, with faults injected per disk.

Its state lives in the same database as the event store (tables ``spm_tasks`` and
``spm_faults``), so a ``tasktrail run`` and a ``tasktrail serve`` in separate processes see the
same tasks, and a fault injected by one is met by the other.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from tasktrail.domain.model.async_task.machine import (
    AsyncTaskResult,
    AsyncTaskStatus,
    AsyncTaskType,
)
from tasktrail.domain.model.clock import Clock
from tasktrail.domain.model.errors import UnavailableError
from tasktrail.domain.services.ports import StorageError, TaskReport
from tasktrail.runners.store_tables import SPM_FAULTS, SPM_TASKS


class FaultKind(StrEnum):
    DELETE = "delete"
    """The disk's next task finishes with result ``failure``."""
    CLEAR = "clear"
    """The first clear of the disk's next task fails; a later one succeeds."""
    POLL = "poll"
    """The disk's next task is missing from the SPM's reports for its first polls (``unknown``)."""
    SUBMIT = "submit"
    """Submitting the disk's next task fails once."""


HIDDEN_POLLS = 3
"""How many polls a ``poll`` fault hides a task for."""


def parse_fault_kind(kind: str) -> FaultKind:
    try:
        return FaultKind(kind)
    except ValueError:
        allowed = ", ".join(k.value for k in FaultKind)
        raise ValueError(f"unknown fault kind {kind!r}: use one of {allowed}") from None


class SimulatedSpm:
    """Implements domain.ports.StoragePort against tables in the engine's own database."""

    def __init__(self, engine: sa.Engine, clock: Clock, task_seconds: float = 1.0) -> None:
        self.engine = engine
        self.clock = clock
        self.task_seconds = task_seconds

    @contextmanager
    def _transaction(self) -> Iterator[sa.Connection]:
        """One write transaction; a database failure is the SPM being unreachable."""
        try:
            with self.engine.execution_options(writes=True).begin() as connection:
                yield connection
        except sa.exc.SQLAlchemyError as error:
            raise UnavailableError(f"the storage could not be reached: {error}") from error

    def inject_fault(self, entity_id: UUID, kind: str) -> FaultKind:
        """Arms a fault for the disk's next task; arming it twice is the same as once."""
        fault = parse_fault_kind(kind)
        with self._transaction() as connection:
            armed = connection.execute(
                sa.select(SPM_FAULTS).where(
                    SPM_FAULTS.c.entity_id == entity_id, SPM_FAULTS.c.kind == fault.value
                )
            ).first()
            if armed is None:
                connection.execute(
                    SPM_FAULTS.insert().values(entity_id=entity_id, kind=fault.value)
                )
        return fault

    def clear_faults(self, entity_id: UUID | None = None, kind: FaultKind | None = None) -> int:
        """Disarms armed faults (of one disk, of one kind, or all); returns how many."""
        delete = SPM_FAULTS.delete()
        if entity_id is not None:
            delete = delete.where(SPM_FAULTS.c.entity_id == entity_id)
        if kind is not None:
            delete = delete.where(SPM_FAULTS.c.kind == kind.value)
        with self._transaction() as connection:
            return connection.execute(delete).rowcount

    def faults(self) -> list[tuple[UUID, FaultKind]]:
        with self.engine.connect() as connection:
            rows = connection.execute(sa.select(SPM_FAULTS).order_by(SPM_FAULTS.c.entity_id))
            return [(row.entity_id, FaultKind(row.kind)) for row in rows]

    def create_task(
        self, storage_pool_id: UUID, task_id: str, task_type: AsyncTaskType, entity_id: UUID
    ) -> None:
        """Idempotent on ``task_id``, also when two engines submit it at once, and also once
        the task is cleared: an id it accepted is never started again.

        The row is inserted or found in one statement (the key decides, not a check before
        it). A refusal is raised after the consumed fault is committed.
        """
        with self._transaction() as connection:
            refusal = self._create(connection, storage_pool_id, task_id, task_type, entity_id)
        if refusal is not None:
            raise StorageError(refusal, code=100)

    def _create(
        self,
        connection: sa.Connection,
        pool: UUID,
        task_id: str,
        task_type: AsyncTaskType,
        entity_id: UUID,
    ) -> str | None:
        """The refusal's words, or None once the task exists; a task already known leaves the
        disk's armed faults for its next task."""
        with connection.begin_nested() as attempt:
            faults = self._take_faults(connection, entity_id)
            if FaultKind.SUBMIT in faults and not self._known(connection, task_id):
                return (
                    f"Cannot create task {task_id}: the SPM of pool {pool} refused to delete "
                    f"image {entity_id} (VDSM error 100: general exception)"
                )
            task = self._new_task(pool, task_id, task_type, entity_id, faults)
            added = _insert(connection).values(task).on_conflict_do_nothing()
            if connection.execute(added.returning(SPM_TASKS.c.task_id)).first() is None:
                attempt.rollback()
        return None

    @staticmethod
    def _known(connection: sa.Connection, task_id: str) -> bool:
        found = sa.select(SPM_TASKS.c.task_id).where(SPM_TASKS.c.task_id == task_id)
        return connection.execute(found).first() is not None

    def _take_faults(self, connection: sa.Connection, entity_id: UUID) -> set[FaultKind]:
        """The disk's armed faults, consumed (the deleted rows are locked, so once only).

        A submit fault is taken alone: the task it refuses never runs, so the other faults
        stay armed for the next one.
        """
        for kinds in ([FaultKind.SUBMIT], list(FaultKind)):
            taken = connection.execute(
                SPM_FAULTS.delete()
                .where(SPM_FAULTS.c.entity_id == entity_id, SPM_FAULTS.c.kind.in_(kinds))
                .returning(SPM_FAULTS.c.kind)
            ).scalars()
            found = {FaultKind(k) for k in taken}
            if found:
                return found
        return set()

    def _new_task(
        self,
        pool: UUID,
        task_id: str,
        task_type: AsyncTaskType,
        entity_id: UUID,
        faults: set[FaultKind],
    ) -> dict[str, Any]:
        failing = FaultKind.DELETE in faults
        return {
            "task_id": task_id,
            "storage_pool_id": pool,
            "entity_id": entity_id,
            "task_type": task_type.value,
            "finishes_at": self.clock.now() + timedelta(seconds=self.task_seconds),
            "result": (AsyncTaskResult.FAILURE if failing else AsyncTaskResult.SUCCESS).value,
            "message": "Image deletion failed" if failing else "",
            "hidden_polls": HIDDEN_POLLS if FaultKind.POLL in faults else 0,
            "clear_failures": 1 if FaultKind.CLEAR in faults else 0,
            "stopped": False,
        }

    def get_all_task_statuses(self, storage_pool_id: UUID) -> dict[str, TaskReport]:
        now = self.clock.now()
        with self._transaction() as connection:
            rows = connection.execute(
                sa.select(SPM_TASKS).where(
                    SPM_TASKS.c.storage_pool_id == storage_pool_id, ~SPM_TASKS.c.cleared
                )
            ).all()
            hidden = [r.task_id for r in rows if r.hidden_polls > 0]
            if hidden:
                connection.execute(
                    SPM_TASKS.update()
                    .where(SPM_TASKS.c.task_id.in_(hidden))
                    .values(hidden_polls=SPM_TASKS.c.hidden_polls - 1)
                )
        return {r.task_id: _report(r, now) for r in rows if r.hidden_polls == 0}

    def clear_task(self, storage_pool_id: UUID, task_id: str) -> None:
        """Forgets a finished task: it is no longer reported, but its id stays taken."""
        with self._transaction() as connection:
            row = connection.execute(
                sa.select(SPM_TASKS).where(SPM_TASKS.c.task_id == task_id, ~SPM_TASKS.c.cleared)
            ).first()
            if row is None:
                raise StorageError(f"task {task_id} not found", code=401)
            if _report(row, self.clock.now()).status.is_running:
                raise StorageError(f"task {task_id} is still running", code=410)
            failures = max(row.clear_failures - 1, 0)
            connection.execute(
                SPM_TASKS.update()
                .where(SPM_TASKS.c.task_id == task_id)
                .values(clear_failures=failures, cleared=row.clear_failures == 0)
            )
        if row.clear_failures > 0:
            raise StorageError(f"could not clear task {task_id}", code=411)

    def stop_task(self, storage_pool_id: UUID, task_id: str) -> None:
        with self._transaction() as connection:
            connection.execute(
                SPM_TASKS.update()
                .where(SPM_TASKS.c.task_id == task_id)
                .values(stopped=True, result=AsyncTaskResult.FAILURE.value, message="task stopped")
            )

    def list_tasks(self, storage_pool_id: UUID | None = None) -> list[dict[str, Any]]:
        query = sa.select(SPM_TASKS).where(~SPM_TASKS.c.cleared).order_by(SPM_TASKS.c.task_id)
        if storage_pool_id is not None:
            query = query.where(SPM_TASKS.c.storage_pool_id == storage_pool_id)
        now = self.clock.now()
        with self.engine.connect() as connection:
            return [
                {**row._asdict(), "status": _report(row, now).status.value}
                for row in connection.execute(query)
            ]


def _report(row: Any, now: datetime) -> TaskReport:
    if row.stopped:
        return TaskReport(
            status=AsyncTaskStatus.FINISHED, result=AsyncTaskResult.FAILURE, message=row.message
        )
    finishes_at = (
        row.finishes_at if row.finishes_at.tzinfo else row.finishes_at.replace(tzinfo=now.tzinfo)
    )
    if now < finishes_at:
        return TaskReport(status=AsyncTaskStatus.RUNNING, result=AsyncTaskResult.UNKNOWN)
    return TaskReport(
        status=AsyncTaskStatus.FINISHED, result=AsyncTaskResult(row.result), message=row.message
    )


def _insert(connection: sa.Connection) -> Any:
    """An INSERT that can skip a row whose key exists, in the connection's dialect."""
    if connection.dialect.name == "postgresql":
        return postgresql.insert(SPM_TASKS)
    return sqlite.insert(SPM_TASKS)
