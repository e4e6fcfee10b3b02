"""Which engine does which work: partitions of ids leased with PostgreSQL advisory locks.

Every engine folds the whole log, but acts only on the roots and storage pools whose partition
it holds. A session-level advisory lock is released by PostgreSQL itself when its engine dies,
so a surviving engine picks the partition up on its next round. The store's optimistic
concurrency stays the safety net: two engines acting on one aggregate cannot both save.
"""

from __future__ import annotations

import math
from typing import Protocol
from uuid import UUID

import sqlalchemy as sa

APPLICATION_NAME = "tasktrail-serve"
_LOCK_BASE = 0x7A5C_0000


class Leases(Protocol):
    def owns(self, key: UUID) -> bool: ...

    def renew(self) -> None: ...

    def close(self) -> None: ...


class SoleEngine:
    """SQLite, or a single engine: every partition is ours."""

    def owns(self, key: UUID) -> bool:
        return True

    def renew(self) -> None:
        return None

    def close(self) -> None:
        return None


class PartitionLeases:
    """A fair share of ``partitions`` advisory locks, rebalanced on every renewal."""

    def __init__(self, engine: sa.Engine, partitions: int = 16) -> None:
        self.partitions = partitions
        self.held: set[int] = set()
        self._connection = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        self._connection.execute(sa.text(f"set application_name = '{APPLICATION_NAME}'"))

    def partition(self, key: UUID) -> int:
        return key.int % self.partitions

    def owns(self, key: UUID) -> bool:
        return self.partition(key) in self.held

    def renew(self) -> None:
        engines = (
            self._connection.execute(
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
            self._call("pg_advisory_unlock", partition)
            self.held.discard(partition)
        for partition in range(self.partitions):
            if len(self.held) >= fair:
                return
            if partition not in self.held and self._call("pg_try_advisory_lock", partition):
                self.held.add(partition)

    def _call(self, function: str, partition: int) -> bool:
        query = sa.text(f"select {function}(:key)")
        return bool(self._connection.execute(query, {"key": _LOCK_BASE + partition}).scalar())

    def close(self) -> None:
        self._connection.close()
        self.held.clear()


def leases_for(engine: sa.Engine) -> Leases:
    if engine.dialect.name == "postgresql":
        return PartitionLeases(engine)
    return SoleEngine()
