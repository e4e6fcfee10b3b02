"""Real faults against a real deployment: what the chaos suite and the never-fail tests inject.

Every fault here is one an operator meets: an engine process SIGKILLed (and started again), its
database sessions terminated by PostgreSQL (``pg_terminate_backend``), a table locked from
another session for seconds, ``projections rebuild`` and ``verify`` run beside the engines, a
machine whose cores are busy. Engines are ``tasktrail serve`` processes; their PostgreSQL
sessions carry the application name ``chaos-serve`` (libpq reads ``PGAPPNAME``) so that the
faults aimed at them spare the test's own sessions.

What the storage did is observed on the storage side itself: ``StorageLedger`` puts triggers on
the simulated SPM's ``spm_tasks`` table and writes one ledger row per task the SPM accepted (an
INSERT that really inserted) and per task it forgot (a clear, which marks the row cleared: the
SPM keeps the id so that it never starts that task again). These rows are the only record of
how often it started a deletion.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from uuid import UUID

import sqlalchemy as sa

from tasktrail.projections.tables import LIVE
from tests.deployment import TASKTRAIL, Deployment

ENGINE_APP = "chaos-serve"
"""``application_name`` of the serve processes' sessions (their lease session is renamed
``tasktrail-serve`` by the leases themselves)."""
TOOL_APP = "chaos-tool"
"""``application_name`` of every other tasktrail process (callers, rebuild, verify)."""
LEASE_APP = "tasktrail-serve"
TIMED_OUT = -999
"""The exit code this harness gives a process it had to kill because it would not end."""
EVENTS_TABLE = "tasktrail_events"


def read_model_tables() -> list[str]:
    """The read model's tables, as the projections name them (the oVirt tables and ours)."""
    return [table.name for table in LIVE.views]


def wait_for(condition: Callable[[], bool], seconds: float, what: str = "condition") -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"{what}: not reached within {seconds} s")


def side_engine(url: str) -> sa.Engine:
    """A connection pool of the test's own, never shared with the runtime under test."""
    return sa.create_engine(url, poolclass=sa.pool.NullPool, connect_args=_sqlite_timeout(url))


def _sqlite_timeout(url: str) -> dict[str, object]:
    return {"timeout": 60} if url.startswith("sqlite") else {}


def _text(output: str | bytes | None) -> str:
    return output.decode(errors="replace") if isinstance(output, bytes) else output or ""


def is_postgres(url: str) -> bool:
    return url.startswith("postgresql")


# ---------------------------------------------------------------------------------------------
# Processes
# ---------------------------------------------------------------------------------------------


