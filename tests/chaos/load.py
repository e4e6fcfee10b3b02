"""A chaos run: many RemoveVm on serve processes while faults rain on them, then one clean-up.

``ChaosRun`` builds the world (a pool, N VMs with disks, ``delete`` faults armed on a few disks),
starts the serve processes and busy-loop processes, feeds the removals over a while (most
recorded in-process as ``run`` without ``--wait`` does, some by ``run --wait`` callers), and
meanwhile SIGKILLs and restarts serve processes, terminates their PostgreSQL sessions, locks
tables from another session, and runs ``projections rebuild`` and ``verify``. Then every serve
gets SIGTERM (each must exit 0), one ``serve --until-idle`` finishes what is left, and a final
``projections verify`` must find no drift.
"""

from __future__ import annotations

import random
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from uuid import UUID

from tests.chaos.audit import History, Removal, audit
from tests.chaos.harness import (
    EVENTS_TABLE,
    TIMED_OUT,
    Fleet,
    Processes,
    StorageLedger,
    Tally,
    busy_cpu,
    is_postgres,
    lock_table_in_background,
    read_model_tables,
    terminate_engine_backends,
)
from tests.deployment import Deployment


@dataclass(frozen=True)
class Plan:
    """How hard a chaos run pushes; the defaults are the issue's PostgreSQL run."""

    engines: int = 3
    vms: int = 50
    disks: int = 3
    callers: int = 4
    """RemoveVm run by ``run --wait`` processes (the others are recorded in-process)."""
    faults: int = 3
    """Disks with a ``delete`` fault: their job must fail, with that fault as its reason."""
    kills: int = 20
    kill_every: tuple[float, float] = (0.2, 0.8)
    """Seconds between two chaos ticks (each kills a serve, if one is old enough)."""
    terminations: int = 8
    """Rounds of ``pg_terminate_backend`` on every engine session (PostgreSQL)."""
    table_locks: int = 4
    chaos_seconds: float = 120.0
    """A safety net: the chaos stops after this long even if a count fell short (the test then
    fails on it); on a quiet machine the counts are reached in well under a minute."""
    feed_seconds: float = 12.0
    """The removals are recorded over this long, so that work is in flight while faults hit."""
    spm_task_seconds: float = 0.2
    poll_interval: float = 0.1
    """Every engine polls this often: a dozen engine processes at 0.05 s burn a core."""
    burners: int = 2
    seed: int = 0


@dataclass
class Outcome:
    tally: Tally
    problems: list[str]
    stopped: list[int]
    """Exit codes of the serve processes still running at the end, after SIGTERM."""
    deaths: list[str]
    """Serve processes that exited by themselves during the run (their stderr's last lines)."""
    final_serve: tuple[int, str]
    final_verify: tuple[int, str]
    timings: dict[str, float] = field(default_factory=dict)

    def summary(self) -> str:
        times = " ".join(f"{k}={v:.1f}s" for k, v in self.timings.items())
        return (
            f"{self.tally.line()} stopped={self.stopped} deaths={len(self.deaths)} "
            f"final_serve={self.final_serve[0]} final_verify={self.final_verify[0]} {times}"
        )


