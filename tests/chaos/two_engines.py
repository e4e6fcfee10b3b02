"""The issue's two-engine run: 20 RemoveVm with 3 disks, two ``serve --until-idle`` on one
PostgreSQL database, storage tasks of 0.2 s, the machine busy. Every job must finish and both
engines must exit, every time.

As a test: ``two_engines_until_idle`` (one run). As a script, N runs in a row on fresh databases
beside the configured one, with a line per run::

    .venv/bin/python -m tests.chaos.two_engines --runs 10
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from tests.chaos.audit import Removal, audit
from tests.chaos.harness import TIMED_OUT, Processes, StorageLedger, busy_cpu, side_engine
from tests.deployment import Deployment

VMS = 20
DISKS = 3
TASK_SECONDS = 0.2
STAGGER = 0.7
"""Seconds between the two engines' starts: the second joins while the first is executing,
which is when the old lease hand-over let both execute one root (the incident's cause C1)."""


@dataclass
class Result:
    codes: list[int]
    errors: list[str]
    problems: list[str]
    seconds: float
    lease_holders: int
    """The most engines seen holding partitions at once (2: the work was shared)."""

    def line(self) -> str:
        jobs = "every job FINISHED" if not self.problems else f"{len(self.problems)} problems"
        return (
            f"exit codes {self.codes}, {jobs}, {self.seconds:.1f} s, "
            f"{self.lease_holders} engines held leases at once"
        )


def two_engines_until_idle(url: str, workdir: Path, burners: int = 2) -> Result:
    """One run on the (empty) database at ``url``."""
    deployment = Deployment(url, spm_task_seconds=TASK_SECONDS, poll_interval=0.05)
    ledger = StorageLedger(url)
    processes = Processes(deployment, workdir / "logs")
    try:
        removals = [Removal(vm, disks) for vm, disks in deployment.vms(VMS, DISKS)]
        for item in removals:
            item.root = deployment.validate_removal(item.vm_id)
        started = time.monotonic()
        with busy_cpu(burners):
            engines = [processes.start("serve", "--until-idle")]
            time.sleep(STAGGER)
            engines.append(processes.start("serve", "--until-idle"))
            holders = _lease_holders_until_done(url, engines)
            codes = [_wait(engine, 120) for engine in engines]
        seconds = time.monotonic() - started
        errors = [processes.stderr_of(e)[-2000:] for e, c in zip(engines, codes, strict=True) if c]
        problems = audit(deployment.store, removals, ledger)
        return Result(codes, errors, problems, seconds, holders)
    finally:
        processes.close()
        ledger.close()
        deployment.runtime.database.dispose()


def _lease_holders_until_done(url: str, engines: list[subprocess.Popen[str]]) -> int:
    """Samples PostgreSQL's advisory locks while the engines run; the most holders seen."""
    engine = side_engine(url)
    most, deadline = 0, time.monotonic() + 120
    query = sa.text(
        "select count(distinct pid) from pg_locks where locktype = 'advisory' and "
        "database = (select oid from pg_database where datname = current_database())"
    )
    try:
        while any(e.poll() is None for e in engines) and time.monotonic() < deadline:
            with engine.connect() as connection:
                most = max(most, int(connection.execute(query).scalar() or 0))
            time.sleep(0.1)
    finally:
        engine.dispose()
    return most


def _wait(process: subprocess.Popen[str], seconds: float) -> int:
    try:
        return process.wait(seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)
        return TIMED_OUT


def _fresh_database(base: str, name: str) -> str:
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'drop database if exists "{name}" with (force)'))
        connection.execute(sa.text(f'create database "{name}"'))
    admin.dispose()
    return sa.make_url(base).set(database=name).render_as_string(hide_password=False)


def _drop_database(base: str, name: str) -> None:
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'drop database if exists "{name}" with (force)'))
    admin.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument(
        "--base-url",
        default=os.environ.get(
            "TASKTRAIL_TEST_PG_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test"
        ),
    )
    args = parser.parse_args(argv)
    name = f"{sa.make_url(args.base_url).database}_two_engines_{os.getpid()}"
    failed = 0
    for run in range(1, args.runs + 1):
        url = _fresh_database(args.base_url, name)
        with tempfile.TemporaryDirectory() as workdir:
            result = two_engines_until_idle(url, Path(workdir))
        print(f"run {run}: {result.line()}", flush=True)
        for detail in result.errors + result.problems[:10]:
            print(f"    {detail}", flush=True)
        failed += bool(result.problems or set(result.codes) != {0})
    _drop_database(args.base_url, name)
    print(f"{args.runs - failed} of {args.runs} runs clean")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
