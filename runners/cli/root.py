"""The ``tasktrail`` command: run actions, watch jobs, audit, replay and rebuild.

Exit codes: 0 ok, 1 a refused or failed action (or drift found by verify), 2 bad usage or input,
3 the database did not let a rebuild or verify finish (could not verify).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

import typer

from runners.cli import (
    api,
    bundles,
    demo,
    external,
    history,
    projections,
    replay,
    run,
    users,
    watch,
    world,
)
from runners.cli.context import Invocation, refusing

Commands = dict[str, Callable[..., None]]

COMMANDS: Commands = {
    "demo": demo.demo,
    "run": run.run,
    "run-multiple": run.run_multiple,
    "serve": run.serve,
    "jobs": watch.jobs,
    "job": watch.job,
    "commands": watch.commands,
    "tasks": watch.tasks,
    "locks": watch.locks,
    "history": history.history,
    "failed": history.failed,
    "replay": replay.replay,
    "blocked": replay.blocked,
    "export": bundles.export,
    "import": bundles.import_,
    "api": api.api,
}
"""Each top-level command, in the order ``--help`` lists them."""

GROUPS: dict[str, tuple[str, Commands]] = {
    "vm": ("The managed world's VMs.", {"add": world.vm_add}),
    "spm": ("The simulated storage (SPM).", {"fault": world.spm_fault}),
    "external": ("Jobs and steps of other systems (oVirt's external jobs).", external.COMMANDS),
    "user": ("Users of the HTTP API.", {"add": users.user_add}),
    "projections": (
        "The read model: status, rebuild, verify.",
        {
            "status": projections.projection_status,
            "rebuild": projections.rebuild,
            "verify": projections.verify_against_rebuild,
        },
    ),
}
"""Each group of sub-commands: its help and its commands."""


def global_options(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db", help="Database URL (default $TASKTRAIL_DB, else sqlite:///tasktrail.db)."
        ),
    ] = None,
) -> None:
    ctx.obj = Invocation(db=db)


def build_app() -> typer.Typer:
    """The whole command tree; building it opens nothing."""
    app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)
    app.callback()(global_options)
    for name, command in COMMANDS.items():
        app.command(name)(refusing(command))
    for name, (help_text, commands) in GROUPS.items():
        app.add_typer(_group(help_text, commands), name=name)
    return app


def _group(help_text: str, commands: Commands) -> typer.Typer:
    group = typer.Typer(no_args_is_help=True, help=help_text)
    for name, command in commands.items():
        group.command(name)(refusing(command))
    return group
