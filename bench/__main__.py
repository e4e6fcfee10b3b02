"""``python -m bench [--quick|--full] [--only NAME] [--markdown FILE]``: every figure.

A workload that raises is reported as a row saying so (its traceback on stderr) and the
others still run.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
import traceback
from pathlib import Path

from bench.report import Row, markdown, show

WORKLOADS = [
    "store_append",
    "w1_remove_vm",
    "latency",
    "idle_round",
    "w2_serve",
    "w3_rebuild",
    "w4_replay",
    "w5_peers",
    "w6_api",
    "w7_console",
    "memory",
]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="small sizes (default)")
    size.add_argument("--full", action="store_true", help="the sizes the issues name")
    parser.add_argument("--only", choices=WORKLOADS, action="append")
    parser.add_argument("--markdown", type=Path, help="also write the table as Markdown")
    args = parser.parse_args(argv)
    rows: list[Row] = []
    failed = 0
    for name in args.only or WORKLOADS:
        found = _run(name, quick=not args.full)
        failed += any(r.unit == "failed" for r in found)
        rows.extend(found)
    show(rows)
    if args.markdown:
        args.markdown.write_text(markdown(rows) + "\n")
    return 1 if failed else 0


def _run(name: str, *, quick: bool) -> list[Row]:
    start = time.perf_counter()
    try:
        rows: list[Row] = importlib.import_module(f"bench.{name}").run(quick)
    except Exception as error:  # noqa: BLE001 - reported as a row; the other workloads go on
        traceback.print_exc()
        return [Row(name, f"failed: {type(error).__name__}: {error}"[:160], 0, "failed")]
    sys.stderr.write(f"{name}: {time.perf_counter() - start:.0f} s\n")
    return rows


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
