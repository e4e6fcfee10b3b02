"""``python -m bench [--quick|--full] [--only NAME] [--markdown FILE]``: every figure."""

from __future__ import annotations

import argparse
import importlib
import sys
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
    for name in args.only or WORKLOADS:
        module = importlib.import_module(f"bench.{name}")
        rows.extend(module.run(not args.full))
    show(rows)
    if args.markdown:
        args.markdown.write_text(markdown(rows) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
