"""External jobs and steps: another system reports its own work as jobs and steps.

Each sub-command runs its oVirt action (AddExternalJob, AddExternalStep, EndExternalStep,
EndExternalJob, ClearExternalJob) to its end here and prints its ActionReturnValue; a refused
one exits 1 with oVirt's messages.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import typer

from tasktrail.domain.model.step.machine import StepEnum
from tasktrail.runners.cli import context
from tasktrail.runners.cli import render as show
from tasktrail.runners.cli.local_engine import LocalEngine
from tasktrail.runners.cli.options import IdText, JsonFlag

_IDS = {"parent_id", "step_id", "job_id"}
"""The parameters a user may give as an id prefix."""
User = Annotated[str, typer.Option(help="Who reports it.")]
Failed = Annotated[bool, typer.Option("--failed", help="It ended badly.")]


def add_job(
    ctx: typer.Context,
    description: str,
    auto_cleared: Annotated[
        bool, typer.Option(help="Let the job cleanup delete it once ended.")
    ] = False,
    user: User = "admin",
    json_out: JsonFlag = False,
) -> None:
    """Start an external job (prints its id)."""
    params = {"description": description, "auto_cleared": auto_cleared}
    _run(ctx, "AddExternalJob", params, user, json_out)


def add_step(
    ctx: typer.Context,
    parent: Annotated[
        str, typer.Argument(help="The job, or the step, it goes under (or a prefix).")
    ],
    description: str,
    step_type: Annotated[StepEnum, typer.Option("--type")] = StepEnum.EXECUTING,
    user: User = "admin",
    json_out: JsonFlag = False,
) -> None:
    """Start a step of an external job (prints its id)."""
    params = {"parent_id": parent, "description": description, "step_type": step_type}
    _run(ctx, "AddExternalStep", params, user, json_out)


def end_step(
    ctx: typer.Context,
    step: IdText,
    failed: Failed = False,
    user: User = "admin",
    json_out: JsonFlag = False,
) -> None:
    """End an external step; --failed also fails its job and the job's running steps."""
    _run(ctx, "EndExternalStep", {"step_id": step, "succeeded": not failed}, user, json_out)


def end_job(
    ctx: typer.Context,
    job: IdText,
    failed: Failed = False,
    force: Annotated[bool, typer.Option(help="Also let the job cleanup delete it.")] = False,
    user: User = "admin",
    json_out: JsonFlag = False,
) -> None:
    """End an external job and its running steps."""
    params = {"job_id": job, "succeeded": not failed, "force": force}
    _run(ctx, "EndExternalJob", params, user, json_out)


def clear_job(
    ctx: typer.Context, job: IdText, user: User = "admin", json_out: JsonFlag = False
) -> None:
    """Let the job cleanup delete an external job (its status stays)."""
    _run(ctx, "ClearExternalJob", {"job_id": job}, user, json_out)


def _run(
    ctx: typer.Context, action: str, params: dict[str, Any], user: str, json_out: bool
) -> None:
    runtime = context.runtime(ctx)
    ids = {k: str(context.resolve(runtime, v)) for k, v in params.items() if k in _IDS}
    with LocalEngine(runtime) as here:
        returned = here.run_to_end(action, {**params, **ids}, user=user)
    if json_out:
        show.emit_json(returned.model_dump(mode="json"))
    else:
        show.console.print_json(returned.model_dump_json())
    if not (returned.valid and returned.succeeded):
        raise typer.Exit(1)


COMMANDS: dict[str, Callable[..., None]] = {
    "add-job": add_job,
    "add-step": add_step,
    "end-step": end_step,
    "end-job": end_job,
    "clear-job": clear_job,
}
