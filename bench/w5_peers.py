"""W5: the RemoveVm-3 shape in DBOS, OpenStack TaskFlow and Temporal, against tasktrail.

Peers are optional and live in their own virtualenv (``make bench-peers``) so they never touch
tasktrail's dependencies; each peer script runs there, stops what it starts, and prints its
rate. tasktrail runs the same shape in-process (engine only, storage finishing at once): a
parent, one child, three grandchildren each with a polled external task.

Two shapes: one command after another (every peer), and 50 in flight at once against DBOS
running 50 concurrent workflows (issue 18: tasktrail at least 2x DBOS there).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import sqlalchemy as sa

from bench.backends import databases
from bench.flows import Flows
from bench.report import Row, stopwatch
from bench.sizes import size

ROOT = Path(__file__).resolve().parent.parent
PEERS_PYTHON = ROOT / ".venv-peers" / "bin" / "python"
PEERS = Path(__file__).resolve().parent / "peers"
IN_FLIGHT = 50
SEQUENTIAL = [
    ("DBOS", "dbos_remove_vm.py", ("sqlite", "postgresql")),
    ("TaskFlow", "taskflow_remove_vm.py", ("sqlite",)),
    ("Temporal", "temporal_remove_vm.py", ("sqlite",)),
]
"""Each peer, its script, and the backends it runs on here (Temporal: its dev server)."""


def run(quick: bool) -> list[Row]:
    count = size("w5_commands", quick, 20, 200)
    concurrent = size("w5_in_flight_commands", quick, 2 * IN_FLIGHT, 10 * IN_FLIGHT)
    rows = []
    for backend, url in databases("w5"):
        one_by_one, in_flight = _tasktrail(url, count, concurrent)
        for name, script, backends in SEQUENTIAL:
            if backend in backends:
                rate, why = _peer(script, count, _peer_url(url, backend))
                rows.append(
                    _row(
                        f"tasktrail vs {name} RemoveVm-3/s ({backend})",
                        one_by_one,
                        name,
                        rate,
                        why or _note(name),
                    )
                )
        rate, why = _peer(
            script="dbos_remove_vm.py",
            count=concurrent,
            url=_peer_url(url, backend),
            in_flight=IN_FLIGHT,
        )
        rows.append(
            _row(
                f"{IN_FLIGHT} in flight vs DBOS ({backend})",
                in_flight,
                f"DBOS, {IN_FLIGHT} concurrent workflows",
                rate,
                why or f"{concurrent} RemoveVm-3; target ≥ 2",
            )
        )
    return rows


def _tasktrail(url: str, count: int, concurrent: int) -> tuple[float, float]:
    """RemoveVm-3/s one after another, and with ``IN_FLIGHT`` at a time."""
    flows = Flows(url)
    vms = flows.vms(count + concurrent)
    with stopwatch() as one_by_one:
        flows.remove_one_by_one(vms[:count])
    with stopwatch() as in_flight:
        for start in range(count, count + concurrent, IN_FLIGHT):
            flows.remove(vms[start : start + IN_FLIGHT])
    flows.close()
    return count / one_by_one[0], concurrent / in_flight[0]


def _row(figure: str, ours: float, peer: str, rate: float | None, note: str) -> Row:
    return Row("W5 peers", figure, ours, "cmd/s", peer, rate, note)


def _note(peer: str) -> str:
    return "dev server, its own store" if peer == "Temporal" else "one at a time"


def _peer_url(url: str, backend: str) -> str:
    """The peer's own database beside ours: a fresh SQLite file (the peer makes it), or our
    PostgreSQL database (DBOS keeps its tables in a schema of its own)."""
    if backend == "sqlite":
        return ""
    return sa.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _peer(script: str, count: int, url: str, in_flight: int = 1) -> tuple[float | None, str]:
    if not PEERS_PYTHON.exists():
        return None, "unavailable: run `make bench-peers` to install the peers"
    done = subprocess.run(
        [str(PEERS_PYTHON), str(PEERS / script), str(count), url, str(in_flight)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return None, f"unavailable: {last[:120]}"
    return float(json.loads(done.stdout.strip().splitlines()[-1])["commands_per_second"]), ""
