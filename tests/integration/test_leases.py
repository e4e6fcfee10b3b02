"""Partition leases on PostgreSQL: advisory locks that go when their engine goes."""

from __future__ import annotations

import time

import sqlalchemy as sa

from tasktrail.runners.database import database_engine
from tasktrail.runners.leases import APPLICATION_NAME, PartitionLeases
from tasktrail.runners.schema import upgrade


def no_engines_left(database: sa.Engine) -> sa.Engine:
    """Sessions of earlier tests, just terminated, may linger a moment in pg_stat_activity."""
    query = sa.text(
        "select count(*) from pg_stat_activity "
        "where application_name = :name and datname = current_database()"
    )
    deadline = time.monotonic() + 10
    with database.connect() as connection:
        while connection.execute(query, {"name": APPLICATION_NAME}).scalar():
            assert time.monotonic() < deadline, "engines of earlier tests still connected"
            time.sleep(0.05)
    return database


def test_closed_leases_are_free_at_once_for_the_next_engine_of_the_same_process(
    pg_url: str,
) -> None:
    """The lease session must end, not go back to the pool still holding its locks."""
    database = no_engines_left(database_engine(pg_url))
    upgrade(database)
    first = PartitionLeases(database)
    first.renew()
    assert len(first.held) == first.partitions
    with database.connect() as other:  # the pool now has a connection to hand back
        other.execute(sa.text("select 1"))
    first.close()

    second = PartitionLeases(database)
    assert renewed_until_all(second)
    second.close()


def test_engines_started_together_share_from_their_first_renewal(pg_url: str) -> None:
    database = no_engines_left(database_engine(pg_url))
    upgrade(database)
    first, second = PartitionLeases(database), PartitionLeases(database)
    first.renew()
    second.renew()
    assert len(first.held) == len(second.held) == first.partitions // 2
    first.close()
    second.close()


def test_two_engines_share_the_partitions_and_the_survivor_takes_all(pg_url: str) -> None:
    database = no_engines_left(database_engine(pg_url))
    upgrade(database)
    first, second = PartitionLeases(database), PartitionLeases(database)
    first.renew()
    second.renew()
    first.renew()
    second.renew()
    assert first.held.isdisjoint(second.held)
    assert len(first.held) == len(second.held) == first.partitions // 2
    first.close()
    assert renewed_until_all(second)  # once PostgreSQL has ended the first one's session
    second.close()


def renewed_until_all(leases: PartitionLeases) -> bool:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        leases.renew()
        if len(leases.held) == leases.partitions:
            return True
        time.sleep(0.05)
    return False
