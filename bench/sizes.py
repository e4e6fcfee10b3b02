"""How big each workload runs: quick, full (the sizes the issues name), or as the environment says.

``TASKTRAIL_BENCH_<NAME>=N`` overrides a size in either mode, e.g.
``TASKTRAIL_BENCH_W3_EVENTS=200000 python -m bench --full --only w3_rebuild`` for a shorter
full-mode rebuild.
"""

from __future__ import annotations

import os


def size(name: str, quick: bool, quick_size: int, full_size: int) -> int:
    override = os.environ.get(f"TASKTRAIL_BENCH_{name.upper()}")
    if override:
        return int(override)
    return quick_size if quick else full_size
