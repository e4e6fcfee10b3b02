"""The ``tasktrail`` command line: ``app`` (a typer app, for tests and docs) and ``main``."""

from __future__ import annotations

import sys

from tasktrail.runners.cli.failures import guarded
from tasktrail.runners.cli.root import build_app

app = build_app()


def main() -> None:
    """The ``tasktrail`` console script: every failure one line and a documented exit code."""
    sys.exit(guarded(app, sys.argv[1:]))


__all__ = ["app", "main"]
