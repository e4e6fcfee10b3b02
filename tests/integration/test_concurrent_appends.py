"""Two processes appending to one PostgreSQL store at once (the store takes one INSERT per
commit): each commit's positions are consecutive and in the order of its events, commits are
seen in position order, a version clash stores nothing of the losing commit, and each commit
sends the NOTIFY other engines wake on."""

from __future__ import annotations

import multiprocessing
import queue
import select
from collections.abc import Callable
from typing import Any, cast
from uuid import UUID

import pytest
import sqlalchemy as sa

from tasktrail.runners.database import database_engine, open_event_store
from tasktrail.runners.event_chain import check
from tasktrail.runners.event_store import Event
from tasktrail.runners.schema import upgrade
from tasktrail.runners.store_tables import EVENTS
from tests.concurrent_writers import Stored, clashing, new_command, steady

pytestmark = pytest.mark.postgres

SPAWN = multiprocessing.get_context("spawn")
COMMITS = 60


def run_two(
    target: Callable[..., None], url: str, *args: Any, watch: Callable[[], None]
) -> list[Any]:
    """Runs ``target`` in two spawned processes released together, calling ``watch`` until
    both have put what they stored; what each put."""
    barrier, out = SPAWN.Barrier(2), SPAWN.Queue()
    writers = [SPAWN.Process(target=target, args=(url, barrier, *args, out)) for _ in range(2)]
    for writer in writers:
        writer.start()
    results: list[Any] = []
    while len(results) < len(writers):
        watch()
        try:
            results.append(out.get(timeout=0.01))
        except queue.Empty:
            assert all(w.is_alive() or w.exitcode == 0 for w in writers)
    for writer in writers:
        writer.join(timeout=30)
        assert writer.exitcode == 0
    return results


def stored_at(database: sa.Engine) -> dict[int, tuple[UUID, int]]:
    """Every stored event's (stream, version), by position."""
    query = sa.select(EVENTS.c.id, EVENTS.c.originator_id, EVENTS.c.originator_version)
    with database.connect() as connection:
        return {p: (s, v) for p, s, v in connection.execute(query)}


def no_hole(database: sa.Engine) -> Callable[[], None]:
    """A check that what is committed so far is positions 1..n: a later position committed
    before an earlier one would show as a hole to a follower reading at that moment."""
    query = sa.select(sa.func.count(), sa.func.coalesce(sa.func.max(EVENTS.c.id), 0))

    def watch() -> None:
        with database.connect() as connection:
            count, last = connection.execute(query).one()
        assert count == last

    return watch


@pytest.fixture
def database(pg_url: str) -> sa.Engine:
    database = database_engine(pg_url)
    upgrade(database)
    return database


def test_commits_made_at_once_get_consecutive_positions_in_order(
    pg_url: str, database: sa.Engine
) -> None:
    puts: list[list[Stored]] = run_two(steady, pg_url, COMMITS, watch=no_hole(database))

    log = stored_at(database)
    for put in puts:
        firsts = [positions[0] for positions, _ in put]
        assert firsts == sorted(set(firsts))
        for positions, events in put:
            assert positions == list(range(positions[0], positions[0] + len(events)))
            assert [log[p] for p in positions] == events
    assert sorted(log) == list(range(1, 1 + sum(len(e) for put in puts for _, e in put)))
    with database.connect() as connection:
        assert check(connection) == (len(log), None)


def test_a_version_clash_between_processes_stores_nothing_of_the_loser(
    pg_url: str, database: sa.Engine
) -> None:
    command = new_command()
    open_event_store(pg_url).append(cast(list[Event], command.collect_events()))
    before = stored_at(database)

    results = run_two(clashing, pg_url, command.id, watch=no_hole(database))

    assert sorted(r if isinstance(r, str) else "stored" for r in results) == ["clash", "stored"]
    positions, events = next(r for r in results if not isinstance(r, str))
    after = stored_at(database)
    assert sorted(set(after) - set(before)) == positions
    assert [after[p] for p in positions] == events
    with database.connect() as connection:
        assert check(connection) == (len(after), None)


def test_a_commit_notifies_the_channel_other_engines_listen_on(
    pg_url: str, database: sa.Engine
) -> None:
    """What wakes another engine at once (``runners.wakeup``): the NOTIFY sent with each commit."""
    store = open_event_store(pg_url)
    channel = store.recorder.channel_name  # type: ignore[attr-defined]
    listener: Any = database.raw_connection()
    listener.set_isolation_level(0)
    listener.cursor().execute(f"LISTEN {channel}")

    store.append(cast(list[Event], new_command().collect_events()))

    assert select.select([listener], [], [], 30)[0]
    listener.poll()
    assert [n.channel for n in listener.notifies] == [channel]
    listener.close()
