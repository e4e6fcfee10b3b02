"""Two engines on one PostgreSQL share 50 RemoveVm; one is killed midway; all end, once."""

from __future__ import annotations

import signal
import time
from collections import Counter
from collections.abc import Callable

import pytest
import sqlalchemy as sa

from tasktrail.domain.model.command.aggregate import Command
from tasktrail.domain.model.lock.aggregate import EngineLock
from tasktrail.domain.model.lock.machine import LockState
from tests.deployment import Deployment

COMMANDS = 50


def wait_for(condition: Callable[[], bool], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"not reached within {seconds}s")


@pytest.mark.postgres
@pytest.mark.timeout(300)
def test_two_engines_share_the_work_and_survive_one_dying(pg_url: str) -> None:
    deployment = Deployment(pg_url, spm_task_seconds=0.2, poll_interval=0.05)
    store = deployment.store
    roots = [deployment.validate_removal(vm) for vm, _ in deployment.vms(COMMANDS, disks=1)]

    def ended() -> int:
        return sum(store.load(Command, r).state.is_ended for r in roots)

    first, second = deployment.serve(), deployment.serve()
    try:
        wait_for(lambda: _engines(deployment) == 2 or first.poll() is not None, 30)
        assert first.poll() is None, first.stderr.read() if first.stderr else ""
        wait_for(lambda: _lease_holders(deployment) == 2, 30)
        wait_for(lambda: ended() >= 10, 120)
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        wait_for(lambda: ended() == COMMANDS, 180)
    finally:
        for process in (first, second):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        assert second.wait(30) == 0, second.stderr.read() if second.stderr else ""

    events = [r.event for r in store.read(0, 100_000)]
    endings = Counter(e.originator_id for e in events if type(e).__name__ == "EndedSuccessfully")
    family = {
        e.originator_id
        for e in events
        if isinstance(e, Command.Created)
        and e.action_type in ("RemoveVm", "RemoveAllVmImages", "RemoveImage")
    }
    assert len(family) == COMMANDS * 3
    assert {endings[c] for c in family} == {1}
    jobs_finished = Counter(
        e.originator_id for e in events if type(e).__qualname__ == "Job.Finished"
    )
    assert set(jobs_finished.values()) == {1}
    locks = {e.originator_id for e in events if type(e).__qualname__.startswith("EngineLock.")}
    assert {store.load(EngineLock, lock).state for lock in locks} == {LockState.FREE}
    assert deployment.spm.list_tasks() == []


def _count(deployment: Deployment, query: str) -> int:
    with deployment.runtime.database.connect() as connection:
        return connection.execute(sa.text(query)).scalar() or 0


def _lease_holders(deployment: Deployment) -> int:
    """How many engines hold partitions: two means the work is shared, not leader-only."""
    return _count(
        deployment,
        "select count(distinct pid) from pg_locks where locktype = 'advisory' and "
        "database = (select oid from pg_database where datname = current_database())",
    )


def _engines(deployment: Deployment) -> int:
    return _count(
        deployment,
        "select count(*) from pg_stat_activity where "
        "application_name = 'tasktrail-serve' and datname = current_database()",
    )
