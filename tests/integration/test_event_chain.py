"""The tamper-evident log: an edited, deleted, inserted or moved event is named by position.

One database per store is filled once (AddVm: a pool, a VM, its disks, their commands); each
case tampers inside a transaction, checks the chain on that same connection, and rolls back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from uuid import uuid4

import pytest
import sqlalchemy as sa
from eventsourcing.persistence import IntegrityError, StoredEvent

from tasktrail.runners.cli import app
from tasktrail.runners.cli.failures import guarded
from tasktrail.runners.database import database_engine, open_event_store
from tasktrail.runners.event_chain import check
from tasktrail.runners.event_store import EventStore
from tasktrail.runners.schema import upgrade

Tamper = Callable[[sa.Connection], int]
"""Changes the stored log; returns the position ``check`` must name."""


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def filled(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[sa.Engine]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('chain') / 'chain.db'}"
    else:
        url = request.getfixturevalue("module_pg_url")
    assert guarded(app, ["--db", url, "vm", "add", "web1", "--disks", "2"]) == 0
    engine = database_engine(url)
    yield engine
    engine.dispose()


def sql(connection: sa.Connection, statement: str, **values: object) -> None:
    connection.execute(sa.text(statement), values)


def edit(connection: sa.Connection) -> int:
    sql(connection, "update tasktrail_events set topic = 'Vm.Deleted' where id = 6")
    return 6


def edit_state(connection: sa.Connection) -> int:
    state = connection.execute(sa.text("select state from tasktrail_events where id = 9")).scalar()
    changed = bytes(state).replace(b'"admin"', b'"eve"')
    sql(connection, "update tasktrail_events set state = :s where id = 9", s=changed)
    return 9


def delete(connection: sa.Connection) -> int:
    sql(connection, "delete from tasktrail_events where id = 7")
    return 7


def delete_with_its_digest(connection: sa.Connection) -> int:
    sql(connection, "delete from tasktrail_events where id = 7")
    sql(connection, "delete from tasktrail_event_digests where position = 7")
    return 8


def swap(connection: sa.Connection) -> int:
    for old, new in ((4, -4), (5, 4), (-4, 5)):
        sql(connection, "update tasktrail_events set id = :new where id = :old", new=new, old=old)
    return 4


def insert(connection: sa.Connection) -> int:
    sql(
        connection,
        "insert into tasktrail_events (id, originator_id, originator_version, topic, state)"
        " select 1000, originator_id, originator_version + 100, topic, state"
        " from tasktrail_events where id = 3",
    )
    return 1000


@pytest.mark.parametrize("tamper", [edit, edit_state, delete, delete_with_its_digest, swap, insert])
def test_each_tampering_is_named_by_its_position(filled: sa.Engine, tamper: Tamper) -> None:
    with filled.connect() as connection:
        intact, nothing = check(connection, batch=5)
        assert nothing is None
        expected = tamper(connection)
        checked, found = check(connection, batch=5)
        connection.rollback()
    assert found is not None
    assert found.position == expected
    assert checked <= intact


def test_the_log_checks_out_across_pages(filled: sa.Engine) -> None:
    with filled.connect() as connection:
        total = connection.execute(sa.text("select count(*) from tasktrail_events")).scalar()
        assert [check(connection, batch=b) for b in (1, 4, 1000)] == [(total, None)] * 3


def test_verify_log_exits_1_naming_the_event(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'edited.db'}"
    assert guarded(app, ["--db", url, "vm", "add", "web1"]) == 0
    assert guarded(app, ["--db", url, "verify-log"]) == 0
    engine = database_engine(url)
    with engine.begin() as connection:
        edit(connection)
    engine.dispose()
    capsys.readouterr()
    assert guarded(app, ["--db", url, "verify-log"]) == 1
    assert "event at position 6: Vm.Deleted of" in capsys.readouterr().out


def test_two_writers_and_a_refused_write_keep_the_chain_whole(database_url: str) -> None:
    """Each writer keeps the last link it saw committed; another's writes and a rolled-back
    write between two of its own must still chain (PostgreSQL's sequence leaves a gap)."""
    database = database_engine(database_url)
    upgrade(database)
    first, second = open_event_store(database_url), open_event_store(database_url)
    stream = uuid4()

    def write(store: EventStore, version: int) -> None:
        store.recorder.insert_events([StoredEvent(stream, version, "Vm.Renamed", b"{}")])

    for version, store in enumerate([first, first, second, first, second, second], start=1):
        write(store, version)
    with pytest.raises(IntegrityError):
        write(first, 6)
    write(first, 7)
    write(second, 8)
    with database.connect() as connection:
        assert check(connection) == (8, None)
    database.dispose()
