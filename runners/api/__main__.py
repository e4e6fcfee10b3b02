"""``python -m tasktrail.runners.api [--db URL] [--host H] [--port N] [--engine|--no-engine]``: what
``tasktrail api`` runs, for scripts and tests that start the server without the CLI."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from tasktrail.runners.api.server import serve_api
from tasktrail.runners.api.settings import ApiSettings
from tasktrail.runners.settings import Settings


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m tasktrail.runners.api", description=__doc__)
    parser.add_argument("--db", help="database URL (default $TASKTRAIL_DB)")
    parser.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port to listen on (default 8080)")
    parser.add_argument(
        "--engine", action=argparse.BooleanOptionalAction, help="run an engine loop here"
    )
    args = parser.parse_args(argv)
    api = _given(host=args.host, port=args.port, engine=args.engine)
    serve_api(Settings(**_given(db=args.db)), ApiSettings(**api))


def _given(**options: Any) -> dict[str, Any]:
    return {name: value for name, value in options.items() if value is not None}


if __name__ == "__main__":
    main(sys.argv[1:])