class Processes:
    """``tasktrail`` processes of one deployment, their stderr kept in files under ``logs``."""

    def __init__(self, deployment: Deployment, logs: Path, **variables: str) -> None:
        self.deployment = deployment
        self.logs = logs
        self.variables = variables
        self._count = 0
        self.log_files: dict[int, Path] = {}
        self.started: list[subprocess.Popen[str]] = []
        logs.mkdir(parents=True, exist_ok=True)

    def environment(self, command: str, **variables: str) -> dict[str, str]:
        """serve's sessions are named for the faults aimed at engines; the other commands' not."""
        app = ENGINE_APP if command == "serve" else TOOL_APP
        return self.deployment.environment(**{"PGAPPNAME": app, **self.variables, **variables})

    def start(self, *args: str, **variables: str) -> subprocess.Popen[str]:
        self._count += 1
        log = self.logs / f"{self._count:03d}-{args[0]}.err"
        with log.open("w") as stderr:
            process = subprocess.Popen(
                [TASKTRAIL, "--db", self.deployment.url, *args],
                env=self.environment(args[0], **variables),
                text=True,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )
        self.log_files[process.pid] = log
        self.started.append(process)
        return process

    def run(
        self, *args: str, timeout: float = 60, **variables: str
    ) -> subprocess.CompletedProcess[str]:
        """A command run to its end: exit code, stdout and stderr (exit -999: timed out)."""
        command = [TASKTRAIL, "--db", self.deployment.url, *args]
        try:
            return subprocess.run(
                command,
                env=self.environment(args[0], **variables),
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired as late:
            return subprocess.CompletedProcess(
                command, TIMED_OUT, _text(late.stdout), _text(late.stderr)
            )

    def close(self) -> None:
        """Kills whatever this harness started that still runs: a failed test leaks nothing."""
        for process in self.started:
            if process.poll() is None:
                process.kill()
                process.wait(30)

    def stderr_of(self, process: subprocess.Popen[str]) -> str:
        """What a process started by ``start`` wrote on stderr."""
        return self.log_files[process.pid].read_text()


class Fleet:
    """``count`` serve processes kept running: one can be SIGKILLed and is started again."""

    def __init__(
        self, processes: Processes, count: int, rng: random.Random, min_age: float = 1.0
    ) -> None:
        self.processes = processes
        self.rng = rng
        self.min_age = min_age
        self.started: dict[int, float] = {}
        self.servers = [self._start() for _ in range(count)]
        self.kills = 0
        self.lock = threading.Lock()

    def kill_one(self) -> bool:
        """SIGKILL a random serve (no clean-up at all), then start a new one in its place.

        Those serving (past their start) are chosen first; one still starting only once it
        has had ``min_age`` seconds. False when there was none to kill.
        """
        with self.lock:
            alive = [i for i, s in enumerate(self.servers) if s.poll() is None]
            serving = [i for i in alive if self._serving(self.servers[i])]
            old = [i for i in alive if self._age(self.servers[i]) >= self.min_age]
            if not (serving or old):
                return False
            index = self.rng.choice(serving or old)
            victim = self.servers[index]
            victim.send_signal(signal.SIGKILL)
            victim.wait(30)
            self.kills += 1
            self.servers[index] = self._start()
            return True

    def _start(self) -> subprocess.Popen[str]:
        server = self.processes.start("serve")
        self.started[server.pid] = time.monotonic()
        return server

    def _age(self, server: subprocess.Popen[str]) -> float:
        return time.monotonic() - self.started[server.pid]

    def _serving(self, server: subprocess.Popen[str]) -> bool:
        """Past its start: it has opened its runtime and logged ``serving``."""
        return "serving " in self.processes.stderr_of(server)

    def revive(self) -> list[subprocess.Popen[str]]:
        """Serve processes that exited without being killed, each replaced by a new one."""
        with self.lock:
            dead = [s for s in self.servers if s.poll() is not None]
            self.servers = [s if s.poll() is None else self._start() for s in self.servers]
            return dead

    def stop(self, timeout: float = 60) -> list[int]:
        """SIGTERM every serve; each must finish its round and exit. Returns the exit codes.

        A serve is signalled once it has begun to serve (or exited): before its handlers are
        set, while Python is still importing, SIGTERM's default kills it (-15), which says
        nothing about the engine.
        """
        with self.lock:
            wait_for(
                lambda: all(self._serving(s) or s.poll() is not None for s in self.servers),
                timeout,
                "every serve started before the stop",
            )
            for server in self.servers:
                if server.poll() is None:
                    server.send_signal(signal.SIGTERM)
            codes = []
            for server in self.servers:
                try:
                    codes.append(server.wait(timeout))
                except subprocess.TimeoutExpired:
                    server.kill()
                    codes.append(TIMED_OUT)
            return codes


@contextlib.contextmanager
def busy_cpu(workers: int = 2) -> Iterator[list[subprocess.Popen[bytes]]]:
    """Busy-loop processes, one per core by default: the machine is busy for the engines."""
    burners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(workers)]
    try:
        yield burners
    finally:
        for burner in burners:
            burner.kill()
            burner.wait(10)


# ---------------------------------------------------------------------------------------------
# Database faults
# ---------------------------------------------------------------------------------------------


def terminate_engine_backends(url: str) -> int:
    """``pg_terminate_backend`` on every session of the engines; returns how many ended."""
    engine = side_engine(url)
    try:
        with engine.connect() as connection:
            ended = connection.execute(
                sa.text(
                    "select count(*) filter (where pg_terminate_backend(pid)) "
                    "from pg_stat_activity where datname = current_database() "
                    "and application_name in (:engine, :lease) and pid <> pg_backend_pid()"
                ),
                {"engine": ENGINE_APP, "lease": LEASE_APP},
            ).scalar()
            connection.commit()
            return int(ended or 0)
    finally:
        engine.dispose()


def lock_table(url: str, table: str, seconds: float) -> None:
    """Holds ``table`` locked against every other session for ``seconds``.

    PostgreSQL: ``LOCK TABLE … IN ACCESS EXCLUSIVE MODE`` (nobody reads or writes it). SQLite
    locks whole databases: an EXCLUSIVE transaction (nobody else writes anything).
    """
    if not is_postgres(url):
        _lock_sqlite(url, seconds)
        return
    engine = side_engine(url)
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("set lock_timeout = '20s'"))
            connection.execute(sa.text(f'lock table "{table}" in access exclusive mode'))
            time.sleep(seconds)
            connection.rollback()
    finally:
        engine.dispose()


