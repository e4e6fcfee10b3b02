"""W5: the RemoveVm-3 shape in DBOS, OpenStack TaskFlow and Temporal, against tasktrail.

Peers are optional and live in their own virtualenv (``make bench-peers``) so they never touch
tasktrail's dependencies; each peer script runs there, stops what it starts, and prints its
rate. tasktrail runs the same shape in-process (engine only, storage finishing at once): a
parent, one child, three grandchildren each with a polled external task.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from bench.backends import databases
from bench.flows import Flows
from bench.report import Row, stopwatch

ROOT = Path(__file__).resolve().parent.parent
PEERS_PYTHON = ROOT / ".venv-peers" / "bin" / "python"
PEERS = Path(__file__).resolve().parent / "peers"


def run(quick: bool) -> list[Row]:
    count = 20 if quick else 200
    ours = {backend: _tasktrail(url, count) for backend, url in databases("w5")}
    peers = [
        ("DBOS", "sqlite", "dbos_remove_vm.py", []),
        ("DBOS", "postgresql", "dbos_remove_vm.py", [_pg_url("dbos_w5")]),
        ("TaskFlow", "sqlite", "taskflow_remove_vm.py", []),
        ("Temporal", "sqlite", "temporal_remove_vm.py", []),
    ]
    rows = []
    for name, backend, script, extra in peers:
        if backend not in ours:
            continue
        rate, why = _peer(script, count, extra)
        note = why or ("dev server, its own store" if name == "Temporal" else "")
        rows.append(
            Row(
                "W5 peers",
                f"tasktrail vs {name} RemoveVm-3/s ({backend})",
                ours[backend],
                "cmd/s",
                name,
                rate,
                note,
            )
        )
    return rows


def _tasktrail(url: str, count: int) -> float:
    flows = Flows(url)
    vms = flows.vms(count)
    with stopwatch() as elapsed:
        flows.remove(vms)
    return count / elapsed[0]


def _pg_url(database: str) -> str:
    return f"postgresql://postgres@127.0.0.1:5432/{database}"


def _peer(script: str, count: int, extra: list[str]) -> tuple[float | None, str]:
    if not PEERS_PYTHON.exists():
        return None, "unavailable: run `make bench-peers` to install the peers"
    done = subprocess.run(
        [str(PEERS_PYTHON), str(PEERS / script), str(count), *extra],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return None, f"unavailable: {last[:120]}"
    return float(json.loads(done.stdout.strip().splitlines()[-1])["commands_per_second"]), ""
