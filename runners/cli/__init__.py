"""The ``tasktrail`` command line: ``app`` (a typer app, for tests and docs) and ``main``."""

from __future__ import annotations

from runners.cli.root import build_app

app = build_app()


def main() -> None:
    """The ``tasktrail`` console script."""
    app()


__all__ = ["app", "main"]