def _lock_sqlite(url: str, seconds: float) -> None:
    path = sa.make_url(url).database
    assert path is not None
    connection = sqlite3.connect(path, timeout=60, isolation_level=None)
    try:
        connection.execute("begin exclusive")
        time.sleep(seconds)
        connection.execute("rollback")
    finally:
        connection.close()


def lock_table_in_background(url: str, table: str, seconds: float) -> threading.Thread:
    thread = threading.Thread(target=lock_table, args=(url, table, seconds), daemon=True)
    thread.start()
    return thread


# ---------------------------------------------------------------------------------------------
# The storage side, observed
# ---------------------------------------------------------------------------------------------

LEDGER = "chaos_spm_ledger"


class StorageLedger:
    """Triggers on ``spm_tasks``: one ledger row per task accepted and per task forgotten
    (cleared, whose id the SPM keeps, or deleted)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = side_engine(url)
        with self.engine.begin() as connection:
            connection.execute(
                sa.text(
                    f"create table if not exists {LEDGER} (task_id varchar(64) not null, "
                    "entity_id varchar(64) not null, change varchar(16) not null)"
                )
            )
            for statement in _pg_triggers() if is_postgres(url) else _sqlite_triggers():
                connection.execute(sa.text(statement))

    def counts(self, change: str) -> Counter[str]:
        """How often each entity (disk) had a task ``accepted`` or ``forgotten`` by the SPM."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                sa.text(f"select entity_id from {LEDGER} where change = :change"),
                {"change": change},
            ).scalars()
            return Counter(str(UUID(str(r))) for r in rows)

    def kept(self) -> int:
        """Tasks the SPM still holds (each one a deletion nobody will clear)."""
        query = "select count(*) from spm_tasks where not cleared"
        with self.engine.connect() as connection:
            return int(connection.execute(sa.text(query)).scalar() or 0)

    def close(self) -> None:
        self.engine.dispose()


def _pg_triggers() -> list[str]:
    return [
        f"""create or replace function {LEDGER}_note() returns trigger language plpgsql as $$
        begin
          if tg_op = 'INSERT' then
            insert into {LEDGER} values (new.task_id, new.entity_id::text, 'accepted');
            return new;
          end if;
          if tg_op = 'UPDATE' then
            if new.cleared and not old.cleared then
              insert into {LEDGER} values (old.task_id, old.entity_id::text, 'forgotten');
            end if;
            return new;
          end if;
          if not old.cleared then
            insert into {LEDGER} values (old.task_id, old.entity_id::text, 'forgotten');
          end if;
          return old;
        end $$""",
        f"drop trigger if exists {LEDGER}_trigger on spm_tasks",
        f"""create trigger {LEDGER}_trigger after insert or update or delete on spm_tasks
        for each row execute function {LEDGER}_note()""",
    ]


def _sqlite_triggers() -> list[str]:
    return [
        f"""create trigger if not exists {LEDGER}_insert after insert on spm_tasks begin
        insert into {LEDGER} values (new.task_id, new.entity_id, 'accepted'); end""",
        f"""create trigger if not exists {LEDGER}_clear after update of cleared on spm_tasks
        when new.cleared and not old.cleared begin
        insert into {LEDGER} values (old.task_id, old.entity_id, 'forgotten'); end""",
        f"""create trigger if not exists {LEDGER}_delete after delete on spm_tasks
        when not old.cleared begin
        insert into {LEDGER} values (old.task_id, old.entity_id, 'forgotten'); end""",
    ]


# ---------------------------------------------------------------------------------------------
# A tally of what was injected, for the report
# ---------------------------------------------------------------------------------------------


@dataclass
class Tally:
    kills: int = 0
    terminated_backends: int = 0
    termination_rounds: int = 0
    table_locks: list[str] = field(default_factory=list)
    maintenance: list[tuple[str, int, float]] = field(default_factory=list)
    """(command, exit code, seconds) of each ``projections rebuild|verify`` run during the load."""
    callers: list[int] = field(default_factory=list)
    """Exit codes of the ``run --wait`` callers."""
    faults: int = 0

    def line(self) -> str:
        return (
            f"kills={self.kills} terminated_backends={self.terminated_backends} "
            f"(in {self.termination_rounds} rounds) table_locks={self.table_locks} "
            f"maintenance={[(n, c, round(s, 1)) for n, c, s in self.maintenance]} "
            f"callers={self.callers} delete_faults={self.faults}"
        )


def env_seed(default: int | None = None) -> int:
    """``TASKTRAIL_CHAOS_SEED`` replays one run's choices; else a fresh seed (printed)."""
    given = os.environ.get("TASKTRAIL_CHAOS_SEED")
    if given:
        return int(given)
    return default if default is not None else random.SystemRandom().randrange(1 << 30)
