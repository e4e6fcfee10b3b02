"""Two engines on one PostgreSQL share 50 RemoveVm; one is killed midway; all end, once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
import sqlalchemy as sa
from domain.clock import SystemClock
from domain.services.engine import Engine
from domain.services.engine_ports import EnginePorts

from domain.model.command.aggregate import Command
from domain.model.lock.aggregate import EngineLock
from domain.model.lock.machine import LockState
from runners.database import open_event_store
from runners.simulated_spm import SimulatedSpm

TASKTRAIL = str(Path(sys.executable).with_name("tasktrail"))
COMMANDS = 50


def serve(url: str) -> subprocess.Popen[str]:
    env = {**os.environ, "TASKTRAIL_SPM_TASK_SECONDS": "0.2", "TASKTRAIL_POLL_INTERVAL": "0.05"}
    return subprocess.Popen(
        [TASKTRAIL, "--db", url, "serve"],
        env=env,
        text=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def wait_for(condition: object, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return
        time.sleep(0.2)
    raise AssertionError(f"not reached within {seconds}s")


@pytest.mark.postgres
@pytest.mark.timeout(300)
def test_two_engines_share_the_work_and_survive_one_dying(pg_url: str) -> None:
    store = open_event_store(pg_url)
    spm = SimulatedSpm(store.recorder.datastore.engine, SystemClock(), 0.2)
    engine = Engine(EnginePorts(store=store, storage=spm, clock=SystemClock()))
    pool = engine.run_action(
        "AddEmptyStoragePool", {"name": "dc"}, user="admin"
    ).action_return_value
    vms = [
        engine.run_action(
            "AddVm", {"name": f"vm{i}", "disks": 1, **pool}, user="admin"
        ).action_return_value["vm_id"]
        for i in range(COMMANDS)
    ]
    roots = [
        engine.validate_action("RemoveVm", {"vm_id": vm}, user="admin").command_id for vm in vms
    ]

    def ended() -> int:
        return sum(store.load(Command, r).state.is_ended for r in roots)  # type: ignore[arg-type]

    first, second = serve(pg_url), serve(pg_url)
    try:
        wait_for(lambda: _engines(store) == 2 or first.poll() is not None, 30)
        assert first.poll() is None, first.stderr.read() if first.stderr else ""
        wait_for(lambda: _lease_holders(store) == 2, 30)
        wait_for(lambda: ended() >= 10, 120)
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        wait_for(lambda: ended() == COMMANDS, 180)
    finally:
        for process in (first, second):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        assert second.wait(30) == 0, second.stderr.read() if second.stderr else ""

    events = [
        store.mapper.to_domain_event(n) for n in store.recorder.select_notifications(1, 100_000)
    ]
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
    assert spm.list_tasks() == []


def _lease_holders(store: object) -> int:
    """How many engines hold partitions: two means the work is shared, not leader-only."""
    database = store.recorder.datastore.engine  # type: ignore[attr-defined]
    with database.connect() as connection:
        return (
            connection.execute(
                sa.text(
                    "select count(distinct pid) from pg_locks where locktype = 'advisory' and "
                    "database = (select oid from pg_database where datname = current_database())"
                )
            ).scalar()
            or 0
        )


def _engines(store: object) -> int:
    database = store.recorder.datastore.engine  # type: ignore[attr-defined]
    with database.connect() as connection:
        return (
            connection.execute(
                sa.text(
                    "select count(*) from pg_stat_activity where "
                    "application_name = 'tasktrail-serve' and datname = current_database()"
                )
            ).scalar()
            or 0
        )
