"""Which engine does which work: partitions of ids leased with PostgreSQL advisory locks.

Every engine folds the whole log, but acts only on the roots and storage pools whose partition
it holds. A session-level advisory lock is released by PostgreSQL itself when its engine dies,
so a surviving engine picks the partition up on its next round. The store's optimistic
concurrency stays the safety net: two engines acting on one aggregate cannot both save.
"""

from __future__ import annotations

import contextlib
import math
from typing import Protocol
from uuid import UUID

import sqlalchemy as sa

APPLICATION_NAME = "tasktrail-serve"
_LOCK_BASE = 0x7A5C_0000


class Leases(Protocol):
    def owns(self, key: UUID) -> bool: ...

    def renew(self) -> bool:
        """Re-balances the partitions; True when this engine took on partitions it lacked."""
        ...

    def close(self) -> None: ...


class SoleEngine:
    """SQLite, or a single engine: every partition is ours."""

    def owns(self, key: UUID) -> bool:
        return True

    def renew(self) -> bool:
        return False

    def close(self) -> None:
        return None


class PartitionLeases:
    """A fair share of ``partitions`` advisory locks, rebalanced on every renewal.

    If the lease connection fails, PostgreSQL has dropped its locks with it: this engine then
    holds nothing (acts on nothing) until a renewal on a fresh connection succeeds.
    """

    def __init__(self, engine: sa.Engine, partitions: int = 16) -> None:
        self.engine = engine
        self.partitions = partitions
        self.held: set[int] = set()
        self._connection: sa.Connection | None = None
        self.join()

    def join(self) -> None:
        """Counts this engine in at once, before it takes anything: engines started together
        (each catching up with the log first) then share the partitions from their first
        renewal, instead of the first one taking all of them. If the database does not
        answer now, the first renewal joins."""
        with contextlib.suppress(sa.exc.DBAPIError):
            self._connect()

    def partition(self, key: UUID) -> int:
        return key.int % self.partitions

    def owns(self, key: UUID) -> bool:
        return self.partition(key) in self.held

    def renew(self) -> bool:
        before = set(self.held)
        try:
            self._rebalance(self._connect())
        except sa.exc.DBAPIError:
            self.close()
            raise
        return bool(self.held - before)

    def _connect(self) -> sa.Connection:
        if self._connection is None:
            connection = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            connection.execute(sa.text(f"set application_name = '{APPLICATION_NAME}'"))
            self._connection = connection
        return self._connection

    def _rebalance(self, connection: sa.Connection) -> None:
        engines = (
            connection.execute(
                sa.text(
                    "select count(*) from pg_stat_activity "
                    "where application_name = :name and datname = current_database()"
                ),
                {"name": APPLICATION_NAME},
            ).scalar()
            or 1
        )
        fair = math.ceil(self.partitions / engines)
        for partition in sorted(self.held)[fair:]:
            self._call(connection, "pg_advisory_unlock", partition)
            self.held.discard(partition)
        for partition in range(self.partitions):
            if len(self.held) >= fair:
                return
            if partition not in self.held and self._call(
                connection, "pg_try_advisory_lock", partition
            ):
                self.held.add(partition)

    @staticmethod
    def _call(connection: sa.Connection, function: str, partition: int) -> bool:
        query = sa.text(f"select {function}(:key)")
        return bool(connection.execute(query, {"key": _LOCK_BASE + partition}).scalar())

    def close(self) -> None:
        """Gives every partition up: the session ends, and PostgreSQL releases its locks.

        The connection is invalidated, not closed: closing would return it to the pool with
        its session (locks and name) alive, and this process would count as two engines.
        """
        self.held.clear()
        if self._connection is not None:
            connection, self._connection = self._connection, None
            with contextlib.suppress(sa.exc.DBAPIError):
                connection.invalidate()
                connection.close()


def leases_for(engine: sa.Engine) -> Leases:
    if engine.dialect.name == "postgresql":
        return PartitionLeases(engine)
    return SoleEngine()
