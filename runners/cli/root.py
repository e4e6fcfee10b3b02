"""The ``tasktrail`` command: run actions, watch jobs, audit, replay and rebuild.

Exit codes: 0 ok, 1 a refused or failed action (or drift found by verify), 2 bad usage or input,
3 the database cannot be reached or opened (or a rebuild or verify could not finish: that is not
drift), 130 interrupted. Errors are one line on stderr.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import version
from typing import Annotated

import typer
from typer.core import TyperGroup

from tasktrail.runners.cli import (
    api,
    bundles,
    debugging,
    demo,
    doctor,
    external,
    history,
    inventory,
    log,
    projections,
    remedies,
    replay,
    run,
    users,
    watch,
    why,
    world,
)
from tasktrail.runners.cli import render as show
from tasktrail.runners.cli.context import Invocation, refusing
from tasktrail.runners.cli.groups import ArmByDefault

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
    "why": why.why,
    "doctor": doctor.doctor,
    "replay": replay.replay,
    "blocked": replay.blocked,
    "diff": debugging.diff,
    "redrive": remedies.redrive,
    "cancel": remedies.cancel,
    "remediate": remedies.remediate,
    "export": bundles.export,
    "import": bundles.import_,
    "verify-log": log.verify_log,
    "api": api.api,
}
"""Each top-level command, in the order ``--help`` lists them."""

FAULTS: Commands = {
    "arm": world.spm_fault,
    "list": inventory.fault_list,
    "clear": inventory.fault_clear,
}
"""``spm fault``'s commands; ``spm fault DISK --on KIND`` is ``spm fault arm``."""

GROUPS: dict[str, tuple[str, Commands]] = {
    "vm": ("The managed world's VMs.", {"add": world.vm_add, "list": inventory.vm_list}),
    "disk": ("The managed world's disks.", {"list": inventory.disk_list}),
    "pool": ("Storage pools (oVirt's Data Centers).", {"list": inventory.pool_list}),
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


HELP = {"help_option_names": ["-h", "--help"]}


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"tasktrail {version('tasktrail')}")
        raise typer.Exit


def global_options(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db", help="Database URL (default $TASKTRAIL_DB, else sqlite:///tasktrail.db)."
        ),
    ] = None,
    debug: Annotated[
        bool,
        typer.Option("--debug", help="Show the traceback of a failure (or TASKTRAIL_DEBUG=1)."),
    ] = False,
    wide: Annotated[bool, typer.Option(help="Whole ids and every column, however wide.")] = False,
    utc: Annotated[bool, typer.Option(help="Times in UTC (default: the local zone).")] = False,
    _version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    ctx.obj = Invocation(db=db, debug=debug, wide=wide, utc=utc)
    show.fit_to_terminal()


def build_app() -> typer.Typer:
    """The whole command tree; building it opens nothing."""
    app = typer.Typer(no_args_is_help=True, context_settings=HELP, help=__doc__)
    app.callback()(global_options)
    for name, command in COMMANDS.items():
        app.command(name)(refusing(command))
    for name, (help_text, commands) in GROUPS.items():
        app.add_typer(_group(help_text, commands), name=name)
    spm = _group("The simulated storage (SPM).", {})
    faults = "Faults armed in the simulated storage: arm (the default), list, clear."
    spm.add_typer(_group(faults, FAULTS, ArmByDefault), name="fault")
    app.add_typer(spm, name="spm")
    return app


def _group(help_text: str, commands: Commands, kind: type[TyperGroup] = TyperGroup) -> typer.Typer:
    group = typer.Typer(no_args_is_help=True, context_settings=HELP, help=help_text, cls=kind)
    for name, command in commands.items():
        group.command(name)(refusing(command))
    return group
