"""How big each workload runs: quick, full (the sizes the issues name), or as the environment says.

``TASKTRAIL_BENCH_<NAME>=N`` overrides a size in either mode, e.g.
``TASKTRAIL_BENCH_W3_EVENTS=200000 python -m bench --full --only w3_rebuild`` for a shorter
full-mode rebuild.

Full mode is long on a 2-core machine: W3 grows, rebuilds and verifies linearly with its size
(200,000 events on both stores took 9.5 minutes on a busy machine, so expect about 45 at
1,000,000), and the memory probe runs 30,000 commands (about 25 minutes).
"""

from __future__ import annotations

import os


def size(name: str, quick: bool, quick_size: int, full_size: int) -> int:
    override = os.environ.get(f"TASKTRAIL_BENCH_{name.upper()}")
    if override:
        return int(override)
    return quick_size if quick else full_size
