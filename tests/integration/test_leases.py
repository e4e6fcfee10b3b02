"""Partition leases on PostgreSQL: advisory locks that go when their engine goes."""

from __future__ import annotations

import sqlalchemy as sa

from runners.database import database_engine
from runners.leases import PartitionLeases
from runners.schema import upgrade


def test_closed_leases_are_free_at_once_for_the_next_engine_of_the_same_process(
    pg_url: str,
) -> None:
    """The lease session must end, not go back to the pool still holding its locks."""
    database = database_engine(pg_url)
    upgrade(database)
    first = PartitionLeases(database)
    first.renew()
    assert len(first.held) == first.partitions
    with database.connect() as other:  # the pool now has a connection to hand back
        other.execute(sa.text("select 1"))
    first.close()

    second = PartitionLeases(database)
    second.renew()
    assert len(second.held) == second.partitions
    second.close()


def test_two_engines_share_the_partitions_and_the_survivor_takes_all(pg_url: str) -> None:
    database = database_engine(pg_url)
    upgrade(database)
    first, second = PartitionLeases(database), PartitionLeases(database)
    first.renew()
    second.renew()  # finds everything taken
    first.renew()  # sees two engines: gives half back
    second.renew()
    assert first.held.isdisjoint(second.held)
    assert len(first.held) == len(second.held) == first.partitions // 2
    first.close()
    second.renew()
    assert len(second.held) == second.partitions
    second.close()