class ChaosRun:
    def __init__(self, url: str, workdir: Path, plan: Plan) -> None:
        self.url = url
        self.plan = plan
        self.rng = random.Random(plan.seed)
        self.timings: dict[str, float] = {}
        self.started = started = time.monotonic()
        self.deployment = Deployment(url, plan.spm_task_seconds, plan.poll_interval)
        self.ledger = StorageLedger(url)
        self.removals = self._world()
        self.processes = Processes(self.deployment, workdir / "logs")
        self.tally = Tally(faults=plan.faults)
        self.deaths: list[str] = []
        self.timings["setup"] = time.monotonic() - started

    def _world(self) -> list[Removal]:
        """N VMs recorded at once, then one engine loop in this process creates them all."""
        engine = self.deployment.runtime.engine
        made = [
            engine.run_action(
                "AddVm",
                {
                    "name": f"chaos{i}",
                    "disks": self.plan.disks,
                    "storage_pool_id": self.deployment.pool,
                },
                user="admin",
            ).action_return_value
            for i in range(self.plan.vms)
        ]
        self.deployment.runtime.loop().run_until_idle(max_steps=1000)
        removals = [Removal(UUID(m["vm_id"]), [UUID(d) for d in m["disk_ids"]]) for m in made]
        faulted = self.rng.sample(removals[self.plan.callers :], self.plan.faults)
        for removal in faulted:
            removal.faulted = self.rng.choice(removal.disks)
            self.deployment.spm.inject_fault(removal.faulted, "delete")
        return removals

    def run(self) -> Outcome:
        """The load under faults, then the clean-up; times are seconds since the load began."""
        self.load_started = started = time.monotonic()
        fleet = Fleet(self.processes, self.plan.engines, self.rng, min_age=3.0)
        self.fleet = fleet
        with busy_cpu(self.plan.burners):
            fed = threading.Event()
            chaos = threading.Thread(target=self._chaos, args=(fed,), daemon=True)
            chaos.start()
            callers = self._feed()
            self.timings["feed"] = time.monotonic() - started
            fed.set()
            chaos.join(120)
            self.timings["chaos"] = time.monotonic() - started
            self._callers_done(callers)
            self.tally.kills = fleet.kills
            stopped = fleet.stop()
        self.timings["load"] = time.monotonic() - started
        return self._finish(stopped)

    def _feed(self) -> list[tuple[Removal, subprocess.Popen[str]]]:
        """Each removal recorded in turn, spread over ``feed_seconds``."""
        pause = self.plan.feed_seconds / max(1, len(self.removals))
        callers = []
        for index, removal in enumerate(self.removals):
            if index < self.plan.callers:
                process = self.processes.start(
                    "run", "RemoveVm", "--param", f"vm_id={removal.vm_id}", "--wait", "--json"
                )
                callers.append((removal, process))
            else:
                removal.root = self.deployment.validate_removal(removal.vm_id)
            time.sleep(pause)
        return callers

    def _callers_done(self, callers: list[tuple[Removal, subprocess.Popen[str]]]) -> None:
        """Waits for every ``run --wait`` caller; each exit code and when it came, in seconds."""
        deadline = time.monotonic() + 180
        waiting = dict(enumerate(callers))
        ended: dict[int, tuple[int, float]] = {}
        while waiting and time.monotonic() < deadline:
            for index, (_, process) in list(waiting.items()):
                if process.poll() is not None:
                    ended[index] = (process.returncode, time.monotonic() - self.load_started)
                    del waiting[index]
            time.sleep(0.1)
        for index, (_, process) in waiting.items():
            process.kill()
            ended[index] = (TIMED_OUT, time.monotonic() - self.load_started)
        self.tally.callers = [ended[i][0] for i in range(len(callers))]
        self.timings["callers"] = max((t for _, t in ended.values()), default=0.0)
        history = History.of(self.deployment.store)
        for removal, _ in callers:
            removal.root = history.removal_of(removal.vm_id)

    def _chaos(self, fed: threading.Event) -> None:
        """Faults on a rhythm of ticks until the feeding is over and each fault reached its
        count (or ``chaos_seconds`` are spent: the test then fails on the counts)."""
        tick = 0
        background: list[threading.Thread] = []
        deadline = time.monotonic() + self.plan.chaos_seconds
        while not (fed.is_set() and self._all_injected(tick)) and time.monotonic() < deadline:
            tick += 1
            time.sleep(self.rng.uniform(*self.plan.kill_every))
            self._note_deaths()
            if self.fleet.kills < self.plan.kills:
                self.fleet.kill_one()
            self._terminate(tick)
            background += self._table_lock(tick) + self._maintenance(tick)
        self._note_deaths()
        for thread in background:
            thread.join(90)

    def _all_injected(self, tick: int) -> bool:
        """Every fault at its count (rebuild and verify start at ticks 5 and 9)."""
        tally, plan = self.tally, self.plan
        terminated = tally.termination_rounds >= plan.terminations or not is_postgres(self.url)
        locked = len(tally.table_locks) >= plan.table_locks
        return self.fleet.kills >= plan.kills and terminated and locked and tick >= 9

    def _terminate(self, tick: int) -> None:
        """``pg_terminate_backend`` on every engine session, every second tick; a round counts
        when it ended a session (engines still starting have none)."""
        if (
            not is_postgres(self.url)
            or tick % 2
            or self.tally.termination_rounds >= self.plan.terminations
        ):
            return
        ended = terminate_engine_backends(self.url)
        self.tally.terminated_backends += ended
        self.tally.termination_rounds += ended > 0

    def _table_lock(self, tick: int) -> list[threading.Thread]:
        """A read-model table (the event store's once) locked from another session."""
        if len(self.tally.table_locks) >= self.plan.table_locks:
            return []
        if tick % 7 == 4:
            table = self.rng.choice(read_model_tables())
            seconds = 3.0 if is_postgres(self.url) else 1.5
        elif tick == 10:
            table, seconds = EVENTS_TABLE, 1.0
        else:
            return []
        self.tally.table_locks.append(f"{table}:{seconds:.1f}s")
        return [lock_table_in_background(self.url, table, seconds)]

    def _maintenance(self, tick: int) -> list[threading.Thread]:
        """``projections rebuild`` and ``verify`` beside the engines, each in its own thread."""
        names = {5: "rebuild", 9: "verify"}
        if tick not in names:
            return []
        thread = threading.Thread(target=self._maintain, args=(names[tick],), daemon=True)
        thread.start()
        return [thread]

    def _maintain(self, name: str) -> None:
        started = time.monotonic()
        done = self.processes.run("projections", name, "--json", timeout=90)
        self.tally.maintenance.append((name, done.returncode, time.monotonic() - started))

    def _note_deaths(self) -> None:
        """A serve that exited by itself died of what it met: its last words are kept."""
        for dead in self.fleet.revive():
            lines = self.processes.stderr_of(dead).strip().splitlines()
            self.deaths.append(f"exit {dead.returncode}: " + " | ".join(lines[-5:]))

    def _finish(self, stopped: list[int]) -> Outcome:
        started = time.monotonic()
        final = self.processes.run("serve", "--until-idle", timeout=90)
        self.timings["until_idle"] = time.monotonic() - started
        verified = self.processes.run("projections", "verify", "--json", timeout=90)
        problems = audit(self.deployment.store, self.removals, self.ledger)
        self.timings["total"] = time.monotonic() - self.started
        return Outcome(
            self.tally,
            problems,
            stopped,
            self.deaths,
            (final.returncode, final.stderr[-2000:]),
            (verified.returncode, verified.stdout[-2000:] + verified.stderr[-2000:]),
            self.timings,
        )

    def close(self) -> None:
        self.processes.close()
        self.ledger.close()
        self.deployment.runtime.database.dispose()
